import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { simple } from '../../src/core/replies.js';
import { fanOut } from '../../src/scheduling/delivery.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { freshPrefix, handleFor, makeScheduling, until } from './helpers.js';

let redis: TestRedis;
let handle: RedisOn;
const children: ChildProcess[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
  handle = handleFor(redis);
});
afterAll(async () => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  await handle.close();
  await redis.destroy();
});

function startWorker(prefix: string): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', 'tests/scheduling/worker-child.ts', redis.socket, prefix],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdout!.once('data', () => resolve(child));
  });
}

it('a worker killed with SIGKILL mid-broadcast: after a restart every chat has the post, repeats only for sends in flight', async () => {
  const prefix = freshPrefix();
  const chats = 1_000;
  const s = await makeScheduling(handle, async () => {}, { prefix, workers: false });
  const client = handle.client;
  const sends = `${prefix}:fake:sends`;
  for (let i = 0; i < chats; i += 100) {
    const batch = Array.from({ length: 100 }, (_, j) => [`telegram:${i + j}`, 'private']).flat();
    await client.hset(`${prefix}:subs`, ...batch);
  }
  await fanOut({
    client,
    prefix,
    deliveries: s.deliveries,
    subscriptions: s.subscriptions,
    postId: 'crash-1',
    replies: [simple('broadcast', 'Hello everyone')],
    defaults: { attempts: 5, backoffMs: 100 },
  });

  const first = await startWorker(prefix);
  await until(async () => (await client.hlen(sends)) >= 250, 60_000, '250 chats served');
  first.kill('SIGKILL');
  await new Promise((r) => first.once('exit', r));
  const servedAtKill = await client.hlen(sends);
  // Jobs the dead worker held: at most its concurrency; only these can be sent twice.
  const inFlight = await s.deliveries.getActiveCount();
  expect(servedAtKill).toBeLessThan(chats);
  expect(inFlight).toBeLessThanOrEqual(20);

  await startWorker(prefix);
  await until(async () => (await client.hlen(sends)) === chats, 60_000, 'every chat served');
  await until(
    async () => (await client.scard(`${prefix}:pending:telegram`)) === 0,
    30_000,
    'nothing pending',
  );
  const counts = Object.values(await client.hgetall(sends)).map(Number);
  const repeated = counts.filter((c) => c > 1);
  console.log(
    `crash test: ${servedAtKill} served at the kill, ${inFlight} in flight, ${repeated.length} sent twice`,
  );
  expect(counts).toHaveLength(chats);
  expect(repeated.length).toBeLessThanOrEqual(inFlight);
  expect(counts.every((c) => c <= 2)).toBe(true);
  expect(await s.deliveries.getFailedCount()).toBe(0);
  await s.close();
}, 120_000);
