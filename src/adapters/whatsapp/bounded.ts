/** Thrown when Redis takes longer than the adapter may wait (decryption must not stall on an outage). */
export class RedisTimeoutError extends Error {
  readonly code = 'REDIS_TIMEOUT';
  constructor(what: string, ms: number) {
    super(`Redis did not answer ${what} within ${ms} ms`);
    this.name = 'RedisTimeoutError';
  }
}

/**
 * Settles with `work`, or rejects with {@link RedisTimeoutError} after `ms`: the shared client may
 * wait through an outage for ever (`maxRetriesPerRequest: null`, as BullMQ needs).
 */
export function bounded<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  if (!(ms > 0)) return work;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new RedisTimeoutError(what, ms)), ms);
    timer.unref?.();
  });
  work.catch(() => {});
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
