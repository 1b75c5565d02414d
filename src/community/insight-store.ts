import type { Redis } from 'ioredis';
import { createMemoryUnansweredLog } from '../core/memory-log.js';
import { chatKeyOf } from '../core/permissions.js';
import type { Stats, UnansweredLog } from '../core/ports.js';
import type { ChatRef } from '../core/types.js';
import { createRedisQuestionLog } from './question-store.js';

/** What the router records for `/stats`. */
export type AnswerKind = Parameters<Stats['recordAnswer']>[0];
export const ANSWER_KINDS: readonly AnswerKind[] = [
  'faq',
  'section',
  'suggestions',
  'fallback',
  'safety',
  'caution',
];

/** Statistics and unanswered questions, with the queries `/stats` and `/unanswered` need. */
export interface Insight extends Required<Stats> {
  readonly unanswered: UnansweredLog;
  /** Whether the numbers survive a restart (Redis) or not (memory). */
  readonly durable: boolean;
  /** Counts since `since`: the community's, or one chat's. */
  answerCounts(since: Date, chat?: ChatRef): Promise<Record<AnswerKind, number>>;
  topFaq(since: Date, limit: number, chat?: ChatRef): Promise<{ faqId: string; count: number }[]>;
  /** Sections served since `since` (answers, /read, buttons, paging), most served first. */
  topSections(since: Date, limit: number, chat?: ChatRef): Promise<{ section: number; count: number }[]>;
  /** Answers per UTC day since `since`, oldest first, every kind recorded (the console's chart). */
  daily(since: Date, chat?: ChatRef): Promise<{ day: string; counts: Record<string, number> }[]>;
}

export interface InsightOptions {
  /** How many days of numbers to keep (and the most `/stats` and `/unanswered` can look back). */
  readonly retentionDays?: number;
  /** Questions kept (each ask is one); the oldest go first. */
  readonly maxQuestions?: number;
  readonly now?: () => number;
}

const DAY = 24 * 60 * 60 * 1000;
/** Days are UTC days: numbers are bucketed per day and kept `retentionDays`. */
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const daysSince = (since: Date, now: number, max: number): string[] => {
  const days: string[] = [];
  for (let t = now; t >= since.getTime() - DAY && days.length < max + 1; t -= DAY) {
    const d = dayOf(t);
    if (d >= dayOf(since.getTime())) days.push(d);
  }
  return days;
};
/** WITHSCORES replies are flat `[m, s, m, s]` on RESP2 and `[[m, s], ...]` on RESP3 (ioredis 6's default). */
const scorePairs = (reply: unknown): [string, number][] => {
  const list = reply as unknown[];
  if (list.length > 0 && Array.isArray(list[0])) {
    return (list as [unknown, unknown][]).map(([m, sc]) => [String(m), Number(sc)]);
  }
  const out: [string, number][] = [];
  for (let i = 0; i + 1 < list.length; i += 2) out.push([String(list[i]), Number(list[i + 1])]);
  return out;
};
/** Counts summed over days, most first (ties in key order), at most `limit`. */
const ranked = (total: Map<string, number>, limit: number): [string, number][] =>
  [...total.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, limit);
const sectionsOf = (pairs: [string, number][]) =>
  pairs.map(([section, count]) => ({ section: Number(section), count }));

const emptyCounts = (): Record<AnswerKind, number> => ({
  faq: 0,
  section: 0,
  suggestions: 0,
  fallback: 0,
  safety: 0,
  caution: 0,
});

/** How many days statistics and unanswered questions are kept (the TTL is one day more). */
export const keptSeconds = (retentionDays: number): number => (retentionDays + 1) * 24 * 60 * 60;
export const DEFAULT_RETENTION_DAYS = 90;
/** Unanswered questions kept at most in Redis; the oldest go first. */
export const MAX_QUESTIONS = 20_000;

