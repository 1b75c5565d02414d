/**
 * What the moderators' console shows about posts: waiting posts, past posts with their delivery
 * progress per platform (failures in plain words), the community tips ahead. Read-only views over
 * the same queues and records the scheduling service writes; every change goes through the service.
 */
import { getNextMillis } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Platform } from '../core/types.js';
import { deliveryKeys } from './delivery.js';
import { type Audience, type PendingPost, type Scheduling, TIPS_SCHEDULER } from './service.js';
import type { Subscriber } from './subscriptions.js';

export interface PlatformProgress {
  sent: number;
  waiting: number;
  failed: number;
  /** Why deliveries failed, in a moderator's words, with how many chats each. */
  failures: { reason: string; count: number }[];
}

export interface PastPost {
  readonly id: number;
  readonly at: Date;
  readonly text: string;
  readonly audience?: Audience;
  readonly by?: string;
  readonly progress: Partial<Record<Platform, PlatformProgress>>;
}

export interface TipPlan {
  /** The next runs of the tips rotation (up to `count`). */
  readonly runs: Date[];
  /** The tip the next run will send. */
  readonly nextTip?: { readonly id: string; readonly text: string };
}

export interface PostBoard {
  readonly timeZone: string;
  pending(): Promise<PendingPost[]>;
  past(limit: number): Promise<PastPost[]>;
  tips(until: Date): Promise<TipPlan>;
  /** Subscribed chats, for choosing one chat as the audience. */
  chats(limit: number): Promise<Subscriber[]>;
}

/** A delivery failure as BullMQ kept it, in words a moderator understands. */
export function plainFailure(reason: string | undefined): string {
  const r = reason ?? '';
  if (/chat unreachable/i.test(r))
    return 'the chat can no longer be reached (the bot was removed or blocked); it was unsubscribed';
  if (/adapter is not running/i.test(r)) return 'that platform was not connected when the post was due';
  if (/no stored text/i.test(r)) return 'the post text had expired before it could be sent';
  if (/429|too many/i.test(r)) return 'the platform asked the bot to slow down too many times';
  return `the platform did not accept it after several tries (${r.slice(0, 80) || 'no reason given'})`;
}

export function createPostBoard(
  scheduling: Scheduling,
  options: {
    /** The client the scheduling service writes its records with, and its key prefix. */
    readonly client: Redis;
    readonly prefix?: string;
    readonly tipsCron: string;
    readonly tips: () => readonly { id: string; text: string }[];
  },
): PostBoard {
  const prefix = options.prefix ?? 'bot';
  const keys = deliveryKeys(prefix);
  const redis = options.client;

  return {
    timeZone: scheduling.timeZone,
    pending: () => scheduling.listPending(),

    async past(limit) {
      const jobs = (await scheduling.posts.getJobs(['active', 'completed', 'failed'], 0, 200)).filter(
        (j) => j && j.name === 'broadcast' && !j.repeatJobKey && j.data.post,
      );
      jobs.sort((a, b) => (b.processedOn ?? b.timestamp) - (a.processedOn ?? a.timestamp));
      const chosen = jobs.slice(0, limit);
      const deliveries = await scheduling.deliveries.getJobs(
        ['waiting', 'delayed', 'active', 'prioritized', 'failed'],
        0,
        5_000,
      );
      const out: PastPost[] = [];
      for (const job of chosen) {
        const postId = String(job.data.post);
        const progress: Partial<Record<Platform, PlatformProgress>> = {};
        const of = (p: Platform) => {
          progress[p] ??= { sent: 0, waiting: 0, failed: 0, failures: [] };
          return progress[p]!;
        };
        for (const member of await redis.smembers(keys.done(postId))) {
          of(member.slice(0, member.indexOf(':')) as Platform).sent++;
        }
        for (const d of deliveries) {
          if (!d || d.data.postId !== postId) continue;
          const p = of(d.data.platform);
          if (d.failedReason && (d.finishedOn || d.attemptsMade >= (d.opts.attempts ?? 1))) {
            p.failed++;
            const reason = plainFailure(d.failedReason);
            const f = p.failures.find((x) => x.reason === reason);
            if (f) f.count++;
            else p.failures.push({ reason, count: 1 });
          } else p.waiting++;
        }
        out.push({
          id: job.data.post!,
          at: new Date(job.data.dueAt ?? job.timestamp + (job.delay ?? 0)),
          text: job.data.text ?? '',
          ...(job.data.audience ? { audience: job.data.audience } : {}),
          ...(job.data.by ? { by: job.data.by } : {}),
          progress,
        });
      }
      return out;
    },

    async tips(until) {
      if (!options.tipsCron) return { runs: [] };
      const s = await scheduling.posts.getJobScheduler(TIPS_SCHEDULER);
      const runs: Date[] = [];
      let t = s?.next ?? getNextMillis(Date.now(), { pattern: options.tipsCron, tz: scheduling.timeZone });
      while (t && t <= until.getTime() && runs.length < 100) {
        runs.push(new Date(t));
        t = getNextMillis(t, { pattern: options.tipsCron, tz: scheduling.timeZone });
      }
      // The rotation sends every tip once, in content order, before any repeats (service.ts, PICK_TIP).
      const used = new Set(await redis.smembers(`${prefix}:tips:used`));
      const tips = options.tips();
      const next = tips.find((tip) => !used.has(tip.id)) ?? tips[0];
      return { runs, ...(next ? { nextTip: next } : {}) };
    },

    async chats(limit) {
      const out: Subscriber[] = [];
      for await (const batch of scheduling.subscriptions.batches()) {
        out.push(...batch);
        if (out.length >= limit) break;
      }
      return out.slice(0, limit);
    },
  };
}
