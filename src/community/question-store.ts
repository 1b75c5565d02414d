/**
 * Members' questions the bot did not answer outright, in Redis: one JSON record per ask (id, text,
 * chat, message id, outcome, choices offered, choice pressed, time), an index by time, and, per
 * member and chat, the last "did you mean" offer so a press can be matched to it. Bounded in number
 * and age. `/unanswered`, `/reply` and (later) the web console's review page read it.
 */
import type { Redis } from 'ioredis';
import { type StoredQuestion, selectQuestions, wordingKey } from '../core/memory-log.js';
import { chatKeyOf } from '../core/permissions.js';
import type { QuestionOutcome, UnansweredLog } from '../core/ports.js';
import type { ChatRef } from '../core/types.js';

export interface QuestionLogOptions {
  /** How long a record is kept. */
  readonly ttlSeconds: number;
  /** Records kept at most; the oldest go first. */
  readonly maxRecords: number;
  readonly now?: () => number;
}

/** The record as JSON: dates as epoch milliseconds. */
interface Stored {
  id: string;
  text: string;
  chat: ChatRef;
  messageId?: string;
  senderId?: string;
  outcome: QuestionOutcome;
  choices: { label: string; data: string }[];
  pressed?: string;
  answered?: { at: number; by: string };
  at: number;
}

const toRecord = ({ answered, ...s }: Stored): StoredQuestion => ({
  ...s,
  at: new Date(s.at),
  ...(answered ? { answered: { at: new Date(answered.at), by: answered.by } } : {}),
});

const parse = (raw: string | null): Stored | undefined => {
  if (!raw) return undefined;
  try {
    return JSON.parse(raw) as Stored;
  } catch {
    return undefined;
  }
};

/** A member's offer waits this long for a press. */
export const OFFER_TTL_SECONDS = 24 * 60 * 60;
/** A listing reads at most this many of the newest records. */
const MAX_SCANNED = 5_000;

export function createRedisQuestionLog(
  redis: Redis,
  prefix: string,
  options: QuestionLogOptions,
): UnansweredLog {
  const now = options.now ?? Date.now;
  const k = {
    seq: `${prefix}q:seq`,
    index: `${prefix}q:index`,
    item: (id: string) => `${prefix}q:item:${id}`,
    offer: (chat: ChatRef, senderId: string) => `${prefix}q:offer:${chatKeyOf(chat)}:${senderId}`,
  };
  const update = async (id: string, change: (s: Stored) => Stored | undefined) => {
    const s = parse(await redis.get(k.item(id)));
    const next = s && change(s);
    if (next) await redis.set(k.item(id), JSON.stringify(next), 'KEEPTTL');
  };

  return {
    async record(q) {
      if (!wordingKey(q.text)) return;
      const id = String(await redis.incr(k.seq));
      const stored: Stored = {
        id,
        text: q.text.trim().slice(0, 500),
        chat: { ...q.chat },
        ...(q.messageId ? { messageId: q.messageId } : {}),
        ...(q.senderId ? { senderId: q.senderId } : {}),
        outcome: q.outcome,
        choices: (q.choices ?? []).map((c) => ({ label: c.label, data: c.data })),
        at: q.at.getTime(),
      };
      const m = redis
        .multi()
        .set(k.item(id), JSON.stringify(stored), 'EX', options.ttlSeconds)
        .zadd(k.index, q.at.getTime(), id)
        .zremrangebyscore(k.index, '-inf', now() - options.ttlSeconds * 1000)
        .zremrangebyrank(k.index, 0, -options.maxRecords - 1)
        .expire(k.index, options.ttlSeconds);
      if (q.senderId && stored.choices.length > 0)
        m.set(k.offer(q.chat, q.senderId), id, 'EX', OFFER_TTL_SECONDS);
      await m.exec();
    },
    async pressed({ chat, senderId, data }) {
      const id = await redis.get(k.offer(chat, senderId));
      if (!id) return;
      await update(id, (s) =>
        s.pressed || !s.choices.some((c) => c.data === data) ? undefined : { ...s, pressed: data },
      );
    },
    async list(query) {
      const ids = await redis.zrevrangebyscore(
        k.index,
        '+inf',
        query.since.getTime(),
        'LIMIT',
        0,
        MAX_SCANNED,
      );
      const records: StoredQuestion[] = [];
      for (let i = 0; i < ids.length; i += 500) {
        const chunk = ids.slice(i, i + 500);
        for (const raw of await redis.mget(chunk.map(k.item))) {
          const s = parse(raw);
          if (s) records.push(toRecord(s));
        }
      }
      return selectQuestions(records, query);
    },
    async get(id) {
      if (!/^\d{1,12}$/.test(id)) return undefined;
      const s = parse(await redis.get(k.item(id)));
      return s && { ...toRecord(s), similar: 1 };
    },
    async markAnswered(id, by, at) {
      await update(id, (s) => ({ ...s, answered: { at: at.getTime(), by } }));
    },
  };
}
