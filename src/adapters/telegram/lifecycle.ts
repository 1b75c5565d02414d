/**
 * The Telegram connection: owns the grammY {@link Bot}, connects by long polling (with
 * `@grammyjs/runner`) or by webhook, reconnects in the background while Telegram is unreachable,
 * publishes the command menu, and says whether the connection is up.
 */
import { createHmac } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RunnerHandle, run } from '@grammyjs/runner';
import { Api, Bot, GrammyError, type Transformer, webhookCallback } from 'grammy';
import type { BotCommand } from 'grammy/types';
import type { AdapterHooks } from '../../core/adapter.js';
import { isStaffCommand } from '../../core/commands.js';
import type { Router } from '../../core/router.js';
import { describeError } from './errors.js';
import type { BotIdentity } from './to-incoming.js';
import type { TelegramAdapterOptions, TelegramLogger } from './types.js';

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
  /** What Telegram sends in `X-Telegram-Bot-Api-Secret-Token`; a request without it gets 401. */
  readonly secretToken: string;
}

/**
 * A webhook never runs without a secret: the configured one, or one derived from the bot token,
 * which is the same on every replica and cannot be guessed without the token.
 */
export const webhookSecret = (token: string, configured?: string): string =>
  configured || createHmac('sha256', token).update('telegram-webhook-secret-token').digest('base64url');

