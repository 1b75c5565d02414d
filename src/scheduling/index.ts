/** Scheduled tips and moderator posts: what main.ts and other modules use. */
export { schedulingCommands, schedulingOffCommands, schedulingPresses } from './commands.js';
export { type Deliver, type DeliveryJobData, deliveryJobId, startDeliveryWorker } from './delivery.js';
export {
  NO_PACING,
  type PacingTable,
  type PlatformPacing,
  telegramPacing,
  whatsappPacing,
} from './pacing.js';
export { createPostBoard, type PastPost, type PostBoard, plainFailure, type TipPlan } from './post-board.js';
export {
  type OpenRedisOptions,
  openRedis,
  type RedisConnection,
  type RedisHandle,
  type RedisOn,
} from './redis.js';
export type { Audience, PendingPost } from './service.js';
export { createScheduling, type Scheduling, type SchedulingOptions, tipReply } from './service.js';
export { type Subscriber, Subscriptions } from './subscriptions.js';
export { formatWhen, parseRecurring, parseWhen } from './when.js';
