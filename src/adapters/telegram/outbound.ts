/**
 * Core replies to Telegram sends: HTML messages with inline keyboards, edits in place for
 * pressed buttons, a plain-text fallback when Telegram refuses the HTML, and rate-limit handling.
 *
 * Conversation replies go through `bot.api`, which waits out a 429 and retries (auto-retry);
 * {@link TelegramOutbound.send} never waits: it throws `DeliveryError('RATE_LIMITED')` so the
 * delivery queue can reschedule that chat.
 *
 * Emergencies are never queued behind chatter (issue #11):
 * - a conversation's replies wait in their chat's lane, in order; a safety reply skips the lane
 *   and leaves at once, ahead of everything pending in that chat;
 * - Telegram allows about 20 messages a minute in a group. Chatter and scheduled posts may use
 *   that budget less a reserve (3 by default); only safety replies use the reserve, so a busy
 *   group never makes one wait for Telegram's flood control.
 */
import type { Api, Transformer } from 'grammy';
import { type AdapterHooks, DeliveryError } from '../../core/adapter.js';
import type { Reply } from '../../core/types.js';
import { describeError, isNotModified, isParseError, toDeliveryError } from './errors.js';
import { ChatLanes } from './lanes.js';
import { oversizedButtons, type RenderedMessage, renderReply } from './render.js';
import type { TelegramLogger } from './types.js';

/** Where a conversation's replies go. */
export interface Target {
  readonly chatId: string;
  /** Forum topic the conversation happens in. */
  readonly threadId?: number;
  /** The member's message, quoted by the first reply in groups. */
  readonly replyTo?: number;
  /** The message a pressed button sits on, which `editInPlace` replies replace. */
  readonly editMessageId?: number;
}

export interface TelegramOutbound {
  /** A transformer that logs and reports every 429 (install it innermost, below any retry). */
  readonly observeRateLimits: Transformer;
  /**
   * Delivers replies to a conversation: edits in place where the reply asks and fits, else sends.
   * Replies queue behind the chat's earlier replies and wait for the group's budget, unless
   * `urgent` (a safety reply): then they leave at once. The queueing happens before this returns.
   */
  deliver(via: Api, target: Target, replies: readonly Reply[], urgent?: boolean): Promise<void>;
  /** Sends replies nobody asked for just now (tips, broadcasts); throws `DeliveryError`. */
  send(chatId: string, replies: readonly Reply[]): Promise<void>;
  /** Settles once every queued conversation reply has been sent or has failed. */
  idle(): Promise<void>;
}

export interface OutboundDeps {
  /** The plain client for {@link TelegramOutbound.send} (no auto-retry). */
  readonly api: Api;
  readonly logger: TelegramLogger;
  readonly hooks?: AdapterHooks;
  /** Messages a minute Telegram allows in one group (default 20). */
  readonly groupPerMinute?: number;
  /** How many of those only safety replies may use (default 3). */
  readonly safetyReserve?: number;
}

const MINUTE = 60_000;
/** Group and supergroup ids are negative; private chats' are the user's id. */
const isGroup = (chatId: string) => chatId.startsWith('-');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** What this process sent to each group in the last minute, against Telegram's per-group limit. */
export class GroupBudget {
  private readonly sent = new Map<string, number[]>();

  constructor(
    private readonly perMinute: number,
    private readonly reserve: number,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Milliseconds until chatter may be sent to the chat (0: now). Safety replies never ask. */
  waitMs(chatId: string): number {
    if (!isGroup(chatId)) return 0;
    const recent = this.recent(chatId);
    const room = Math.max(1, this.perMinute - this.reserve);
    if (recent.length < room) return 0;
    return Math.max(1, recent[recent.length - room]! + MINUTE - this.clock());
  }

  record(chatId: string): void {
    if (!isGroup(chatId)) return;
    this.sent.set(chatId, [...this.recent(chatId), this.clock()]);
  }

  private recent(chatId: string): number[] {
    const now = this.clock();
    const list = (this.sent.get(chatId) ?? []).filter((at) => now - at < MINUTE);
    if (list.length === 0) this.sent.delete(chatId);
    return list;
  }
}

const linkPreview = { is_disabled: true } as const;

export function createTelegramOutbound(deps: OutboundDeps): TelegramOutbound {
  const { api, logger, hooks } = deps;
  const budget = new GroupBudget(deps.groupPerMinute ?? 20, deps.safetyReserve ?? 3);
  const lanes = new ChatLanes();

  const observeRateLimits: Transformer = async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (!res.ok && res.error_code === 429) {
      const waitMs = Math.max(1, res.parameters?.retry_after ?? 1) * 1000;
      logger.warn({ method, retryAfterMs: waitMs }, 'telegram: rate limited (429)');
      hooks?.onRateLimited?.('telegram', waitMs);
    }
    return res;
  };

