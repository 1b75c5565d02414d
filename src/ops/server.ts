import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { Queue } from 'bullmq';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Adapter } from '../core/adapter.js';
import { createLoginThrottle, type LoginThrottleOptions } from './login-throttle.js';
import type { BotMetrics } from './metrics.js';

/** One thing `/readyz` checks. */
export interface ReadinessCheck {
  readonly name: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/** The few logging calls the server makes; pino's logger fits. */
export interface OpsLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** A Node `(req, res)` handler, such as grammY's `webhookCallback(bot, 'http')`. */
export type NodeHandler = (req: IncomingMessage, res: ServerResponse) => unknown;

export interface OpsServerOptions {
  /** 0 picks a free port (tests); main.ts does not start the server when PORT is 0. */
  readonly port: number;
  readonly host: string;
  readonly logger: OpsLogger;
  /** Everything that must be up for the bot to be useful (Redis, each enabled adapter). */
  readonly readiness: () => Promise<readonly ReadinessCheck[]> | readonly ReadinessCheck[];
  readonly metrics: BotMetrics;
  /** Telegram's webhook, served on the same port (POST only). */
  readonly webhook?: { readonly path: string; readonly handler: NodeHandler };
  /** Queues shown on the dashboard at /admin/queues. */
  readonly queues?: readonly Queue[];
  /** The moderators' web console (src/ops/console), served under /console. */
  readonly console?: { readonly router: Router };
  /** Turns the dashboard on behind basic auth; without it /admin/queues is 404. */
  readonly admin?: { readonly user: string; readonly password: string };
  /** How wrong dashboard passwords are throttled per client address (see login-throttle.ts). */
  readonly loginThrottle?: LoginThrottleOptions;
}

export interface OpsServer {
  /** Starts listening; resolves with the address actually bound. */
  listen(): Promise<{ port: number; url: string }>;
  /** Adds queues to the dashboard (for queues created after the server). */
  addQueues(queues: readonly Queue[]): void;
  /** Stops accepting connections and drops idle keep-alive ones. */
  close(): Promise<void>;
}

export const DASHBOARD_PATH = '/admin/queues';
/** The largest webhook body accepted (Node reads no more than Content-Length says). */
export const WEBHOOK_MAX_BYTES = 1_000_000;
export const CONSOLE_PATH = '/console';

/** The ops server's port is taken (or not allowed); the message says what to set. */
export class PortUnavailableError extends Error {
  readonly code = 'PORT_UNAVAILABLE';
  constructor(
    readonly port: number,
    readonly host: string,
    readonly reason: 'EADDRINUSE' | 'EACCES',
  ) {
    super(
      reason === 'EADDRINUSE'
        ? `Port ${port} (on ${host}) is already in use: another program, or another copy of the bot, is listening there. ` +
            'Set PORT to a free port (e.g. PORT=8081), or PORT=0 to run without the operations server.'
        : `Port ${port} (on ${host}) is not allowed for this user. ` +
            'Set PORT to a number above 1023 (e.g. PORT=8080), or PORT=0 to run without the operations server.',
    );
    this.name = 'PortUnavailableError';
  }
}

/**
 * The operations HTTP server: `/healthz`, `/readyz`, `/metrics`, Telegram's webhook and the
 * Bull Board queue dashboard.
 *
 * @example
 * const ops = createOpsServer({ port: 8080, host: '0.0.0.0', logger, metrics, readiness: () => [] });
 * await ops.listen();
 */
export function createOpsServer(options: OpsServerOptions): OpsServer {
  const { logger, metrics } = options;
  const app = express();
  app.disable('x-powered-by');
  app.use(securityHeaders);

  // Process alive and the event loop turning: nothing else.
  app.get('/healthz', (_req, res) => {
    res.type('text/plain').send('ok\n');
  });

  app.get('/readyz', async (_req, res) => {
    let checks: readonly ReadinessCheck[];
    try {
      checks = await options.readiness();
    } catch (err) {
      checks = [{ name: 'readiness', ok: false, detail: errorText(err) }];
    }
    const failing = checks.filter((c) => !c.ok);
    if (failing.length > 0) logger.warn({ failing }, 'not ready');
    res.status(failing.length === 0 ? 200 : 503).json({
      ready: failing.length === 0,
      failing: failing.map((c) => (c.detail ? `${c.name}: ${withoutPaths(c.detail)}` : c.name)),
      checks: checks.map((c) => (c.detail ? { ...c, detail: withoutPaths(c.detail) } : c)),
    });
  });

  app.get('/metrics', async (_req, res) => {
    try {
      const body = await metrics.registry.metrics();
      res.type(metrics.registry.contentType).send(body);
    } catch (err) {
      logger.error({ err }, 'metrics scrape failed');
      res.status(500).type('text/plain').send('metrics failed\n');
    }
  });

  if (options.webhook) {
    const { handler } = options.webhook;
    // No body parser in front: the handler reads the raw request itself. Telegram's updates are
    // a few kilobytes and always say their length: anything longer is not Telegram's.
    app.post(options.webhook.path, (req, res, next) => {
      const length = Number(req.headers['content-length']);
      if (!Number.isFinite(length)) {
        res.status(411).type('text/plain').send('length required\n');
        return;
      }
      if (length > WEBHOOK_MAX_BYTES) {
        res.status(413).set('Connection', 'close').type('text/plain').send('update too large\n');
        req.destroy();
        return;
      }
      Promise.resolve(handler(req, res)).catch(next);
    });
  }

  if (options.console) {
    app.use(CONSOLE_PATH, options.console.router);
    app.get(['/dashboard', '/dashboard/'], (_req, res) => res.redirect(301, `${CONSOLE_PATH}/`));
  }

  let board: ReturnType<typeof createBullBoard> | undefined;
  if (options.admin) {
    const serverAdapter = new ExpressAdapter();
    serverAdapter.setBasePath(DASHBOARD_PATH);
    board = createBullBoard({
      queues: (options.queues ?? []).map((q) => new BullMQAdapter(q)),
      // @bull-board/express 9.10.1 nests its own @bull-board/api 9.10.1 beside our 9.10.2: the same
      // class from two copies, so TypeScript sees two types. At run time they agree.
      serverAdapter: serverAdapter as unknown as Parameters<typeof createBullBoard>[0]['serverAdapter'],
      options: { uiConfig: { boardTitle: 'Bot queues' } },
    });
    app.use(
      DASHBOARD_PATH,
      basicAuth(options.admin.user, options.admin.password, options.loginThrottle),
      pathlessJson,
      serverAdapter.getRouter(),
    );
  }

  app.use((err: unknown, _req: Request, res: Response, _next: NextFunction) => {
    logger.error({ err }, 'ops request failed');
    if (!res.headersSent) res.status(500).type('text/plain').send('internal error\n');
  });

  let server: Server | undefined;
  return {
    listen() {
      return new Promise((resolve, reject) => {
        const s = app.listen(options.port, options.host);
        s.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            err.code === 'EADDRINUSE' || err.code === 'EACCES'
              ? new PortUnavailableError(options.port, options.host, err.code)
              : err,
          ),
        );
        s.once('listening', () => {
          server = s;
          const { port } = s.address() as AddressInfo;
          const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
          logger.info({ port, host: options.host }, 'ops server listening');
          resolve({ port, url: `http://${host.includes(':') ? `[${host}]` : host}:${port}` });
        });
      });
    },
    addQueues(queues) {
      for (const q of queues) board?.addQueue(new BullMQAdapter(q));
    },
    close() {
      const s = server;
      if (!s) return Promise.resolve();
      server = undefined;
      return new Promise((resolve) => {
        s.close(() => resolve());
        s.closeIdleConnections();
      });
    },
  };
}

