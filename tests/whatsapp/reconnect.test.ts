import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  createWhatsAppAdapter,
  type WhatsAppAdapter,
  type WhatsAppAdapterOptions,
} from '../../src/adapters/whatsapp/index.js';
import { backoffDelay, decideOnClose } from '../../src/adapters/whatsapp/reconnect.js';
import { createContentStore } from '../../src/content/store.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { FakeClock, fakeSocketFactory } from './fakes.js';

const db = useTestRedis();

let router: Router;
const adapters: WhatsAppAdapter[] = [];

beforeAll(async () => {
  router = createRouter({ content: await createContentStore(path.resolve('content')) });
});
afterEach(async () => {
  await Promise.all(adapters.splice(0).map((a) => a.stop()));
});

async function setup(options: Partial<WhatsAppAdapterOptions> = {}) {
  const clock = new FakeClock();
  const factory = fakeSocketFactory();
  const hooks = { onReconnect: vi.fn(), onConnectionChange: vi.fn(), onRateLimited: vi.fn() };
  const adapter = createWhatsAppAdapter({
    router,
    redis: db.redis,
    keyPrefix: `wa-test-${randomUUID()}:`,
    makeSocket: factory.make,
    clock,
    random: () => 0.5, // jitter factor 1: delays are exactly base * 2^(n-1)
    hooks,
    onQr: () => {},
    ...options,
  });
  adapters.push(adapter);
  await adapter.start();
  return { adapter, clock, factory, hooks };
}

describe('decideOnClose', () => {
  it.each([
    [408, 'retry'],
    [428, 'retry'],
    [500, 'retry'],
    [503, 'retry'],
    [undefined, 'retry'],
    [515, 'restart'],
    [401, 'stop'],
    [403, 'stop'],
    [440, 'stop'],
    [411, 'stop'],
  ] as const)('status %s -> %s', (code, action) => {
    expect(decideOnClose(code).action).toBe(action);
  });

  it('tells the operator what to do when it stops', () => {
    expect(decideOnClose(401)).toMatchObject({ detail: expect.stringMatching(/^logged out: pair again/) });
    expect(decideOnClose(403)).toMatchObject({ detail: expect.stringContaining('banned') });
    expect(decideOnClose(440)).toMatchObject({ detail: expect.stringContaining('another session') });
  });
});

describe('backoffDelay', () => {
  it('doubles from the base, is capped, and jitters around the nominal delay', () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, { random: mid }))).toEqual([2_000, 4_000, 8_000, 16_000]);
    expect(backoffDelay(30, { random: mid, maxMs: 60_000 })).toBe(60_000);
    expect(backoffDelay(3, { random: () => 0 })).toBe(6_400);
    expect(backoffDelay(3, { random: () => 1 })).toBe(9_600);
  });
});

describe('WhatsApp connection lifecycle', () => {
  it('reconnects with growing delays on 408 and says so in status()', async () => {
    const { adapter, clock, factory, hooks } = await setup();
    expect(factory.sockets).toHaveLength(1);
    factory.current.close(408);
    expect(adapter.status()).toEqual({ connected: false, detail: 'reconnecting in 2s (attempt 1)' });
    expect(hooks.onReconnect).toHaveBeenCalledWith('whatsapp', 'connection lost or timed out');
    await clock.advance(1_999);
    expect(factory.sockets).toHaveLength(1);
    await clock.advance(1);
    expect(factory.sockets).toHaveLength(2);
    factory.current.close(408);
    await clock.advance(4_000);
    factory.current.close(408);
    expect(adapter.status().detail).toBe('reconnecting in 8s (attempt 3)');
  });

  it('resets the backoff once connected, and reports connection changes', async () => {
    const { adapter, clock, factory, hooks } = await setup();
    factory.current.close(408);
    await clock.advance(2_000);
    factory.current.open();
    expect(adapter.status()).toEqual({ connected: true, detail: 'connected' });
    expect(hooks.onConnectionChange).toHaveBeenLastCalledWith('whatsapp', true);
    factory.current.close(428);
    expect(hooks.onConnectionChange).toHaveBeenLastCalledWith('whatsapp', false);
    expect(adapter.status().detail).toBe('reconnecting in 2s (attempt 1)');
  });

  it('reconnects at once on 515 restart required (normal after the QR scan)', async () => {
    const { clock, factory, hooks } = await setup();
    factory.current.close(515);
    await clock.advance(0);
    expect(factory.sockets).toHaveLength(2);
    expect(hooks.onReconnect).toHaveBeenCalledWith('whatsapp', 'restart required');
  });

  it.each([
    [401, /^logged out: pair again/],
    [403, /^forbidden/],
    [440, /^replaced/],
    [411, /^multi-device mismatch/],
  ])('stops on %s and tells the operator', async (code, detail) => {
    const { adapter, clock, factory, hooks } = await setup();
    factory.current.open();
    factory.current.close(code);
    await clock.advance(60 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(clock.pending).toBe(0);
    expect(adapter.status().connected).toBe(false);
    expect(adapter.status().detail).toMatch(detail);
    expect(hooks.onConnectionChange).toHaveBeenLastCalledWith('whatsapp', false);
    expect(hooks.onReconnect).not.toHaveBeenCalled();
  });

  it('never has two sockets at once under a burst of close events', async () => {
    const { clock, factory } = await setup();
    const first = factory.current;
    for (let i = 0; i < 5; i++) first.close(i % 2 === 0 ? 408 : 515);
    await clock.advance(60_000);
    expect(factory.sockets).toHaveLength(2);
    // The old socket no longer drives the adapter: its late closes change nothing.
    expect(first.listenerCount()).toBe(0);
    first.close(408);
    await clock.advance(60_000);
    expect(factory.sockets).toHaveLength(2);
    expect(factory.current.listenerCount()).toBeGreaterThan(0);
  });

  it('stop() ends the socket and cancels a pending reconnect', async () => {
    const { adapter, clock, factory } = await setup();
    factory.current.close(408);
    expect(clock.pending).toBe(1);
    await adapter.stop();
    expect(clock.pending).toBe(0);
    await clock.advance(60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(adapter.status()).toEqual({ connected: false, detail: 'stopped' });

    const other = await setup();
    other.factory.current.open();
    await other.adapter.stop();
    expect(other.factory.current.ended).toBe(true);
    expect(other.factory.current.listenerCount()).toBe(0);
  });

  it('shows the QR code when not linked', async () => {
    const onQr = vi.fn();
    const { adapter, factory } = await setup({ onQr });
    factory.current.authState.creds.registered = false;
    factory.current.emit('connection.update', { qr: '2@abc,def,ghi' });
    expect(onQr).toHaveBeenCalledWith('2@abc,def,ghi');
    expect(adapter.status().detail).toBe('waiting for QR scan');
  });

  it('asks for a pairing code once per socket instead, when a number is configured', async () => {
    const onQr = vi.fn();
    const onPairingCode = vi.fn();
    const { adapter, factory } = await setup({ onQr, onPairingCode, pairingNumber: '15550009999' });
    factory.current.authState.creds.registered = false;
    factory.current.emit('connection.update', { qr: '2@first' });
    factory.current.emit('connection.update', { qr: '2@second' });
    await vi.waitFor(() => expect(onPairingCode).toHaveBeenCalledWith('ABCD-1234'));
    expect(factory.current.pairingRequests).toEqual(['15550009999']);
    expect(onQr).not.toHaveBeenCalled();
    expect(adapter.status().detail).toBe(
      "waiting for the pairing code (printed in the bot's terminal) to be entered on the phone",
    );
    expect(adapter.status().detail).not.toContain('ABCD');
  });
});
