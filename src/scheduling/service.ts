/**
 * Scheduled community tips and moderator posts on BullMQ. Two queues:
 * - `posts`: one job per post, due at its time (one-off posts are delayed jobs, weekly posts and
 *   the community tips come from job schedulers); its worker fans the post out;
 * - `deliveries`: one job per post and chat (see delivery.ts).
 */
import { getNextMillis, type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import type { Content } from '../core/content.js';
import type { ContentSource } from '../core/ports.js';
import { disclaimer, simple } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { Platform, Reply } from '../core/types.js';
import { checkPersistence, watchForDataLoss } from './data-loss.js';
import {
  DELIVERY_QUEUE,
  type Deliver,
  type DeliveryJobData,
  deliveryKeys,
  describeSkipped,
  fanOut,
  POST_QUEUE,
  quietErrors,
  type SchedulingLogger,
  startDeliveryWorker,
} from './delivery.js';
import { BroadcastDrafts } from './drafts.js';
import { Pacer, type PacingTable } from './pacing.js';
import type { RedisOn } from './redis.js';
import { type Subscriber, Subscriptions } from './subscriptions.js';

export const TIPS_SCHEDULER = 'community-tips';

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

export interface PostJobData {
  readonly kind: 'broadcast' | 'tip';
  /** Our post number (broadcasts); tips are numbered by their slot. */
  readonly post?: number;
  readonly text?: string;
  readonly by?: string;
  /** Tests and manual runs: the slot a tip run stands for. */
  readonly plannedAt?: number;
  /** Who gets a post; absent: every subscribed chat. */
  readonly audience?: Audience;
  /** When a one-off post is due (epoch ms); kept in the data because an edit's new delay counts from the edit. */
  readonly dueAt?: number;
}

/** A post's audience: every subscriber, one platform's, or one chat. */
export type Audience =
  | { readonly type: 'all' }
  | { readonly type: 'platform'; readonly platform: Platform }
  | { readonly type: 'chat'; readonly platform: Platform; readonly chatId: string };

const inAudience = (audience: Audience | undefined) => (s: Subscriber) =>
  !audience ||
  audience.type === 'all' ||
  (audience.type === 'platform'
    ? s.platform === audience.platform
    : s.platform === audience.platform && s.chatId === audience.chatId);

/** A post waiting for its time, for `/scheduled`. */
export interface PendingPost {
  readonly id: number;
  readonly at: Date;
  readonly text: string;
  /** Set for weekly posts: the cron pattern. */
  readonly every?: string;
  readonly audience?: Audience;
  readonly by?: string;
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

const postJobId = (id: number) => `post-${id}`;

const withSkipped = (done: string, skipped: Partial<Record<Platform, number>>) => {
  const more = describeSkipped(skipped);
  return more ? `${done}; ${more}` : done;
};

/**
 * Something that names one request, so doing it twice does it once: the platform's message id
 * (a redelivery), or what was asked (the same post sent again while the first is unconfirmed).
 * Remembered for `ttlSeconds`.
 */
export interface RequestKey {
  readonly id: string;
  readonly ttlSeconds: number;
}

export interface Scheduled {
  readonly id: number;
  /** False when an earlier identical request had already scheduled it. */
  readonly fresh: boolean;
}

export function createScheduling(options: SchedulingOptions): Scheduling {
  const prefix = options.prefix ?? 'bot';
  const bullPrefix = `${prefix}:bull`;
  const { redis, logger } = options;
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

  const tipRepeat = () => ({ pattern: options.tipsCron, tz: options.timeZone });

  /** Installs (or removes) the community tip's scheduler; idempotent. */
  async function installTips(): Promise<void> {
    if (options.tipsCron) {
      await posts.upsertJobScheduler(TIPS_SCHEDULER, tipRepeat(), {
        name: 'tip',
        data: { kind: 'tip' },
        opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
      });
    } else {
      await posts.removeJobScheduler(TIPS_SCHEDULER);
    }
  }

  const dataWatch = watchForDataLoss({
    client,
    prefix,
    logger,
    recover: async (tellModerators) => {
      await installTips();
      if (tellModerators) await options.onDataLoss?.(dataLossNotice(Boolean(options.tipsCron)));
    },
  });

  async function runPost(job: Job<PostJobData>): Promise<string> {
    const planned = job.data.plannedAt ?? job.timestamp + (job.delay ?? 0);
    const content = options.content.current().content;
    if (job.data.kind === 'tip') {
      if (content.tips.length === 0) return 'no tips';
      // The slot is the cron time the run stands for: two runs for one slot share it.
      const slot = (options.tipsCron && getNextMillis(planned - 1_000, tipRepeat())) || planned;
      const tipId = await pickTip(slot, content);
      const tip = content.tips.find((t) => t.id === tipId) ?? content.tips[0]!;
      const r = await fanOut({ ...fanArgs(), postId: `tip-${slot}`, replies: [tipReply(content, tip)] });
      logger.info(
        { tip: tip.id, slot: new Date(slot).toISOString(), chats: r.chats, skipped: r.skipped },
        'community tip fanned out',
      );
      return withSkipped(`tip ${tip.id} to ${r.chats} chats`, r.skipped);
    }
    const id = job.data.post ?? 0;
    // A weekly post is a new post every week: its slot (cron times are whole seconds) is part of the id.
    const postId = job.repeatJobKey ? `${id}-${Math.round(planned / 1_000) * 1_000}` : String(id);
    const r = await fanOut({
      ...fanArgs(),
      postId,
      replies: [simple('broadcast', job.data.text ?? '')],
      filter: inAudience(job.data.audience),
    });
    logger.info({ post: postId, chats: r.chats, skipped: r.skipped }, 'post fanned out');
    return withSkipped(`post ${postId} to ${r.chats} chats`, r.skipped);
  }

  const fanArgs = () => ({
    client,
    prefix,
    deliveries,
    subscriptions,
    defaults,
    ...(options.platforms ? { platforms: options.platforms } : {}),
  });

  /** Every tip once before any repeats; the choice per slot is made once (Lua, atomic). */
  async function pickTip(slot: number, content: Content): Promise<string> {
    return (await client.eval(
      PICK_TIP,
      2,
      `${prefix}:tips:used`,
      `${prefix}:tips:slot:${slot}`,
      ...content.tips.map((t) => t.id),
    )) as string;
  }

  /** The post number for a request: the one an earlier identical request got, else a new one (atomic). */
  async function numberFor(requests: readonly RequestKey[] = []): Promise<Scheduled> {
    const [id, fresh] = (await client.eval(
      NUMBER_FOR,
      1 + requests.length,
      `${prefix}:post:seq`,
      ...requests.map((r) => `${prefix}:request:${r.id}`),
      ...requests.map((r) => String(r.ttlSeconds)),
    )) as [number, number];
    return { id: Number(id), fresh: fresh === 1 };
  }

  const scheduling: Scheduling = {
    subscriptions,
    drafts: new BroadcastDrafts(client, prefix),
    posts,
    deliveries,
    timeZone: options.timeZone,
    async ready(waitMs = 2_000) {
      // The queue has its own connection: the shared client being back says nothing about it.
      const deadline = Date.now() + waitMs;
      if (!(await connected(client, waitMs))) return false;
      const queueClient = await Promise.race([
        posts.getBackend().client as Promise<unknown> as Promise<Redis>,
        sleep(Math.max(0, deadline - Date.now())),
      ]);
      return queueClient ? connected(queueClient, Math.max(0, deadline - Date.now())) : false;
    },

    health: () => dataWatch.health(),
    checkData: () => dataWatch.check(),

    async start() {
      if (redis.mode === 'url') await checkPersistence(client, logger);
      await installTips();
      await dataWatch.start();
      if (options.workers === false) return;
      const postWorker = new Worker<PostJobData>(POST_QUEUE, runPost, {
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
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.maxSleepMs === undefined ? {} : { maxSleepMs: options.maxSleepMs }),
          ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
          ...(options.stalledIntervalMs === undefined
            ? {}
            : { stalledIntervalMs: options.stalledIntervalMs }),
          ...(options.onRateLimited ? { onRateLimited: options.onRateLimited } : {}),
          ...(options.onDelivered ? { onDelivered: options.onDelivered } : {}),
          ...(options.platforms ? { platforms: options.platforms } : {}),
        }),
      );
    },

    async schedulePost(at, text, by, requests) {
      return scheduling.schedulePostTo(at, text, { type: 'all' }, by, requests);
    },

    async schedulePostTo(at, text, audience, by, requests) {
      const { id, fresh } = await numberFor(requests);
      // Re-adding an existing job id returns that job: a retry after an unconfirmed add adds nothing.
      await posts.add(
        'broadcast',
        {
          kind: 'broadcast',
          post: id,
          text,
          ...(by ? { by } : {}),
          ...(audience.type === 'all' ? {} : { audience }),
          dueAt: at.getTime(),
        },
        {
          jobId: postJobId(id),
          delay: Math.max(0, at.getTime() - clock().getTime()),
          attempts: 5,
          backoff: { type: 'exponential', delay: 5_000 },
          removeOnComplete: { age: 7 * 24 * 3600 },
        },
      );
      return { id, fresh };
    },

    async scheduleWeekly(pattern, text, by, requests) {
      const { id, fresh } = await numberFor(requests);
      if (!fresh) {
        const existing = await posts.getJobScheduler(postJobId(id));
        return { id, fresh, ...(existing?.next ? { next: new Date(existing.next) } : {}) };
      }
      const s = await posts.upsertJobScheduler(
        postJobId(id),
        { pattern, tz: options.timeZone },
        {
          name: 'broadcast',
          data: { kind: 'broadcast', post: id, text, ...(by ? { by } : {}) },
          opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
        },
      );
      const next = s ? s.timestamp + (s.delay ?? 0) : undefined;
      return { id, fresh, ...(next ? { next: new Date(next) } : {}) };
    },

    async broadcastNow(text, by, requests) {
      return scheduling.schedulePost(clock(), text, by, requests);
    },

    async listPending() {
      const out: PendingPost[] = [];
      for (const job of await posts.getJobs(['delayed', 'waiting', 'prioritized'])) {
        if (job?.name !== 'broadcast' || job.repeatJobKey || !job.data.post) continue;
        out.push({
          id: job.data.post,
          at: new Date(job.data.dueAt ?? job.timestamp + (job.delay ?? 0)),
          text: job.data.text ?? '',
          ...(job.data.audience ? { audience: job.data.audience } : {}),
          ...(job.data.by ? { by: job.data.by } : {}),
        });
      }
      for (const s of await posts.getJobSchedulers()) {
        const key = s.id ?? s.key;
        if (!key.startsWith('post-') || !s.template?.data) continue;
        const data = s.template.data as PostJobData;
        out.push({
          id: data.post ?? Number(key.slice(5)),
          at: new Date(s.next ?? 0),
          text: data.text ?? '',
          ...(s.pattern ? { every: s.pattern } : {}),
        });
      }
      return out.sort((a, b) => a.at.getTime() - b.at.getTime());
    },

    async editPost(id, at, text) {
      const job = await posts.getJob(postJobId(id));
      if (!job || (await job.getState()) !== 'delayed') return false;
      await job.updateData({ ...job.data, text, dueAt: at.getTime() });
      await job.changeDelay(Math.max(0, at.getTime() - clock().getTime()));
      return true;
    },

    async cancel(id) {
      if (await posts.removeJobScheduler(postJobId(id))) return true;
      const job = await posts.getJob(postJobId(id));
      if (!job) return false;
      const state = await job.getState();
      if (state !== 'delayed' && state !== 'waiting' && state !== 'prioritized') return false;
      await job.remove();
      return true;
    },

    async nextTip() {
      if (!options.tipsCron) return undefined;
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

const sleep = (ms: number) => new Promise<undefined>((r) => setTimeout(() => r(undefined), ms));

/** Whether an ioredis client is connected, waiting up to `waitMs` for one being (re)made. */
function connected(c: { status: string; on: Redis['on']; off: Redis['off'] }, waitMs: number) {
  if (c.status === 'ready') return Promise.resolve(true);
  if (c.status === 'end' || waitMs <= 0) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    const done = (ok: boolean) => {
      clearTimeout(timer);
      c.off('ready', onReady);
      resolve(ok);
    };
    const onReady = () => done(true);
    const timer = setTimeout(() => done(false), waitMs);
    c.on('ready', onReady);
  });
}

// KEYS: the post sequence, then one key per request. ARGV: each request key's TTL in seconds.
// Returns { post number, 1 when new }.
const NUMBER_FOR = `
for i = 2, #KEYS do
  local known = redis.call('GET', KEYS[i])
  if known then return { tonumber(known), 0 } end
end
local n = redis.call('INCR', KEYS[1])
for i = 2, #KEYS do redis.call('SET', KEYS[i], n, 'EX', ARGV[i - 1]) end
return { n, 1 }
`;

// KEYS: used set, slot key. ARGV: tip ids in content order.
const PICK_TIP = `
local chosen = redis.call('GET', KEYS[2])
if chosen then return chosen end
local pick = nil
for i = 1, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then pick = ARGV[i]; break end
end
if not pick then
  redis.call('DEL', KEYS[1])
  pick = ARGV[1]
end
redis.call('SADD', KEYS[1], pick)
redis.call('SET', KEYS[2], pick, 'EX', 2592000)
return pick
`;

/** What moderators are told when Redis came back empty. */
export function dataLossNotice(tips: boolean): Reply {
  return simple(
    'command',
    "Warning: the bot's store (Redis) came back empty: it restarted without saving to disk, or failed over to an empty copy.\n\n" +
      `Lost: the list of subscribed chats, posts waiting to go out, and statistics.${tips ? ' The daily tip is set up again.' : ''}\n\n` +
      'What to do: ask chats to send /subscribe again (in groups, a moderator does), check /scheduled and schedule again what is missing, and ask whoever runs the bot to turn on Redis persistence (docs/operators.md).',
  );
}

/** A community tip as members see it: the tip, where in the article it comes from, the disclaimer. */
export function tipReply(content: Content, tip: Content['tips'][number]): Reply {
  const section = content.sections[tip.section - 1];
  return {
    kind: 'tip',
    paragraphs: [
      para(bold('Tip of the day')),
      para(tip.text),
      para(italic(`From the article, section "${section?.title ?? tip.section}".`)),
      disclaimer(content),
    ],
    meta: { section: tip.section },
  };
}

/** "every Friday at 18:30" for a weekly pattern `0 30 18 * * 5`. */
export function describePattern(pattern: string): string {
  const [, m, h, , , dow] = pattern.split(' ');
  const day = DateTime.fromObject({ weekday: (((Number(dow) + 6) % 7) + 1) as 1 }).toFormat('cccc');
  return `every ${day} at ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`;
}