/**
 * Clickjacking, MIME sniffing and injected scripts: the dashboard is not to be framed, and runs
 * only its own scripts (its styles are partly inline; its fonts come from Google Fonts).
 */
function securityHeaders(_req: Request, res: Response, next: NextFunction) {
  res.set({
    'Content-Security-Policy': [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline' https://fonts.googleapis.com",
      "font-src 'self' https://fonts.gstatic.com",
      "img-src 'self' data:",
      "object-src 'none'",
      "base-uri 'self'",
      "form-action 'self'",
      "frame-ancestors 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
  });
  next();
}

// An absolute file path ("/home/bot/app/src/x.ts", "file:///app/dist/x.js", "C:\\app\\x.js"), not a URL's path.
const ABSOLUTE_PATH =
  /(?:file:\/\/|(?<![\w:/.~-]))(?:\/(?:[\w.@+-]+\/)+|[A-Za-z]:\\(?:[\w.@+-]+\\)+)([\w.@+-]+)/g;

/** Replaces absolute paths by their last part: stack traces name files, not the server's layout. */
export const withoutPaths = (text: string): string => text.replace(ABSOLUTE_PATH, '…/$1');

const scrubValue = (value: unknown): unknown => {
  if (typeof value === 'string') return withoutPaths(value);
  if (Array.isArray(value)) return value.map(scrubValue);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubValue(v)]));
  }
  return value;
};

