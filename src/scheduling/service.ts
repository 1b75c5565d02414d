/**
 * Scheduled community tips and moderator posts on BullMQ. Two queues:
 * - `posts`: one job per post, due at its time (one-off posts are delayed jobs, weekly posts and
 *   the community tips come from job schedulers); its worker fans the post out;
 * - `deliveries`: one job per post and chat (see delivery.ts).
 */
import { type Job, Queue, Worker } from 'bullmq';
import { DateTime } from 'luxon';
import type { ContentSource } from '../core/ports.js';
import { simple } from '../core/replies.js';
import type { Platform, Reply } from '../core/types.js';
import { checkPersistence, watchForDataLoss } from './data-loss.js';
import {
  DELIVERY_QUEUE,
  type Deliver,
  type DeliveryJobData,
  deliveryKeys,
  POST_QUEUE,
  quietErrors,
  type SchedulingLogger,
  startDeliveryWorker,
} from './delivery.js';
import { BroadcastDrafts } from './drafts.js';
import { Pacer, type PacingTable } from './pacing.js';
import { runPost } from './post-worker.js';
import {
  type Audience,
  cancelPost,
  editPost,
  listPending,
  type PendingPost,
  type PostJobData,
  type PostQueueContext,
  type RequestKey,
  type Scheduled,
  schedulePostTo,
  scheduleWeekly,
} from './posts.js';
import { queueReady } from './readiness.js';
import type { RedisOn } from './redis.js';
import { type Subscriber, Subscriptions } from './subscriptions.js';
import { installTips, TIPS_SCHEDULER } from './tips.js';

export type { Audience, PendingPost, PostJobData, RequestKey, Scheduled } from './posts.js';
export { TIPS_SCHEDULER, tipReply } from './tips.js';

export interface SchedulingOptions {
  readonly redis: RedisOn;
  /** Prefix of every Redis key we and BullMQ write (tests use a fresh one each). */
  readonly prefix?: string;
  readonly content: ContentSource;
  readonly deliver: Deliver;
  readonly pacing: PacingTable;
  /** 6-field cron (seconds first) for the community tip, in `timeZone`. Empty: no tips. */
  readonly tipsCron: string;
  readonly timeZone: string;
  readonly logger: SchedulingLogger;
  readonly clock?: () => Date;
  /** Run the fan-out and delivery workers in this process (default true). */
  readonly workers?: boolean;
  readonly concurrency?: number;
  readonly attempts?: number;
  readonly backoffMs?: number;
  readonly maxSleepMs?: number;
  readonly lockDurationMs?: number;
  readonly stalledIntervalMs?: number;
  readonly onRateLimited?: (platform: Platform, retryAfterMs: number) => void;
  /** Each delivery's delay after its post was due (metrics). */
  readonly onDelivered?: (platform: Platform, kind: string, latencyMs: number) => void;
  /**
   * The platforms this run sends to (main.ts: the ones configured). Posts skip chats on other
   * platforms, and deliveries queued for them earlier complete as skipped: counted, never failed.
   * Default: every platform.
   */
  readonly platforms?: ReadonlySet<Platform>;
  /**
   * Redis came back empty and the bot has set itself up again: tell the moderators what was lost.
   * Called by one replica only (the one that noticed first).
   */
  readonly onDataLoss?: (notice: Reply) => Promise<void>;
}

