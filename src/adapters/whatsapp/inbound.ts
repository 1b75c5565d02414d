import { type BaileysEventMap, normalizeMessageContent, type WAMessage } from '@whiskeysockets/baileys';
import { DeliveryError } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import type { ChatRef, Reply } from '../../core/types.js';
import type { PendingChoices } from './choices.js';
import type { GroupCache } from './group-cache.js';
import type { HandledIds } from './handled-ids.js';
import type { Identity } from './identity.js';
import type { Outbound } from './outbound.js';
import { type PacerClock, PacerClosedError } from './pacer.js';
import { choiceNumber, type ReadMessage, readMessage, toIncoming } from './to-incoming.js';
import type { ILogger, Me, WhatsAppHooks } from './types.js';

export interface InboundOptions {
  readonly router: Router;
  readonly outbound: Outbound;
  readonly identity: Identity;
  readonly groups: GroupCache;
  readonly handled: HandledIds;
  readonly choices: PendingChoices;
  readonly clock: PacerClock;
  readonly logger: ILogger;
  readonly hooks: WhatsAppHooks;
  readonly me: () => Me;
  /** Messages older than this in the offline backlog are not answered. */
  readonly maxBacklogAgeMs: number;
  /** At most this many incoming messages wait (to be read or answered); more are dropped, counted. */
  readonly maxPending: number;
  /** Runs `task` after earlier work for the same key (the adapter's per-chat order). */
  readonly serial: (key: string, task: () => Promise<void>) => void;
  /** Counts work in flight, for `whenIdle()`. */
  readonly track: (work: Promise<unknown>) => void;
}

/** Where numbered choices are remembered: per chat in private, per member in groups. */
export const choiceKey = (chat: ChatRef, personId?: string): string =>
  chat.chatType === 'group' ? `${chat.chatId}|${personId ?? '*'}` : chat.chatId;

/** The disappearing-message timer a message carries (seconds), if any. */
function expirationOf(m: WAMessage): number | undefined {
  const content = normalizeMessageContent(m.message);
  if (!content) return undefined;
  for (const value of Object.values(content)) {
    const ctx = (value as { contextInfo?: { expiration?: number | null } } | null)?.contextInfo;
    if (ctx && typeof ctx.expiration === 'number') return ctx.expiration;
  }
  return undefined;
}

/**
 * Incoming messages: read, de-duplicated, routed, answered. Reading is serial per chat (answers
 * come in order); sending is left to the pacer, so a safety reply overtakes chatter waiting there.
 */
export class Inbound {
  private pending = 0;

  constructor(private readonly o: InboundOptions) {}

  /** `messages.upsert`: live (`notify`) and the offline backlog (`append`). */
  onUpsert({ messages, type }: BaileysEventMap['messages.upsert']): void {
    if (type !== 'notify' && type !== 'append') return;
    for (const m of messages) {
      const chat = m.key.remoteJid;
      if (!chat) continue;
      if (this.pending >= this.o.maxPending) {
        this.o.hooks.onInboundDropped?.();
        this.o.logger.warn(
          { chat, pending: this.pending },
          'whatsapp: too many incoming messages waiting (sending paused?); message dropped',
        );
        continue;
      }
      this.pending++;
      this.o.serial(chat, async () => {
        let sending: Promise<void> | undefined;
        try {
          sending = (await this.handle(m))?.sending;
        } finally {
          if (!sending) this.pending--;
        }
        if (sending) this.o.track(sending.finally(() => this.pending--));
      });
    }
  }

  /**
   * Reads and routes one message (in chat order); returns its sending, which is not awaited here:
   * a chat's next message is read while this answer waits on the pacer, so a safety reply to it
   * overtakes chatter still waiting to go out.
   */
  private async handle(m: WAMessage): Promise<{ sending: Promise<void> } | undefined> {
    const read = readMessage(m, this.o.me());
    if (!read) return;
    const sentAt = Number(m.messageTimestamp ?? 0) * 1000;
    if (sentAt > 0 && this.o.clock.now() - sentAt > this.o.maxBacklogAgeMs) return;
    const claimId = `${read.chat.chatId}:${read.id}`;
    if (!(await this.claim(claimId))) return;
    this.o.outbound.setEphemeral(read.chat.chatId, expirationOf(m));

    const resolved = await this.resolve(read);
    const { chat, sender } = resolved;
    const group = chat.chatType === 'group';
    if (!group) await this.o.outbound.markKnown(chat.chatId);
    const isChatAdmin = group
      ? await this.o.groups.isAdmin(chat.chatId, sender.id, sender.altId).catch((err) => {
          this.o.logger.warn({ err, chat: chat.chatId }, 'whatsapp: group metadata unavailable');
          return false;
        })
      : false;
    const key = choiceKey(chat, sender.id);
    const n = choiceNumber(read.text);
    const picked =
      n === undefined
        ? undefined
        : (this.o.choices.pick(key, n) ?? (group ? this.o.choices.pick(choiceKey(chat), n) : undefined));
    const incoming = toIncoming(resolved, { ...(picked ? { choice: picked.data } : {}), isChatAdmin });
    const replies = await this.o.router.handle(incoming);
    if (replies.length === 0) return;
    const sending = this.reply(chat.chatId, replies, key, group ? m : undefined).then(async (delivered) => {
      // Not answered for a passing reason (reconnect, shutdown): a redelivery must be answered.
      if (!delivered) await this.o.handled.unclaim(claimId).catch(() => {});
    });
    return { sending };
  }

  /** The sender with both ids where WhatsApp hid one, and a private chat under its stable id. */
  private async resolve(read: ReadMessage): Promise<ReadMessage> {
    const sender = { ...read.sender, ...(await this.o.identity.person(read.sender)) };
    if (read.chat.chatType === 'group') return { ...read, sender };
    const chatId = await this.o.identity.privateChatId(sender);
    if (chatId !== read.chat.chatId) this.o.choices.move(read.chat.chatId, chatId);
    return { ...read, sender, chat: { ...read.chat, chatId } };
  }

  private async claim(id: string): Promise<boolean> {
    try {
      return await this.o.handled.claim(id);
    } catch (err) {
      // Answering twice is better than not answering at all.
      this.o.logger.warn({ err }, 'whatsapp: could not record the message as handled (Redis?)');
      return true;
    }
  }

  /** Sends replies; false when they did not go out for a passing reason (TRANSIENT). */
  async reply(
    chatId: string,
    replies: readonly Reply[],
    choicesKey: string,
    quoted?: WAMessage,
  ): Promise<boolean> {
    const priority = replies.some((r) => r.kind === 'safety') ? 'urgent' : 'reply';
    try {
      await this.o.outbound.deliver(chatId, replies, { priority, choicesKey, ...(quoted ? { quoted } : {}) });
      return true;
    } catch (err) {
      if (err instanceof PacerClosedError) return false;
      this.o.logger.warn({ err, chat: chatId }, 'whatsapp: reply not delivered');
      return !(err instanceof DeliveryError && err.code === 'TRANSIENT');
    }
  }
}