/** Statistics and unanswered questions in Redis, bucketed per UTC day, bounded in size and age. */
export function createRedisInsight(redis: Redis, prefix: string, options: InsightOptions = {}): Insight {
  const retention = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const maxRecords = options.maxQuestions ?? MAX_QUESTIONS;
  const now = options.now ?? Date.now;
  const ttl = keptSeconds(retention);
  const k = {
    answers: (d: string, chat?: string) => `${prefix}stats:${d}:answers${chat ? `:${chat}` : ''}`,
    faq: (d: string, chat?: string) => `${prefix}stats:${d}:faq${chat ? `:${chat}` : ''}`,
    sections: (d: string, chat?: string) => `${prefix}stats:${d}:sections${chat ? `:${chat}` : ''}`,
  };
  const zsum = async (key: (d: string, chat?: string) => string, since: Date, chat?: ChatRef) => {
    const total = new Map<string, number>();
    for (const d of daysSince(since, now(), retention)) {
      for (const [id, n] of scorePairs(
        await redis.zrange(key(d, chat && chatKeyOf(chat)), 0, '-1', 'WITHSCORES'),
      ))
        total.set(id, (total.get(id) ?? 0) + n);
    }
    return total;
  };

  const unanswered = createRedisQuestionLog(redis, prefix, {
    ttlSeconds: ttl,
    maxRecords: maxRecords,
    now,
  });

  return {
    durable: true,
    unanswered,
    async recordAnswer(kind, faqId, chat) {
      const d = dayOf(now());
      const m = redis.multi();
      // The community's totals, and a group's own for its admins' /stats. A private chat adds
      // to the totals only: no count is kept per person (what /disclaimer promises).
      for (const c of chat?.chatType === 'group' ? [undefined, chatKeyOf(chat)] : [undefined]) {
        m.hincrby(k.answers(d, c), kind, 1).expire(k.answers(d, c), ttl);
        if (faqId) m.zincrby(k.faq(d, c), 1, faqId.slice(0, 100)).expire(k.faq(d, c), ttl);
      }
      await m.exec();
    },
    async recordSection(section, chat) {
      const d = dayOf(now());
      const m = redis.multi();
      // As for answers: a group's own count beside the totals; a private chat adds to the totals only.
      for (const c of chat?.chatType === 'group' ? [undefined, chatKeyOf(chat)] : [undefined])
        m.zincrby(k.sections(d, c), 1, String(section)).expire(k.sections(d, c), ttl);
      await m.exec();
    },
    async answerCounts(since, chat) {
      const total = emptyCounts();
      for (const d of daysSince(since, now(), retention)) {
        const day = await redis.hgetall(k.answers(d, chat && chatKeyOf(chat)));
        for (const kind of ANSWER_KINDS) total[kind] += Number(day[kind] ?? 0);
      }
      return total;
    },
    async daily(since, chat) {
      const out: { day: string; counts: Record<string, number> }[] = [];
      for (const d of daysSince(since, now(), retention).reverse()) {
        const day = await redis.hgetall(k.answers(d, chat && chatKeyOf(chat)));
        out.push({
          day: d,
          counts: Object.fromEntries(Object.entries(day).map(([kind, n]) => [kind, Number(n)])),
        });
      }
      return out;
    },
    async topFaq(since, limit, chat) {
      return ranked(await zsum(k.faq, since, chat), limit).map(([faqId, count]) => ({ faqId, count }));
    },
    async topSections(since, limit, chat) {
      return sectionsOf(ranked(await zsum(k.sections, since, chat), limit));
    },
  };
}

/** The same numbers in memory, for running without Redis: lost on restart, bounded by day. */
export function createMemoryInsight(options: InsightOptions = {}): Insight {
  const retention = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const now = options.now ?? Date.now;
  // Buckets per day and chat ('' is the community's total); a bounded number of chats per day.
  const days = new Map<
    string,
    { answers: Record<AnswerKind, number>; faq: Map<string, number>; sections: Map<string, number> }
  >();
  const bucketOf = (d: string, chat: string) => {
    let bucket = days.get(`${d} ${chat}`);
    if (!bucket) {
      bucket = { answers: emptyCounts(), faq: new Map(), sections: new Map() };
      days.set(`${d} ${chat}`, bucket);
      // Map keeps insertion order: the oldest day goes first.
      while (days.size > (retention + 1) * 200) days.delete(days.keys().next().value!);
    }
    return bucket;
  };
  const inRange = (since: Date, chat?: ChatRef) => {
    const wanted = new Set(
      daysSince(since, now(), retention).map((d) => `${d} ${chat ? chatKeyOf(chat) : ''}`),
    );
    return [...days.entries()].filter(([d]) => wanted.has(d)).map(([, b]) => b);
  };
  return {
    durable: false,
    unanswered: createMemoryUnansweredLog(),
    async recordAnswer(kind, faqId, chat) {
      const d = dayOf(now());
      for (const c of chat?.chatType === 'group' ? ['', chatKeyOf(chat)] : ['']) {
        const b = bucketOf(d, c);
        b.answers[kind] += 1;
        // FAQ ids come from the content: a few dozen at most.
        if (faqId) b.faq.set(faqId, (b.faq.get(faqId) ?? 0) + 1);
      }
    },
    async recordSection(section, chat) {
      const d = dayOf(now());
      for (const c of chat?.chatType === 'group' ? ['', chatKeyOf(chat)] : ['']) {
        const b = bucketOf(d, c);
        b.sections.set(String(section), (b.sections.get(String(section)) ?? 0) + 1);
      }
    },
    async answerCounts(since, chat) {
      const total = emptyCounts();
      for (const b of inRange(since, chat)) for (const kind of ANSWER_KINDS) total[kind] += b.answers[kind];
      return total;
    },
    async daily(since, chat) {
      const c = chat ? chatKeyOf(chat) : '';
      return daysSince(since, now(), retention)
        .reverse()
        .map((d) => ({ day: d, counts: { ...(days.get(`${d} ${c}`)?.answers ?? {}) } }));
    },
    async topFaq(since, limit, chat) {
      const total = new Map<string, number>();
      for (const b of inRange(since, chat))
        for (const [id, n] of b.faq) total.set(id, (total.get(id) ?? 0) + n);
      return ranked(total, limit).map(([faqId, count]) => ({ faqId, count }));
    },
    async topSections(since, limit, chat) {
      const total = new Map<string, number>();
      for (const b of inRange(since, chat))
        for (const [id, n] of b.sections) total.set(id, (total.get(id) ?? 0) + n);
      return sectionsOf(ranked(total, limit));
    },
  };
}
