import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/core/adapter.js';
import { singleHolder } from '../../src/ops/single-holder.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
const clients: Redis[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await redis.destroy();
});
const silent = { info() {}, warn() {}, error() {} };

/** A stand-in WhatsApp adapter that records whether its socket is open. */
function fakeSocket() {
  const state = { open: false, sent: [] as string[] };
  const adapter: Adapter = {
    platform: 'whatsapp',
    start: async () => {
      state.open = true;
    },
    stop: async () => {
      state.open = false;
    },
    send: async (chatId) => {
      state.sent.push(chatId);
    },
    status: () => ({ connected: state.open }),
  };
  return { state, adapter };
}

function process_(key: string) {
  const client = new Redis(redis.options);
  clients.push(client);
  const socket = fakeSocket();
  return {
    ...socket,
    locked: singleHolder(socket.adapter, { client, key, logger: silent, ttlMs: 600, pollMs: 50 }),
  };
}

describe('exactly one process opens the WhatsApp socket', () => {
  it('the second process stays on standby and takes over when the first stops', async () => {
    const key = `test:wa-lock:${Math.random().toString(36).slice(2)}`;
    const one = process_(key);
    const two = process_(key);
    await one.locked.start();
    await two.locked.start();
    expect(one.state.open).toBe(true);
    expect(two.state.open).toBe(false);
    expect(two.locked.status().connected).toBe(true); // standby is still ready for other platforms
    await expect(two.locked.send('123@s.whatsapp.net', [])).rejects.toMatchObject({ code: 'TRANSIENT' });
    await one.locked.send('123@s.whatsapp.net', []);
    expect(one.state.sent).toEqual(['123@s.whatsapp.net']);

    await one.locked.stop();
    expect(one.state.open).toBe(false);
    for (let i = 0; i < 100 && !two.state.open; i++) await new Promise((r) => setTimeout(r, 20));
    expect(two.state.open).toBe(true);
    await two.locked.stop();
    expect(two.state.open).toBe(false);
  });
});
