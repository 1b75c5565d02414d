/**
 * State that every replica on one Redis must share, each behind a small interface: reading
 * positions (/next, /prev) and "this join was seen already". Every call is bounded in time: a
 * slow Redis costs a reading position or a duplicate welcome, never a held-up reply.
 */
import type { Redis } from 'ioredis';
import type { ReadingPositionStore } from '../core/ports.js';
import { withTimeout } from './bounded.js';
import { type CommunityLogger, silentLogger } from './logger.js';

/** How long a chat's reading position (/next, /prev) is kept. */
export const POSITION_TTL_S = 30 * 24 * 3600;

export function createRedisPositions(
  redis: Redis,
  prefix: string,
  options: { timeoutMs?: number; logger?: CommunityLogger } = {},
): ReadingPositionStore {
  const ms = options.timeoutMs ?? 500;
  const logger = options.logger ?? silentLogger;
  const key = (chat: string) => `${prefix}reading:${chat}`;
  return {
    async get(chat) {
      try {
        const v = await withTimeout(redis.get(key(chat)), ms, 'reading position');
        return v === null ? undefined : Number(v);
      } catch (err) {
        logger.warn({ err }, 'reading position unavailable');
        return undefined;
      }
    },
    async set(chat, section) {
      try {
        await withTimeout(redis.set(key(chat), section, 'EX', POSITION_TTL_S), ms, 'reading position');
      } catch (err) {
        logger.warn({ err }, 'reading position not saved');
      }
    },
  };
}

/** "Has this happened already?" for a while: the first caller on any replica gets true. */
export interface OnceStore {
  first(key: string, ttlMs: number): Promise<boolean>;
}

export function createMemoryOnce(max = 10_000): OnceStore {
  const seen = new Map<string, number>();
  return {
    async first(key, ttlMs) {
      const now = Date.now();
      const until = seen.get(key);
      if (until !== undefined && until > now) return false;
      seen.delete(key);
      seen.set(key, now + ttlMs);
      if (seen.size > max) seen.delete(seen.keys().next().value!);
      return true;
    },
  };
}

export function createRedisOnce(
  redis: Redis,
  prefix: string,
  options: { timeoutMs?: number; logger?: CommunityLogger } = {},
): OnceStore {
  const logger = options.logger ?? silentLogger;
  return {
    async first(key, ttlMs) {
      try {
        const set = await withTimeout(
          redis.set(`${prefix}once:${key}`, '1', 'PX', ttlMs, 'NX'),
          options.timeoutMs ?? 500,
          'join de-duplication',
        );
        return set === 'OK';
      } catch (err) {
        // Unsure: welcome rather than stay silent (a double welcome is the lesser harm).
        logger.warn({ err }, 'join de-duplication unavailable');
        return true;
      }
    },
  };
}
