/**
 * Bookkeeping that must never hold up a reply (answer counts, the unanswered log): each record
 * runs in the background, and when too many are still waiting (the store is slow or down) new
 * ones are dropped and counted rather than queued without end.
 */

export interface BackgroundOptions {
  /** Records in flight at most; more are dropped (default 1,000). */
  readonly maxPending?: number;
  /** Called for each dropped record (a metric). */
  readonly onDropped?: (what: string) => void;
  readonly onError?: (err: unknown, what: string) => void;
}

export interface Background {
  /** Starts `task` without waiting for it; drops it when the buffer is full. */
  run(what: string, task: () => Promise<void>): void;
  /** Records still in flight. */
  pending(): number;
  /** Resolves when every record in flight has settled (shutdown, tests). */
  idle(): Promise<void>;
}

export function createBackground(options: BackgroundOptions = {}): Background {
  const max = options.maxPending ?? 1_000;
  const inFlight = new Set<Promise<void>>();
  return {
    run(what, task) {
      if (inFlight.size >= max) {
        options.onDropped?.(what);
        return;
      }
      const p: Promise<void> = Promise.resolve()
        .then(task)
        .catch((err: unknown) => options.onError?.(err, what))
        .finally(() => inFlight.delete(p));
      inFlight.add(p);
    },
    pending: () => inFlight.size,
    async idle() {
      while (inFlight.size > 0) await Promise.allSettled([...inFlight]);
    },
  };
}
