/**
 * The `posts` queue seen from the moderators' side: one-off and weekly posts added, edited,
 * listed and cancelled; each request numbered once, so a repeated command adds nothing.
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Platform } from '../core/types.js';

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

export const postJobId = (id: number) => `post-${id}`;

/** What the post-queue functions work on. */
export interface PostQueueContext {
  readonly posts: Queue<PostJobData>;
  readonly client: Redis;
  readonly prefix: string;
  readonly clock: () => Date;
  readonly timeZone: string;
}

/** The post number for a request: the one an earlier identical request got, else a new one (atomic). */
export async function numberFor(
  ctx: PostQueueContext,
  requests: readonly RequestKey[] = [],
): Promise<Scheduled> {
  const { client, prefix } = ctx;
  const [id, fresh] = (await client.eval(
    NUMBER_FOR,
    1 + requests.length,
    `${prefix}:post:seq`,
    ...requests.map((r) => `${prefix}:request:${r.id}`),
    ...requests.map((r) => String(r.ttlSeconds)),
  )) as [number, number];
  return { id: Number(id), fresh: fresh === 1 };
}

/** A one-off post to `audience` at `at` (see `Scheduling.schedulePostTo`). */
export async function schedulePostTo(
  ctx: PostQueueContext,
  at: Date,
  text: string,
  audience: Audience,
  by?: string,
  requests?: readonly RequestKey[],
): Promise<Scheduled> {
  const { id, fresh } = await numberFor(ctx, requests);
  // Re-adding an existing job id returns that job: a retry after an unconfirmed add adds nothing.
  await ctx.posts.add(
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
      delay: Math.max(0, at.getTime() - ctx.clock().getTime()),
      attempts: 5,
      backoff: { type: 'exponential', delay: 5_000 },
      removeOnComplete: { age: 7 * 24 * 3600 },
    },
  );
  return { id, fresh };
}

/** A weekly post from a cron pattern in the community's time zone (see `Scheduling.scheduleWeekly`). */
export async function scheduleWeekly(
  ctx: PostQueueContext,
  pattern: string,
  text: string,
  by?: string,
  requests?: readonly RequestKey[],
): Promise<Scheduled & { next?: Date }> {
  const { posts } = ctx;
  const { id, fresh } = await numberFor(ctx, requests);
  if (!fresh) {
    const existing = await posts.getJobScheduler(postJobId(id));
    return { id, fresh, ...(existing?.next ? { next: new Date(existing.next) } : {}) };
  }
  const s = await posts.upsertJobScheduler(
    postJobId(id),
    { pattern, tz: ctx.timeZone },
    {
      name: 'broadcast',
      data: { kind: 'broadcast', post: id, text, ...(by ? { by } : {}) },
      opts: { attempts: 5, backoff: { type: 'exponential', delay: 5_000 } },
    },
  );
  const next = s ? s.timestamp + (s.delay ?? 0) : undefined;
  return { id, fresh, ...(next ? { next: new Date(next) } : {}) };
}

/** Posts waiting for their time, one-off and weekly, soonest first. */
export async function listPending(posts: Queue<PostJobData>): Promise<PendingPost[]> {
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
}

/** Changes a one-off post's time and text before it goes out; false when it is not waiting any more. */
export async function editPost(ctx: PostQueueContext, id: number, at: Date, text: string): Promise<boolean> {
  const job = await ctx.posts.getJob(postJobId(id));
  if (!job || (await job.getState()) !== 'delayed') return false;
  await job.updateData({ ...job.data, text, dueAt: at.getTime() });
  await job.changeDelay(Math.max(0, at.getTime() - ctx.clock().getTime()));
  return true;
}

/** Removes a pending post (one-off or weekly); false when there is no such pending post. */
export async function cancelPost(posts: Queue<PostJobData>, id: number): Promise<boolean> {
  if (await posts.removeJobScheduler(postJobId(id))) return true;
  const job = await posts.getJob(postJobId(id));
  if (!job) return false;
  const state = await job.getState();
  if (state !== 'delayed' && state !== 'waiting' && state !== 'prioritized') return false;
  await job.remove();
  return true;
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
