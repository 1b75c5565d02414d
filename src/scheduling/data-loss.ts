/**
 * Noticing that Redis lost its data. A Redis without persistence that restarts, or a failover to
 * an empty replica, comes back empty: the tip scheduler, subscriptions and waiting posts are gone,
 * yet every command still "works". A marker key written at start is checked on every reconnect;
 * when it is missing, readiness fails until the bot has set itself up again (`recover`), and the
 * moderators are told what was lost.
 */
import type { Redis } from 'ioredis';
import type { SchedulingLogger } from './delivery.js';

export interface DataWatchOptions {
  readonly client: Redis;
  readonly prefix: string;
  readonly logger: SchedulingLogger;
  /**
   * Sets the bot's own state up again (the tip scheduler). `tellModerators` is true for the one
   * replica that noticed first (it re-wrote the marker), so moderators hear it once.
   */
  readonly recover: (tellModerators: boolean) => Promise<void>;
  /** How soon a failed recovery is tried again (default 5 s). */
  readonly retryMs?: number;
}

export interface DataWatch {
  /** Writes the marker (if missing) and starts watching reconnects. */
  start(): Promise<void>;
  /** For `/readyz`: not ok from the moment data loss is noticed until recovery is done. */
  health(): { readonly ok: boolean; readonly detail?: string };
  /** Checks now (also done on every reconnect); resolves when any recovery has finished. */
  check(): Promise<void>;
  close(): void;
}

export function watchForDataLoss(options: DataWatchOptions): DataWatch {
  const { client, logger } = options;
  const marker = `${options.prefix}:marker`;
  let problem: string | undefined;
  let running: Promise<void> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;

  const check = (): Promise<void> => {
    running ??= (async () => {
      try {
        if ((await client.exists(marker)) === 1) return;
        problem =
          'Redis came back empty (restarted without persistence, or failed over to an empty replica); setting the bot up again';
        logger.error({ marker }, problem);
        const first = (await client.set(marker, new Date().toISOString(), 'NX')) === 'OK';
        await options.recover(first);
        problem = undefined;
        logger.warn({}, 'set up again after Redis lost its data');
      } catch (err) {
        logger.error({ err }, 'could not set the bot up again after Redis lost its data; trying again');
        if (!closed) retry = setTimeout(() => void check(), options.retryMs ?? 5_000);
      }
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const onReady = () => {
    if (!closed) void check();
  };

  return {
    async start() {
      await client.set(marker, new Date().toISOString(), 'NX');
      client.on('ready', onReady);
    },
    health: () => (problem ? { ok: false, detail: problem } : { ok: true }),
    check,
    close() {
      closed = true;
      clearTimeout(retry);
      client.off('ready', onReady);
    },
  };
}

/**
 * Warns loudly when Redis keeps nothing on disk (no AOF, no RDB snapshots): a restart then loses
 * every subscription and waiting post. Managed services that refuse CONFIG are reported as unknown.
 */
export async function checkPersistence(
  client: Redis,
  logger: SchedulingLogger,
): Promise<'aof' | 'rdb' | 'none' | 'unknown'> {
  try {
    const [, aof] = (await client.config('GET', 'appendonly')) as string[];
    const [, save] = (await client.config('GET', 'save')) as string[];
    if (aof === 'yes') return 'aof';
    if (save && save.trim() !== '') {
      logger.warn(
        { save },
        'Redis keeps only RDB snapshots: a crash loses what changed since the last one. Turn on AOF (appendonly yes, appendfsync everysec); see docs/operators.md',
      );
      return 'rdb';
    }
    logger.error(
      {},
      'REDIS KEEPS NOTHING ON DISK (appendonly no, save ""): a restart loses every subscription, waiting post and the tip schedule. Turn on AOF (appendonly yes, appendfsync everysec); see docs/operators.md',
    );
    return 'none';
  } catch (err) {
    logger.info({ err: (err as Error).message }, 'could not check Redis persistence (CONFIG refused)');
    return 'unknown';
  }
}
