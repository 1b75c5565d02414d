import type { Redis } from 'ioredis';
import { type Adapter, DeliveryError } from '../core/adapter.js';
import { type LeaseLock, tryLeaseLock } from './redis-lock.js';
import type { OpsLogger } from './server.js';

export interface SingleHolderOptions {
  readonly client: Redis;
  /** One key per platform account, e.g. `bot:whatsapp:socket-lock`. */
  readonly key: string;
  readonly logger: OpsLogger;
  /** Lock lifetime without renewal (a crashed holder's lock frees after this). Default 30 s. */
  readonly ttlMs?: number;
  /** How often a standby process tries to take over. Default half the ttl. */
  readonly pollMs?: number;
}

/**
 * Runs `inner` in at most one process at a time, using a Redis lease lock: for WhatsApp, where
 * two sockets for one number kick each other off. Other processes stay on standby and take over
 * when the holder stops or dies. On standby, `status()` stays ready (the process still serves
 * its other platforms) and `send()` fails with a TRANSIENT {@link DeliveryError} so the
 * delivery queue retries, possibly on the holder.
 */
export function singleHolder(inner: Adapter, options: SingleHolderOptions): Adapter {
  const { client, key, logger } = options;
  const ttlMs = options.ttlMs ?? 30_000;
  const pollMs = options.pollMs ?? Math.floor(ttlMs / 2);
  let lock: LeaseLock | undefined;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let starting: Promise<void> | undefined;

  async function attempt(): Promise<void> {
    if (stopped || lock) return;
    try {
      lock = await tryLeaseLock(client, key, { ttlMs, onLost });
    } catch (err) {
      logger.warn({ err, key }, 'could not reach Redis for the socket lock; trying again');
    }
    if (stopped) {
      await lock?.release();
      lock = undefined;
      return;
    }
    if (!lock) {
      timer = setTimeout(() => void attempt(), pollMs);
      return;
    }
    logger.info({ platform: inner.platform, key }, 'this process holds the socket lock: connecting');
    await inner.start();
  }

  function onLost() {
    logger.error({ platform: inner.platform, key }, 'socket lock lost: disconnecting, back to standby');
    lock = undefined;
    void inner.stop().finally(() => {
      if (!stopped) timer = setTimeout(() => void attempt(), pollMs);
    });
  }

  const adapter: Adapter = {
    platform: inner.platform,
    async start() {
      starting = attempt();
      await starting;
      if (!lock && !stopped)
        logger.info({ platform: inner.platform, key }, 'another process holds the socket: standby');
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await starting;
      if (lock) {
        await inner.stop();
        await lock.release();
        lock = undefined;
      }
    },
    async send(chatId, replies) {
      if (!lock)
        throw new DeliveryError('TRANSIENT', `${inner.platform} is connected in another bot process`);
      return inner.send(chatId, replies);
    },
    status() {
      if (lock) return inner.status();
      return { connected: true, detail: 'standby: another process holds the socket' };
    },
  };
  if (inner.admin) Object.defineProperty(adapter, 'admin', { get: () => inner.admin, enumerable: true });
  return adapter;
}
