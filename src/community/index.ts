/**
 * Community management: moderators' commands (invite links, insight), welcomes batched per
 * window, join requests with an "I agree" button and a timeout, and flood control. It plugs into
 * the router through {@link RouterOptions} and reaches platforms only through the core's ports.
 *
 * @example
 * const community = createCommunity({ content, adapters: (p) => byPlatform.get(p), redis, connection, ... });
 * const router = createRouter({ content, ...community.routerOptions });
 * await community.start(); // after the adapters: the join-request worker starts declining
 */
import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Adapter } from '../core/adapter.js';
import type { Command, ContentSource, PressHandler, Stats, UnansweredLog } from '../core/ports.js';
import type { Guard, RouterOptions } from '../core/router.js';
import type { Incoming, Platform, Reply } from '../core/types.js';
import { withTimeout } from './bounded.js';
import { type ChatRegistry, createChatRegistry } from './chats.js';
import { type Clock, systemClock } from './clock.js';
import { communityCommands } from './commands.js';
import { createFloodGuard, createRedisFloodStore } from './flood.js';
import {
  createMemoryInsight,
  createRedisInsight,
  DEFAULT_RETENTION_DAYS,
  type Insight,
} from './insight-store.js';
import {
  createMemoryJoinCounter,
  createRedisInviteStore,
  createRedisJoinCounter,
  type InviteStore,
  type JoinCounter,
  NO_LINK,
} from './invite-store.js';
import { createJoinRequests, type JoinRequests } from './join-requests.js';
import { type CommunityLogger, silentLogger } from './logger.js';
import { createMemoryOnce, createRedisOnce, createRedisPositions } from './shared-state.js';
import { createRedisWelcomeStore, createWelcomeBatcher, type WelcomeBatcher } from './welcome.js';

/** How long a member's join counts as the same join (a second report of it is not welcomed again). */
const JOIN_DEDUP_MS = 2 * 60_000;

export type { Clock } from './clock.js';
export { systemClock } from './clock.js';

export interface CommunityOptions {
  readonly content: ContentSource;
  /** The running adapter of a platform (looked up when needed: adapters are made after the router). */
  readonly adapters: (platform: Platform) => Adapter | undefined;
  /** Redis for invite links, join counts, statistics and unanswered questions; without it they stay in memory or say Redis is needed. */
  readonly redis?: Redis;
  /** BullMQ connection for the join-request timeouts (needs `redis` too). */
  readonly connection?: ConnectionOptions;
  /** Prefix of every Redis key this module writes. */
  readonly prefix?: string;
  readonly queueName?: string;
  /** BullMQ's key prefix for the join-request queue (default `bull`). */
  readonly bullPrefix?: string;
  /** Joins within this long share one welcome (default 10 s). */
  readonly welcomeWindowMs?: number;
  /** JOIN_REQUEST_TIMEOUT_MINUTES in milliseconds. */
  readonly joinRequestTimeoutMs: number;
  /** WHATSAPP_AUTO_APPROVE. */
  readonly whatsappAutoApprove?: boolean;
  /** FLOOD_MAX and FLOOD_WINDOW_SECONDS (in milliseconds); reading has its own budget (see flood.ts). */
  readonly flood: { readonly max: number; readonly windowMs: number; readonly navigationMax?: number };
  /**
   * How long a reply waits on Redis for flood control and article positions before it goes on
   * without them (default 500 ms): a slow store costs a count or a position, never a reply.
   */
  readonly storeWaitMs?: number;
  /** For dates in moderators' answers (COMMUNITY_TIMEZONE). */
  readonly timeZone?: string;
  /** Subscribers per platform, from scheduling's subscription store when it exists. */
  readonly subscribers?: () => Promise<Partial<Record<Platform, number>>>;
  readonly retentionDays?: number;
  /** COMMUNITY_CHATS: `platform:chatId` of the groups whose admins manage their own group. */
  readonly communityChats?: readonly string[];
  readonly clock?: Clock;
  readonly logger?: CommunityLogger;
}

