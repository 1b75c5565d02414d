import type { Redis } from 'ioredis';
import { taughtWording } from '../../content/taught.js';

/** What a moderator did with a question's wording: it leaves the review list. */
export interface Handled {
  readonly action: 'teach' | 'not-covered' | 'dismiss' | 'reply';
  readonly by: string;
  readonly at: number;
  readonly detail?: string;
}

/** Questions handled in the console, by wording (the same wording asked again stays handled). */
export interface ReviewState {
  handled(texts: readonly string[]): Promise<Map<string, Handled>>;
  mark(text: string, handled: Handled): Promise<void>;
}

export const wordingOf = (text: string): string => taughtWording(text);

export function createReviewState(redis: Redis, prefix: string): ReviewState {
  const key = `${prefix}handled`;
  return {
    async handled(texts) {
      const out = new Map<string, Handled>();
      const keys = [...new Set(texts.map(wordingOf))];
      if (keys.length === 0) return out;
      const values = await redis.hmget(key, ...keys);
      keys.forEach((k, i) => {
        const v = values[i];
        if (v) out.set(k, JSON.parse(v) as Handled);
      });
      return out;
    },
    async mark(text, handled) {
      await redis.hset(key, wordingOf(text), JSON.stringify(handled));
    },
  };
}
