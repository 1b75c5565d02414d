import { normalizeText } from './normalize.js';
import type { UnansweredLog } from './ports.js';
import type { ChatRef } from './types.js';

/**
 * Unanswered questions kept in memory, for when Redis is not available.
 * Bounded: at most `max` distinct questions, the least recent dropped first.
 */
export function createMemoryUnansweredLog(max = 500): UnansweredLog {
  const entries = new Map<string, { question: string; count: number; lastAsked: Date; first: Date }>();
  return {
    async record(question: string, _chat: ChatRef, at: Date) {
      const key = normalizeText(question);
      if (!key) return;
      const entry = entries.get(key);
      entries.delete(key);
      entries.set(key, {
        question: entry?.question ?? question.trim(),
        count: (entry?.count ?? 0) + 1,
        lastAsked: at,
        first: entry?.first ?? at,
      });
      if (entries.size > max) entries.delete(entries.keys().next().value!);
    },
    async top(since: Date, limit: number) {
      return [...entries.values()]
        .filter((e) => e.lastAsked >= since)
        .sort((a, b) => b.count - a.count || b.lastAsked.getTime() - a.lastAsked.getTime())
        .slice(0, limit)
        .map(({ question, count, lastAsked }) => ({ question, count, lastAsked }));
    },
  };
}
