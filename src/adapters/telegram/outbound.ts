/**
 * Core replies to Telegram sends: HTML messages with inline keyboards, edits in place for
 * pressed buttons, a plain-text fallback when Telegram refuses the HTML, and rate-limit handling.
 *
 * Conversation replies go through `bot.api`, which waits out a 429 and retries (auto-retry);
 * {@link TelegramOutbound.send} never waits: it throws `DeliveryError('RATE_LIMITED')` so the
 * delivery queue can reschedule that chat.
 */
import type { Api, Transformer } from 'grammy';
import type { AdapterHooks } from '../../core/adapter.js';
import type { Reply } from '../../core/types.js';
import { describeError, isNotModified, isParseError, toDeliveryError } from './errors.js';
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
  /** Delivers replies to a conversation: edits in place where the reply asks and fits, else sends. */
  deliver(via: Api, target: Target, replies: readonly Reply[]): Promise<void>;
  /** Sends replies nobody asked for just now (tips, broadcasts); throws `DeliveryError`. */
  send(chatId: string, replies: readonly Reply[]): Promise<void>;
}

export interface OutboundDeps {
  /** The plain client for {@link TelegramOutbound.send} (no auto-retry). */
  readonly api: Api;
  readonly logger: TelegramLogger;
  readonly hooks?: AdapterHooks;
}

const linkPreview = { is_disabled: true } as const;

export function createTelegramOutbound({ api, logger, hooks }: OutboundDeps): TelegramOutbound {
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

  async function deliver(via: Api, target: Target, replies: readonly Reply[]): Promise<void> {
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
        await sendRendered(via, target.chatId, message, extra);
        quote = undefined;
      }
    }
  }

  async function send(chatId: string, replies: readonly Reply[]): Promise<void> {
    try {
      for (const reply of replies) {
        for (const message of renderReply(reply)) await sendRendered(api, chatId, message, {});
      }
    } catch (err) {
      throw toDeliveryError(err, chatId);
    }
  }

  return { observeRateLimits, deliver, send };
}
