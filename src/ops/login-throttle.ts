/**
 * Throttles the dashboard's password guesses per client address: a few failures are free (typos),
 * then every further failure locks the address out for twice as long as the last, up to a cap.
 * While locked out, no password is even checked. A success clears the address's record.
 * In memory, per process, bounded: a restart forgives everyone.
 */
export interface LoginThrottleOptions {
  /** Failures allowed before the first lockout (default 5). */
  readonly freeFailures?: number;
  /** The first lockout; each further failure doubles it (default 1 s). */
  readonly baseDelayMs?: number;
  /** The longest lockout (default 15 minutes). */
  readonly maxDelayMs?: number;
  /** Addresses remembered at most; the least recent go first (default 10,000). */
  readonly maxTracked?: number;
  readonly now?: () => number;
}

export interface LoginThrottle {
  /** 0 when the address may try now, else how long it must wait. */
  waitMs(address: string): number;
  failed(address: string): void;
  succeeded(address: string): void;
}

export function createLoginThrottle(options: LoginThrottleOptions = {}): LoginThrottle {
  const free = options.freeFailures ?? 5;
  const base = options.baseDelayMs ?? 1_000;
  const max = options.maxDelayMs ?? 15 * 60_000;
  const maxTracked = options.maxTracked ?? 10_000;
  const now = options.now ?? Date.now;
  const seen = new Map<string, { failures: number; lockedUntil: number; last: number }>();
  return {
    waitMs(address) {
      const entry = seen.get(address);
      if (!entry) return 0;
      // Forget an address that has been quiet for longer than the longest lockout.
      if (now() - entry.last > max && now() >= entry.lockedUntil) {
        seen.delete(address);
        return 0;
      }
      return Math.max(0, entry.lockedUntil - now());
    },
    failed(address) {
      const entry = seen.get(address) ?? { failures: 0, lockedUntil: 0, last: 0 };
      seen.delete(address);
      entry.failures += 1;
      entry.last = now();
      if (entry.failures > free) {
        entry.lockedUntil = now() + Math.min(max, base * 2 ** Math.min(30, entry.failures - free - 1));
      }
      seen.set(address, entry);
      if (seen.size > maxTracked) seen.delete(seen.keys().next().value!);
    },
    succeeded(address) {
      seen.delete(address);
    },
  };
}
