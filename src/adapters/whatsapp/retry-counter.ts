import type { CacheStore } from '@whiskeysockets/baileys';

/**
 * Baileys' `msgRetryCounterCache`: how often each message was asked for again. Baileys makes a new
 * one per socket unless given one, so the counts (and the cap on retries) would restart with every
 * reconnect; one instance lives as long as the adapter. Entries expire after an hour; bounded.
 */
export class RetryCounterCache implements CacheStore {
  private readonly entries = new Map<string, { value: unknown; expiresAt: number }>();

  constructor(
    private readonly now: () => number,
    private readonly ttlMs = 60 * 60_000,
    private readonly max = 10_000,
  ) {}

  get<T>(key: string): T | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (this.now() >= e.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return e.value as T;
  }

  set<T>(key: string, value: T): void {
    this.entries.delete(key);
    this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
    if (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value!);
  }

  del(key: string): void {
    this.entries.delete(key);
  }

  flushAll(): void {
    this.entries.clear();
  }
}
