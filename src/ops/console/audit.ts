import type { Redis } from 'ioredis';

/** One thing a moderator did in the console. */
export interface AuditEntry {
  readonly at: Date;
  /** The viewer's id and name. */
  readonly who: string;
  /** `teach`, `not-covered`, `reply`, `dismiss`, `post`, `post-edit`, `post-cancel`, `invite`, `sign-in`, `sign-out`. */
  readonly action: string;
  readonly detail: string;
  /** The chat the action concerned (`platform:chatId`), for a chat admin's view of the log. */
  readonly chat?: string;
}

export interface AuditLog {
  add(entry: AuditEntry): Promise<void>;
  /** Newest first; `chats` limits it to entries about those chats. */
  list(limit: number, chats?: readonly string[]): Promise<AuditEntry[]>;
}

/** The audit log keeps this many of the newest entries (no time limit). */
export const MAX_ENTRIES = 5_000;

/** The audit log: a capped Redis list, newest first. */
export function createAuditLog(redis: Redis, prefix: string): AuditLog {
  const key = `${prefix}audit`;
  return {
    async add(entry) {
      const json = JSON.stringify({ ...entry, at: entry.at.getTime(), detail: entry.detail.slice(0, 500) });
      await redis
        .multi()
        .lpush(key, json)
        .ltrim(key, 0, MAX_ENTRIES - 1)
        .exec();
    },
    async list(limit, chats) {
      const raw = await redis.lrange(key, 0, chats ? MAX_ENTRIES - 1 : limit - 1);
      const entries = raw.map((r) => {
        const j = JSON.parse(r) as Omit<AuditEntry, 'at'> & { at: number };
        return { ...j, at: new Date(j.at) };
      });
      return (chats ? entries.filter((e) => e.chat !== undefined && chats.includes(e.chat)) : entries).slice(
        0,
        limit,
      );
    },
  };
}
