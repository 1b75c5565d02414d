/**
 * The `posts` worker: a due post or tip fanned out into one delivery per subscribed chat
 * (see delivery.ts).
 */
import { getNextMillis, type Job, type Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type { ContentSource } from '../core/ports.js';
import { simple } from '../core/replies.js';
import type { Platform } from '../core/types.js';
import {
  type DeliveryDefaults,
  type DeliveryJobData,
  describeSkipped,
  fanOut,
  type SchedulingLogger,
} from './delivery.js';
import type { Audience, PostJobData } from './posts.js';
import type { Subscriber, Subscriptions } from './subscriptions.js';
import { pickTip, tipRepeat, tipReply } from './tips.js';

/** What a post run needs. */
export interface PostRunContext {
  readonly client: Redis;
  readonly prefix: string;
  readonly deliveries: Queue<DeliveryJobData>;
  readonly subscriptions: Subscriptions;
  readonly defaults: DeliveryDefaults;
  readonly platforms?: ReadonlySet<Platform>;
  readonly content: ContentSource;
  readonly tipsCron: string;
  readonly timeZone: string;
  readonly logger: SchedulingLogger;
}

const inAudience = (audience: Audience | undefined) => (s: Subscriber) =>
  !audience ||
  audience.type === 'all' ||
  (audience.type === 'platform'
    ? s.platform === audience.platform
    : s.platform === audience.platform && s.chatId === audience.chatId);

const withSkipped = (done: string, skipped: Partial<Record<Platform, number>>) => {
  const more = describeSkipped(skipped);
  return more ? `${done}; ${more}` : done;
};

/** Runs one `posts` job: fans the tip or post out; returns what it did (the job's result). */
export async function runPost(ctx: PostRunContext, job: Job<PostJobData>): Promise<string> {
  const { logger } = ctx;
  const planned = job.data.plannedAt ?? job.timestamp + (job.delay ?? 0);
  const content = ctx.content.current().content;
  const fanArgs = () => ({
    client: ctx.client,
    prefix: ctx.prefix,
    deliveries: ctx.deliveries,
    subscriptions: ctx.subscriptions,
    defaults: ctx.defaults,
    ...(ctx.platforms ? { platforms: ctx.platforms } : {}),
  });
  if (job.data.kind === 'tip') {
    if (content.tips.length === 0) return 'no tips';
    // The slot is the cron time the run stands for: two runs for one slot share it.
    const slot =
      (ctx.tipsCron && getNextMillis(planned - 1_000, tipRepeat(ctx.tipsCron, ctx.timeZone))) || planned;
    const tipId = await pickTip(ctx.client, ctx.prefix, slot, content);
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
