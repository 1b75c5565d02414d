/**
 * The bot's Redis connection, in one of three modes:
 *
 * - `url`: `REDIS_URL` is set; we connect there and never start anything.
 * - `embedded`: no URL, but `redis-server` is on the PATH; we start and supervise our own
 *   server on a private unix socket with an append-only file under the data directory, and
 *   stop it with the bot. A server left running by a bot that was killed (SIGKILL) is adopted.
 * - `off`: neither; the bot still answers questions and says why scheduling is off.
 *
 * Every module that needs Redis (scheduling, community management, operations) takes the
 * {@link RedisHandle}: `connection` for BullMQ queues and workers (each makes its own client),
 * `client` for plain commands.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

/** The logging calls this module makes; pino's logger fits. */
export interface RedisLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface OpenRedisOptions {
  /** `REDIS_URL`; when set, no local server is started. */
  readonly url?: string;
  /** `DATA_DIR`: the embedded server keeps its append-only file in `<dataDir>/redis`. */
  readonly dataDir: string;
  readonly logger: RedisLogger;
  /** The server binary for the embedded mode (default `redis-server`, looked up on the PATH). */
  readonly redisServer?: string;
  /** How long to wait for the embedded server's socket (default 10 s). */
  readonly startTimeoutMs?: number;
  /** How often an adopted server (left by an earlier run) is checked (default 1 s). */
  readonly superviseIntervalMs?: number;
}

interface HandleBase {
  /** Stops our clients, and the embedded server when we run one. Safe to call twice. */
  close(): Promise<void>;
}

/** ioredis options that BullMQ's `connection` takes as they are (no custom retry strategy). */
export type RedisConnection = Omit<RedisOptions, 'retryStrategy'>;

/** Redis is available: `connection` is what BullMQ's `connection` option and `new Redis()` take. */
export interface RedisOn extends HandleBase {
  readonly mode: 'url' | 'embedded';
  /** Plain options, so every queue and worker opens its own connection. */
  readonly connection: RedisConnection;
  /** A shared client for plain commands (waits through reconnects: `maxRetriesPerRequest: null`). */
  readonly client: Redis;
  /** Where it is, for the start-up log line (never includes a password). */
  readonly where: string;
}

/** No Redis: scheduling is off, and `reason` says why in words a moderator understands. */
export interface RedisOff extends HandleBase {
  readonly mode: 'off';
  readonly reason: string;
}

export type RedisHandle = RedisOn | RedisOff;

/** Opens Redis the way the configuration asks; never throws for a missing server (mode `off`). */
export async function openRedis(options: OpenRedisOptions): Promise<RedisHandle> {
  const { logger } = options;
  if (options.url) {
    const connection = optionsFromUrl(options.url);
    const where = describeUrl(options.url);
    const client = newClient(connection, logger, where);
    return {
      mode: 'url',
      connection,
      client,
      where,
      close: once(async () => {
        await quit(client);
      }),
    };
  }

  const bin = options.redisServer ?? 'redis-server';
  if (!(await runs(bin))) {
    return off(
      'REDIS_URL is not set and redis-server is not installed (not found on the PATH). ' +
        'Install redis-server or set REDIS_URL to turn scheduling on.',
    );
  }
  try {
    const server = await startEmbedded(bin, path.resolve(options.dataDir, 'redis'), options);
    const connection: RedisConnection = { path: server.socket, maxRetriesPerRequest: null };
    const where = `embedded redis-server (data in ${server.dir})`;
    const client = newClient(connection, logger, where);
    return {
      mode: 'embedded',
      connection,
      client,
      where,
      close: once(async () => {
        await server.stop(client);
        await quit(client);
      }),
    };
  } catch (err) {
    logger.error({ err }, 'could not start the embedded redis-server');
    return off(`the embedded redis-server did not start: ${(err as Error).message}`);
  }
}

const off = (reason: string): RedisOff => ({ mode: 'off', reason, close: async () => {} });

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => {
    p ??= fn();
    return p;
  };
}

