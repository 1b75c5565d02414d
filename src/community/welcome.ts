import type { Redis } from 'ioredis';
import type { ContentSource } from '../core/ports.js';
import type { ChatRef, JoinedMember, Platform, Reply } from '../core/types.js';
import { type Clock, systemClock } from './clock.js';
import { type CommunityLogger, silentLogger } from './logger.js';
import { communityWelcome, joinNames } from './replies.js';

export type SendTo = (platform: Platform, chatId: string, replies: readonly Reply[]) => Promise<void>;

/** A raid can be thousands: enough to name people and count the rest. */
const MAX_MEMBERS = 10_000;

/**
 * The open welcome batch of each chat. In Redis, every replica adds to the same batch and
 * exactly one takes it when it is due; in memory for a single process without Redis.
 */
export interface WelcomeStore {
  /** Adds members to the chat's batch, opening it (due at `dueAt`) if none is open; returns when it is due. */
  add(key: string, chat: ChatRef, members: readonly JoinedMember[], dueAt: number): Promise<number>;
  /** Takes the whole batch (only one caller gets it). */
  take(key: string): Promise<{ chat: ChatRef; members: JoinedMember[] } | undefined>;
}

export interface WelcomeBatcherOptions {
  readonly content: ContentSource;
  readonly send: SendTo;
  /** Joins within this long after the first one share one welcome. */
  readonly windowMs: number;
  readonly clock?: Clock;
  readonly logger?: CommunityLogger;
  /** Names written out in one welcome; the rest are "and N others". */
  readonly maxNames?: number;
  /** Default: in memory. */
  readonly store?: WelcomeStore;
}

export interface WelcomeBatcher {
  add(chat: ChatRef, members: readonly JoinedMember[]): Promise<void>;
  /** Sends every welcome this process is waiting for now (shutdown). */
  flush(): Promise<void>;
  /** Chats with a welcome waiting for its window to close (in this process). */
  pending(): number;
}

/**
 * Collects joins per chat and sends one welcome per window: a raid or a big campaign
 * gets one message naming everyone, not one message per person. Every replica that saw a join
 * of the batch waits for its due time; the first to take it sends it, so a replica that dies
 * meanwhile loses no welcome.
 */
export function createWelcomeBatcher(options: WelcomeBatcherOptions): WelcomeBatcher {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxNames = options.maxNames ?? 20;
  const store = options.store ?? createMemoryWelcomeStore();
  const timers = new Map<string, unknown>();

  async function send(key: string): Promise<void> {
    clock.clearTimeout(timers.get(key));
    timers.delete(key);
    const batch = await store.take(key);
    if (!batch || batch.members.length === 0) return;
    const { members } = batch;
    const names = members.map((m) => m.name?.trim()).filter((n): n is string => Boolean(n));
    const reply = communityWelcome(
      options.content.current().content,
      joinNames(names, members.length - names.length, maxNames),
    );
    try {
      await options.send(batch.chat.platform, batch.chat.chatId, [reply]);
    } catch (err) {
      logger.warn({ err, chat: batch.chat, members: members.length }, 'welcome could not be sent');
    }
  }

  return {
    async add(chat, members) {
      if (members.length === 0) return;
      const key = `${chat.platform}:${chat.chatId}`;
      const now = clock.now();
      const dueAt = await store.add(key, chat, members, now + options.windowMs);
      if (timers.has(key)) return;
      timers.set(
        key,
        clock.setTimeout(
          () => void send(key).catch((err) => logger.warn({ err }, 'welcome failed')),
          Math.max(0, dueAt - now),
        ),
      );
    },
    async flush() {
      await Promise.all([...timers.keys()].map(send));
    },
    pending: () => timers.size,
  };
}

export function createMemoryWelcomeStore(): WelcomeStore {
  const batches = new Map<string, { chat: ChatRef; members: Map<string, JoinedMember>; dueAt: number }>();
  return {
    async add(key, chat, members, dueAt) {
      let batch = batches.get(key);
      if (!batch) {
        batch = { chat, members: new Map(), dueAt };
        batches.set(key, batch);
      }
      for (const m of members) if (batch.members.size < MAX_MEMBERS) batch.members.set(m.id, m);
      return batch.dueAt;
    },
    async take(key) {
      const batch = batches.get(key);
      batches.delete(key);
      return batch ? { chat: batch.chat, members: [...batch.members.values()] } : undefined;
    },
  };
}

/** One batch per chat in Redis: `members` (id -> JSON with its order), `due` and the chat. Kept 10 minutes past due at most. */
export function createRedisWelcomeStore(redis: Redis, prefix: string): WelcomeStore {
  const keys = (key: string) => [`${prefix}welcome:${key}:members`, `${prefix}welcome:${key}:meta`];
  return {
    async add(key, chat, members, dueAt) {
      const due = await redis.eval(
        WELCOME_ADD,
        2,
        ...keys(key),
        JSON.stringify({ chat, dueAt }),
        MAX_MEMBERS,
        ...members.flatMap((m) => [m.id, m.name ?? '']),
      );
      return Number(due);
    },
    async take(key) {
      const [meta, flat] = (await redis.eval(WELCOME_TAKE, 2, ...keys(key))) as [string | null, string[]];
      if (!meta) return undefined;
      const members: { id: string; name: string; at: number }[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const v = JSON.parse(flat[i + 1]!) as { n: string; at: number };
        members.push({ id: flat[i]!, name: v.n, at: v.at });
      }
      members.sort((a, b) => a.at - b.at);
      return {
        chat: (JSON.parse(meta) as { chat: ChatRef }).chat,
        members: members.map((m) => ({ id: m.id, ...(m.name ? { name: m.name } : {}) })),
      };
    },
  };
}

// KEYS: members hash, meta. ARGV: meta JSON (chat, dueAt), max members, then id, name pairs.
// Returns the batch's due time.
const WELCOME_ADD = `
redis.call('SET', KEYS[2], ARGV[1], 'NX', 'EX', 3600)
local meta = cjson.decode(redis.call('GET', KEYS[2]))
local n = redis.call('HLEN', KEYS[1])
for i = 3, #ARGV, 2 do
  if n >= tonumber(ARGV[2]) then break end
  if redis.call('HSETNX', KEYS[1], ARGV[i], cjson.encode({ n = ARGV[i + 1], at = n })) == 1 then n = n + 1 end
end
redis.call('EXPIRE', KEYS[1], 3600)
return tostring(meta.dueAt)
`;

// KEYS: members hash, meta. Returns { meta or false, flat members }, and removes both.
const WELCOME_TAKE = `
local meta = redis.call('GET', KEYS[2])
local members = redis.call('HGETALL', KEYS[1])
redis.call('DEL', KEYS[1], KEYS[2])
return { meta, members }
`;