export interface Scheduling {
  readonly subscriptions: Subscriptions;
  /** `/broadcast` texts waiting for their confirmation. */
  readonly drafts: BroadcastDrafts;
  readonly posts: Queue<PostJobData>;
  readonly deliveries: Queue<DeliveryJobData>;
  readonly timeZone: string;
  /** Starts the workers and (re)installs the tips scheduler; idempotent at every boot. */
  start(): Promise<void>;
  /**
   * Schedules a one-off post; returns its number, and `fresh: false` when one of `requests` had
   * already made it (a redelivered or repeated command): then nothing new is queued.
   */
  schedulePost(at: Date, text: string, by?: string, requests?: readonly RequestKey[]): Promise<Scheduled>;
  /** A weekly post from a cron pattern in the community's time zone (idempotent like schedulePost). */
  scheduleWeekly(
    pattern: string,
    text: string,
    by?: string,
    requests?: readonly RequestKey[],
  ): Promise<Scheduled & { next?: Date }>;
  /** A one-off post to part of the audience (the console's posts page); `schedulePost` is this for everyone. */
  schedulePostTo(
    at: Date,
    text: string,
    audience: Audience,
    by?: string,
    requests?: readonly RequestKey[],
  ): Promise<Scheduled>;
  /** Changes a one-off post's time and text before it goes out; false when it is not waiting any more. */
  editPost(id: number, at: Date, text: string): Promise<boolean>;
  /** Posts now (idempotent like schedulePost). */
  broadcastNow(text: string, by?: string, requests?: readonly RequestKey[]): Promise<Scheduled>;
  listPending(): Promise<PendingPost[]>;
  /** Returns false when there is no such pending post. */
  cancel(id: number): Promise<boolean>;
  /** When the next community tip goes out, if tips are on. */
  nextTip(): Promise<Date | undefined>;
  /**
   * Whether deliveries to chats of this platform are still due: deliveries queued, or posts due
   * within `withinMs` (default: any time) while such chats are subscribed.
   */
  hasPending(platform: Platform, withinMs?: number): Promise<boolean>;
  /** Subscribes a chat once, ever (the console's own chat); later /unsubscribe sticks. */
  seedSubscriber(s: Subscriber): Promise<void>;
  /** Whether Redis answers, waiting up to `waitMs` for a connection being (re)made. */
  ready(waitMs?: number): Promise<boolean>;
  /** For `/readyz`: not ok while the bot sets itself up again after Redis lost its data. */
  health(): { readonly ok: boolean; readonly detail?: string };
  /** Checks for lost data now (done on every reconnect anyway); resolves when recovered. */
  checkData(): Promise<void>;
  close(): Promise<void>;
}

/** The worker options the caller set (undefined ones are left to delivery.ts's defaults). */
const deliveryTuning = (o: SchedulingOptions) => ({
  ...(o.concurrency === undefined ? {} : { concurrency: o.concurrency }),
  ...(o.maxSleepMs === undefined ? {} : { maxSleepMs: o.maxSleepMs }),
  ...(o.lockDurationMs === undefined ? {} : { lockDurationMs: o.lockDurationMs }),
  ...(o.stalledIntervalMs === undefined ? {} : { stalledIntervalMs: o.stalledIntervalMs }),
  ...(o.onRateLimited ? { onRateLimited: o.onRateLimited } : {}),
  ...(o.onDelivered ? { onDelivered: o.onDelivered } : {}),
  ...(o.platforms ? { platforms: o.platforms } : {}),
});

/**
 * The scheduling service: opens the two queues and wires the parts, `posts.ts` (adding, editing,
 * listing, cancelling posts), `post-worker.ts` (fanning due posts out), `tips.ts` (the community
 * tip), `delivery.ts` (one delivery per chat), `data-loss.ts` and `readiness.ts` (health).
 */
