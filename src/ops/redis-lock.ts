import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';

// Renew or release only while the lock is still ours (the token matches).
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) else return 0 end`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) else return 0 end`;

export interface LeaseLockOptions {
  /** How long the lock outlives a process that stopped renewing it (crashed, frozen). Default 30 s. */
  readonly ttlMs?: number;
  /**
   * Called when the lock was lost (expired while Redis was unreachable, or taken over):
   * stop using the resource at once, for example close the WhatsApp socket.
   */
  readonly onLost?: (key: string) => void;
}

/** A held lock, renewed in the background until released. */
export interface LeaseLock {
  readonly key: string;
  /** Whether we still hold it, as far as the last renewal knows. */
  readonly held: boolean;
  /** Stops renewing and deletes the key if it is still ours. */
  release(): Promise<void>;
}

/**
 * A lease lock in Redis: at most one process holds `key` at a time. Used so that exactly one
 * bot process opens a WhatsApp number's socket (two sockets for one number kick each other off,
 * close code 440). Resolves `undefined` when another process holds it.
 *
 * @example
 * const lock = await tryLeaseLock(redis.client, 'bot:lock:whatsapp:15551234567', { onLost: () => whatsapp.stop() });
 * if (lock) await whatsapp.start(); // else: stay on standby and try again later
 */
export async function tryLeaseLock(
  client: Redis,
  key: string,
  options: LeaseLockOptions = {},
): Promise<LeaseLock | undefined> {
  const ttlMs = options.ttlMs ?? 30_000;
  const token = randomUUID();
  if ((await client.set(key, token, 'PX', ttlMs, 'NX')) !== 'OK') return undefined;
  let held = true;
  const lost = () => {
    if (!held) return;
    held = false;
    clearInterval(timer);
    options.onLost?.(key);
  };
  let lastRenewed = Date.now();
  const timer = setInterval(
    () => {
      client.eval(RENEW, 1, key, token, String(ttlMs)).then(
        (ok) => {
          if (ok === 1) lastRenewed = Date.now();
          else lost();
        },
        // Redis unreachable: the lock may expire under us; once it surely has, give it up.
        () => {
          if (Date.now() - lastRenewed >= ttlMs) lost();
        },
      );
    },
    Math.max(10, Math.floor(ttlMs / 3)),
  );
  timer.unref();
  return {
    key,
    get held() {
      return held;
    },
    async release() {
      clearInterval(timer);
      if (!held) return;
      held = false;
      await client.eval(RELEASE, 1, key, token);
    },
  };
}
