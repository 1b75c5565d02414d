import {
  type BaileysEventMap,
  type GroupParticipant,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  makeWASocket,
  type SignalKeyStore,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import qrcode from 'qrcode-terminal';
import { type Adapter, type AdapterHooks, DeliveryError, type PlatformAdmin } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import type { ChatRef, Incoming, Reply } from '../../core/types.js';
import { createRedisAuthStore, type RedisAuthStore } from './auth-state.js';
import { PendingChoices } from './choices.js';
import { renderReplies } from './format.js';
import { GroupCache } from './group-cache.js';
import { HandledIds } from './handled-ids.js';
import { Pacer, type PacerClock, PacerClosedError, type SendPriority, systemClock } from './pacer.js';
import { type BackoffOptions, backoffDelay, decideOnClose } from './reconnect.js';
import { choiceNumber, isMe, personIds, readMessage, toIncoming } from './to-incoming.js';
import type { ILogger, MakeSocket, Me, WhatsAppSocket } from './types.js';

export { clearRedisAuth, createRedisAuthStore } from './auth-state.js';
export { whatsappModeratorIds } from './moderators.js';
export type { MakeSocket, WhatsAppSocket } from './types.js';

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
  /** How long to hold all sends after WhatsApp says "rate-overlimit"; default 60 s. */
  readonly rateLimitPauseMs?: number;
  readonly backoff?: BackoffOptions;
  readonly hooks?: AdapterHooks;
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

type Listener = [keyof BaileysEventMap, (arg: never) => void];

/** WhatsApp through Baileys 7: incoming messages to the router, replies rendered the WhatsApp way. */
export function createWhatsAppAdapter(options: WhatsAppAdapterOptions): WhatsAppAdapter {
  const { router, redis, hooks = {} } = options;
  const prefix = options.keyPrefix ?? 'wa:';
  const clock = options.clock ?? systemClock;
  const random = options.random ?? Math.random;
  const logger = options.logger ?? silentLogger;
  const makeSocket: MakeSocket =
    options.makeSocket ?? ((config) => makeWASocket(config) as unknown as WhatsAppSocket);
  const rateLimitPauseMs = options.rateLimitPauseMs ?? 60_000;
  const maxBacklogAgeMs = options.maxBacklogAgeMs ?? 24 * 60 * 60_000;
  const pacer = new Pacer({
    chatGapMs: options.chatGapMs ?? 1_500,
    globalGapMs: options.globalGapMs ?? 1_000,
    bulkPerMinute: options.bulkPerMinute ?? 20,
    clock,
    random,
  });
  const choices = new PendingChoices(options.choiceTtlMs ?? 10 * 60_000, () => clock.now());
  const handled = new HandledIds(redis, prefix, 5_000, () => clock.now());
  const groups = new GroupCache(
    (jid) => requireSocket().groupMetadata(jid),
    options.groupMetadataTtlMs ?? 5 * 60_000,
    () => clock.now(),
  );
  const baileysLogger = logger.child({ component: 'baileys' });
  if (!['debug', 'trace'].includes(logger.level)) baileysLogger.level = 'warn';

  let auth: RedisAuthStore | undefined;
  let keys: SignalKeyStore | undefined;
  let sock: WhatsAppSocket | undefined;
  let listeners: Listener[] = [];
  let connected = false;
  let detail = 'not started';
  let attempt = 0;
  let reconnectTimer: unknown;
  let stopping = false;
  let halted = false;
  let pairingRequested = false;
  let lockedUntil = 0;
  const inflight = new Set<Promise<unknown>>();
  const chatQueues = new Map<string, Promise<void>>();

  const track = (p: Promise<unknown>) => {
    inflight.add(p);
    void p.finally(() => inflight.delete(p));
  };

  /** Runs `task` after earlier work for the same chat, so a chat's messages are answered in order. */
  const serial = (key: string, task: () => Promise<void>) => {
    const previous = chatQueues.get(key) ?? Promise.resolve();
    const next = previous
      .then(task)
      .catch((err) => logger.error({ err, chat: key }, 'whatsapp: handling failed'));
    chatQueues.set(key, next);
    void next.finally(() => {
      if (chatQueues.get(key) === next) chatQueues.delete(key);
    });
    track(next);
  };

  const me = (): Me => {
    const user = sock?.user ?? auth?.state.creds.me;
    return {
      ...(user?.id ? { id: jidNormalizedUser(user.id) } : {}),
      ...(user?.lid ? { lid: jidNormalizedUser(user.lid) } : {}),
    };
  };

  function requireSocket(): WhatsAppSocket {
    if (!sock || !connected) throw new DeliveryError('TRANSIENT', `WhatsApp is not connected (${detail})`);
    return sock;
  }

  const setConnected = (value: boolean) => {
    if (connected === value) return;
    connected = value;
    hooks.onConnectionChange?.('whatsapp', value);
  };

  // ---- connection lifecycle -------------------------------------------------------------

  function connect(): void {
    if (stopping || halted || sock || !auth || !keys) return;
    pairingRequested = false;
    detail = attempt > 0 ? `connecting (attempt ${attempt + 1})` : 'connecting';
    let s: WhatsAppSocket;
    try {
      s = makeSocket({
        auth: { creds: auth.state.creds, keys },
        logger: baileysLogger,
        markOnlineOnConnect: false,
        syncFullHistory: false,
        cachedGroupMetadata: async (jid) => groups.peek(jid),
        getMessage: async () => undefined,
      });
    } catch (err) {
      logger.error({ err }, 'whatsapp: could not create the socket');
      scheduleRetry('socket creation failed');
      return;
    }
    sock = s;
    const on = <K extends keyof BaileysEventMap>(event: K, fn: (arg: BaileysEventMap[K]) => void) => {
      s.ev.on(event, fn);
      listeners.push([event, fn as (arg: never) => void]);
    };
    on('creds.update', () => {
      const store = auth;
      if (store)
        track(store.saveCreds().catch((err) => logger.error({ err }, 'whatsapp: saving credentials failed')));
    });
    on('connection.update', (update) => onConnectionUpdate(s, update));
    on('messages.upsert', ({ messages, type }) => {
      if (type !== 'notify' && type !== 'append') return;
      for (const m of messages) {
        const chat = m.key.remoteJid;
        if (chat) serial(chat, () => handleMessage(m));
      }
    });
    on('group-participants.update', (update) => {
      const participants = update.participants.map((p) =>
        typeof p === 'string' ? ({ id: p } as GroupParticipant) : p,
      );
      groups.applyParticipants(update.id, update.action, participants);
      if (update.action === 'add') serial(update.id, () => handleJoin(update, participants));
    });
    on('groups.update', (updates) => {
      for (const u of updates) if (u.id) groups.invalidate(u.id);
    });
    on('group.join-request', (update) => {
      if (update.action === 'created') serial(update.id, () => handleJoinRequest(update));
    });
  }

  function detach(s: WhatsAppSocket): void {
    for (const [event, fn] of listeners) s.ev.off(event, fn as never);
    listeners = [];
    if (sock === s) sock = undefined;
  }

  function onConnectionUpdate(s: WhatsAppSocket, update: BaileysEventMap['connection.update']): void {
    if (s !== sock) return; // a late event from a socket already replaced
    if (update.reachoutTimeLock?.isActive) {
      const ends = update.reachoutTimeLock.timeEnforcementEnds?.getTime() ?? clock.now() + rateLimitPauseMs;
      lockedUntil = ends;
      pacer.pause(Math.max(0, ends - clock.now()));
      logger.warn(
        { until: new Date(ends).toISOString() },
        'whatsapp: WhatsApp has restricted sending from this number',
      );
    }
    if (update.qr) onQr(s, update.qr);
    if (update.connection === 'open') {
      attempt = 0;
      detail = 'connected';
      setConnected(true);
      logger.info({ me: me() }, 'whatsapp: connected');
    } else if (update.connection === 'close') {
      detach(s);
      setConnected(false);
      if (stopping) return;
      const statusCode = (update.lastDisconnect?.error as { output?: { statusCode?: number } } | undefined)
        ?.output?.statusCode;
      const decision = decideOnClose(statusCode);
      if (decision.action === 'stop') {
        halted = true;
        detail = decision.detail;
        logger.error({ statusCode, reason: decision.reason }, `whatsapp: stopped: ${decision.detail}`);
        hooks.onConnectionChange?.('whatsapp', false);
      } else if (decision.action === 'restart') {
        logger.info({ statusCode }, 'whatsapp: restart required, reconnecting now');
        hooks.onReconnect?.('whatsapp', decision.reason);
        detail = 'reconnecting now (restart required)';
        schedule(0);
      } else {
        hooks.onReconnect?.('whatsapp', decision.reason);
        scheduleRetry(decision.reason, statusCode);
      }
    }
  }

  function scheduleRetry(reason: string, statusCode?: number): void {
    attempt++;
    const delay = backoffDelay(attempt, { random, ...options.backoff });
    detail = `reconnecting in ${Math.max(1, Math.round(delay / 1000))}s (attempt ${attempt})`;
    logger.warn(
      { statusCode, reason, attempt, delayMs: delay },
      `whatsapp: connection closed (${reason}); ${detail}`,
    );
    schedule(delay);
  }

  /** One reconnect timer at most: a burst of closes never leads to overlapping sockets. */
  function schedule(ms: number): void {
    if (reconnectTimer !== undefined || stopping) return;
    reconnectTimer = clock.setTimeout(() => {
      reconnectTimer = undefined;
      connect();
    }, ms);
  }

  function onQr(s: WhatsAppSocket, qr: string): void {
    const number = options.pairingNumber;
    if (number && !s.authState.creds.registered) {
      if (pairingRequested) return;
      pairingRequested = true;
      detail = 'requesting a pairing code';
      s.requestPairingCode(number).then(
        (code) => {
          if (s !== sock) return;
          const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
          detail = `waiting for pairing code ${shown} to be entered on the phone`;
          (options.onPairingCode ?? printPairingCode)(shown);
        },
        (err) => logger.error({ err }, 'whatsapp: requesting a pairing code failed'),
      );
      return;
    }
    detail = 'waiting for QR scan';
    (options.onQr ?? printQr)(qr);
  }

  // ---- incoming -------------------------------------------------------------------------

  const choiceKey = (chat: ChatRef, personId?: string) =>
    chat.chatType === 'group' ? `${chat.chatId}|${personId ?? '*'}` : chat.chatId;

  async function handleMessage(m: WAMessage): Promise<void> {
    const read = readMessage(m, me());
    if (!read) return;
    const sentAt = Number(m.messageTimestamp ?? 0) * 1000;
    if (sentAt > 0 && clock.now() - sentAt > maxBacklogAgeMs) return;
    if (!(await claim(`${read.chat.chatId}:${read.id}`))) return;

    const group = read.chat.chatType === 'group';
    const isChatAdmin = group
      ? await groups.isAdmin(read.chat.chatId, read.sender.id, read.sender.altId).catch((err) => {
          logger.warn({ err, chat: read.chat.chatId }, 'whatsapp: group metadata unavailable');
          return false;
        })
      : false;
    const key = choiceKey(read.chat, read.sender.id);
    const n = choiceNumber(read.text);
    const picked =
      n === undefined
        ? undefined
        : (choices.pick(key, n) ?? (group ? choices.pick(choiceKey(read.chat), n) : undefined));
    const incoming = toIncoming(read, { ...(picked ? { choice: picked.data } : {}), isChatAdmin });
    const replies = await router.handle(incoming);
    if (replies.length === 0) return;
    await deliverSafely(read.chat.chatId, replies, key, group ? m : undefined);
  }

  async function claim(id: string): Promise<boolean> {
    try {
      return await handled.claim(id);
    } catch (err) {
      // Answering twice is better than not answering at all.
      logger.warn({ err }, 'whatsapp: could not record the message as handled (Redis?)');
      return true;
    }
  }

  async function handleJoin(
    update: BaileysEventMap['group-participants.update'],
    participants: readonly GroupParticipant[],
  ): Promise<void> {
    const self = me();
    const members = participants
      .filter((p) => !isMe(self, p.id) && !isMe(self, p.lid) && !isMe(self, p.phoneNumber))
      .map((p) => {
        const ids = personIds(p.lid ?? p.id, p.phoneNumber ?? (p.lid ? p.id : undefined));
        const name = p.notify ?? p.name;
        return { id: ids?.id ?? p.id, ...(name ? { name } : {}) };
      });
    if (members.length === 0) return;
    const chat: ChatRef = { platform: 'whatsapp', chatId: update.id, chatType: 'group' };
    const author = personIds(update.author, update.authorPn) ?? { id: members[0]!.id };
    const incoming: Incoming = { kind: 'member_joined', chat, sender: author, members, raw: update };
    const replies = await router.handle(incoming);
    if (replies.length > 0) await deliverSafely(update.id, replies, choiceKey(chat));
  }

  async function handleJoinRequest(update: BaileysEventMap['group.join-request']): Promise<void> {
    const person = personIds(update.participant, update.participantPn);
    if (!person) return;
    const chat: ChatRef = { platform: 'whatsapp', chatId: update.id, chatType: 'group' };
    const incoming: Incoming = { kind: 'join_request', chat, sender: person, raw: update };
    const replies = await router.handle(incoming);
    // Said to the requester privately: they are not in the group yet.
    const to = update.participant || update.participantPn;
    if (replies.length > 0 && to) await deliverSafely(to, replies, jidNormalizedUser(to) || to);
  }

  // ---- outgoing -------------------------------------------------------------------------

  async function deliverSafely(chatId: string, replies: readonly Reply[], key: string, quoted?: WAMessage) {
    try {
      await deliver(chatId, replies, 'reply', key, quoted);
    } catch (err) {
      if (err instanceof PacerClosedError) return;
      logger.warn({ err, chat: chatId }, 'whatsapp: reply not delivered');
    }
  }

  async function deliver(
    chatId: string,
    replies: readonly Reply[],
    priority: SendPriority,
    key: string,
    quoted?: WAMessage,
  ): Promise<void> {
    const rendered = renderReplies(replies);
    choices.offer(key, rendered.choices);
    for (const [i, message] of rendered.messages.entries()) {
      await pacer.acquire(chatId, priority);
      const s = requireSocket();
      if (lockedUntil > clock.now()) {
        throw new DeliveryError(
          'RATE_LIMITED',
          'WhatsApp has restricted sending for now',
          lockedUntil - clock.now(),
        );
      }
      try {
        await s.sendMessage(chatId, { text: message.text }, i === 0 && quoted ? { quoted } : undefined);
      } catch (err) {
        throw classifySendError(err);
      }
    }
  }

  function classifySendError(err: unknown): DeliveryError {
    if (err instanceof DeliveryError) return err;
    const e = err as { data?: unknown; output?: { statusCode?: number }; message?: string } | undefined;
    const code = typeof e?.data === 'number' ? e.data : e?.output?.statusCode;
    const text = String(e?.message ?? err).toLowerCase();
    if (code === 429 || text.includes('rate-overlimit') || text.includes('rate overlimit')) {
      pacer.pause(rateLimitPauseMs);
      hooks.onRateLimited?.('whatsapp', rateLimitPauseMs);
      return new DeliveryError('RATE_LIMITED', 'WhatsApp says too many messages', rateLimitPauseMs, err);
    }
    if (
      code === 403 ||
      code === 404 ||
      /forbidden|item-not-found|not-authorized|not a participant/.test(text)
    ) {
      return new DeliveryError(
        'PERMANENT',
        `WhatsApp refused the chat: ${e?.message ?? String(err)}`,
        undefined,
        err,
      );
    }
    return new DeliveryError(
      'TRANSIENT',
      `WhatsApp send failed: ${e?.message ?? String(err)}`,
      undefined,
      err,
    );
  }

  // ---- group management -----------------------------------------------------------------

  async function adminCall<T>(what: string, call: (s: WhatsAppSocket) => Promise<T>): Promise<T> {
    const s = requireSocket();
    try {
      return await call(s);
    } catch (err) {
      const e = classifySendError(err);
      throw new DeliveryError(
        e.code,
        e.code === 'PERMANENT'
          ? `${what}: WhatsApp refused (is the bot an admin of the group?)`
          : `${what}: ${e.message}`,
        e.retryAfterMs,
        err,
      );
    }
  }

  const admin: PlatformAdmin = {
    async createInvite(chatId, inviteOptions) {
      const code = await adminCall('create invite link', (s) => s.groupInviteCode(chatId));
      if (!code)
        throw new DeliveryError(
          'PERMANENT',
          'create invite link: WhatsApp gave no code (is the bot an admin?)',
        );
      if (inviteOptions.expiresAt || inviteOptions.memberLimit || inviteOptions.approval !== undefined) {
        logger.info(
          { chat: chatId },
          'whatsapp: a group has one invite link: expiry, member limit and approval are not settable per link and were ignored',
        );
      }
      const meta = groups.peek(chatId);
      // No expiresAt / memberLimit: WhatsApp has no such settings per link. Approval is the group's setting.
      return {
        name: inviteOptions.name,
        url: `https://chat.whatsapp.com/${code}`,
        ...(meta?.joinApprovalMode !== undefined ? { approval: meta.joinApprovalMode } : {}),
      };
    },
    async revokeInvite(chatId) {
      await adminCall('revoke invite link', (s) => s.groupRevokeInvite(chatId));
    },
    async approveJoinRequest(chatId, userId) {
      await answerRequest(chatId, userId, 'approve');
    },
    async declineJoinRequest(chatId, userId) {
      await answerRequest(chatId, userId, 'reject');
    },
    async isChatAdmin(chatId, userId) {
      return groups.isAdmin(chatId, userId);
    },
  };

  async function answerRequest(chatId: string, userId: string, action: 'approve' | 'reject'): Promise<void> {
    const result = await adminCall(`${action} join request`, (s) =>
      s.groupRequestParticipantsUpdate(chatId, [userId], action),
    );
    const failed = result.find((r) => r.status !== '200');
    if (failed) {
      throw new DeliveryError(
        'PERMANENT',
        `${action} join request: WhatsApp answered ${failed.status} for ${userId}`,
      );
    }
  }

  async function whenIdle(): Promise<void> {
    while (inflight.size > 0) await Promise.allSettled([...inflight]);
  }

  // ---- the adapter ----------------------------------------------------------------------

  return {
    platform: 'whatsapp',
    admin,
    async start() {
      stopping = false;
      try {
        auth = await createRedisAuthStore(redis, prefix);
      } catch (err) {
        halted = true;
        detail = 'session store unavailable: WhatsApp needs Redis for its session';
        logger.error({ err }, `whatsapp: ${detail}`);
        return;
      }
      keys = makeCacheableSignalKeyStore(auth.state.keys, baileysLogger);
      if (!auth.state.creds.registered) {
        logger.info(
          options.pairingNumber
            ? 'whatsapp: not linked yet; a pairing code will be printed once connected'
            : 'whatsapp: not linked yet; a QR code will be printed once connected',
        );
      }
      connect();
    },
    async stop() {
      stopping = true;
      if (reconnectTimer !== undefined) clock.clearTimeout(reconnectTimer);
      reconnectTimer = undefined;
      pacer.close();
      await whenIdle();
      const s = sock;
      if (s) {
        detach(s);
        try {
          await s.end(undefined);
        } catch (err) {
          logger.debug({ err }, 'whatsapp: ending the socket failed');
        }
      }
      setConnected(false);
      detail = 'stopped';
    },
    async send(chatId, replies) {
      if (!connected) throw new DeliveryError('TRANSIENT', `WhatsApp is not connected (${detail})`);
      const chat: ChatRef = {
        platform: 'whatsapp',
        chatId,
        chatType: chatId.endsWith('@g.us') ? 'group' : 'private',
      };
      try {
        await deliver(chatId, replies, 'bulk', choiceKey(chat));
      } catch (err) {
        if (err instanceof PacerClosedError)
          throw new DeliveryError('TRANSIENT', 'WhatsApp is stopping', undefined, err);
        throw err;
      }
    },
    status: () => ({ connected, detail }),
    whenIdle,
  };
}

function printQr(qr: string): void {
  process.stderr.write(
    '\nWhatsApp: scan this QR code with the phone (WhatsApp > Linked devices > Link a device):\n',
  );
  qrcode.generate(qr, { small: true }, (art) => process.stderr.write(`${art}\n`));
}

function printPairingCode(code: string): void {
  process.stderr.write(
    `\nWhatsApp: on the phone open WhatsApp > Linked devices > Link a device > Link with phone number instead, and enter: ${code}\n\n`,
  );
}