  async function sendRendered(
    via: Api,
    chatId: string,
    message: RenderedMessage,
    extra: object,
  ): Promise<void> {
    const markup = message.keyboard
      ? { reply_markup: { inline_keyboard: message.keyboard.map((r) => [...r]) } }
      : {};
    try {
      await via.sendMessage(chatId, message.html, {
        parse_mode: 'HTML',
        link_preview_options: linkPreview,
        ...markup,
        ...extra,
      });
    } catch (err) {
      if (!isParseError(err)) throw err;
      // Escaping makes this unexpected; the member still gets the words, without styling.
      logger.error({ chatId, error: describeError(err) }, 'telegram: HTML refused, sending plain text');
      await via.sendMessage(chatId, message.plain, {
        link_preview_options: linkPreview,
        ...markup,
        ...extra,
      });
    }
  }

  async function tryEdit(via: Api, target: Target, message: RenderedMessage): Promise<boolean> {
    if (target.editMessageId === undefined) return false;
    try {
      await via.editMessageText(target.chatId, target.editMessageId, message.html, {
        parse_mode: 'HTML',
        link_preview_options: linkPreview,
        reply_markup: { inline_keyboard: (message.keyboard ?? []).map((r) => [...r]) },
      });
      return true;
    } catch (err) {
      if (isNotModified(err)) return true; // the same button pressed twice: already showing it
      logger.warn(
        { chatId: target.chatId, error: describeError(err) },
        'telegram: edit failed, sending a new message',
      );
      return false;
    }
  }

  /** Waits until the group's budget has room for chatter, then counts the message. */
  async function chatterTurn(chatId: string): Promise<void> {
    for (let wait = budget.waitMs(chatId); wait > 0; wait = budget.waitMs(chatId)) {
      logger.debug({ chatId, waitMs: wait }, 'telegram: group budget spent, reply waits');
      await sleep(wait);
    }
    budget.record(chatId);
  }

  function deliver(via: Api, target: Target, replies: readonly Reply[], urgent = false): Promise<void> {
    if (urgent) return deliverNow(via, target, replies, async () => budget.record(target.chatId));
    return lanes.run(target.chatId, () => deliverNow(via, target, replies, () => chatterTurn(target.chatId)));
  }

  async function deliverNow(
    via: Api,
    target: Target,
    replies: readonly Reply[],
    turn: () => Promise<void>,
  ): Promise<void> {
    let quote = target.replyTo;
    for (const [index, reply] of replies.entries()) {
      const dropped = oversizedButtons(reply.buttons ?? []);
      if (dropped.length > 0)
        logger.warn({ data: dropped.map((b) => b.data) }, 'telegram: button data over 64 bytes left out');
      const messages = renderReply(reply);
      if (
        index === 0 &&
        reply.editInPlace &&
        messages.length === 1 &&
        (await tryEdit(via, target, messages[0]!))
      ) {
        continue;
      }
      for (const message of messages) {
        const extra = {
          ...(target.threadId !== undefined ? { message_thread_id: target.threadId } : {}),
          ...(quote !== undefined
            ? { reply_parameters: { message_id: quote, allow_sending_without_reply: true } }
            : {}),
        };
        await turn();
        await sendRendered(via, target.chatId, message, extra);
        quote = undefined;
      }
    }
  }

  async function send(chatId: string, replies: readonly Reply[]): Promise<void> {
    try {
      for (const reply of replies) {
        for (const message of renderReply(reply)) {
          // Scheduled posts never use the share kept for safety replies: the queue tries again later.
          const wait = budget.waitMs(chatId);
          if (wait > 0) {
            throw new DeliveryError(
              'RATE_LIMITED',
              `the group's budget for this minute is spent (a share is kept for safety replies)`,
              wait,
            );
          }
          budget.record(chatId);
          await sendRendered(api, chatId, message, {});
        }
      }
    } catch (err) {
      if (err instanceof DeliveryError) throw err;
      throw toDeliveryError(err, chatId);
    }
  }

  return { observeRateLimits, deliver, send, idle: () => lanes.idle() };
}