export function createScheduling(options: SchedulingOptions): Scheduling {
  const prefix = options.prefix ?? 'bot';
  const bullPrefix = `${prefix}:bull`;
  const { redis, logger, tipsCron, timeZone } = options;
  const client = redis.client;
  const clock = options.clock ?? (() => new Date());
  const defaults = { attempts: options.attempts ?? 5, backoffMs: options.backoffMs ?? 2_000 };
  const subscriptions = new Subscriptions(client, prefix);
  const pacer = new Pacer(client, prefix, options.pacing);
  const posts = new Queue<PostJobData>(POST_QUEUE, { connection: redis.connection, prefix: bullPrefix });
  const deliveries = new Queue<DeliveryJobData>(DELIVERY_QUEUE, {
    connection: redis.connection,
    prefix: bullPrefix,
  });
  quietErrors(posts, logger, 'posts queue');
  quietErrors(deliveries, logger, 'deliveries queue');
  const keys = deliveryKeys(prefix);
  const workers: Worker[] = [];
  const queue: PostQueueContext = { posts, client, prefix, clock, timeZone };

  const dataWatch = watchForDataLoss({
    client,
    prefix,
    logger,
    recover: async (tellModerators) => {
      await installTips(posts, tipsCron, timeZone);
      if (tellModerators) await options.onDataLoss?.(dataLossNotice(Boolean(tipsCron)));
    },
  });

  function startWorkers(): void {
    const run = (job: Job<PostJobData>) =>
      runPost(
        {
          client,
          prefix,
          deliveries,
          subscriptions,
          defaults,
          ...(options.platforms ? { platforms: options.platforms } : {}),
          content: options.content,
          tipsCron,
          timeZone,
          logger,
        },
        job,
      );
    const postWorker = new Worker<PostJobData>(POST_QUEUE, run, {
      connection: redis.connection,
      prefix: bullPrefix,
      concurrency: 2,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
    });
    quietErrors(postWorker, logger, 'post worker');
    workers.push(postWorker);
    workers.push(
      startDeliveryWorker({
        connection: redis.connection,
        client,
        prefix,
        bullPrefix,
        deliver: options.deliver,
        pacer,
        subscriptions,
        logger,
        attempts: defaults.attempts,
        ...deliveryTuning(options),
      }),
    );
  }

  const scheduling: Scheduling = {
    subscriptions,
    drafts: new BroadcastDrafts(client, prefix),
    posts,
    deliveries,
    timeZone,
    ready: (waitMs = 2_000) => queueReady(client, posts, waitMs),
    health: () => dataWatch.health(),
    checkData: () => dataWatch.check(),

    async start() {
      if (redis.mode === 'url') await checkPersistence(client, logger);
      await installTips(posts, tipsCron, timeZone);
      await dataWatch.start();
      if (options.workers === false) return;
      startWorkers();
    },

    async schedulePost(at, text, by, requests) {
      return scheduling.schedulePostTo(at, text, { type: 'all' }, by, requests);
    },
    schedulePostTo: (at, text, audience, by, requests) =>
      schedulePostTo(queue, at, text, audience, by, requests),
    scheduleWeekly: (pattern, text, by, requests) => scheduleWeekly(queue, pattern, text, by, requests),
    async broadcastNow(text, by, requests) {
      return scheduling.schedulePost(clock(), text, by, requests);
    },
    listPending: () => listPending(posts),
    editPost: (id, at, text) => editPost(queue, id, at, text),
    cancel: (id) => cancelPost(posts, id),

    async nextTip() {
      if (!tipsCron) return undefined;
      const s = await posts.getJobScheduler(TIPS_SCHEDULER);
      return s?.next ? new Date(s.next) : undefined;
    },

    async hasPending(platform, withinMs = Number.POSITIVE_INFINITY) {
      if ((await client.scard(keys.pending(platform))) > 0) return true;
      const horizon = clock().getTime() + withinMs;
      const due = await posts.getJobs(['delayed', 'waiting', 'active', 'prioritized']);
      const soon = (j: Job<PostJobData>) => j.timestamp + (j.delay ?? 0) <= horizon;
      if (!due.some((j) => j && j.name === 'broadcast' && !j.repeatJobKey && soon(j))) return false;
      for await (const batch of subscriptions.batches())
        if (batch.some((s) => s.platform === platform)) return true;
      return false;
    },

    async seedSubscriber(s) {
      const fresh = await client.set(`${prefix}:seeded:${s.platform}:${s.chatId}`, '1', 'NX');
      if (fresh === 'OK') await subscriptions.add(s);
    },

    async close() {
      dataWatch.close();
      await Promise.allSettled(workers.map((w) => w.close()));
      await Promise.allSettled([posts.close(), deliveries.close()]);
    },
  };
  return scheduling;
}

/** What moderators are told when Redis came back empty. */
export function dataLossNotice(tips: boolean): Reply {
  return simple(
    'command',
    "Warning: the bot's store (Redis) came back empty: it restarted without saving to disk, or failed over to an empty copy.\n\n" +
      `Lost: the list of subscribed chats, posts waiting to go out, and statistics.${tips ? ' The daily tip is set up again.' : ''}\n\n` +
      'What to do: ask chats to send /subscribe again (in groups, a moderator does), check /scheduled and schedule again what is missing, and ask whoever runs the bot to turn on Redis persistence (docs/operators.md).',
  );
}

/** "every Friday at 18:30" for a weekly pattern `0 30 18 * * 5`. */
export function describePattern(pattern: string): string {
  const [, m, h, , , dow] = pattern.split(' ');
  const day = DateTime.fromObject({ weekday: (((Number(dow) + 6) % 7) + 1) as 1 }).toFormat('cccc');
  return `every ${day} at ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
