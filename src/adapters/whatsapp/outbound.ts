import {
  type BaileysEventMap,
  BufferJSON,
  isJidGroup,
  proto,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { type AdapterHooks, DeliveryError } from '../../core/adapter.js';
import type { Reply } from '../../core/types.js';
import { bounded } from './bounded.js';
import type { PendingChoices } from './choices.js';
import { renderReplies } from './format.js';
import type { Connection } from './lifecycle.js';
import { Pacer, type PacerClock, type SendPriority } from './pacer.js';
import type { ILogger, WhatsAppHooks } from './types.js';

export interface OutboundOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly connection: Connection;
  readonly choices: PendingChoices;
  readonly clock: PacerClock;
  readonly random: () => number;
  readonly logger: ILogger;
  readonly hooks: AdapterHooks & WhatsAppHooks;
  readonly chatGapMs: number;
  readonly globalGapMs: number;
  readonly bulkPerMinute: number;
  /** How long to hold all sends after "rate-overlimit" or a refusal; default 60 s. */
  readonly rateLimitPauseMs: number;
  /** How long `send()` waits for WhatsApp to refuse a message it relayed, before calling it delivered. */
  readonly refusalWaitMs: number;
  /** How long a sent message is kept for resend requests (`getMessage`). */
  readonly sentTtlMs: number;
  readonly redisTimeoutMs: number;
}

export interface DeliverOptions {
  readonly priority: SendPriority;
  /** Where the numbered choices are remembered (per chat, or per member in groups). */
  readonly choicesKey: string;
  readonly quoted?: WAMessage;
  /** Wait `refusalWaitMs` for a late refusal (queued posts: "delivered" must mean delivered). */
  readonly confirm?: boolean;
}

interface Sent {
  readonly chatId: string;
  refused?: DeliveryError;
  onRefused?: (err: DeliveryError) => void;
}

const ERROR_STATUS = proto.WebMessageInfo.Status.ERROR;
const MAX_TRACKED = 5_000;
const MAX_EPHEMERAL = 10_000;

/**
 * Sending: core replies rendered for WhatsApp, paced, classified into {@link DeliveryError}s,
 * kept in Redis for resend requests, and watched for late refusals (`messages.update` ERROR,
 * Baileys `Socket/messages-recv.js` handleBadAck). Knows which private chats already exist, so a
 * reachout timelock holds only messages that would open a new chat.
 */
export class Outbound {
  private pacer: Pacer;
  private lockedUntil = 0;
  private readonly sent = new Map<string, Sent>();
  /** Disappearing-message timers per chat (seconds), as the chat's own messages show them. */
  private readonly ephemeral = new Map<string, number>();

  constructor(private readonly o: OutboundOptions) {
    this.pacer = this.newPacer();
  }

  private newPacer(): Pacer {
    const { chatGapMs, globalGapMs, bulkPerMinute, clock, random } = this.o;
    return new Pacer({ chatGapMs, globalGapMs, bulkPerMinute, clock, random });
  }

  /** A fresh pacer and no timelock: called by every start, so a restart after a stop can send. */
  open(): void {
    this.pacer.close();
    this.pacer = this.newPacer();
    this.lockedUntil = 0;
  }

  /** Rejects every waiting send ({@link PacerClosedError}). */
  close(): void {
    this.pacer.close();
  }

  get waiting(): number {
    return this.pacer.waiting;
  }

  /** WhatsApp restricts reaching out to new chats until a time, or lifts it early (`isActive: false`). */
  onTimelock(lock: NonNullable<BaileysEventMap['connection.update']['reachoutTimeLock']>): void {
    const now = this.o.clock.now();
    if (!lock.isActive) {
      if (this.lockedUntil > now)
        this.o.logger.info('whatsapp: WhatsApp lifted the restriction on new chats');
      this.lockedUntil = 0;
      return;
    }
    this.lockedUntil = lock.timeEnforcementEnds?.getTime() ?? now + this.o.rateLimitPauseMs;
    this.o.logger.warn(
      { until: new Date(this.lockedUntil).toISOString(), type: lock.enforcementType },
      'whatsapp: WhatsApp has restricted starting new chats from this number (existing chats still get answers)',
    );
  }

  /** Remembers a chat's disappearing-message timer (0 or undefined: off). */
  setEphemeral(chatId: string, seconds: number | null | undefined): void {
    this.ephemeral.delete(chatId);
    if (!seconds) return;
    this.ephemeral.set(chatId, seconds);
    if (this.ephemeral.size > MAX_EPHEMERAL) this.ephemeral.delete(this.ephemeral.keys().next().value!);
  }

  /** A private chat exists once the member wrote or the bot sent there: the timelock does not hold it. */
  async markKnown(chatId: string): Promise<void> {
    if (isJidGroup(chatId)) return;
    await bounded(
      this.o.redis.sadd(`${this.o.prefix}chats`, chatId),
      this.o.redisTimeoutMs,
      'marking a chat',
    ).catch((err) => this.o.logger.warn({ err }, 'whatsapp: could not record a known chat'));
  }

  async isKnown(chatId: string): Promise<boolean> {
    if (isJidGroup(chatId)) return true;
    try {
      const key = `${this.o.prefix}chats`;
      return (
        (await bounded(this.o.redis.sismember(key, chatId), this.o.redisTimeoutMs, 'reading chats')) === 1
      );
    } catch {
      return false; // unsure: treat as new, the safer side under a restriction
    }
  }

