import { makeWASocket, type WAMessageKey } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import type { Adapter, AdapterHooks, PlatformAdmin } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import { PendingChoices } from './choices.js';
import { attachListeners, type EventTargets } from './events.js';
import { GroupCache } from './group-cache.js';
import { Groups } from './groups.js';
import { HandledIds } from './handled-ids.js';
import { Identity } from './identity.js';
import { Inbound } from './inbound.js';
import { Connection } from './lifecycle.js';
import { Outbound } from './outbound.js';
import { type PacerClock, systemClock } from './pacer.js';
import { printPairingCode, printQr } from './pairing.js';
import type { BackoffOptions } from './reconnect.js';
import { RetryCounterCache } from './retry-counter.js';
import { sendToChat } from './send.js';
import type { ILogger, MakeSocket, WhatsAppHooks } from './types.js';
import { Work } from './work.js';

export { clearRedisAuth, createRedisAuthStore } from './auth-state.js';
export { whatsappModeratorIds } from './moderators.js';
export type { MakeSocket, WhatsAppHooks, WhatsAppSocket } from './types.js';
export { latestWhatsAppVersion } from './version.js';

export interface WhatsAppAdapterOptions {
  readonly router: Router;
  /** Holds the session (credentials, Signal keys) and the ids of answered messages. */
  readonly redis: Redis;
  /** Prefix of every Redis key the adapter writes; default `wa:`. */
  readonly keyPrefix?: string;
  /** Digits with country code: link by pairing code instead of QR code. */
  readonly pairingNumber?: string;
  /** Pacing (see docs/operators.md): gap per chat, gap between any two messages, bulk sends per minute. */
  readonly chatGapMs?: number;
  readonly globalGapMs?: number;
  readonly bulkPerMinute?: number;
  /** How long a member's numeric reply picks from the choices offered; default 10 minutes. */
  readonly choiceTtlMs?: number;
  /** How long group metadata (admins) is trusted; default 5 minutes. */
  readonly groupMetadataTtlMs?: number;
  /** Messages older than this in the offline backlog are not answered; default 24 hours. */
  readonly maxBacklogAgeMs?: number;
  /** How long to hold all sends after "rate-overlimit" or a refused message; default 60 s. */
  readonly rateLimitPauseMs?: number;
  /** How long `send()` waits for WhatsApp to refuse a relayed message before calling it delivered; default 3 s. */
  readonly refusalWaitMs?: number;
  /** How long sent messages are kept for resend requests; default 7 days. */
  readonly sentTtlMs?: number;
  /** Joins older than this (redelivered after downtime) get no welcome; default a day. */
  readonly welcomeWindowMs?: number;
  /** Incoming messages that may wait at once (a long pause); more are dropped and counted. Default 500. */
  readonly maxPendingIncoming?: number;
  /** Bound on every Redis wait of the adapter; default 10 s. */
  readonly redisTimeoutMs?: number;
  /**
   * The router's moderator set: LID aliases of moderators listed by number are added to it
   * (on connect, and as WhatsApp tells the LIDs), so they are recognised where numbers are hidden.
   */
  readonly moderators?: Set<string>;
  /** A private chat moved from its phone JID to its LID: move what is stored under the old id. */
  readonly onChatMoved?: (from: string, to: string) => Promise<void> | void;
  /** The WhatsApp Web version to announce (e.g. Baileys' `fetchLatestBaileysVersion`); default the bundled one. */
  readonly resolveVersion?: () => Promise<[number, number, number] | undefined>;
  readonly backoff?: BackoffOptions;
  readonly hooks?: AdapterHooks & WhatsAppHooks;
  /** Baileys-compatible logger (pino fits); Baileys itself logs at warn unless this is debug/trace. */
  readonly logger?: ILogger;
  /** Builds the socket; default Baileys' `makeWASocket`. Tests inject a fake. */
  readonly makeSocket?: MakeSocket;
  /** Time and timers for pacing, choice expiry and reconnect backoff. */
  readonly clock?: PacerClock;
  readonly random?: () => number;
  /** Shows a QR code to scan; default: printed to stderr with qrcode-terminal. */
  readonly onQr?: (qr: string) => void;
  /** Shows a pairing code to enter on the phone; default: printed to stderr. */
  readonly onPairingCode?: (code: string) => void;
}

export interface WhatsAppAdapter extends Adapter {
  readonly platform: 'whatsapp';
  readonly admin: PlatformAdmin;
  /** Settles when every update received so far has been handled and its replies sent (tests, shutdown). */
  whenIdle(): Promise<void>;
}

