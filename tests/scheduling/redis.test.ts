import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRedis, type RedisHandle, spawnRedisServer, waitForRedis } from '../../src/scheduling/redis.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const logger = { info() {}, warn() {}, error() {} };

describe('openRedis', () => {
  let dataDir: string;
  let redis: TestRedis;
  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'bot-data-'));
    redis = await startTestRedis();
  });
  afterAll(async () => {
    rmSync(dataDir, { recursive: true, force: true });
    await redis.destroy();
  });

  it('is off, with a reason, when no URL is set and redis-server is missing', async () => {
    const handle = await openRedis({ dataDir, logger, redisServer: 'no-such-redis-server-binary' });
    expect(handle.mode).toBe('off');
    expect(handle.mode === 'off' && handle.reason).toMatch(/redis-server is not installed/);
    await handle.close();
  });

  it('starts its own server that keeps data across a restart of the bot', async () => {
    const first = await openRedis({ dataDir, logger });
    expect(first.mode).toBe('embedded');
    if (first.mode === 'off') return;
    await first.client.set('kept', 'yes');
    await first.close();
    // The server is stopped with the bot: the client can no longer reach it.
    const second: RedisHandle = await openRedis({ dataDir, logger });
    if (second.mode === 'off') throw new Error(second.reason);
    expect(await second.client.get('kept')).toBe('yes');
    await second.close();
  });

  it('starts the embedded server again when it dies mid-run', async () => {
    const handle = await openRedis({ dataDir, logger });
    if (handle.mode === 'off') throw new Error(handle.reason);
    await handle.client.set('before-crash', '1');
    const info = await handle.client.info('server');
    const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
    process.kill(pid, 'SIGKILL');
    // Commands wait for the reconnect instead of failing.
    expect(await handle.client.incr('after-crash')).toBe(1);
    await handle.close();
  });

  it('supervises a server it adopted: killed after a bot restart, it is started again', async () => {
    // What a bot killed with SIGKILL leaves behind: its redis-server, still running on the socket.
    const dir = path.join(dataDir, 'redis');
    mkdirSync(dir, { recursive: true });
    const leftover = spawnRedisServer('redis-server', {
      socket: path.join(dir, 'redis.sock'),
      dir,
      pidfile: path.join(dir, 'redis.pid'),
      appendOnly: true,
      appendFsync: 'everysec',
    });
    await waitForRedis(path.join(dir, 'redis.sock'), 10_000);
    const handle = await openRedis({ dataDir, logger, superviseIntervalMs: 200 });
    if (handle.mode === 'off') throw new Error(handle.reason);
    try {
      await handle.client.set('adopted', '1');
      const pid = Number(/process_id:(\d+)/.exec(await handle.client.info('server'))?.[1]);
      expect(pid).toBe(leftover.pid);
      leftover.kill('SIGKILL');
      await new Promise((r) => leftover.once('exit', r));
      // Scheduling carries on: commands wait for the new server, and the data is still there.
      const back = await Promise.race([
        handle.client.get('adopted'),
        new Promise((r) => setTimeout(() => r('no server after 10 s'), 10_000)),
      ]);
      expect(back).toBe('1');
      const newPid = Number(/process_id:(\d+)/.exec(await handle.client.info('server'))?.[1]);
      expect(newPid).not.toBe(pid);
    } finally {
      await handle.close();
      if (leftover.exitCode === null) leftover.kill('SIGKILL');
    }
  }, 30_000);

  it('reads REDIS_URL into connection options without starting a server', async () => {
    const handle = await openRedis({ url: 'redis://127.0.0.1:1/0', dataDir, logger });
    expect(handle.mode).toBe('url');
    if (handle.mode !== 'url') return;
    expect(handle.connection).toMatchObject({
      host: '127.0.0.1',
      port: 1,
      db: 0,
      maxRetriesPerRequest: null,
    });
    expect(handle.where).not.toContain('@');
    await handle.close();
  });
});
