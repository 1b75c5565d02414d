import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { spawnRedisServer, waitForRedis } from '../../src/scheduling/redis.js';

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
  /** Freezes the server (SIGSTOP): connections stay open, commands hang, as on a stalled host. */
  pause(): void;
  /** Thaws a paused server (SIGCONT). */
  resume(): void;
  /** Stops and deletes the directory. */
  destroy(): Promise<void>;
}

export async function startTestRedis(opts: { appendOnly?: boolean } = {}): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), 'bot-redis-'));
  const socket = path.join(dir, 'redis.sock');
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawnRedisServer('redis-server', {
      socket,
      dir,
      appendOnly: opts.appendOnly ?? false,
      appendFsync: 'always',
    });
    child.on('error', () => {});
    await waitForRedis(socket, 10_000);
  };
  await launch();
  const stop = async (crash = false) => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    c.kill('SIGCONT');
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
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
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
