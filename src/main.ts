/**
 * The one place where everything is wired together: configuration, content, router,
 * the platform adapters, and shutdown. Run with `npm start`; with no platform credentials
 * it opens the console chat. `--console` forces the console chat, `--jsonl` its scripted mode.
 */
import path from 'node:path';
import { createConsoleAdapter } from './adapters/console/index.js';
import { renderReply as renderTelegram } from './adapters/telegram/render.js';
import { renderReplies as renderWhatsApp } from './adapters/whatsapp/format.js';
import { whatsappModeratorIds } from './adapters/whatsapp/moderators.js';
import { createCommunity } from './community/index.js';
import { ConfigError, loadConfig, readEnvironment } from './config.js';
import { ContentError } from './content/errors.js';
import { createContentStore } from './content/store.js';
import {
  createMemoryTaughtStore,
  createRedisTaughtStore,
  TAUGHT_KEY_PREFIX,
  type TaughtStore,
} from './content/taught.js';
import type { Adapter } from './core/adapter.js';
import { DeliveryError } from './core/adapter.js';
import { createBackground } from './core/background.js';
import { createRouter } from './core/router.js';
import type { ChatRef, Platform, Reply } from './core/types.js';
import {
  createLogger,
  createLogSink,
  createScrubber,
  fatalLine,
  type LogSink,
  secretValues,
} from './logger.js';
import { type BotConsole, consoleCommands, consolePorts, createConsole } from './ops/console/index.js';
import { createMetrics, instrumentRouter } from './ops/metrics.js';
import { createContentReloader } from './ops/reload.js';
import {
  adapterChecks,
  createOpsServer,
  type NodeHandler,
  PortUnavailableError,
  redisCheck,
} from './ops/server.js';
import { createShutdown } from './ops/shutdown.js';
import { singleHolder } from './ops/single-holder.js';
import {
  createPostBoard,
  createScheduling,
  openRedis,
  schedulingCommands,
  schedulingOffCommands,
  schedulingPresses,
  telegramPacing,
  whatsappPacing,
} from './scheduling/index.js';

/** Scrubs secrets from what is printed outside the logger (the `Fatal:` line); set once config is read. */
let scrub: (text: string) => string = (text) => text;
/** In a terminal, the log waits until it is known whether a person chats here (then: a file). */
let logSink: LogSink | undefined;

