/**
 * The Telegram adapter: grammY updates become the core's {@link Incoming} events, the router's
 * replies are rendered as HTML messages with inline keyboards. Long polling with
 * `@grammyjs/runner` by default, a webhook when configured.
 *
 * Decisions worth knowing:
 * - Edited messages are ignored: answering every edit would repeat answers, and a member who
 *   fixes a typo can simply ask again.
 * - Forwarded messages are answered in private chats and ignored in groups.
 * - Conversation replies honour 429 `retry_after` (auto-retry); `send()` never waits, it throws
 *   `DeliveryError('RATE_LIMITED')` so the delivery queue can reschedule that chat.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { autoRetry } from '@grammyjs/auto-retry';
import { type RunnerHandle, run, sequentialize } from '@grammyjs/runner';
import {
  Api,
  Bot,
  type BotError,
  type Context,
  GrammyError,
  type Transformer,
  webhookCallback,
} from 'grammy';
import type { BotCommand, Message } from 'grammy/types';
import type { Adapter, PlatformAdmin } from '../../core/adapter.js';
import { isStaffCommand } from '../../core/commands.js';
import type { Reply } from '../../core/types.js';
import { AdminCache, createTelegramAdmin } from './admin.js';
import { describeError, isNotModified, isParseError, toDeliveryError } from './errors.js';
import { oversizedButtons, type RenderedMessage, renderReply } from './render.js';
import {
  type BotIdentity,
  changesAdmin,
  chatRef,
  inviteLinkName,
  isJoin,
  joinedMember,
  messageSender,
  messageToIncoming,
  senderOf,
} from './to-incoming.js';
import type { TelegramAdapterOptions } from './types.js';

export type { TelegramAdapterOptions, TelegramLogger } from './types.js';

/** The updates the bot asks for. `chat_member` is not in Telegram's default set. */
export const ALLOWED_UPDATES = [
  'message',
  'edited_message',
  'callback_query',
  'chat_member',
  'my_chat_member',
  'chat_join_request',
] as const;

/** A Node `(req, res)` handler for Telegram's webhook, and the path to mount it at. */
export interface TelegramWebhook {
  readonly path: string;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
}

export interface TelegramAdapter extends Adapter {
  readonly platform: 'telegram';
  readonly admin: PlatformAdmin;
  /** Present in webhook mode: the operations HTTP server mounts it. */
  readonly webhook?: TelegramWebhook;
  /**
   * The grammY bot. An escape hatch for tests and tools: `bot.handleUpdate(update)` feeds an
   * update Telegram (or an emulator) cannot be made to send.
   */
  readonly bot: Bot;
}

interface Target {
  readonly chatId: string;
  /** Forum topic the conversation happens in. */
  readonly threadId?: number;
  /** The member's message, quoted by the first reply in groups. */
  readonly replyTo?: number;
  /** The message a pressed button sits on, which `editInPlace` replies replace. */
  readonly editMessageId?: number;
}

/** Waits, or less when `signal` aborts (grammY's own AbortSignal type is not the DOM one). */
const sleep = (ms: number, signal?: { addEventListener(type: 'abort', fn: () => void): void }) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/**
 * Creates the Telegram adapter. Nothing talks to Telegram until {@link Adapter.start}.
 *
 * @example
 * const telegram = createTelegramAdapter({ token, router, logger, apiRoot: 'http://127.0.0.1:9000' });
 * await telegram.start();
 */