  async deliver(chatId: string, replies: readonly Reply[], options: DeliverOptions): Promise<void> {
    const rendered = renderReplies(replies);
    this.o.choices.offer(options.choicesKey, rendered.choices);
    const pacer = this.pacer;
    for (const [i, message] of rendered.messages.entries()) {
      await pacer.acquire(chatId, options.priority);
      const s = this.o.connection.socket();
      if (this.lockedUntil > this.o.clock.now() && !(await this.isKnown(chatId))) {
        throw new DeliveryError(
          'RATE_LIMITED',
          'WhatsApp has restricted starting new chats for now',
          this.lockedUntil - this.o.clock.now(),
        );
      }
      const expiration = this.ephemeral.get(chatId);
      let msg: WAMessage | undefined;
      try {
        msg = await s.sendMessage(
          chatId,
          // No link preview: Baileys would need link-preview-js, and logs a stack trace per URL without it.
          { text: message.text, linkPreview: null },
          {
            ...(i === 0 && options.quoted ? { quoted: options.quoted } : {}),
            ...(expiration ? { ephemeralExpiration: expiration } : {}),
          },
        );
      } catch (err) {
        throw this.classify(err);
      }
      if (msg?.key.id) await this.remember(chatId, msg, options.confirm === true);
    }
    await this.markKnown(chatId);
  }

  /** Tracks a relayed message: kept for resends, and (with `confirm`) waited on for a late refusal. */
  private async remember(chatId: string, msg: WAMessage, confirm: boolean): Promise<void> {
    const id = msg.key.id!;
    const entry: Sent = { chatId };
    this.sent.set(id, entry);
    if (this.sent.size > MAX_TRACKED) this.sent.delete(this.sent.keys().next().value!);
    // Listen before anything else is awaited: a refusal may come while the message is being stored.
    const refusal =
      confirm && this.o.refusalWaitMs > 0
        ? new Promise<DeliveryError | undefined>((resolve) => {
            const timer = this.o.clock.setTimeout(() => resolve(undefined), this.o.refusalWaitMs);
            entry.onRefused = (err) => {
              this.o.clock.clearTimeout(timer);
              resolve(err);
            };
          })
        : undefined;
    if (msg.message) {
      const key = `${this.o.prefix}sent:${id}`;
      const value = JSON.stringify(msg.message, BufferJSON.replacer);
      await bounded(
        this.o.redis.set(key, value, 'PX', this.o.sentTtlMs),
        this.o.redisTimeoutMs,
        'keeping a sent message',
      ).catch((err) => this.o.logger.warn({ err }, 'whatsapp: sent message not kept for resends'));
    }
    if (!refusal) return;
    const refused = await refusal;
    entry.onRefused = undefined;
    if (refused) throw refused;
  }

  /** `messages.update` from the socket: refusals of the bot's own messages. */
  onMessagesUpdate(updates: BaileysEventMap['messages.update']): void {
    for (const { key, update } of updates) {
      if (!key.fromMe || !key.id || update.status !== ERROR_STATUS) continue;
      const entry = this.sent.get(key.id);
      if (!entry || entry.refused) continue;
      const code = String(update.messageStubParameters?.[0] ?? 'unknown');
      const err = refusalError(code, this.o.rateLimitPauseMs);
      entry.refused = err;
      this.pacer.pause(this.o.rateLimitPauseMs);
      this.o.hooks.onSendRefused?.(code);
      this.o.logger.warn(
        { code, chat: entry.chatId, id: key.id, pauseMs: this.o.rateLimitPauseMs },
        `whatsapp: WhatsApp refused a sent message (${code}); sending paused`,
      );
      entry.onRefused?.(err);
    }
  }

  /** Baileys' `getMessage`: the content of a message the bot sent, for a device that asks for it again. */
  async getMessage(key: WAMessageKey): Promise<proto.IMessage | undefined> {
    if (!key.id) return undefined;
    try {
      const raw = await bounded(
        this.o.redis.get(`${this.o.prefix}sent:${key.id}`),
        this.o.redisTimeoutMs,
        'a resend',
      );
      this.o.hooks.onResend?.(raw ? 'served' : 'missing');
      if (!raw) return undefined;
      return proto.Message.fromObject(JSON.parse(raw, BufferJSON.reviver) as Record<string, unknown>);
    } catch (err) {
      this.o.logger.warn({ err, id: key.id }, 'whatsapp: could not read a sent message for a resend');
      return undefined;
    }
  }

  classify(err: unknown): DeliveryError {
    if (err instanceof DeliveryError) return err;
    const e = err as { data?: unknown; output?: { statusCode?: number }; message?: string } | undefined;
    const code = typeof e?.data === 'number' ? e.data : e?.output?.statusCode;
    const text = String(e?.message ?? err).toLowerCase();
    if (code === 429 || text.includes('rate-overlimit') || text.includes('rate overlimit')) {
      const ms = this.o.rateLimitPauseMs;
      this.pacer.pause(ms);
      this.o.hooks.onRateLimited?.('whatsapp', ms);
      return new DeliveryError('RATE_LIMITED', 'WhatsApp says too many messages', ms, err);
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
}

/** A late refusal as the delivery queue should see it: 463 (restricted) waits, others retry. */
function refusalError(code: string, pauseMs: number): DeliveryError {
  if (code === '463')
    return new DeliveryError(
      'RATE_LIMITED',
      'WhatsApp refused the message: this number may not start new chats now (463)',
      pauseMs,
    );
  return new DeliveryError('TRANSIENT', `WhatsApp refused the message after sending it (${code})`);
}
