import type { Redis } from 'ioredis';

/**
 * Message ids the bot has already answered, so a message is answered once: WhatsApp delivers the
 * offline backlog as `append` and may deliver a message again after a reconnect. Kept in Redis so
 * a restart does not answer twice; bounded to the newest `max` ids.
 */
export class HandledIds {
  private readonly key: string;
  /** Ids seen by this process: a duplicate delivery is caught without a Redis round trip. */
  private readonly recent = new Set<string>();

  constructor(
    private readonly redis: Redis,
    prefix = 'wa:',
    private readonly max = 5_000,
    private readonly now: () => number = Date.now,
  ) {
    this.key = `${prefix}handled`;
  }

  /** Marks `id` as handled; false when it already was (another delivery of the same message). */
  async claim(id: string): Promise<boolean> {
    if (this.recent.has(id)) return false;
    this.recent.add(id);
    if (this.recent.size > this.max) this.recent.delete(this.recent.values().next().value!);
    // One round trip per message: add if new, and drop the oldest beyond the bound.
    const results = await this.redis
      .multi()
      .zadd(this.key, 'NX', this.now(), id)
      .zremrangebyrank(this.key, 0, -(this.max + 1))
      .exec();
    const [err, added] = results?.[0] ?? [new Error('the transaction was discarded')];
    if (err) throw err;
    return Number(added) === 1;
  }

  /** Forgets `id` again: its answer did not go out, so a redelivery must be answered. */
  async unclaim(id: string): Promise<void> {
    this.recent.delete(id);
    await this.redis.zrem(this.key, id);
  }
}