export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { router, logger, hooks } = options;
  const clock = options.clock ?? Date.now;
  const client = options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, '') } : {};
  const bot = new Bot(options.token, { client });
  // Scheduled sends, start-up calls and group management: no auto-retry, errors go to the caller.
  const api = new Api(options.token, client);

  const observeRateLimits: Transformer = async (prev, method, payload, signal) => {
    const res = await prev(method, payload, signal);
    if (!res.ok && res.error_code === 429) {
      const waitMs = Math.max(1, res.parameters?.retry_after ?? 1) * 1000;
      logger.warn({ method, retryAfterMs: waitMs }, 'telegram: rate limited (429)');
      hooks?.onRateLimited?.('telegram', waitMs);
    }
    return res;
  };
  // Some Bot API servers (emulators) answer getUpdates at once instead of long polling: pause
  // briefly on a quick empty answer instead of spinning. Real Telegram never takes this branch.
  // The runner retries failed polls silently: say once per outage that polling fails, and when it recovers.
  let pollFailing = false;
  const pacePolling: Transformer = async (prev, method, payload, signal) => {
    const started = clock();
    let res: Awaited<ReturnType<typeof prev>>;
    try {
      res = await prev(method, payload, signal);
    } catch (err) {
      if (method === 'getUpdates' && !pollFailing && !stopping) {
        pollFailing = true;
        logger.warn({ error: describeError(err) }, 'telegram: polling for updates fails; retrying');
      }
      throw err;
    }
    if (method === 'getUpdates' && pollFailing) {
      pollFailing = false;
      logger.info({}, 'telegram: polling for updates works again');
    }
    if (method === 'getUpdates' && res.ok && Array.isArray(res.result) && res.result.length === 0) {
      if (clock() - started < 200) await sleep(300, signal);
    }
    return res;
  };
  api.config.use(observeRateLimits);
  bot.api.config.use(observeRateLimits, pacePolling);
  // Conversation replies (bot.api and every ctx.api) wait out a 429 and retry a 5xx a few times.
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));

  const admins = new AdminCache(() => api, logger, clock);
  const admin = createTelegramAdmin(() => api, admins);

  let me: BotIdentity | undefined;
  let connected = false;
  let detail = 'not started';
  let stopping = false;
  let runner: RunnerHandle | undefined;

  const setConnected = (up: boolean, why: string) => {
    detail = why;
    if (up === connected) return;
    connected = up;
    hooks?.onConnectionChange?.('telegram', up);
  };

  // ---- joins: chat_member and the service message both report one join; answer it once ----
  const joinDedupMs = options.joinDedupMs ?? 2 * 60_000;
  const recentJoins = new Map<string, number>();
  const firstJoin = (chatId: string, userId: string): boolean => {
    const now = clock();
    if (recentJoins.size > 1_000) {
      for (const [k, at] of recentJoins) if (now - at > joinDedupMs) recentJoins.delete(k);
    }
    const key = `${chatId}:${userId}`;
    const seen = recentJoins.get(key);
    if (seen !== undefined && now - seen <= joinDedupMs) return false;
    recentJoins.set(key, now);
    return true;
  };

  // ---- sending ----
  const linkPreview = { is_disabled: true } as const;

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

  /** Delivers replies to a conversation: edits in place where the reply asks and fits, else sends. */
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

  const identity = (): BotIdentity => {
    if (!me) me = { id: bot.botInfo.id, username: bot.botInfo.username };
    return me;
  };

  const isGroupAdmin = async (
    msgChatId: number,
    chatType: string,
    userId?: number,
  ): Promise<boolean | undefined> =>
    chatType === 'private' || userId === undefined
      ? undefined
      : admins.isAdmin(String(msgChatId), String(userId));

  // ---- updates ----
  // Errors in handling one update are logged with the chat and end there: the runner keeps
  // polling, and the webhook still answers 200 (a 500 would make Telegram send the update again).
  const logFailure = (err: BotError<Context>) => {
    const ctx = err.ctx;
    logger.error(
      { chatId: ctx.chat?.id, updateId: ctx.update.update_id, error: describeError(err.error) },
      'telegram: update failed',
    );
  };
  bot.catch(logFailure);
  const updates = bot.errorBoundary(logFailure);
  updates.use(sequentialize((ctx: Context) => (ctx.chat?.id ?? ctx.from?.id)?.toString()));

  updates.on('message', async (ctx) => {
    const msg = ctx.message;
    if (msg.new_chat_members) return onServiceJoin(ctx, msg);
    const isAdmin =
      msg.from && !msg.from.is_bot ? await isGroupAdmin(msg.chat.id, msg.chat.type, msg.from.id) : undefined;
    const outcome = messageToIncoming(msg, identity(), isAdmin);
    if (outcome.type === 'ignore') {
      logger.debug({ chatId: msg.chat.id, reason: outcome.reason }, 'telegram: message ignored');
      return;
    }
    const replies = await router.handle(outcome.incoming);
    if (replies.length === 0) return;
    await deliver(
      ctx.api,
      {
        chatId: String(msg.chat.id),
        ...(msg.is_topic_message && msg.message_thread_id !== undefined
          ? { threadId: msg.message_thread_id }
          : {}),
        ...(msg.chat.type !== 'private' ? { replyTo: msg.message_id } : {}),
      },
      replies,
    );
  });

  async function onServiceJoin(ctx: Context, msg: Message): Promise<void> {
    const chatId = String(msg.chat.id);
    const members = (msg.new_chat_members ?? [])
      .filter((u) => !u.is_bot && u.id !== identity().id)
      .filter((u) => firstJoin(chatId, String(u.id)));
    if (members.length === 0) return;
    const sender = messageSender(msg);
    const replies = await router.handle({
      kind: 'member_joined',
      chat: chatRef(msg.chat),
      sender: sender ?? senderOf(msg.new_chat_members![0]!),
      members: members.map(joinedMember),
      raw: msg,
    });
    if (replies.length > 0) await deliver(ctx.api, { chatId }, replies);
  }

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
      const isAdmin = await isGroupAdmin(message.chat.id, message.chat.type, query.from.id);
      const replies = await router.handle({
        kind: 'press',
        data: query.data,
        chat: chatRef(message.chat),
        sender: senderOf(query.from, isAdmin),
        addressed: true,
        raw: query,
      });
      await deliver(
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
    } finally {
      // Stops the client's spinner whatever happened above.
      await ctx.answerCallbackQuery().catch((err: unknown) => {
        logger.debug({ error: describeError(err) }, 'telegram: answerCallbackQuery failed');
      });
    }
  });
  updates.on('callback_query', (ctx) => ctx.answerCallbackQuery().catch(() => undefined));

  updates.on('chat_member', async (ctx) => {
    const update = ctx.chatMember;
    const chatId = String(update.chat.id);
    if (changesAdmin(update.old_chat_member, update.new_chat_member)) admins.invalidate(chatId);
    if (!isJoin(update.old_chat_member, update.new_chat_member)) return;
    const user = update.new_chat_member.user;
    if (user.is_bot || user.id === identity().id || !firstJoin(chatId, String(user.id))) return;
    const inviteLink = inviteLinkName(update.invite_link);
    const replies = await router.handle({
      kind: 'member_joined',
      chat: chatRef(update.chat),
      sender: senderOf(update.from),
      members: [joinedMember(user)],
      ...(inviteLink ? { inviteLink } : {}),
      raw: update,
    });
    if (replies.length > 0) await deliver(ctx.api, { chatId }, replies);
  });

  updates.on('my_chat_member', (ctx) => {
    const update = ctx.myChatMember;
    admins.invalidate(String(update.chat.id));
    logger.info(
      { chatId: update.chat.id, from: update.old_chat_member.status, to: update.new_chat_member.status },
      'telegram: the bot membership changed',
    );
  });

  updates.on('chat_join_request', async (ctx) => {
    const request = ctx.chatJoinRequest;
    const inviteLink = inviteLinkName(request.invite_link);
    const replies = await router.handle({
      kind: 'join_request',
      chat: chatRef(request.chat),
      sender: senderOf(request.from),
      ...(inviteLink ? { inviteLink } : {}),
      raw: request,
    });
    // The group must not see a requester's conversation: answers go to the requester privately.
    if (replies.length > 0) await deliver(ctx.api, { chatId: String(request.user_chat_id) }, replies);
  });

  // ---- lifecycle ----
  async function publishCommands(): Promise<void> {
    const valid = router.commands.filter((c) => !c.hidden && /^[a-z0-9_]{1,32}$/.test(c.name));
    const entry = (c: (typeof valid)[number]): BotCommand => ({
      command: c.name,
      description: (c.description || c.name).slice(0, 256),
    });
    const member = valid
      .filter((c) => !isStaffCommand(c))
      .map(entry)
      .slice(0, 100);
    const moderator = valid.filter(isStaffCommand).map(entry);
    const menus: [BotCommand[], 'all_private_chats' | 'all_group_chats' | 'all_chat_administrators'][] = [
      [member, 'all_private_chats'],
      [member, 'all_group_chats'],
      ...(moderator.length > 0
        ? [
            [[...member, ...moderator].slice(0, 100), 'all_chat_administrators'] as [
              BotCommand[],
              'all_chat_administrators',
            ],
          ]
        : []),
    ];
    for (const [commands, scope] of menus) {
      try {
        await api.setMyCommands(commands, { scope: { type: scope } });
      } catch (err) {
        // One warning is enough: a server that refuses one menu refuses the others too.
        logger.warn({ scope, error: describeError(err) }, 'telegram: could not publish the command menu');
        return;
      }
    }
  }

  function startPolling(): void {
    const handleRun = run(bot, {
      runner: {
        fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 },
        silent: true,
        retryInterval: 'exponential',
      },
    });
    runner = handleRun;
    setConnected(true, 'long polling');
    handleRun.task()?.then(
      () => {
        if (!stopping) setConnected(false, 'polling ended');
      },
      (err: unknown) => {
        const info = describeError(err);
        setConnected(false, `polling failed: ${info.description}`);
        if (stopping) return;
        if (info.code === 401) {
          logger.error({ error: info }, 'telegram: the token was refused; polling stopped');
          return;
        }
        logger.error({ error: info }, 'telegram: polling failed; restarting in 5 s');
        hooks?.onReconnect?.('telegram', info.description);
        setTimeout(() => {
          if (!stopping) startPolling();
        }, 5_000).unref();
      },
    );
  }

  async function connect(): Promise<void> {
    await bot.init();
    identity();
    await publishCommands();
    if (options.webhook) {
      await api.setWebhook(options.webhook.url, {
        allowed_updates: [...ALLOWED_UPDATES],
        ...(options.webhook.secretToken ? { secret_token: options.webhook.secretToken } : {}),
      });
      setConnected(true, 'webhook');
    } else {
      // A webhook left over from an earlier run makes getUpdates fail with 409.
      await api.deleteWebhook().catch((err: unknown) => {
        logger.warn({ error: describeError(err) }, 'telegram: could not remove an old webhook');
      });
      startPolling();
    }
    logger.info(
      { username: bot.botInfo.username, mode: options.webhook ? 'webhook' : 'polling' },
      'telegram: connected',
    );
  }

  async function reconnectInBackground(first: unknown): Promise<void> {
    let err = first;
    let wait = 1_000;
    while (!stopping) {
      const info = describeError(err);
      setConnected(false, `cannot reach Telegram: ${info.description}`);
      logger.warn({ error: info, retryInMs: wait }, 'telegram: start failed, retrying');
      hooks?.onReconnect?.('telegram', info.description);
      await sleep(wait);
      wait = Math.min(wait * 2, 60_000);
      if (stopping) return;
      try {
        await connect();
        return;
      } catch (next) {
        err = next;
      }
    }
  }

  const webhook: TelegramWebhook | undefined = options.webhook
    ? {
        path: new URL(options.webhook.url).pathname,
        handler: webhookCallback(bot, 'http', {
          ...(options.webhook.secretToken ? { secretToken: options.webhook.secretToken } : {}),
          // Answer Telegram before its timeout even when a reply waits out a 429; handling goes on.
          onTimeout: 'return',
          timeoutMilliseconds: 8_000,
        }) as TelegramWebhook['handler'],
      }
    : undefined;

  return {
    platform: 'telegram',
    bot,
    admin,
    ...(webhook ? { webhook } : {}),
    async start() {
      stopping = false;
      try {
        await connect();
      } catch (err) {
        if (err instanceof GrammyError && (err.error_code === 401 || err.error_code === 404)) {
          const info = describeError(err);
          throw new Error(
            `Telegram refused TELEGRAM_BOT_TOKEN (${info.code}: ${info.description}). Check the token from BotFather.`,
          );
        }
        // Telegram unreachable at boot: keep trying in the background, the rest of the bot runs.
        void reconnectInBackground(err);
      }
    },
    async stop() {
      stopping = true;
      const r = runner;
      runner = undefined;
      if (r?.isRunning()) await r.stop();
      setConnected(false, 'stopped');
    },
    async send(chatId, replies) {
      try {
        for (const reply of replies) {
          for (const message of renderReply(reply)) await sendRendered(api, chatId, message, {});
        }
      } catch (err) {
        throw toDeliveryError(err, chatId);
      }
    },
    status: () => ({ connected, detail }),
  };
}