async function main(argv: readonly string[]): Promise<number> {
  let config: ReturnType<typeof loadConfig>;
  let envFile: string | undefined;
  try {
    const environment = readEnvironment();
    envFile = environment.file;
    config = loadConfig(environment.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\nSee .env.example for every setting and what it is for.\n`);
      return 2;
    }
    throw err;
  }
  scrub = createScrubber(secretValues(config));
  logSink = process.stdin.isTTY ? createLogSink() : undefined;
  const logger = createLogger(config.LOG_LEVEL, logSink, secretValues(config));
  if (envFile) logger.info({ file: envFile }, `settings read from ${envFile} (environment variables win)`);
  const contentDir = path.resolve(config.CONTENT_DIR);
  let store: Awaited<ReturnType<typeof createContentStore>>;
  // Phrasings moderators taught in the console: in Redis once it is open (below), laid over the files.
  let taughtStore: TaughtStore = createMemoryTaughtStore();
  const taught: TaughtStore = {
    all: () => taughtStore.all(),
    add: (p) => taughtStore.add(p),
    remove: (p) => taughtStore.remove(p),
  };
  try {
    store = await createContentStore(
      contentDir,
      {
        COMMUNITY_GROUP_URL: config.COMMUNITY_GROUP_URL,
        WHATSAPP_COMMUNITY_URL: config.WHATSAPP_COMMUNITY_URL,
        BLOG_URL: config.BLOG_URL,
      },
      { taught },
    );
  } catch (err) {
    if (err instanceof ContentError) {
      process.stderr.write(
        `${err.message}\nFix the files above (npm run content:check checks them without starting).\n`,
      );
      return 2;
    }
    throw err;
  }

  // Scheduling: Redis from REDIS_URL, else our own redis-server, else off (answers still work).
  const redis = await openRedis({ url: config.REDIS_URL, dataDir: config.DATA_DIR, logger });
  // From here on a failed start stops what it started: never an embedded redis-server left behind.
  const shutdown = createShutdown({ logger });
  shutdown.add('connections', 'redis', () => redis.close());
  try {
    if (redis.mode !== 'off') {
      taughtStore = createRedisTaughtStore(redis.client, TAUGHT_KEY_PREFIX);
      if ((await taughtStore.all()).length > 0) {
        await store
          .reload()
          .catch((err) => logger.error({ err }, 'taught phrasings refused; the files alone are used'));
      }
    }
    return await run(argv, config, logger, store, contentDir, redis, shutdown);
  } catch (err) {
    await shutdown.run('start-up failed');
    if (err instanceof PortUnavailableError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
}

/** Everything after Redis is open; main() cleans up when this throws. */
async function run(
  argv: readonly string[],
  config: ReturnType<typeof loadConfig>,
  logger: ReturnType<typeof createLogger>,
  store: Awaited<ReturnType<typeof createContentStore>>,
  contentDir: string,
  redis: Awaited<ReturnType<typeof openRedis>>,
  shutdown: ReturnType<typeof createShutdown>,
): Promise<number> {
  // `npm run whatsapp:logout`: forget the WhatsApp session so the next start links anew.
  if (argv.includes('--whatsapp-logout')) {
    if (redis.mode === 'off') {
      process.stderr.write(`WhatsApp logout: no Redis (${redis.reason}), so there is no stored session.\n`);
      return 1;
    }
    const { clearRedisAuth } = await import('./adapters/whatsapp/index.js');
    const removed = await clearRedisAuth(redis.client, WHATSAPP_KEY_PREFIX);
    await redis.close();
    process.stderr.write(
      `WhatsApp session cleared (${removed} keys). Also remove the bot on the phone: WhatsApp > Linked devices.\n` +
        'Start the bot again to link a number (QR code or pairing code).\n',
    );
    return 0;
  }
  // No platform: a terminal gets the console chat. Without a terminal (a container, a service) there
  // is nobody to chat with: say what to configure and keep serving the ops endpoints and schedules,
  // rather than exiting at once and being restarted in a loop.
  const explicitConsole = argv.includes('--console') || argv.includes('--jsonl');
  const whatsappRuns = config.WHATSAPP_ENABLED && redis.mode !== 'off';
  const platformConfigured = Boolean(config.TELEGRAM_BOT_TOKEN) || whatsappRuns;
  const wantsConsole = explicitConsole || (!platformConfigured && process.stdin.isTTY === true);
  const interactive = wantsConsole && !argv.includes('--jsonl') && process.stdin.isTTY === true;
  // A terminal chat keeps JSON off the prompt: the log goes to a file, warnings are said plainly.
  const logFile = interactive ? path.join(config.DATA_DIR, 'bot.log') : undefined;
  let notice = (sentence: string): void => {
    process.stderr.write(`${sentence}\n`);
  };
  if (logFile) logSink?.toFile(logFile, (sentence: string) => notice(sentence));
  else logSink?.toStderr();
  // Posts go to chats on these platforms only; the rest are skipped and counted, never failed.
  const platforms = new Set<Platform>([
    ...(config.TELEGRAM_BOT_TOKEN ? (['telegram'] as const) : []),
    ...(whatsappRuns ? (['whatsapp'] as const) : []),
    ...(wantsConsole ? (['console'] as const) : []),
  ]);

  // Counts messages in, replies out, 429s, reconnects and delivery latency for /metrics.
  const metrics = createMetrics();
  const sendVia = new Map<Platform, Adapter>();
  const scheduling =
    redis.mode === 'off'
      ? undefined
      : createScheduling({
          redis,
          content: store,
          deliver: async (platform, chatId, replies) => {
            const adapter = sendVia.get(platform);
            if (!adapter) throw new DeliveryError('TRANSIENT', `the ${platform} adapter is not running`);
            await adapter.send(chatId, replies);
          },
          pacing: {
            telegram: telegramPacing(
              config.TELEGRAM_GLOBAL_PER_SECOND,
              config.TELEGRAM_GROUP_PER_MINUTE,
              config.TELEGRAM_CHAT_GAP_MS,
            ),
            whatsapp: whatsappPacing(
              config.WHATSAPP_GLOBAL_GAP_MS,
              config.WHATSAPP_BULK_PER_MINUTE,
              config.WHATSAPP_CHAT_GAP_MS,
            ),
          },
          tipsCron: config.TIPS_CRON,
          timeZone: config.COMMUNITY_TIMEZONE,
          platforms,
          // 429s are counted by the adapters' hooks; latency only the worker knows.
          onDelivered: (platform, kind, ms) => metrics.deliveryLatency.observe({ platform, kind }, ms / 1000),
          // Redis came back empty: each configured moderator hears it in their private chat.
          onDataLoss: async (notice) => {
            for (const id of config.MODERATORS) {
              const [platform, who] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
              const adapter = sendVia.get(platform as Platform);
              const chatId = platform === 'whatsapp' && /^\d+$/.test(who) ? `${who}@s.whatsapp.net` : who;
              if (!adapter || !who) continue;
              await adapter
                .send(chatId, [notice])
                .catch((err: unknown) => logger.warn({ err, moderator: id }, 'could not tell a moderator'));
            }
            sendVia
              .get('console')
              ?.send('local', [notice])
              .catch(() => {});
          },
          logger,
        });
  if (redis.mode === 'off') logger.warn({ reason: redis.reason }, `scheduling is off: ${redis.reason}`);
  else logger.info({ redis: redis.where }, 'scheduling uses Redis');

  // Community management: welcomes, join requests, invite links, flood control, /stats, /unanswered.
  const community = createCommunity({
    content: store,
    adapters: (platform) => sendVia.get(platform),
    ...(redis.mode === 'off' ? {} : { redis: redis.client, connection: redis.connection }),
    prefix: 'bot:community:',
    bullPrefix: 'bot:bull',
    joinRequestTimeoutMs: config.JOIN_REQUEST_TIMEOUT_MINUTES * 60_000,
    whatsappAutoApprove: config.WHATSAPP_AUTO_APPROVE,
    flood: { max: config.FLOOD_MAX, windowMs: config.FLOOD_WINDOW_SECONDS * 1000 },
    timeZone: config.COMMUNITY_TIMEZONE,
    communityChats: config.COMMUNITY_CHATS,
    ...(scheduling ? { subscribers: () => scheduling.subscriptions.count() } : {}),
    logger,
  });

  // The moderators' web console (needs Redis for its sessions and the ops server to be served).
  let botConsole: BotConsole | undefined;
  let opsUrl = `http://127.0.0.1:${config.PORT}`;
  const withConsole = redis.mode !== 'off' && config.PORT > 0;
  const consoleCmds = withConsole
    ? consoleCommands({
        signInLink: (viewer) => botConsole!.signInLink(viewer),
        roleOf: (incoming) => {
          // A configured moderator, or an admin of the group the command came from.
          if (coreRouter.isModerator({ ...incoming, sender: { ...incoming.sender, isChatAdmin: false } }))
            return 'moderator';
          return incoming.sender.isChatAdmin && incoming.chat.chatType === 'group' ? 'chat_admin' : 'member';
        },
        sendPrivately: async (platform, userId, replies) => {
          const adapter = sendVia.get(platform);
          if (!adapter) throw new Error(`${platform} is not running`);
          await adapter.send(userId, replies);
        },
      })
    : [];

  // Shared with the WhatsApp adapter, which adds moderators' LIDs as WhatsApp tells them.
  const moderators = new Set(whatsappModeratorIds(config.MODERATORS));
  // A moderator's command that was slow to confirm reports how it ended in its chat, later.
  const commandOptions = {
    notify: async (chat: ChatRef, replies: readonly Reply[]) => {
      const adapter = sendVia.get(chat.platform);
      if (adapter) await adapter.send(chat.chatId, replies);
    },
    logger,
  };
  const coreRouter = createRouter({
    content: store,
    ...community.routerOptions,
    commands: [
      ...(scheduling
        ? schedulingCommands(scheduling, commandOptions)
        : schedulingOffCommands(redis.mode === 'off' ? redis.reason : '')),
      ...community.commands,
      ...consoleCmds,
    ],
    presses: [...community.presses, ...(scheduling ? schedulingPresses(scheduling, commandOptions) : [])],
    moderators,
    // Answer counts and the unanswered log never hold up a reply; when the store is slow they
    // wait in a bounded buffer, and what does not fit is dropped and counted.
    background: createBackground({
      maxPending: 1_000,
      onDropped: (what) => metrics.bookkeepingDropped.inc({ what }),
      onError: (err, what) => logger.warn({ err }, `bookkeeping failed: ${what}`),
    }),
    logger,
  });
  const router = instrumentRouter(coreRouter, metrics);

  const adapters: Adapter[] = [];

  let webhook: { path: string; handler: NodeHandler } | undefined;
  if (config.TELEGRAM_BOT_TOKEN) {
    // Loaded only when used: each platform SDK costs memory (Baileys alone about 50 MB).
    const { createTelegramAdapter } = await import('./adapters/telegram/index.js');
    const telegram = createTelegramAdapter({
      token: config.TELEGRAM_BOT_TOKEN,
      router,
      logger,
      hooks: metrics.hooks,
      ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
      ...(config.TELEGRAM_WEBHOOK_URL
        ? { webhook: { url: config.TELEGRAM_WEBHOOK_URL, secretToken: config.TELEGRAM_WEBHOOK_SECRET } }
        : {}),
    });
    adapters.push(telegram);
    // Served by the operations server below, on PORT.
    webhook = telegram.webhook;
  }

  if (config.WHATSAPP_ENABLED) {
    if (redis.mode === 'off') {
      logger.error(
        { reason: redis.reason },
        'WhatsApp needs Redis for its session (set REDIS_URL or install redis-server): WhatsApp is not started',
      );
    } else {
      const { createWhatsAppAdapter, latestWhatsAppVersion } = await import('./adapters/whatsapp/index.js');
      // One socket per number across bot processes: the others wait on standby (src/ops/single-holder.ts).
      adapters.push(
        singleHolder(
          createWhatsAppAdapter({
            router,
            redis: redis.client,
            keyPrefix: WHATSAPP_KEY_PREFIX,
            ...(config.WHATSAPP_PAIRING_NUMBER ? { pairingNumber: config.WHATSAPP_PAIRING_NUMBER } : {}),
            chatGapMs: config.WHATSAPP_CHAT_GAP_MS,
            globalGapMs: config.WHATSAPP_GLOBAL_GAP_MS,
            bulkPerMinute: config.WHATSAPP_BULK_PER_MINUTE,
            hooks: { ...metrics.hooks, ...metrics.whatsappHooks },
            moderators,
            ...(scheduling
              ? {
                  onChatMoved: async (from: string, to: string) => {
                    await scheduling.subscriptions.move('whatsapp', from, to);
                  },
                }
              : {}),
            resolveVersion: () => latestWhatsAppVersion(logger),
            welcomeWindowMs: config.WHATSAPP_WELCOME_WINDOW_HOURS * 60 * 60_000,
            logger,
          }),
          { client: redis.client, key: `${WHATSAPP_KEY_PREFIX}socket-lock`, logger },
        ),
      );
    }
  }

  if (adapters.length === 0 && !wantsConsole) {
    logger.warn(
      'no platform configured and no terminal: set TELEGRAM_BOT_TOKEN and/or WHATSAPP_ENABLED=true ' +
        '(or run `npm run chat` for the console chat); waiting',
    );
  }
  const consoleAdapter = wantsConsole
    ? createConsoleAdapter({
        router,
        mode: interactive ? 'interactive' : 'jsonl',
        input: process.stdin,
        output: process.stdout,
        botName: store.current().content.community.botName,
        scrub,
        ...(logFile ? { logFile } : {}),
        ...(scheduling ? { hasPending: (within?: number) => scheduling.hasPending('console', within) } : {}),
      })
    : undefined;
  if (consoleAdapter) {
    adapters.push(consoleAdapter);
    notice = (sentence) => consoleAdapter.notice(sentence);
  }

  // SIGTERM: stop taking updates (adapters finish replies in flight), let active jobs finish,
  // close queues and Redis, exit 0. A second signal exits at once; unfinished jobs stay in Redis.
  shutdown.add('intake', 'adapters', async () => {
    const failed = (await Promise.allSettled(adapters.map((a) => a.stop()))).find(
      (r) => r.status === 'rejected',
    );
    if (failed) throw failed.reason;
  });
  if (scheduling) shutdown.add('work', 'scheduling workers and queues', () => scheduling.close());
  shutdown.add('work', 'community (pending welcomes, join-request worker)', () => community.close());
  shutdown.installSignalHandlers();

  // Content edits take effect without a restart; a broken edit is logged and the old content kept.
  const reloader = createContentReloader({ store, logger, watchDir: contentDir });
  // SIGHUP reloads content, except in a terminal chat: there it means the terminal was closed.
  process.on('SIGHUP', () => {
    if (interactive) void shutdown.run('terminal closed').then((ok) => process.exit(ok ? 0 : 1));
    else void reloader.reload('SIGHUP');
  });
  shutdown.add('intake', 'content watcher', () => reloader.close());

  // Operations server: /healthz, /readyz, /metrics, the Telegram webhook, the queue dashboard.
  // The console chat alone opens none unless PORT is set, and carries on when that port is taken.
  const consoleOnly = consoleAdapter !== undefined && adapters.length === 1;
  if (config.PORT > 0 && (config.PORT_EXPLICIT || !consoleOnly)) {
    const queues = [
      ...(scheduling ? [scheduling.posts, scheduling.deliveries] : []),
      ...(community.internals.joinRequests.queue ? [community.internals.joinRequests.queue] : []),
    ];
    metrics.watchQueues(queues);
    if (withConsole && 'client' in redis) {
      botConsole = createConsole({
        redis: redis.client,
        prefix: 'bot:console:',
        publicUrl: () => config.PUBLIC_URL ?? opsUrl,
        ...(config.ADMIN_USER && config.ADMIN_PASSWORD
          ? { operator: { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD } }
          : {}),
        logger,
        ports: consolePorts({
          redis: redis.client,
          router: () => router,
          store,
          reloader,
          community,
          ...(scheduling
            ? {
                scheduling,
                postBoard: createPostBoard(scheduling, {
                  client: redis.client,
                  tipsCron: config.TIPS_CRON,
                  tips: () => store.current().content.tips,
                }),
              }
            : {}),
          // The adapters' own formatters, for the post preview (ops may not import adapters).
          previews: {
            telegram: (reply) =>
              renderTelegram(reply)
                .map((m) => m.html)
                .join('\n\n'),
            whatsapp: (reply) =>
              renderWhatsApp([reply])
                .messages.map((m) => m.text)
                .join('\n\n'),
          },
          timeZone: config.COMMUNITY_TIMEZONE,
        }),
      });
    }
    const server = createOpsServer({
      port: config.PORT,
      host: config.HOST,
      logger,
      metrics,
      readiness: async () => [
        ...(shutdown.started ? [{ name: 'shutdown', ok: false, detail: 'shutting down' }] : []),
        ...(redis.mode === 'off' ? [] : [await redisCheck(redis.client)]),
        ...(scheduling ? [{ name: 'redis-data', ...scheduling.health() }] : []),
        ...adapterChecks(adapters.filter((a) => a.platform !== 'console')),
      ],
      queues,
      ...(webhook ? { webhook } : {}),
      ...(botConsole ? { console: { router: botConsole.router } } : {}),
      ...(config.ADMIN_USER && config.ADMIN_PASSWORD
        ? { admin: { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD } }
        : {}),
    });
    try {
      ({ url: opsUrl } = await server.listen());
      shutdown.add('last', 'ops server', () => server.close());
    } catch (err) {
      if (!(consoleOnly && err instanceof PortUnavailableError)) throw err;
      logger.warn(
        { port: config.PORT },
        `the console chat carries on without the operations server. ${err.message}`,
      );
    }
  }

  for (const adapter of adapters) if (adapter !== consoleAdapter) await adapter.start();
  for (const adapter of adapters) sendVia.set(adapter.platform, adapter);
  if (scheduling) {
    // The local operator's console chat gets posts (once subscribed, /unsubscribe sticks).
    if (consoleAdapter)
      await scheduling.seedSubscriber({ platform: 'console', chatId: 'local', chatType: 'private' });
    await scheduling.start();
  }
  await community.start();
  // The console chat reads its first line only now: a script's `/schedule` on line 1 must find
  // scheduling running, not answer "not scheduled".
  if (consoleAdapter) await consoleAdapter.start();
  logger.info({ adapters: adapters.map((a) => a.platform) }, 'bot started');

  if (consoleAdapter && adapters.length === 1) {
    await consoleAdapter.finished;
    await shutdown.run('console input ended');
    return 0;
  }
  await new Promise(() => {});
  return 0;
}

/** Where the WhatsApp session and answered-message ids live in Redis. */
const WHATSAPP_KEY_PREFIX = 'bot:whatsapp:';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(fatalLine(err, scrub));
    process.exit(1);
  },
);
