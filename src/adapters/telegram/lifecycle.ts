/**
 * The Telegram connection: owns the grammY {@link Bot}, connects by long polling (with
 * `@grammyjs/runner`) or by webhook, reconnects in the background while Telegram is unreachable,
 * publishes the command menu, and says whether the connection is up.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type RunnerHandle, run } from '@grammyjs/runner';
import { Api, Bot, GrammyError, type Transformer, webhookCallback } from 'grammy';
import type { BotCommand } from 'grammy/types';
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
}

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
    .filter((c) => !c.moderatorOnly)
    .map(entry)
    .slice(0, 100);
  const moderator = valid.filter((c) => c.moderatorOnly).map(entry);
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
function webhookFor(bot: Bot, webhook: NonNullable<TelegramAdapterOptions['webhook']>): TelegramWebhook {
  return {
    path: new URL(webhook.url).pathname,
    handler: webhookCallback(bot, 'http', {
      ...(webhook.secretToken ? { secretToken: webhook.secretToken } : {}),
      // Answer Telegram before its timeout even when a reply waits out a 429; handling goes on.
      onTimeout: 'return',
      timeoutMilliseconds: 8_000,
    }) as TelegramWebhook['handler'],
  };
}

/** Creates the bot and its connection handling; nothing talks to Telegram until `start()`. */
export function createTelegramLifecycle(options: TelegramAdapterOptions): TelegramLifecycle {
  const { router, logger, hooks } = options;
  const clock = options.clock ?? Date.now;
  const client = options.apiRoot ? { apiRoot: options.apiRoot.replace(/\/+$/, '') } : {};
  const bot = new Bot(options.token, { client });
  const api = new Api(options.token, client);

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

  const identity = (): BotIdentity => {
    if (!me) me = { id: bot.botInfo.id, username: bot.botInfo.username };
    return me;
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
    await publishCommands(api, router, logger);
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

  const webhook = options.webhook ? webhookFor(bot, options.webhook) : undefined;

  return {
    bot,
    api,
    ...(webhook ? { webhook } : {}),
    pacePolling,
    identity,
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
    status: () => ({ connected, detail }),
  };
}
