import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LeaseLock, tryLeaseLock } from '../../src/ops/redis-lock.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let a: Redis;
let b: Redis;
beforeAll(async () => {
  redis = await startTestRedis();
  a = new Redis(redis.options);
  b = new Redis(redis.options);
});
afterAll(async () => {
  a.disconnect();
  b.disconnect();
  await redis.destroy();
});
const fresh = () => `test:lock:whatsapp:${Math.random().toString(36).slice(2)}`;

describe('one WhatsApp socket per number across bot processes (Redis lease lock)', () => {
  it('a second process cannot take a held lock, and can once it is released', async () => {
    const key = fresh();
    const first = await tryLeaseLock(a, key);
    expect(first?.held).toBe(true);
    expect(await tryLeaseLock(b, key)).toBeUndefined();
    await first!.release();
    const second = await tryLeaseLock(b, key);
    expect(second?.held).toBe(true);
    await second!.release();
  });

  it('the holder keeps it by renewing, past its time-to-live', async () => {
    const key = fresh();
    const lock = await tryLeaseLock(a, key, { ttlMs: 500 });
    await new Promise((r) => setTimeout(r, 1_500));
    expect(lock!.held).toBe(true);
    expect(await tryLeaseLock(b, key, { ttlMs: 500 })).toBeUndefined();
    await lock!.release();
  });

  it('a standby process takes over after the holder dies without releasing', async () => {
    const key = fresh();
    const dying = new Redis(redis.options);
    await tryLeaseLock(dying, key, { ttlMs: 400 });
    dying.disconnect(); // the process is gone: no more renewals
    let standby: LeaseLock | undefined;
    for (let i = 0; i < 50 && !standby; i++) {
      standby = await tryLeaseLock(b, key, { ttlMs: 400 });
      if (!standby) await new Promise((r) => setTimeout(r, 100));
    }
    expect(standby?.held).toBe(true);
    await standby!.release();
  });

  it('tells the holder when the lock was lost, so it closes its socket', async () => {
    const key = fresh();
    const lost: string[] = [];
    const lock = await tryLeaseLock(a, key, { ttlMs: 300, onLost: (k) => lost.push(k) });
    await b.set(key, 'someone-else'); // e.g. expired during a Redis outage and was taken over
    for (let i = 0; i < 40 && lost.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(lost).toEqual([key]);
    expect(lock!.held).toBe(false);
    await lock!.release();
    expect(await b.get(key)).toBe('someone-else'); // release never deletes another's lock
  });
});
