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
import { type Community, createCommunity } from './community/index.js';
import { type Config, ConfigError, loadConfig, readEnvironment } from './config.js';
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
import type { Command } from './core/ports.js';
import { createRouter, type Router } from './core/router.js';
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
import { type BotMetrics, createMetrics, instrumentRouter } from './ops/metrics.js';
import { type ContentReloader, createContentReloader } from './ops/reload.js';
import {
  adapterChecks,
  createOpsServer,
  type NodeHandler,
  PortUnavailableError,
  redisCheck,
} from './ops/server.js';
import { createShutdown, type Shutdown } from './ops/shutdown.js';
import { singleHolder } from './ops/single-holder.js';
import {
  createPostBoard,
  createScheduling,
  openRedis,
  type RedisHandle,
  type RedisOn,
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

type Logger = ReturnType<typeof createLogger>;
type ContentStore = Awaited<ReturnType<typeof createContentStore>>;
type Scheduling = ReturnType<typeof createScheduling>;

/**
 * What the start-up steps below share: settings, logger, content, Redis, shutdown, metrics, and
 * the adapters by platform, filled in once they have started (scheduled sends and notices go there).
 */
interface Wiring {
  readonly config: Config;
  readonly logger: Logger;
  readonly store: ContentStore;
  readonly contentDir: string;
  readonly redis: RedisHandle;
  readonly shutdown: Shutdown;
  readonly metrics: BotMetrics;
  readonly sendVia: Map<Platform, Adapter>;
}

/** How this run meets people: the platforms posts go to, and whether (and how) the console chat runs. */
interface Modes {
  readonly wantsConsole: boolean;
  readonly interactive: boolean;
  readonly platforms: ReadonlySet<Platform>;
}

/** Made after the router, needed by commands the router holds: filled in as start-up goes on. */
interface Late {
  coreRouter?: Router;
  botConsole?: BotConsole;
  opsUrl: string;
}

/** Everything after Redis is open; main() cleans up when this throws. */
async function run(
  argv: readonly string[],
  config: Config,
  logger: Logger,
  store: ContentStore,
  contentDir: string,
  redis: RedisHandle,
  shutdown: Shutdown,
): Promise<number> {
  // `npm run whatsapp:logout`: forget the WhatsApp session so the next start links anew.
  if (argv.includes('--whatsapp-logout')) return whatsappLogout(redis);
  const modes = modesOf(argv, config, redis);
  // A terminal chat keeps JSON off the prompt: the log goes to a file, warnings are said plainly.
  const logFile = modes.interactive ? path.join(config.DATA_DIR, 'bot.log') : undefined;
  let notice = (sentence: string): void => {
    process.stderr.write(`${sentence}\n`);
  };
  if (logFile) logSink?.toFile(logFile, (sentence: string) => notice(sentence));
  else logSink?.toStderr();
  // Counts messages in, replies out, 429s, reconnects and delivery latency for /metrics.
  const metrics = createMetrics();
  const w: Wiring = { config, logger, store, contentDir, redis, shutdown, metrics, sendVia: new Map() };
  const scheduling = schedulingFor(w, modes.platforms);
  const community = communityFor(w, scheduling);
  const late: Late = { opsUrl: `http://127.0.0.1:${config.PORT}` };
  // The moderators' web console (needs Redis for its sessions and the ops server to be served).
  const withConsole = redis.mode !== 'off' && config.PORT > 0;
  // Shared with the WhatsApp adapter, which adds moderators' LIDs as WhatsApp tells them.
  const moderators = new Set(whatsappModeratorIds(config.MODERATORS));
  const coreRouter = routerFor(
    w,
    scheduling,
    community,
    withConsole ? consoleCommandsFor(w, late) : [],
    moderators,
  );
  late.coreRouter = coreRouter;
  const router = instrumentRouter(coreRouter, metrics);

  const adapters: Adapter[] = [];
  const telegram = config.TELEGRAM_BOT_TOKEN
    ? await telegramAdapter(w, router, config.TELEGRAM_BOT_TOKEN)
    : undefined;
  if (telegram) adapters.push(telegram);
  // Served by the operations server below, on PORT.
  const webhook = telegram?.webhook;
  const whatsapp = config.WHATSAPP_ENABLED
    ? await whatsappAdapter(w, router, scheduling, moderators)
    : undefined;
  if (whatsapp) adapters.push(whatsapp);
  if (adapters.length === 0 && !modes.wantsConsole) {
    logger.warn(
      'no platform configured and no terminal: set TELEGRAM_BOT_TOKEN and/or WHATSAPP_ENABLED=true ' +
        '(or run `npm run chat` for the console chat); waiting',
    );
  }
  const consoleAdapter = modes.wantsConsole
    ? consoleAdapterFor(w, router, modes, scheduling, logFile)
    : undefined;
  if (consoleAdapter) {
    adapters.push(consoleAdapter);
    notice = (sentence) => consoleAdapter.notice(sentence);
  }

  const reloader = installShutdown(w, adapters, scheduling, community, modes.interactive);

  // Operations server: /healthz, /readyz, /metrics, the Telegram webhook, the queue dashboard.
  // The console chat alone opens none unless PORT is set, and carries on when that port is taken.
  const consoleOnly = consoleAdapter !== undefined && adapters.length === 1;
  if (config.PORT > 0 && (config.PORT_EXPLICIT || !consoleOnly)) {
    if (withConsole && 'client' in redis)
      late.botConsole = botConsoleFor(w, redis, late, router, reloader, community, scheduling);
    await startOpsServer(w, {
      adapters,
      scheduling,
      community,
      webhook,
      botConsole: late.botConsole,
      consoleOnly,
      late,
    });
  }

  for (const adapter of adapters) if (adapter !== consoleAdapter) await adapter.start();
  for (const adapter of adapters) w.sendVia.set(adapter.platform, adapter);
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

/** `npm run whatsapp:logout`: forget the WhatsApp session so the next start links anew. */
async function whatsappLogout(redis: RedisHandle): Promise<number> {
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

/**
 * No platform: a terminal gets the console chat. Without a terminal (a container, a service) there
 * is nobody to chat with: say what to configure and keep serving the ops endpoints and schedules,
 * rather than exiting at once and being restarted in a loop.
 */
function modesOf(argv: readonly string[], config: Config, redis: RedisHandle): Modes {
  const explicitConsole = argv.includes('--console') || argv.includes('--jsonl');
  const whatsappRuns = config.WHATSAPP_ENABLED && redis.mode !== 'off';
  const platformConfigured = Boolean(config.TELEGRAM_BOT_TOKEN) || whatsappRuns;
  const wantsConsole = explicitConsole || (!platformConfigured && process.stdin.isTTY === true);
  const interactive = wantsConsole && !argv.includes('--jsonl') && process.stdin.isTTY === true;
  // Posts go to chats on these platforms only; the rest are skipped and counted, never failed.
  const platforms = new Set<Platform>([
    ...(config.TELEGRAM_BOT_TOKEN ? (['telegram'] as const) : []),
    ...(whatsappRuns ? (['whatsapp'] as const) : []),
    ...(wantsConsole ? (['console'] as const) : []),
  ]);
  return { wantsConsole, interactive, platforms };
}

/** Scheduled posts and tips on BullMQ; undefined (and said so) without Redis. */
function schedulingFor(w: Wiring, platforms: ReadonlySet<Platform>): Scheduling | undefined {
  const { config, redis, logger, metrics, sendVia } = w;
  if (redis.mode === 'off') {
    logger.warn({ reason: redis.reason }, `scheduling is off: ${redis.reason}`);
    return undefined;
  }
  const scheduling = createScheduling({
    redis,
    content: w.store,
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
    onDataLoss: (notice) => tellModerators(w, notice),
    logger,
  });
  logger.info({ redis: redis.where }, 'scheduling uses Redis');
  return scheduling;
}

/** Redis came back empty: each configured moderator hears it in their private chat. */
async function tellModerators(w: Wiring, notice: Reply): Promise<void> {
  for (const id of w.config.MODERATORS) {
    const [platform, who] = [id.slice(0, id.indexOf(':')), id.slice(id.indexOf(':') + 1)];
    const adapter = w.sendVia.get(platform as Platform);
    const chatId = platform === 'whatsapp' && /^\d+$/.test(who) ? `${who}@s.whatsapp.net` : who;
    if (!adapter || !who) continue;
    await adapter
      .send(chatId, [notice])
      .catch((err: unknown) => w.logger.warn({ err, moderator: id }, 'could not tell a moderator'));
  }
  w.sendVia
    .get('console')
    ?.send('local', [notice])
    .catch(() => {});
}

/** Community management: welcomes, join requests, invite links, flood control, /stats, /unanswered. */
function communityFor(w: Wiring, scheduling: Scheduling | undefined): Community {
  const { config, redis } = w;
  return createCommunity({
    content: w.store,
    adapters: (platform) => w.sendVia.get(platform),
    ...(redis.mode === 'off' ? {} : { redis: redis.client, connection: redis.connection }),
    prefix: 'bot:community:',
    bullPrefix: 'bot:bull',
    joinRequestTimeoutMs: config.JOIN_REQUEST_TIMEOUT_MINUTES * 60_000,
    whatsappAutoApprove: config.WHATSAPP_AUTO_APPROVE,
    flood: { max: config.FLOOD_MAX, windowMs: config.FLOOD_WINDOW_SECONDS * 1000 },
    timeZone: config.COMMUNITY_TIMEZONE,
    communityChats: config.COMMUNITY_CHATS,
    ...(scheduling ? { subscribers: () => scheduling.subscriptions.count() } : {}),
    logger: w.logger,
  });
}

/** `/console`: a sign-in link to the moderators' web console, sent privately. */
function consoleCommandsFor(w: Wiring, late: Late) {
  return consoleCommands({
    signInLink: (viewer) => late.botConsole!.signInLink(viewer),
    roleOf: (incoming) => {
      // A configured moderator, or an admin of the group the command came from.
      if (late.coreRouter!.isModerator({ ...incoming, sender: { ...incoming.sender, isChatAdmin: false } }))
        return 'moderator';
      return incoming.sender.isChatAdmin && incoming.chat.chatType === 'group' ? 'chat_admin' : 'member';
    },
    sendPrivately: async (platform, userId, replies) => {
      const adapter = w.sendVia.get(platform);
      if (!adapter) throw new Error(`${platform} is not running`);
      await adapter.send(userId, replies);
    },
  });
}

/** The router with every command set: scheduling (or its "off" stand-ins), community, console. */
function routerFor(
  w: Wiring,
  scheduling: Scheduling | undefined,
  community: Community,
  consoleCmds: readonly Command[],
  moderators: Set<string>,
): Router {
  const { redis, logger, metrics } = w;
  // A moderator's command that was slow to confirm reports how it ended in its chat, later.
  const commandOptions = {
    notify: async (chat: ChatRef, replies: readonly Reply[]) => {
      const adapter = w.sendVia.get(chat.platform);
      if (adapter) await adapter.send(chat.chatId, replies);
    },
    logger,
  };
  return createRouter({
    content: w.store,
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
}

/** The Telegram adapter; loaded only when used: each platform SDK costs memory. */
async function telegramAdapter(w: Wiring, router: Router, token: string) {
  const { config } = w;
  const { createTelegramAdapter } = await import('./adapters/telegram/index.js');
  return createTelegramAdapter({
    token,
    router,
    logger: w.logger,
    hooks: w.metrics.hooks,
    ...(config.TELEGRAM_API_ROOT ? { apiRoot: config.TELEGRAM_API_ROOT } : {}),
    ...(config.TELEGRAM_WEBHOOK_URL
      ? { webhook: { url: config.TELEGRAM_WEBHOOK_URL, secretToken: config.TELEGRAM_WEBHOOK_SECRET } }
      : {}),
  });
}

/** The WhatsApp adapter behind its socket lock; none (and said so) without Redis for its session. */
async function whatsappAdapter(
  w: Wiring,
  router: Router,
  scheduling: Scheduling | undefined,
  moderators: Set<string>,
): Promise<Adapter | undefined> {
  const { config, redis, logger, metrics } = w;
  if (redis.mode === 'off') {
    logger.error(
      { reason: redis.reason },
      'WhatsApp needs Redis for its session (set REDIS_URL or install redis-server): WhatsApp is not started',
    );
    return undefined;
  }
  // Loaded only when used (Baileys alone is about 50 MB).
  const { createWhatsAppAdapter, latestWhatsAppVersion } = await import('./adapters/whatsapp/index.js');
  // One socket per number across bot processes: the others wait on standby (src/ops/single-holder.ts).
  return singleHolder(
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
  );
}

/** The console chat: a terminal conversation, or JSON lines for scripts. */
function consoleAdapterFor(
  w: Wiring,
  router: Router,
  modes: Modes,
  scheduling: Scheduling | undefined,
  logFile: string | undefined,
) {
  return createConsoleAdapter({
    router,
    mode: modes.interactive ? 'interactive' : 'jsonl',
    input: process.stdin,
    output: process.stdout,
    botName: w.store.current().content.community.botName,
    scrub,
    ...(logFile ? { logFile } : {}),
    ...(scheduling ? { hasPending: (within?: number) => scheduling.hasPending('console', within) } : {}),
  });
}

/**
 * SIGTERM: stop taking updates (adapters finish replies in flight), let active jobs finish,
 * close queues and Redis, exit 0. A second signal exits at once; unfinished jobs stay in Redis.
 * Also starts the content reloader (returned), which SIGHUP triggers outside a terminal chat.
 */
function installShutdown(
  w: Wiring,
  adapters: readonly Adapter[],
  scheduling: Scheduling | undefined,
  community: Community,
  interactive: boolean,
): ContentReloader {
  const { shutdown } = w;
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
  const reloader = createContentReloader({ store: w.store, logger: w.logger, watchDir: w.contentDir });
  // SIGHUP reloads content, except in a terminal chat: there it means the terminal was closed.
  process.on('SIGHUP', () => {
    if (interactive) void shutdown.run('terminal closed').then((ok) => process.exit(ok ? 0 : 1));
    else void reloader.reload('SIGHUP');
  });
  shutdown.add('intake', 'content watcher', () => reloader.close());
  return reloader;
}

/** The moderators' web console, served by the ops server. */
function botConsoleFor(
  w: Wiring,
  redis: RedisOn,
  late: Late,
  router: Router,
  reloader: ContentReloader,
  community: Community,
  scheduling: Scheduling | undefined,
): BotConsole {
  const { config, store } = w;
  return createConsole({
    redis: redis.client,
    prefix: 'bot:console:',
    publicUrl: () => config.PUBLIC_URL ?? late.opsUrl,
    ...(config.ADMIN_USER && config.ADMIN_PASSWORD
      ? { operator: { user: config.ADMIN_USER, password: config.ADMIN_PASSWORD } }
      : {}),
    logger: w.logger,
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

/** Operations server: /healthz, /readyz, /metrics, the Telegram webhook, the queue dashboard, the console. */
async function startOpsServer(
  w: Wiring,
  parts: {
    readonly adapters: readonly Adapter[];
    readonly scheduling: Scheduling | undefined;
    readonly community: Community;
    readonly webhook: { path: string; handler: NodeHandler } | undefined;
    readonly botConsole: BotConsole | undefined;
    readonly consoleOnly: boolean;
    readonly late: Late;
  },
): Promise<void> {
  const { config, redis, logger, metrics, shutdown } = w;
  const { adapters, scheduling, community, webhook, botConsole } = parts;
  const queues = [
    ...(scheduling ? [scheduling.posts, scheduling.deliveries] : []),
    ...(community.internals.joinRequests.queue ? [community.internals.joinRequests.queue] : []),
  ];
  metrics.watchQueues(queues);
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
    ({ url: parts.late.opsUrl } = await server.listen());
    shutdown.add('last', 'ops server', () => server.close());
  } catch (err) {
    if (!(parts.consoleOnly && err instanceof PortUnavailableError)) throw err;
    logger.warn(
      { port: config.PORT },
      `the console chat carries on without the operations server. ${err.message}`,
    );
  }
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
