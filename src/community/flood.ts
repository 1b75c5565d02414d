import type { Redis } from 'ioredis';
import { can } from '../core/permissions.js';
import { simple } from '../core/replies.js';
import type { Guard } from '../core/router.js';
import type { Incoming } from '../core/types.js';
import { withTimeout } from './bounded.js';
import { type Clock, systemClock } from './clock.js';
import { type CommunityLogger, silentLogger } from './logger.js';

/** What flood control does with one message: let it through, send the note once, or stay quiet. */
export type FloodVerdict = 'ok' | 'note' | 'quiet';

/**
 * Message counts per member and chat in a sliding window. In Redis when there is one, so every
 * replica counts against the same budget; in memory otherwise.
 */
export interface FloodStore {
  hit(key: string, now: number, windowMs: number, max: number): Promise<FloodVerdict>;
}

export interface FloodOptions {
  /** More than this many messages to the bot within the window gets the slow-down note. */
  readonly max: number;
  readonly windowMs: number;
  /**
   * The separate budget for reading (button presses, /next, /prev, /section, /article): paging
   * through the article is not flooding. Default: four times `max`, at least 30.
   */
  readonly navigationMax?: number;
  readonly clock?: Clock;
  /** Default: in memory, this process only. */
  readonly store?: FloodStore;
  /** A store slower than this lets the message through (default 500 ms): flood control never holds a reply. */
  readonly timeoutMs?: number;
  readonly logger?: CommunityLogger;
}

/** Whether the member spoke to the bot: commands, button presses, anything in a private chat or addressed to it. */
const toTheBot = (incoming: Incoming): boolean => {
  switch (incoming.kind) {
    case 'command':
    case 'press':
      return true;
    case 'text':
    case 'media':
      return incoming.chat.chatType === 'private' || incoming.addressed === true;
    case 'member_joined':
    case 'join_request':
      return false;
  }
};

const READING_COMMANDS = new Set([
  'next',
  'prev',
  'previous',
  'back',
  'section',
  'article',
  'toc',
  'contents',
]);
// `page` turns a navigation message (sections, contents, the FAQ's topics).
const READING_PRESSES = new Set(['sec', 'toc', 'psg', 'faq', 'page', 'links', 'rules']);

/** Paging through the article and the FAQ: buttons and the reading commands. */
export const isNavigation = (incoming: Incoming): boolean =>
  (incoming.kind === 'command' && READING_COMMANDS.has(incoming.command)) ||
  (incoming.kind === 'press' && READING_PRESSES.has(incoming.data.split(':')[0]!));

/**
 * Flood control as a router guard. A member who sends more than `max` messages to the bot
 * within `windowMs` gets one gentle note, then nothing until the window has room again.
 * Each chat counts separately (a group and the private chat with the bot are two counters),
 * reading has its own, larger budget, and moderators are never slowed down.
 */
export function createFloodGuard(options: FloodOptions): Guard {
  const clock = options.clock ?? systemClock;
  const store = options.store ?? createMemoryFloodStore();
  const logger = options.logger ?? silentLogger;
  const navigationMax = options.navigationMax ?? Math.max(30, options.max * 4);
  const note = () =>
    simple(
      'command',
      `You're sending me messages faster than I can keep up with. Please take a short break and try again in ${seconds(options.windowMs)}; I'll answer again then.`,
    );

  return async (incoming, actor) => {
    if (can(actor, 'flood.exempt') || !toTheBot(incoming)) return undefined;
    const reading = isNavigation(incoming);
    const key = `${reading ? 'nav' : 'msg'}:${incoming.chat.platform}:${incoming.chat.chatId}:${incoming.sender.id}`;
    let verdict: FloodVerdict;
    try {
      verdict = await withTimeout(
        store.hit(key, clock.now(), options.windowMs, reading ? navigationMax : options.max),
        options.timeoutMs ?? 500,
        'flood control',
      );
    } catch (err) {
      logger.warn({ err }, 'flood control: the store did not answer; letting the message through');
      return undefined;
    }
    if (verdict === 'ok') return undefined;
    return verdict === 'note' ? [note()] : [];
  };
}

/** This process only: a restart forgives everyone. Bounded: the least recently active are forgotten first. */
export function createMemoryFloodStore(maxTracked = 10_000): FloodStore {
  const seen = new Map<string, { times: number[]; warned: boolean }>();
  return {
    async hit(key, now, windowMs, max) {
      const entry = seen.get(key) ?? { times: [], warned: false };
      seen.delete(key);
      seen.set(key, entry);
      if (seen.size > maxTracked) seen.delete(seen.keys().next().value!);
      entry.times = entry.times.filter((t) => now - t < windowMs);
      const flooding = entry.times.length >= max;
      entry.times.push(now);
      // Keep only what the decision needs: the newest max + 1 messages.
      if (entry.times.length > max + 1) entry.times.splice(0, entry.times.length - max - 1);
      if (!flooding) {
        entry.warned = false;
        return 'ok';
      }
      if (entry.warned) return 'quiet';
      entry.warned = true;
      return 'note';
    },
  };
}

/** Shared by every replica on one Redis: one sorted set of message times per key, expiring with the window. */
export function createRedisFloodStore(redis: Redis, prefix: string): FloodStore {
  let n = 0;
  return {
    async hit(key, now, windowMs, max) {
      const result = (await redis.eval(
        FLOOD_HIT,
        2,
        `${prefix}flood:${key}`,
        `${prefix}flood-warned:${key}`,
        now,
        windowMs,
        max,
        `${now}-${process.pid}-${++n}`,
      )) as number;
      return result === 0 ? 'ok' : result === 1 ? 'note' : 'quiet';
    },
  };
}

// KEYS: the times (sorted set), the "warned" flag. ARGV: now, window, max, a unique member.
// Returns 0 ok, 1 send the note, 2 stay quiet.
const FLOOD_HIT = `
local now, window, max = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local n = redis.call('ZCARD', KEYS[1])
redis.call('ZADD', KEYS[1], now, ARGV[4])
if n + 1 > max + 1 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, n - max - 1) end
redis.call('PEXPIRE', KEYS[1], window)
if n < max then
  redis.call('DEL', KEYS[2])
  return 0
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', window) then return 1 end
return 2
`;

const seconds = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? `${Math.ceil(s / 60)} minutes` : `${s} seconds`;
};