/** The dashboard's API answers (failed jobs' stack traces and reasons) without server paths. */
function pathlessJson(_req: Request, res: Response, next: NextFunction) {
  const json = res.json.bind(res);
  res.json = (body: unknown) => json(scrubValue(body));
  next();
}

/**
 * Basic auth with a constant-time comparison; 401 asks the browser for credentials. Wrong guesses
 * are throttled per client address: 429 with Retry-After, the password not even checked.
 */
function basicAuth(user: string, password: string, throttleOptions?: LoginThrottleOptions) {
  const expected = Buffer.from(`${user}:${password}`);
  const throttle = createLoginThrottle(throttleOptions);
  return (req: Request, res: Response, next: NextFunction) => {
    const address = req.socket.remoteAddress ?? 'unknown';
    const wait = throttle.waitMs(address);
    if (wait > 0) {
      res
        .status(429)
        .set('Retry-After', String(Math.ceil(wait / 1000)))
        .type('text/plain')
        .send('too many wrong passwords: try again later\n');
      return;
    }
    const header = req.headers.authorization ?? '';
    const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
    const given = match ? Buffer.from(match[1] ?? '', 'base64') : Buffer.alloc(0);
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      throttle.succeeded(address);
      return next();
    }
    // A browser's first request carries no credentials: that is not a guess.
    if (match) throttle.failed(address);
    res
      .status(401)
      .set('WWW-Authenticate', 'Basic realm="queues", charset="UTF-8"')
      .type('text/plain')
      .send('login required\n');
  };
}

/** A readiness check per enabled adapter, from {@link Adapter.status}. */
export function adapterChecks(adapters: readonly Pick<Adapter, 'platform' | 'status'>[]): ReadinessCheck[] {
  return adapters.map((a) => {
    try {
      const s = a.status();
      return { name: `adapter:${a.platform}`, ok: s.connected, ...(s.detail ? { detail: s.detail } : {}) };
    } catch (err) {
      return { name: `adapter:${a.platform}`, ok: false, detail: errorText(err) };
    }
  });
}

/** Redis answers PING within `timeoutMs`. Works with an ioredis client (BullMQ's too). */
export async function redisCheck(
  client: { ping(): Promise<string> },
  timeoutMs = 1_000,
): Promise<ReadinessCheck> {
  let timer: NodeJS.Timeout | undefined;
  try {
    const pong = await Promise.race([
      client.ping(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return pong === 'PONG'
      ? { name: 'redis', ok: true }
      : { name: 'redis', ok: false, detail: `answered ${pong}` };
  } catch (err) {
    return { name: 'redis', ok: false, detail: errorText(err) };
  } finally {
    clearTimeout(timer);
  }
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);