async function quit(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

function newClient(connection: RedisConnection, logger: RedisLogger, where: string): Redis {
  const client = new Redis(connection);
  let down = false;
  client.on('error', (err: Error) => {
    if (!down) logger.warn({ err: err.message, where }, 'redis connection error; reconnecting');
    down = true;
  });
  client.on('ready', () => {
    if (down) logger.info({ where }, 'redis connection is back');
    down = false;
  });
  return client;
}

/** `redis://user:pass@host:6379/2` or `rediss://...` as ioredis options. */
export function optionsFromUrl(url: string): RedisConnection {
  const u = new URL(url);
  if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') {
    throw new Error(`REDIS_URL must start with redis:// or rediss://, not ${u.protocol}//`);
  }
  const db = u.pathname.replace(/^\//, '');
  return {
    host: u.hostname || 'localhost',
    port: u.port ? Number(u.port) : 6379,
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(db && /^\d+$/.test(db) ? { db: Number(db) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
    maxRetriesPerRequest: null,
  };
}

function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.hostname}${u.port ? `:${u.port}` : ''}${u.pathname}`;
}

/** Whether `bin --version` runs: the spawn looks the name up on the PATH for us. */
function runs(bin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = spawn(bin, ['--version'], { stdio: 'ignore' });
    c.once('error', () => resolve(false));
    c.once('exit', (code) => resolve(code === 0));
  });
}

interface EmbeddedServer {
  readonly socket: string;
  readonly dir: string;
  stop(client: Redis): Promise<void>;
}

/** Unix socket paths are limited to about 107 bytes; a deep DATA_DIR gets a socket in /tmp. */
const MAX_SOCKET_PATH = 100;

async function startEmbedded(bin: string, dir: string, options: OpenRedisOptions): Promise<EmbeddedServer> {
  const { logger } = options;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const pidfile = path.join(dir, 'redis.pid');
  let socket = path.join(dir, 'redis.sock');
  let socketDir: string | undefined;
  if (socket.length > MAX_SOCKET_PATH) {
    socketDir = mkdtempSync(path.join(tmpdir(), 'bot-redis-'));
    socket = path.join(socketDir, 'redis.sock');
  }

  let child: ChildProcess | undefined;
  let stopping = false;
  let restarts = 0;
  /** Starts it again after a crash, with backoff; tries again when a start fails. */
  const relaunch = () => {
    const delay = Math.min(5_000, 200 * 2 ** Math.min(restarts++, 5));
    setTimeout(() => {
      if (stopping) return;
      launch().catch((err) => {
        logger.error({ err }, 'embedded redis-server did not restart; trying again');
        relaunch();
      });
    }, delay).unref();
    return delay;
  };
  const launch = async () => {
    rmSync(socket, { force: true });
    const c = spawnRedisServer(bin, { socket, dir, pidfile, appendOnly: true, appendFsync: 'everysec' });
    child = c;
    let stderr = '';
    c.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-2000);
    });
    const exited = new Promise<never>((_, reject) => {
      c.once('error', (err) => reject(err));
      c.once('exit', (code) =>
        reject(new Error(`redis-server exited with code ${code}: ${stderr.trim().slice(-300)}`)),
      );
    });
    exited.catch(() => {});
    await Promise.race([waitForRedis(socket, options.startTimeoutMs ?? 10_000), exited]);
    restarts = 0;
    // Supervise: a server that dies while the bot runs is started again (clients reconnect).
    c.once('exit', (code, signal) => {
      if (stopping) return;
      const restartInMs = relaunch();
      logger.error({ code, signal, restartInMs }, 'embedded redis-server stopped; starting it again');
    });
  };

  // A server left behind by a bot that was killed: adopt it rather than fight over the AOF, and
  // watch it, since it is not our child: when it stops answering and its process is gone, start
  // our own in its place (on the same files), supervised like any other.
  let watch: NodeJS.Timeout | undefined;
  if (!socketDir && existsSync(socket) && (await pings(socket))) {
    logger.info({ socket }, 'adopting the embedded redis-server a previous run left running');
    let checking = false;
    watch = setInterval(() => {
      if (stopping || checking) return;
      checking = true;
      void (async () => {
        if ((await pings(socket)) || processAlive(pidfile)) return;
        clearInterval(watch);
        watch = undefined;
        logger.error({ socket }, 'the adopted embedded redis-server stopped; starting our own');
        await launch().catch((err) => {
          logger.error({ err }, 'embedded redis-server did not start; trying again');
          relaunch();
        });
      })().finally(() => {
        checking = false;
      });
    }, options.superviseIntervalMs ?? 1_000);
    watch.unref();
  } else {
    await launch();
    logger.info({ dir }, 'started the embedded redis-server');
  }

  return {
    socket,
    dir,
    async stop(client) {
      stopping = true;
      if (watch) clearInterval(watch);
      const c = child;
      if (!c) {
        // Still the adopted server: ask it to save and stop.
        await client.shutdown('SAVE').catch(() => {});
      } else if (c.exitCode === null && c.signalCode === null) {
        // SIGTERM: redis-server flushes the append-only file and exits.
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => c.kill('SIGKILL'), 10_000);
          c.once('exit', () => {
            clearTimeout(timer);
            resolve();
          });
          c.kill('SIGTERM');
        });
      }
      if (socketDir) rmSync(socketDir, { recursive: true, force: true });
    },
  };
}

/** Whether the process named in a pidfile is still running. */
function processAlive(pidfile: string): boolean {
  try {
    const pid = Number(readFileSync(pidfile, 'utf8').trim());
    if (!Number.isInteger(pid) || pid <= 0) return false;
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Starts `redis-server` in the foreground on a unix socket only (no TCP port), with RDB snapshots
 * off; the caller waits with {@link waitForRedis}. The embedded server and the tests' servers.
 */
export function spawnRedisServer(
  bin: string,
  options: {
    readonly socket: string;
    readonly dir: string;
    readonly appendOnly: boolean;
    readonly appendFsync: 'always' | 'everysec';
    readonly pidfile?: string;
  },
): ChildProcess {
  return spawn(
    bin,
    [
      '--port',
      '0',
      '--unixsocket',
      options.socket,
      '--unixsocketperm',
      '700',
      '--dir',
      options.dir,
      ...(options.pidfile ? ['--pidfile', options.pidfile] : []),
      '--appendonly',
      options.appendOnly ? 'yes' : 'no',
      '--appendfsync',
      options.appendFsync,
      '--save',
      '',
      '--daemonize',
      'no',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
}

/** Whether something answers PING on the socket. */
function pings(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(socket);
    const done = (ok: boolean) => {
      s.destroy();
      resolve(ok);
    };
    s.setTimeout(1_000, () => done(false));
    s.once('error', () => done(false));
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', (d) => done(d.toString().startsWith('+PONG')));
  });
}

/** Resolves once redis-server answers PING on the unix socket; rejects after `timeoutMs`. */
export async function waitForRedis(socket: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await pings(socket))) {
    if (Date.now() > deadline) throw new Error(`no answer on ${socket} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
