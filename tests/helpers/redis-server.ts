import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';

/** A real redis-server for one test file, on a private unix socket in a fresh directory. */
export interface TestRedis {
  /** ioredis / BullMQ connection options: `new Redis(redis.options)`. */
  readonly options: { path: string };
  readonly socket: string;
  readonly dir: string;
  /** Kills the server (SIGKILL when `crash`), keeping its directory for a restart. */
  stop(crash?: boolean): Promise<void>;
  /** Starts the server again on the same socket and data directory. */
  restart(): Promise<void>;
  /** Stops and deletes the directory. */
  destroy(): Promise<void>;
}

export async function startTestRedis(opts: { appendOnly?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bot-redis-'));
  const socket = path.join(dir, 'redis.sock');
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn(
      'redis-server',
      [
        '--port',
        '0',
        '--unixsocket',
        socket,
        '--unixsocketperm',
        '700',
        '--dir',
        dir,
        '--save',
        '',
        '--appendonly',
        opts.appendOnly ? 'yes' : 'no',
        '--appendfsync',
        'always',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    child.on('error', () => {});
    await waitForSocket(socket);
  };
  await launch();
  const stop = async (crash = false) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill(crash ? 'SIGKILL' : 'SIGTERM');
    });
    rmSync(socket, { force: true });
  };
  return {
    options: { path: socket },
    socket,
    dir,
    stop,
    restart: launch,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A test file's redis-server and a client on it; both are set once `beforeAll` has run. */
export interface FileRedis {
  readonly server: TestRedis;
  readonly redis: Redis;
}

/**
 * Starts a redis-server and a client for the calling test file (before all its tests) and stops
 * both after them. Call it first, so that the file's own `afterAll` runs while Redis is still up.
 */
export function useTestRedis(opts: { appendOnly?: boolean } = {}): FileRedis {
  const file = {} as { server: TestRedis; redis: Redis };
  beforeAll(async () => {
    file.server = await startTestRedis(opts);
    file.redis = new Redis(file.server.options);
  });
  afterAll(async () => {
    file.redis?.disconnect();
    await file.server?.destroy();
  });
  return file;
}

async function waitForSocket(socket: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(socket, () => {
        s.end();
        resolve(true);
      });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not start on ${socket} (is redis-server installed?)`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
