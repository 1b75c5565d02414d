import type { Redis } from 'ioredis';
import { createMemoryUnansweredLog } from '../core/memory-log.js';
import { normalizeText } from '../core/normalize.js';
import type { Stats, UnansweredLog } from '../core/ports.js';

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
export interface Insight extends Stats {
  readonly unanswered: UnansweredLog;
  /** Whether the numbers survive a restart (Redis) or not (memory). */
  readonly durable: boolean;
  answerCounts(since: Date): Promise<Record<AnswerKind, number>>;
  topFaq(since: Date, limit: number): Promise<{ faqId: string; count: number }[]>;
  /** Answers per UTC day since `since`, oldest first, every kind recorded (the console's chart). */
  daily(since: Date): Promise<{ day: string; counts: Record<string, number> }[]>;
}

export interface InsightOptions {
  /** How many days of numbers to keep (and the most `/stats` and `/unanswered` can look back). */
  readonly retentionDays?: number;
  /** Distinct unanswered questions kept per day; the least asked go first. */
  readonly maxQuestionsPerDay?: number;
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
const emptyCounts = (): Record<AnswerKind, number> => ({
  faq: 0,
  section: 0,
  suggestions: 0,
  fallback: 0,
  safety: 0,
  caution: 0,
});

// Count the question, remember its first wording and when it was last asked, and keep the day bounded.
const RECORD_UNANSWERED = `
redis.call('ZINCRBY', KEYS[1], 1, ARGV[1])
redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZADD', KEYS[3], ARGV[3], ARGV[1])
local max = tonumber(ARGV[4])
local n = redis.call('ZCARD', KEYS[1])
if n > max then
  local gone = redis.call('ZPOPMIN', KEYS[1], n - max)
  for i = 1, #gone, 2 do
    redis.call('HDEL', KEYS[2], gone[i])
    redis.call('ZREM', KEYS[3], gone[i])
  end
end
for i = 1, 3 do redis.call('EXPIRE', KEYS[i], ARGV[5]) end
return n
`;

/** Statistics and unanswered questions in Redis, bucketed per UTC day, bounded in size and age. */
export function createRedisInsight(redis: Redis, prefix: string, options: InsightOptions = {}): Insight {
  const retention = options.retentionDays ?? 90;
  const maxPerDay = options.maxQuestionsPerDay ?? 1_000;
  const now = options.now ?? Date.now;
  const ttl = (retention + 1) * 24 * 60 * 60;
  const k = {
    count: (d: string) => `${prefix}unanswered:${d}:count`,
    text: (d: string) => `${prefix}unanswered:${d}:text`,
    last: (d: string) => `${prefix}unanswered:${d}:last`,
    answers: (d: string) => `${prefix}stats:${d}:answers`,
    faq: (d: string) => `${prefix}stats:${d}:faq`,
  };

  const unanswered: UnansweredLog = {
    async record(question, _chat, at) {
      const member = normalizeText(question).slice(0, 300);
      if (!member) return;
      const d = dayOf(at.getTime());
      await redis.eval(
        RECORD_UNANSWERED,
        3,
        k.count(d),
        k.text(d),
        k.last(d),
        member,
        question.trim().slice(0, 300),
        String(at.getTime()),
        String(maxPerDay),
        String(ttl),
      );
    },
    async top(since, limit) {
      const merged = new Map<string, { question: string; count: number; lastAsked: Date }>();
      for (const d of daysSince(since, now(), retention)) {
        const [counts, texts, lasts] = (await redis
          .multi()
          .zrange(k.count(d), 0, '-1', 'WITHSCORES')
          .hgetall(k.text(d))
          .zrange(k.last(d), 0, '-1', 'WITHSCORES')
          .exec())!.map(([err, value]) => {
          if (err) throw err;
          return value;
        }) as [unknown, Record<string, string>, unknown];
        const last = new Map(scorePairs(lasts));
        for (const [member, count] of scorePairs(counts)) {
          const lastAsked = last.get(member) ?? 0;
          if (lastAsked < since.getTime()) continue;
          const entry = merged.get(member);
          if (entry) {
            entry.count += count;
            if (lastAsked > entry.lastAsked.getTime()) entry.lastAsked = new Date(lastAsked);
          } else {
            merged.set(member, { question: texts[member] ?? member, count, lastAsked: new Date(lastAsked) });
          }
        }
      }
      return [...merged.values()]
        .sort((a, b) => b.count - a.count || b.lastAsked.getTime() - a.lastAsked.getTime())
        .slice(0, limit);
    },
  };

  return {
    durable: true,
    unanswered,
    async recordAnswer(kind, faqId) {
      const d = dayOf(now());
      const m = redis.multi().hincrby(k.answers(d), kind, 1).expire(k.answers(d), ttl);
      if (faqId) m.zincrby(k.faq(d), 1, faqId.slice(0, 100)).expire(k.faq(d), ttl);
      await m.exec();
    },
    async answerCounts(since) {
      const total = emptyCounts();
      for (const d of daysSince(since, now(), retention)) {
        const day = await redis.hgetall(k.answers(d));
        for (const kind of ANSWER_KINDS) total[kind] += Number(day[kind] ?? 0);
      }
      return total;
    },
    async daily(since) {
      const out: { day: string; counts: Record<string, number> }[] = [];
      for (const d of daysSince(since, now(), retention).reverse()) {
        const day = await redis.hgetall(k.answers(d));
        out.push({
          day: d,
          counts: Object.fromEntries(Object.entries(day).map(([kind, n]) => [kind, Number(n)])),
        });
      }
      return out;
    },
    async topFaq(since, limit) {
      const total = new Map<string, number>();
      for (const d of daysSince(since, now(), retention)) {
        for (const [id, n] of scorePairs(await redis.zrange(k.faq(d), 0, '-1', 'WITHSCORES'))) {
          total.set(id, (total.get(id) ?? 0) + n);
        }
      }
      return [...total.entries()]
        .map(([faqId, count]) => ({ faqId, count }))
        .sort((a, b) => b.count - a.count || a.faqId.localeCompare(b.faqId))
        .slice(0, limit);
    },
  };
}

/** The same numbers in memory, for running without Redis: lost on restart, bounded by day. */
export function createMemoryInsight(options: InsightOptions = {}): Insight {
  const retention = options.retentionDays ?? 90;
  const now = options.now ?? Date.now;
  const days = new Map<string, { answers: Record<AnswerKind, number>; faq: Map<string, number> }>();
  const today = () => {
    const d = dayOf(now());
    let bucket = days.get(d);
    if (!bucket) {
      bucket = { answers: emptyCounts(), faq: new Map() };
      days.set(d, bucket);
      // Map keeps insertion order: the oldest day goes first.
      while (days.size > retention + 1) days.delete(days.keys().next().value!);
    }
    return bucket;
  };
  const inRange = (since: Date) => {
    const wanted = new Set(daysSince(since, now(), retention));
    return [...days.entries()].filter(([d]) => wanted.has(d)).map(([, b]) => b);
  };
  return {
    durable: false,
    unanswered: createMemoryUnansweredLog(),
    async recordAnswer(kind, faqId) {
      const b = today();
      b.answers[kind] += 1;
      // FAQ ids come from the content: a few dozen at most.
      if (faqId) b.faq.set(faqId, (b.faq.get(faqId) ?? 0) + 1);
    },
    async answerCounts(since) {
      const total = emptyCounts();
      for (const b of inRange(since)) for (const kind of ANSWER_KINDS) total[kind] += b.answers[kind];
      return total;
    },
    async daily(since) {
      return daysSince(since, now(), retention)
        .reverse()
        .map((d) => ({ day: d, counts: { ...(days.get(d)?.answers ?? {}) } }));
    },
    async topFaq(since, limit) {
      const total = new Map<string, number>();
      for (const b of inRange(since)) for (const [id, n] of b.faq) total.set(id, (total.get(id) ?? 0) + n);
      return [...total.entries()]
        .map(([faqId, count]) => ({ faqId, count }))
        .sort((a, b) => b.count - a.count || a.faqId.localeCompare(b.faqId))
        .slice(0, limit);
    },
  };
}