export interface Community {
  readonly commands: readonly Command[];
  readonly presses: readonly PressHandler[];
  readonly guards: readonly Guard[];
  onJoin(incoming: Extract<Incoming, { kind: 'member_joined' }>): Promise<Reply[]>;
  onJoinRequest(incoming: Extract<Incoming, { kind: 'join_request' }>): Promise<Reply[]>;
  readonly unanswered: UnansweredLog;
  readonly stats: Stats;
  /** The community's chats: whose admins count as chat admins (give it to the router as `chats`). */
  readonly chats: ChatRegistry;
  /** Everything above, to spread into `createRouter({ content, ...community.routerOptions })`. */
  readonly routerOptions: Pick<
    RouterOptions,
    | 'commands'
    | 'presses'
    | 'guards'
    | 'onJoin'
    | 'onJoinRequest'
    | 'unanswered'
    | 'stats'
    | 'chats'
    | 'positions'
  >;
  /** Starts the worker that declines join requests left unanswered (call once adapters are up). */
  start(): Promise<void>;
  /** Sends pending welcomes and stops the worker. */
  close(): Promise<void>;
  /** For tests and the queue dashboard. */
  readonly internals: {
    readonly welcomes: WelcomeBatcher;
    readonly joinRequests: JoinRequests;
    readonly insight: Insight;
    readonly joins: JoinCounter;
    readonly invites?: InviteStore;
  };
}