/** What {@link createTelegramLifecycle} hands the rest of the adapter. */
export interface TelegramLifecycle {
  /** The grammY bot: updates arrive through it, conversation replies leave through `bot.api`. */
  readonly bot: Bot;
  /** A plain API client (no auto-retry): scheduled sends, start-up calls, group management. */
  readonly api: Api;
  /** Present in webhook mode: the operations HTTP server mounts it. */
  readonly webhook?: TelegramWebhook;
  /** Pauses briefly on emulators' instant empty `getUpdates`; logs polling outages once. */
  readonly pacePolling: Transformer;
  /** The bot's id and username (from `getMe`, known once started). */
  identity(): BotIdentity;
  start(): Promise<void>;
  stop(): Promise<void>;
  status(): { readonly connected: boolean; readonly detail?: string };
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

/** Publishes the command menus: members' commands everywhere, moderators' to chat admins. */
async function publishCommands(api: Api, router: Router, logger: TelegramLogger): Promise<void> {
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

/** The webhook handler and the path to mount it at. */
function webhookFor(bot: Bot, url: string, secretToken: string): TelegramWebhook {
  return {
    path: new URL(url).pathname,
    secretToken,
    handler: webhookCallback(bot, 'http', {
      secretToken,
      // Answer Telegram before its timeout even when a reply waits out a 429; handling goes on.
      onTimeout: 'return',
      timeoutMilliseconds: 8_000,
    }) as TelegramWebhook['handler'],
  };
}

/** Whether the connection is up and why (for `status()`); tells the hooks when it changes. */
class ConnectionState {
  connected = false;
  detail = 'not started';
  stopping = false;
  runner: RunnerHandle | undefined;

  constructor(private readonly hooks: AdapterHooks | undefined) {}

  set(up: boolean, why: string): void {
    this.detail = why;
    if (up === this.connected) return;
    this.connected = up;
    this.hooks?.onConnectionChange?.('telegram', up);
  }
}

/**
 * Some Bot API servers (emulators) answer getUpdates at once instead of long polling: pause
 * briefly on a quick empty answer instead of spinning. Real Telegram never takes this branch.
 * The runner retries failed polls silently: say once per outage that polling fails, and when it recovers.
 */
function pollingPacer(clock: () => number, logger: TelegramLogger, state: ConnectionState): Transformer {
  let pollFailing = false;
  return async (prev, method, payload, signal) => {
    const started = clock();
    let res: Awaited<ReturnType<typeof prev>>;
    try {
      res = await prev(method, payload, signal);
    } catch (err) {
      if (method === 'getUpdates' && !pollFailing && !state.stopping) {
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
}

/** Long polling with `@grammyjs/runner`; restarts 5 s after a failure, except a refused token. */
function startPolling(bot: Bot, state: ConnectionState, options: TelegramAdapterOptions): void {
  const { logger, hooks } = options;
  const handleRun = run(bot, {
    runner: {
      fetch: { allowed_updates: [...ALLOWED_UPDATES], timeout: 30 },
      silent: true,
      retryInterval: 'exponential',
    },
  });
  state.runner = handleRun;
  state.set(true, 'long polling');
  handleRun.task()?.then(
    () => {
      if (!state.stopping) state.set(false, 'polling ended');
    },
    (err: unknown) => {
      const info = describeError(err);
      state.set(false, `polling failed: ${info.description}`);
      if (state.stopping) return;
      if (info.code === 401) {
        logger.error({ error: info }, 'telegram: the token was refused; polling stopped');
        return;
      }
      logger.error({ error: info }, 'telegram: polling failed; restarting in 5 s');
      hooks?.onReconnect?.('telegram', info.description);
      setTimeout(() => {
        if (!state.stopping) startPolling(bot, state, options);
      }, 5_000).unref();
    },
  );
}

/** Telegram unreachable at boot: tries `connect` again with a growing wait until it works or we stop. */
async function reconnectInBackground(
  first: unknown,
  connect: () => Promise<void>,
  state: ConnectionState,
  options: TelegramAdapterOptions,
): Promise<void> {
  const { logger, hooks } = options;
  let err = first;
  let wait = 1_000;
  while (!state.stopping) {
    const info = describeError(err);
    state.set(false, `cannot reach Telegram: ${info.description}`);
    logger.warn({ error: info, retryInMs: wait }, 'telegram: start failed, retrying');
    hooks?.onReconnect?.('telegram', info.description);
    await sleep(wait);
    wait = Math.min(wait * 2, 60_000);
    if (state.stopping) return;
    try {
      await connect();
      return;
    } catch (next) {
      err = next;
    }
  }
}

/** Creates the bot and its connection handling; nothing talks to Telegram until `start()`. */
export function createTelegramLifecycle(options: TelegramAdapterOptions): TelegramLifecycle {
  const { router, logger } = options;
  const clock = options.clock ?? Date.now;
  const client = options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, '') } : {};
  const bot = new Bot(options.token, { client });
  const api = new Api(options.token, client);
  const state = new ConnectionState(options.hooks);

  let me: BotIdentity | undefined;
  const identity = (): BotIdentity => {
    if (!me) me = { id: bot.botInfo.id, username: bot.botInfo.username };
    return me;
  };

  async function connect(): Promise<void> {
    await bot.init();
    identity();
    await publishCommands(api, router, logger);
    if (options.webhook) {
      await api.setWebhook(options.webhook.url, {
        allowed_updates: [...ALLOWED_UPDATES],
        secret_token: webhookSecret(options.token, options.webhook.secretToken),
      });
      state.set(true, 'webhook');
    } else {
      // A webhook left over from an earlier run makes getUpdates fail with 409.
      await api.deleteWebhook().catch((err: unknown) => {
        logger.warn({ error: describeError(err) }, 'telegram: could not remove an old webhook');
      });
      startPolling(bot, state, options);
    }
    logger.info(
      { username: bot.botInfo.username, mode: options.webhook ? 'webhook' : 'polling' },
      'telegram: connected',
    );
  }

  const webhook = options.webhook
    ? webhookFor(bot, options.webhook.url, webhookSecret(options.token, options.webhook.secretToken))
    : undefined;

  return {
    bot,
    api,
    ...(webhook ? { webhook } : {}),
    pacePolling: pollingPacer(clock, logger, state),
    identity,
    async start() {
      state.stopping = false;
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
        void reconnectInBackground(err, connect, state, options);
      }
    },
    async stop() {
      state.stopping = true;
      const r = state.runner;
      state.runner = undefined;
      if (r?.isRunning()) await r.stop();
      state.set(false, 'stopped');
    },
    status: () => ({ connected: state.connected, detail: state.detail }),
  };
}
