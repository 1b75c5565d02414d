/**
 * Delivery: every post fans out into one job per chat, and a worker sends each through the
 * chat's platform adapter, paced per platform, per group and per chat.
 *
 * Guarantees (see docs/operators.md, "Delivery guarantees"):
 * - Each delivery job has the id `d-<post>-<platform>-<chat>`, so fanning a post out twice
 *   (a retried or double-fired fan-out) adds nothing new.
 * - Before sending, the worker checks the post's "done" set in Redis; after sending it adds the
 *   chat there. A chat never receives a post whose delivery was recorded. A worker killed
 *   between the platform accepting the message and the record can repeat only the deliveries
 *   it had in flight (at most its concurrency), when BullMQ hands those stalled jobs out again.
 */
import { DelayedError, type Job, type Queue, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DeliveryError } from '../core/adapter.js';
import type { ChatType, Platform, Reply } from '../core/types.js';
import type { Pacer } from './pacing.js';
import type { RedisConnection } from './redis.js';
import type { Subscriber, Subscriptions } from './subscriptions.js';

/** Sends replies to a chat on a platform; throws DeliveryError (main.ts passes the adapters' `send`). */
export type Deliver = (platform: Platform, chatId: string, replies: readonly Reply[]) => Promise<void>;

export interface SchedulingLogger {
  debug?(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface DeliveryJobData {
  readonly postId: string;
  readonly platform: Platform;
  readonly chatId: string;
  readonly chatType: ChatType;
  /** A send time reserved before the job went to the delayed set, and for which attempt. */
  readonly slot?: number;
  readonly slotAttempt?: number;
  /** Only the chat's turn is reserved (the platform's budget is taken when the job is back). */
  readonly chatSlot?: number;
}

export const DELIVERY_QUEUE = 'deliveries';
export const POST_QUEUE = 'posts';
const KEEP_RECORDS_S = 30 * 24 * 3600;

/** Redis keys of the delivery records, shared by the fan-out, the worker and `/scheduled`. */
export const deliveryKeys = (prefix: string) => ({
  body: (postId: string) => `${prefix}:post:${postId}:body`,
  done: (postId: string) => `${prefix}:post:${postId}:done`,
  /** Delivery job ids not yet finished, per platform (the console waits for its own). */
  pending: (platform: Platform) => `${prefix}:pending:${platform}`,
});

/** BullMQ job ids may not contain `:`; chat ids may. */
export const deliveryJobId = (postId: string, platform: Platform, chatId: string) =>
  `d-${encodeURIComponent(postId)}-${platform}-${encodeURIComponent(chatId)}`;

export interface DeliveryDefaults {
  /** Tries before a transient failure is final (visible as a failed job). */
  readonly attempts: number;
  /** First retry delay; doubles each time. */
  readonly backoffMs: number;
}

/**
 * Stores the post's replies once and adds one delivery job per subscribed chat.
 * Safe to run again for the same post: existing job ids are kept, delivered chats are skipped.
 */
export async function fanOut(args: {
  readonly client: Redis;
  readonly prefix: string;
  readonly deliveries: Queue<DeliveryJobData>;
  readonly subscriptions: Subscriptions;
  readonly postId: string;
  readonly replies: readonly Reply[];
  readonly defaults: DeliveryDefaults;
  readonly filter?: (s: Subscriber) => boolean;
  /**
   * The platforms this run sends to; chats on others are skipped and counted in `skipped`
   * (a console chat subscribed in an earlier console session gets nothing while the bot runs
   * on Telegram). Default: every platform.
   */
  readonly platforms?: ReadonlySet<Platform>;
}): Promise<FanOutResult> {
  const keys = deliveryKeys(args.prefix);
  await args.client.set(keys.body(args.postId), JSON.stringify(args.replies), 'EX', KEEP_RECORDS_S);
  let count = 0;
  const skipped: Partial<Record<Platform, number>> = {};
  for await (const batch of args.subscriptions.batches()) {
    const wanted = args.filter ? batch.filter(args.filter) : batch;
    const chats = args.platforms ? wanted.filter((s) => args.platforms!.has(s.platform)) : wanted;
    for (const s of wanted) if (!chats.includes(s)) skipped[s.platform] = (skipped[s.platform] ?? 0) + 1;
    if (chats.length === 0) continue;
    const jobs = chats.map((s) => ({
      name: 'deliver',
      data: { postId: args.postId, platform: s.platform, chatId: s.chatId, chatType: s.chatType },
      opts: {
        jobId: deliveryJobId(args.postId, s.platform, s.chatId),
        attempts: args.defaults.attempts,
        backoff: { type: 'exponential', delay: args.defaults.backoffMs },
        removeOnComplete: { age: 24 * 3600 },
        removeOnFail: { age: 14 * 24 * 3600 },
      },
    }));
    // Pending first: the console must never see "nothing pending" while jobs are being added.
    const multi = args.client.multi();
    for (const j of jobs) multi.sadd(keys.pending(j.data.platform), j.opts.jobId);
    await multi.exec();
    await args.deliveries.addBulk(jobs);
    count += jobs.length;
  }
  return { chats: count, skipped };
}

/** What a fan-out did: delivery jobs added, and chats skipped per platform not running here. */
export interface FanOutResult {
  readonly chats: number;
  readonly skipped: Partial<Record<Platform, number>>;
}

/** "2 console chats skipped (not running in this run)", or '' when none were. */
export function describeSkipped(skipped: Partial<Record<Platform, number>>): string {
  const parts = Object.entries(skipped).map(([p, n]) => `${n} ${p} chat${n === 1 ? '' : 's'}`);
  return parts.length === 0 ? '' : `${parts.join(', ')} skipped (that platform is not running)`;
}

export interface DeliveryWorkerOptions {
  readonly connection: RedisConnection;
  readonly client: Redis;
  readonly prefix: string;
  readonly bullPrefix: string;
  readonly deliver: Deliver;
  readonly pacer: Pacer;
  readonly subscriptions: Subscriptions;
  readonly logger: SchedulingLogger;
  readonly attempts: number;
  readonly concurrency?: number;
  /** A send further off than this waits in BullMQ's delayed set, not in the worker. */
  readonly maxSleepMs?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  /** Called after a platform said 429 (for metrics). */
  readonly onRateLimited?: (platform: Platform, retryAfterMs: number) => void;
  /** Called after each delivery with the time since the post fanned out, i.e. since it was due (metrics). */
  readonly onDelivered?: (platform: Platform, kind: string, latencyMs: number) => void;
  /**
   * The platforms this run sends to. A delivery queued for another (by an earlier run with other
   * settings) is skipped and counted, never failed: the job completes as `skipped`. Default: all.
   */
  readonly platforms?: ReadonlySet<Platform>;
  /** Called for each delivery skipped that way (metrics, logs). */
  readonly onSkipped?: (platform: Platform) => void;
}

/** Starts the worker that sends deliveries. Close it with `worker.close()` (waits for sends in flight). */
export function startDeliveryWorker(options: DeliveryWorkerOptions): Worker<DeliveryJobData> {
  const { client, pacer, logger } = options;
  const keys = deliveryKeys(options.prefix);
  const maxSleepMs = options.maxSleepMs ?? 2_000;
  const bodies = new Map<string, readonly Reply[]>();

  const loadBody = async (postId: string): Promise<readonly Reply[] | undefined> => {
    const cached = bodies.get(postId);
    if (cached) return cached;
    const raw = await client.get(keys.body(postId));
    if (!raw) return undefined;
    const replies = JSON.parse(raw) as Reply[];
    bodies.set(postId, replies);
    if (bodies.size > 100) bodies.delete(bodies.keys().next().value!);
    return replies;
  };

  const finish = async (job: Job<DeliveryJobData>, delivered: boolean) => {
    const { postId, platform, chatId } = job.data;
    const multi = client.multi();
    if (delivered) {
      multi.sadd(keys.done(postId), `${platform}:${chatId}`);
      multi.expire(keys.done(postId), KEEP_RECORDS_S);
    }
    multi.srem(keys.pending(platform), job.id!);
    await multi.exec();
  };

  const later = async (
    job: Job<DeliveryJobData>,
    token: string | undefined,
    at: number,
    data: DeliveryJobData,
  ) => {
    await job.updateData(data);
    await job.moveToDelayed(Math.ceil(at), token);
    throw new DelayedError();
  };

  const process = async (job: Job<DeliveryJobData>, token?: string): Promise<string> => {
    const { postId, platform, chatId, chatType } = job.data;
    const base: DeliveryJobData = { postId, platform, chatId, chatType };
    if (options.platforms && !options.platforms.has(platform)) {
      await finish(job, false);
      options.onSkipped?.(platform);
      logger.info({ platform, chatId, postId }, `delivery skipped: ${platform} is not running in this run`);
      return 'skipped: platform not running';
    }
    if ((await client.sismember(keys.done(postId), `${platform}:${chatId}`)) === 1) {
      await finish(job, false);
      return 'already-delivered';
    }
    const replies = await loadBody(postId);
    if (!replies) {
      await finish(job, false);
      throw new UnrecoverableError(`post ${postId} has no stored text any more`);
    }

    // Pacing: take a send time, then wait for it here (near) or in the delayed set (far).
    let at: number;
    const reserved = job.data.slot !== undefined && job.data.slotAttempt === job.attemptsMade;
    if (reserved) at = job.data.slot!;
    else {
      const r = await pacer.reserve(platform, chatId, chatType, Date.now(), maxSleepMs, job.data.chatSlot);
      if (!r.globalReserved) return later(job, token, r.at, { ...base, chatSlot: r.at });
      at = r.at;
    }
    const wait = at - Date.now();
    if (wait > maxSleepMs) return later(job, token, at, { ...base, slot: at, slotAttempt: job.attemptsMade });
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));

    try {
      await options.deliver(platform, chatId, replies);
    } catch (err) {
      const e =
        err instanceof DeliveryError
          ? err
          : new DeliveryError('TRANSIENT', (err as Error)?.message ?? String(err), undefined, err);
      switch (e.code) {
        case 'RATE_LIMITED': {
          // Only this chat waits; the rest of the queue goes on.
          const retryAfter = Math.max(e.retryAfterMs ?? 1_000, 100);
          options.onRateLimited?.(platform, retryAfter);
          await pacer.holdChat(platform, chatId, Date.now() + retryAfter);
          logger.warn(
            { platform, chatId, postId, retryAfterMs: retryAfter },
            'rate limited; delaying this delivery',
          );
          return later(job, token, Date.now() + retryAfter, base);
        }
        case 'PERMANENT': {
          await options.subscriptions.remove({ platform, chatId });
          await finish(job, false);
          logger.warn(
            { platform, chatId, postId, err: e.message },
            'chat unreachable for good; unsubscribed',
          );
          throw new UnrecoverableError(`chat unreachable: ${e.message}`);
        }
        case 'TRANSIENT': {
          if (job.attemptsMade + 1 >= (job.opts.attempts ?? options.attempts)) {
            await finish(job, false);
            logger.error({ platform, chatId, postId, err: e.message }, 'delivery failed after the last try');
          }
          throw e;
        }
      }
    }
    await finish(job, true);
    options.onDelivered?.(platform, replies[0]?.kind ?? 'post', Date.now() - job.timestamp);
    return 'delivered';
  };

  const worker = new Worker<DeliveryJobData>(DELIVERY_QUEUE, process, {
    connection: options.connection,
    prefix: options.bullPrefix,
    concurrency: options.concurrency ?? 32,
    lockDuration: options.lockDurationMs ?? 30_000,
    stalledInterval: options.stalledIntervalMs ?? 30_000,
    maxStalledCount: 3,
  });
  quietErrors(worker, logger, 'delivery worker');
  // Whatever ended a job for good (also errors outside the platform call), it is no longer pending.
  worker.on('failed', (job, err) => {
    if (!job) return;
    const final = err.name === 'UnrecoverableError' || job.attemptsMade >= (job.opts.attempts ?? 1);
    if (final) void client.srem(keys.pending(job.data.platform), job.id!).catch(() => {});
  });
  return worker;
}

/** BullMQ emits connection errors on every retry; log the first of a burst only. */
export function quietErrors(
  emitter: { on(event: 'error', cb: (err: Error) => void): unknown },
  logger: SchedulingLogger,
  what: string,
) {
  let last = 0;
  emitter.on('error', (err: Error) => {
    if (Date.now() - last > 10_000) logger.warn({ err: err.message }, `${what}: ${err.message}`);
    last = Date.now();
  });
}