export function createCommunity(options: CommunityOptions): Community {
  const logger = options.logger ?? silentLogger;
  const clock = options.clock ?? systemClock;
  const prefix = options.prefix ?? 'community:';
  const retentionDays = options.retentionDays ?? DEFAULT_RETENTION_DAYS;
  const { redis } = options;
  if (!redis) {
    logger.warn(
      {},
      'community: no Redis, so statistics stay in memory, invite links are off and join requests never time out',
    );
  }
  const admin = (p: Platform) => options.adapters(p)?.admin;
  const insight = redis
    ? createRedisInsight(redis, prefix, { retentionDays, now: () => clock.now() })
    : createMemoryInsight({ retentionDays, now: () => clock.now() });
  const joins = redis ? createRedisJoinCounter(redis, prefix) : createMemoryJoinCounter();
  const invites = redis ? createRedisInviteStore(redis, prefix) : undefined;

  // State every replica shares when there is Redis: welcome batches, seen joins, flood budgets,
  // reading positions.
  const welcomes = createWelcomeBatcher({
    ...(redis ? { store: createRedisWelcomeStore(redis, prefix) } : {}),
    content: options.content,
    windowMs: options.welcomeWindowMs ?? 10_000,
    clock,
    logger,
    send: async (platform, chatId, replies) => {
      const adapter = options.adapters(platform);
      if (!adapter) throw new Error(`no ${platform} adapter`);
      await adapter.send(chatId, replies);
    },
  });
  const joinRequests = createJoinRequests({
    content: options.content,
    admin,
    timeoutMs: options.joinRequestTimeoutMs,
    whatsappAutoApprove: options.whatsappAutoApprove ?? false,
    ...(redis ? { redis } : {}),
    ...(options.connection ? { connection: options.connection } : {}),
    queueName: options.queueName ?? 'community-join-requests',
    ...(options.bullPrefix ? { bullPrefix: options.bullPrefix } : {}),
    prefix,
    logger,
  });

  const chats = createChatRegistry({
    ...(options.communityChats ? { configured: options.communityChats } : {}),
    ...(redis ? { redis } : {}),
    prefix,
  });
  const commands = communityCommands({
    logger,
    admin,
    chats,
    send: async (chat, replies) => {
      const adapter = options.adapters(chat.platform);
      if (!adapter) throw new Error(`${chat.platform} is not running`);
      await adapter.send(chat.chatId, replies);
    },
    ...(invites ? { invites } : {}),
    joins,
    insight,
    retentionDays,
    floodWindowMs: options.flood.windowMs,
    ...(options.subscribers ? { subscribers: options.subscribers } : {}),
    ...(options.timeZone ? { timeZone: options.timeZone } : {}),
  });
  const presses = [joinRequests.press];
  const guards = [
    createFloodGuard({
      max: options.flood.max,
      windowMs: options.flood.windowMs,
      ...(options.flood.navigationMax ? { navigationMax: options.flood.navigationMax } : {}),
      clock,
      logger,
      ...(redis ? { store: createRedisFloodStore(redis, prefix) } : {}),
      ...(options.storeWaitMs ? { timeoutMs: options.storeWaitMs } : {}),
    }),
  ];
  const positions = redis
    ? createRedisPositions(redis, prefix, {
        logger,
        ...(options.storeWaitMs ? { timeoutMs: options.storeWaitMs } : {}),
      })
    : undefined;
  const seenJoins = redis ? createRedisOnce(redis, prefix, { logger }) : createMemoryOnce();

  // Bookkeeping never holds up a reply: a slow or absent Redis loses a count, not an answer.
  const quietly = async (what: string, work: () => Promise<void>): Promise<void> => {
    try {
      await withTimeout(work(), 2_000, what);
    } catch (err) {
      logger.warn({ err }, `community: ${what} failed`);
    }
  };

  const onJoin = async (incoming: Extract<Incoming, { kind: 'member_joined' }>): Promise<Reply[]> => {
    // One join can be reported twice (Telegram's chat_member and its service message), maybe
    // to two replicas: the first report welcomes and counts, on whichever replica it lands.
    const { chat } = incoming;
    const fresh = await Promise.all(
      incoming.members.map((m) =>
        seenJoins.first(`join:${chat.platform}:${chat.chatId}:${m.id}`, JOIN_DEDUP_MS),
      ),
    );
    const members = incoming.members.filter((_, i) => fresh[i]);
    if (members.length === 0) return [];
    await quietly('counting a join', () => joins.add(chat, incoming.inviteLink ?? NO_LINK, members.length));
    await quietly('batching a welcome', () => welcomes.add(chat, members));
    return [];
  };
  const onJoinRequest = (incoming: Extract<Incoming, { kind: 'join_request' }>) =>
    joinRequests.onJoinRequest(incoming);
  const unanswered: UnansweredLog = {
    record: (question) =>
      quietly('recording an unanswered question', () => insight.unanswered.record(question)),
    pressed: (press) => quietly('recording a choice', () => insight.unanswered.pressed(press)),
    list: (query) => insight.unanswered.list(query),
    get: (id) => insight.unanswered.get(id),
    markAnswered: (id, by, at) => insight.unanswered.markAnswered(id, by, at),
  };
  const stats: Stats = {
    recordAnswer: (kind, faqId, chat) =>
      quietly('counting an answer', () => insight.recordAnswer(kind, faqId, chat)),
    recordSection: (section, chat) =>
      quietly('counting a section served', () => insight.recordSection(section, chat)),
  };

  // What the router takes as it is; `routerOptions` adds the bounded chat lookup and positions.
  const wiring = { commands, presses, guards, onJoin, onJoinRequest, unanswered, stats };
  return {
    ...wiring,
    chats,
    routerOptions: {
      ...wiring,
      // A slow Redis makes a chat admin a member for that message, never a late reply.
      chats: {
        isCommunityChat: (chat) => withTimeout(chats.isCommunityChat(chat), 1_000, 'community chats'),
      },
      ...(positions ? { positions } : {}),
    },
    start: () => joinRequests.start(),
    async close() {
      await welcomes.flush();
      await joinRequests.close();
    },
    internals: { welcomes, joinRequests, insight, joins, ...(invites ? { invites } : {}) },
  };
}
