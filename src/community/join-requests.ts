import { type ConnectionOptions, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { PlatformAdmin } from '../core/adapter.js';
import type { ContentSource, PressHandler } from '../core/ports.js';
import { simple, welcome } from '../core/replies.js';
import type { ChatRef, Incoming, Platform, Reply } from '../core/types.js';
import { withTimeout } from './bounded.js';
import { type CommunityLogger, silentLogger } from './logger.js';
import { joinRequestReply } from './replies.js';

export interface JoinRequestOptions {
  readonly content: ContentSource;
  readonly admin: (platform: Platform) => PlatformAdmin | undefined;
  /** A request nobody agreed to within this long is declined. */
  readonly timeoutMs: number;
  /** WhatsApp: approve at once with a welcome (true) or leave requests to the group's admins (false). */
  readonly whatsappAutoApprove: boolean;
  /** With both `redis` and `connection`, unanswered requests are declined by a delayed job that survives restarts. */
  readonly redis?: Redis;
  readonly connection?: ConnectionOptions;
  readonly queueName: string;
  /** BullMQ's key prefix (default `bull`). */
  readonly bullPrefix?: string;
  /** Key prefix for the pending-request markers. */
  readonly prefix: string;
  readonly logger?: CommunityLogger;
}

export interface JoinRequests {
  onJoinRequest(incoming: Extract<Incoming, { kind: 'join_request' }>): Promise<Reply[]>;
  /** `agree:<platform>:<chatId>`, pressed by the requester in the private chat. */
  readonly press: PressHandler;
  /** Starts the worker that declines requests whose time is up. */
  start(): Promise<void>;
  close(): Promise<void>;
  /** The delayed-decline queue, when Redis is on (tests and the queue dashboard look at it). */
  readonly queue?: Queue;
}

interface DeclineJob {
  readonly platform: Platform;
  readonly chatId: string;
  readonly userId: string;
}

export const AGREE_PREFIX = 'agree';
/** Telegram's limit for button data. */
const MAX_DATA_BYTES = 64;

/** BullMQ job ids may not contain `:`, and must not read as an integer. */
export const declineJobId = (j: DeclineJob): string =>
  `decline-${j.platform}-${j.chatId}-${j.userId}`.replaceAll(':', '_');

/** What the join-request steps share: the options, the logger, and the decline queue when Redis is on. */
interface JoinContext {
  readonly options: JoinRequestOptions;
  readonly logger: CommunityLogger;
  readonly redis: Redis | undefined;
  /** Set when unanswered requests are declined by a delayed job (Redis on). */
  readonly queue: Queue<DeclineJob> | undefined;
  readonly pendingKey: (j: DeclineJob) => string;
}

/** Declines a request whose time is up (the worker's job); nothing when the member agreed meanwhile. */
async function decline(c: JoinContext, job: DeclineJob): Promise<string> {
  const { redis, options, logger, pendingKey } = c;
  // The marker is gone when the member agreed in the meantime: nothing to decline.
  if (!(await redis!.exists(pendingKey(job)))) return 'already handled';
  const admin = options.admin(job.platform);
  if (!admin) throw new Error(`no ${job.platform} adapter to decline the join request`);
  await admin.declineJoinRequest(job.chatId, job.userId);
  await redis!.del(pendingKey(job));
  logger.info(
    { platform: job.platform, chatId: job.chatId, userId: job.userId },
    'join request declined (no answer)',
  );
  return 'declined';
}

/** "I agree" pressed in the private chat: the member is let in and welcomed, once. */
async function onAgree(c: JoinContext, ctx: Parameters<PressHandler['handle']>[0]): Promise<Reply[]> {
  const { redis, options, logger, pendingKey, queue } = c;
  const incoming = ctx.incoming;
  const rest = ctx.data.slice(AGREE_PREFIX.length + 1);
  const cut = rest.indexOf(':');
  const platform = rest.slice(0, cut) as Platform;
  const chatId = rest.slice(cut + 1);
  if (cut < 1 || !chatId || platform !== incoming.chat.platform) {
    return [simple('error', 'That choice is no longer available.')];
  }
  const job: DeclineJob = { platform, chatId, userId: incoming.sender.id };
  let marker: string | null = 'none';
  if (redis) {
    try {
      marker = await withTimeout(redis.getdel(pendingKey(job)), 2_000, 'Redis');
    } catch (err) {
      // Redis is out: letting the member in beats leaving them waiting.
      logger.warn({ err }, 'join request marker unreadable; approving anyway');
    }
  }
  if (marker === null) {
    return [
      simple(
        'command',
        'This request was already answered or has expired. To join, use the invite link again and I will send you the rules.',
      ),
    ];
  }
  const admin = options.admin(platform);
  try {
    if (!admin) throw new Error(`no ${platform} adapter`);
    await admin.approveJoinRequest(chatId, job.userId);
  } catch (err) {
    logger.warn({ err, platform, chatId, userId: job.userId }, 'join request could not be approved');
    // Put the marker back so the member can press again and the timeout still applies.
    if (redis && marker !== 'none') {
      await redis.set(pendingKey(job), marker, 'PX', options.timeoutMs + 24 * 60 * 60 * 1000);
    }
    return [
      simple('error', 'Sorry, I could not let you in just now. Please press "I agree" again in a minute.'),
    ];
  }
  // The worker checks the marker too: a job left behind by a Redis hiccup declines nobody.
  if (queue) {
    await withTimeout(queue.remove(declineJobId(job)), 2_000, 'Redis').catch((err) =>
      logger.warn({ err }, 'decline job not removed'),
    );
  }
  return [welcome(ctx.content, incoming.sender.name)];
}

/** WhatsApp: approved at once with a welcome, or left to the group's admins. */
async function approveOnWhatsApp(
  c: JoinContext,
  job: DeclineJob,
  incoming: Extract<Incoming, { kind: 'join_request' }>,
): Promise<Reply[]> {
  if (!c.options.whatsappAutoApprove) return [];
  const admin = c.options.admin('whatsapp');
  try {
    if (!admin) throw new Error('no whatsapp adapter');
    await admin.approveJoinRequest(job.chatId, job.userId);
  } catch (err) {
    c.logger.warn({ err, chatId: job.chatId, userId: job.userId }, 'join request could not be approved');
    return [];
  }
  return [welcome(c.options.content.current().content, incoming.sender.name)];
}

/** Marks the request pending and queues its decline; false when Redis did not take it. */
async function armDecline(c: JoinContext, job: DeclineJob, chat: ChatRef): Promise<boolean> {
  const { redis, queue, options, pendingKey } = c;
  try {
    await withTimeout(
      (async () => {
        await redis!.set(
          pendingKey(job),
          JSON.stringify({ at: Date.now() }),
          'PX',
          options.timeoutMs + 24 * 60 * 60 * 1000,
        );
        // One job per chat and person; a repeated request keeps the first deadline.
        await queue!.add('decline', job, {
          jobId: declineJobId(job),
          delay: options.timeoutMs,
          attempts: 3,
          backoff: { type: 'exponential', delay: 30_000 },
          removeOnComplete: true,
          removeOnFail: 100,
        });
      })(),
      5_000,
      'Redis',
    );
    return true;
  } catch (err) {
    c.logger.warn({ err, chat }, 'join request timeout not set (Redis unavailable)');
    return false;
  }
}

/**
 * Join requests: the rules and an "I agree" button in the private chat (Telegram), or approval
 * with a welcome (WhatsApp); requests nobody agreed to are declined after `timeoutMs` when Redis is on.
 */
export function createJoinRequests(options: JoinRequestOptions): JoinRequests {
  const logger = options.logger ?? silentLogger;
  const { redis, connection } = options;
  const durable = redis !== undefined && connection !== undefined;
  const queue = durable
    ? new Queue<DeclineJob>(options.queueName, {
        connection,
        ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
      })
    : undefined;
  let worker: Worker<DeclineJob> | undefined;
  let warned = false;
  const c: JoinContext = {
    options,
    logger,
    redis,
    queue,
    pendingKey: (j) => `${options.prefix}joinreq:${j.platform}:${j.chatId}:${j.userId}`,
  };

  return {
    queue,
    press: { prefix: AGREE_PREFIX, handle: (ctx) => onAgree(c, ctx) },
    async onJoinRequest(incoming) {
      const job: DeclineJob = {
        platform: incoming.chat.platform,
        chatId: incoming.chat.chatId,
        userId: incoming.sender.id,
      };
      if (job.platform === 'whatsapp') return approveOnWhatsApp(c, job, incoming);
      const data = `${AGREE_PREFIX}:${job.platform}:${job.chatId}`;
      if (Buffer.byteLength(data) > MAX_DATA_BYTES) {
        logger.warn(
          { chat: incoming.chat },
          'chat id too long for an "I agree" button: join request left to admins',
        );
        return [];
      }
      let timesOut = false;
      if (durable) {
        timesOut = await armDecline(c, job, incoming.chat);
      } else if (!warned) {
        warned = true;
        logger.warn({}, 'join requests are not declined after a timeout: that needs Redis (REDIS_URL)');
      }
      return [
        joinRequestReply(
          options.content.current().content,
          incoming.sender.name,
          data,
          timesOut ? duration(options.timeoutMs) : undefined,
        ),
      ];
    },
    async start() {
      if (!durable || worker) return;
      worker = new Worker<DeclineJob>(options.queueName, (j) => decline(c, j.data), {
        connection,
        ...(options.bullPrefix ? { prefix: options.bullPrefix } : {}),
      });
      worker.on('failed', (j, err) => logger.warn({ err, job: j?.data }, 'declining a join request failed'));
      worker.on('error', (err) => logger.error({ err }, 'join request worker error'));
    },
    async close() {
      await worker?.close();
      worker = undefined;
      await queue?.close();
    },
  };
}

function duration(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  if (minutes < 1) return `${Math.max(1, Math.round(ms / 1000))} seconds`;
  if (minutes < 120) return `${minutes} minute${minutes === 1 ? '' : 's'}`;
  const hours = Math.round(minutes / 60);
  if (hours < 48) return `${hours} hours`;
  return `${Math.round(hours / 24)} days`;
}