const silentLogger: ILogger = {
  level: 'silent',
  child: () => silentLogger,
  trace() {},
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/** Options with their defaults filled in, as the parts take them. */
interface Settings {
  readonly prefix: string;
  readonly clock: PacerClock;
  readonly random: () => number;
  readonly logger: ILogger;
  readonly baileysLogger: ILogger;
  readonly redisTimeoutMs: number;
  readonly makeSocket: MakeSocket;
  readonly hooks: AdapterHooks & WhatsAppHooks;
}

function settings(options: WhatsAppAdapterOptions): Settings {
  const logger = options.logger ?? silentLogger;
  const baileysLogger = logger.child({ component: 'baileys' });
  if (!['debug', 'trace'].includes(logger.level)) baileysLogger.level = 'warn';
  return {
    prefix: options.keyPrefix ?? 'wa:',
    clock: options.clock ?? systemClock,
    random: options.random ?? Math.random,
    logger,
    baileysLogger,
    redisTimeoutMs: options.redisTimeoutMs ?? 10_000,
    makeSocket: options.makeSocket ?? ((config) => makeWASocket(config) as never),
    hooks: options.hooks ?? {},
  };
}

interface Parts extends EventTargets {
  readonly connection: Connection;
}

/**
 * Builds the parts and ties them together. They refer to each other (the connection's socket
 * options read outbound's sent messages, outbound sends on the connection's socket), so the
 * connection reaches the later ones through `parts`, filled in before it starts.
 */
function createParts(options: WhatsAppAdapterOptions, s: Settings, work: Work): Parts {
  const { router, redis } = options;
  const { prefix, clock, random, logger, redisTimeoutMs, hooks } = s;
  const { track, serial } = work;
  const choices = new PendingChoices(options.choiceTtlMs ?? 10 * 60_000, () => clock.now());
  const handled = new HandledIds(redis, prefix, 5_000, () => clock.now());
  // Baileys counts retries per message here; one cache across sockets, as its Example/example.ts does.
  const msgRetryCounterCache = new RetryCounterCache(() => clock.now());

  let parts: Parts | undefined;
  const the = (): Parts => {
    if (!parts) throw new Error('whatsapp: the adapter is still being put together');
    return parts;
  };
  const connection: Connection = new Connection({
    redis,
    prefix,
    logger,
    baileysLogger: s.baileysLogger,
    makeSocket: s.makeSocket,
    clock,
    random,
    ...(options.backoff ? { backoff: options.backoff } : {}),
    hooks,
    ...(options.pairingNumber ? { pairingNumber: options.pairingNumber } : {}),
    onQr: options.onQr ?? printQr,
    onPairingCode: options.onPairingCode ?? printPairingCode,
    redisTimeoutMs,
    track,
    ...(options.resolveVersion ? { resolveVersion: options.resolveVersion } : {}),
    socketConfig: () => ({
      cachedGroupMetadata: async (jid: string) => the().cache.peek(jid),
      getMessage: (key: WAMessageKey) => the().outbound.getMessage(key),
      msgRetryCounterCache,
      // Status updates and channels are never answered: not decrypting them saves work and keys.
      shouldIgnoreJid: (jid: string) => /@(broadcast|newsletter)$/.test(jid),
    }),
    attach: (on) => attachListeners(on, the()),
    onOpen: () => track(the().identity.resolveModerators()),
    onTimelock: (lock) => the().outbound.onTimelock(lock),
  });
  const cache = new GroupCache(
    async (jid) => {
      const meta = await connection.socket().groupMetadata(jid);
      outbound.setEphemeral(jid, meta.ephemeralDuration);
      return meta;
    },
    options.groupMetadataTtlMs ?? 5 * 60_000,
    () => clock.now(),
  );
  const identity = new Identity({
    redis,
    prefix,
    logger,
    redisTimeoutMs,
    lookup: () => connection.current()?.signalRepository?.lidMapping,
    ...(options.moderators ? { moderators: options.moderators } : {}),
    ...(options.onChatMoved ? { onChatMoved: options.onChatMoved } : {}),
  });
  const outbound = new Outbound({
    redis,
    prefix,
    connection,
    choices,
    clock,
    random,
    logger,
    hooks,
    chatGapMs: options.chatGapMs ?? 1_500,
    globalGapMs: options.globalGapMs ?? 1_000,
    bulkPerMinute: options.bulkPerMinute ?? 20,
    rateLimitPauseMs: options.rateLimitPauseMs ?? 60_000,
    refusalWaitMs: options.refusalWaitMs ?? 3_000,
    sentTtlMs: options.sentTtlMs ?? 7 * 24 * 60 * 60_000,
    redisTimeoutMs,
  });
  const inbound = new Inbound({
    router,
    outbound,
    identity,
    groups: cache,
    handled,
    choices,
    clock,
    logger,
    hooks,
    me: () => connection.me(),
    maxBacklogAgeMs: options.maxBacklogAgeMs ?? 24 * 60 * 60_000,
    maxPending: options.maxPendingIncoming ?? 500,
    serial,
    track,
  });
  const groups = new Groups({
    router,
    redis,
    prefix,
    connection,
    outbound,
    identity,
    cache,
    clock,
    logger,
    redisTimeoutMs,
    welcomeWindowMs: options.welcomeWindowMs ?? 24 * 60 * 60_000,
    reply: (chatId, replies, key) => inbound.reply(chatId, replies, key),
  });
  const built: Parts = { connection, cache, identity, outbound, inbound, groups, serial };
  parts = built;
  return built;
}

/**
 * WhatsApp through Baileys 7: incoming messages to the router, replies rendered the WhatsApp way.
 * This only wires the parts: `lifecycle.ts` (socket, reconnects), `inbound.ts` (messages in),
 * `outbound.ts` (sending, pacing, resends, refusals), `groups.ts` (joins, requests, invites),
 * `identity.ts` (LIDs and phone numbers), `events.ts` (which socket event goes where).
 */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): WhatsAppAdapter {
  const s = settings(options);
  const work = new Work(s.logger);
  const { connection, outbound, groups } = createParts(options, s, work);
  return {
    platform: 'whatsapp',
    admin: groups.admin,
    async start() {
      outbound.open();
      await connection.start();
    },
    async stop() {
      await connection.stop(async () => {
        outbound.close();
        await work.whenIdle();
      });
    },
    send: (chatId, replies) => sendToChat(outbound, connection, chatId, replies),
    status: () => connection.status(),
    whenIdle: work.whenIdle,
  };
}
