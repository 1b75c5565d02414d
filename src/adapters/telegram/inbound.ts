/**
 * Conversation updates to the core: messages and button presses become {@link Incoming} events
 * (see `to-incoming.ts`), the router answers, and the answers go to {@link TelegramOutbound}.
 *
 * Decisions worth knowing:
 * - Updates are read and routed one at a time per chat, in arrival order; their replies then
 *   queue in the chat's send lane (outbound.ts), so a reply waiting for Telegram's flood control
 *   never holds up the next update. A safety reply leaves at once, ahead of that queue.
 * - Edited messages are ignored: answering every edit would repeat answers, and a member who
 *   fixes a typo can simply ask again.
 * - Forwarded messages are answered in private chats and ignored in groups.
 */
import type { Bot, BotError, Composer, Context } from 'grammy';
import type { Router } from '../../core/router.js';
import type { AdminCache } from './admin.js';
import { describeError } from './errors.js';
import { ChatLanes, inLane, sendLater } from './lanes.js';
import type { Target, TelegramOutbound } from './outbound.js';
import { type BotIdentity, chatRef, messageToIncoming, senderOf } from './to-incoming.js';
import type { TelegramLogger } from './types.js';

export interface InboundDeps {
  readonly router: Router;
  readonly logger: TelegramLogger;
  readonly identity: () => BotIdentity;
  readonly admins: AdminCache;
  readonly outbound: TelegramOutbound;
}

/**
 * The bot's update pipeline: one error boundary (a failed update is logged with its chat and
 * ends there), then per-chat ordering of the routing (see {@link inLane}). Handlers are
 * installed on what this returns, and hand their deliveries to {@link sendLater}.
 */
export function updatePipeline(bot: Bot, logger: TelegramLogger): Composer<Context> {
  // The runner keeps polling, and the webhook still answers 200 (a 500 would make Telegram
  // send the update again).
  const logFailure = (err: BotError<Context>) => {
    const ctx = err.ctx;
    logger.error(
      { chatId: ctx.chat?.id, updateId: ctx.update.update_id, error: describeError(err.error) },
      'telegram: update failed',
    );
  };
  bot.catch(logFailure);
  const updates = bot.errorBoundary(logFailure);
  const routing = new ChatLanes();
  updates.use((ctx, next) => inLane(routing, (ctx.chat?.id ?? ctx.from?.id)?.toString(), ctx, next));
  return updates;
}

/** Whether a group member administers the group; undefined in private chats. */
const groupAdmin = (
  admins: AdminCache,
  msgChatId: number,
  chatType: string,
  userId?: number,
): Promise<boolean | undefined> =>
  chatType === 'private' || userId === undefined
    ? Promise.resolve(undefined)
    : admins.isAdmin(String(msgChatId), String(userId));

/** Installs the handlers for messages, edits and button presses. */
export function installConversation(updates: Composer<Context>, deps: InboundDeps): void {
  const { router, logger, identity, admins, outbound } = deps;

  updates.on('message', async (ctx) => {
    const msg = ctx.message;
    const isAdmin =
      msg.from && !msg.from.is_bot
        ? await groupAdmin(admins, msg.chat.id, msg.chat.type, msg.from.id)
        : undefined;
    const outcome = messageToIncoming(msg, identity(), isAdmin);
    if (outcome.type === 'ignore') {
      logger.debug({ chatId: msg.chat.id, reason: outcome.reason }, 'telegram: message ignored');
      return;
    }
    const target: Target = {
      chatId: String(msg.chat.id),
      ...(msg.is_topic_message && msg.message_thread_id !== undefined
        ? { threadId: msg.message_thread_id }
        : {}),
      ...(msg.chat.type !== 'private' ? { replyTo: msg.message_id } : {}),
    };
    let quoted = false;
    const replies = await router.handle(outcome.incoming, {
      // An emergency's safety reply leaves now, quoting the member, ahead of the chat's queue.
      urgent: (early) => {
        quoted = true;
        sendLater(ctx, outbound.deliver(ctx.api, target, early, true));
      },
    });
    if (replies.length === 0) return;
    const { replyTo: _quotedAlready, ...rest } = target;
    sendLater(ctx, outbound.deliver(ctx.api, quoted ? rest : target, replies));
  });

  updates.on('edited_message', (ctx) => {
    logger.debug(
      { chatId: ctx.chat.id },
      'telegram: edited message ignored (answers are not repeated for edits)',
    );
  });

  updates.on('callback_query:data', async (ctx) => {
    const query = ctx.callbackQuery;
    const message = query.message;
    try {
      if (!message) return; // a button on an inline-mode message: nothing here sends those
      const isAdmin = await groupAdmin(admins, message.chat.id, message.chat.type, query.from.id);
      const replies = await router.handle({
        kind: 'press',
        data: query.data,
        chat: chatRef(message.chat),
        sender: senderOf(query.from, isAdmin),
        addressed: true,
        // A press redelivered (webhook retry) keeps its callback query id.
        messageId: `cb-${query.id}`,
        raw: query,
      });
      const delivery = outbound.deliver(
        ctx.api,
        {
          chatId: String(message.chat.id),
          editMessageId: message.message_id,
          ...('message_thread_id' in message &&
          message.is_topic_message &&
          message.message_thread_id !== undefined
            ? { threadId: message.message_thread_id }
            : {}),
        },
        replies,
      );
      sendLater(ctx, delivery);
    } finally {
      // Stops the client's spinner whatever happened above.
      await ctx.answerCallbackQuery().catch((err: unknown) => {
        logger.debug({ error: describeError(err) }, 'telegram: answerCallbackQuery failed');
      });
    }
  });
  updates.on('callback_query', (ctx) => ctx.answerCallbackQuery().catch(() => undefined));
}
