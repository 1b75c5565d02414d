import { describe, expect, it, vi } from 'vitest';
import { createRedisAuthStore } from '../../src/adapters/whatsapp/index.js';
import { decideOnClose } from '../../src/adapters/whatsapp/reconnect.js';
import { simple } from '../../src/core/replies.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { BOT_ME } from './fakes.js';
import { captureLogger, setup, stopAdaptersAfterEach } from './harness.js';

const db = useTestRedis();
stopAdaptersAfterEach();

const tip = [simple('tip', 'Tip: pace yourself today.')];
const MEMBER = '15551230001@s.whatsapp.net';

describe('A1: start() after stop() is a fresh start', () => {
  it('sends again after the socket lock was lost and regained (stop, then start)', async () => {
    const { adapter, factory } = await setup({}, {}, { redis: db.redis });
    await adapter.send(MEMBER, tip);
    await adapter.stop();
    await adapter.start();
    expect(factory.sockets).toHaveLength(2);
    factory.current.open();
    expect(adapter.status()).toEqual({ connected: true, detail: 'connected' });
    await adapter.send(MEMBER, tip);
    expect(factory.current.sent).toHaveLength(1);
  });

  it('connects and sends again after a 440 close halted it, once started afresh', async () => {
    const { adapter, factory, clock } = await setup({}, {}, { redis: db.redis });
    factory.current.close(440);
    await clock.advance(60 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(adapter.status().detail).toMatch(/^replaced/);
    await adapter.stop();
    await adapter.start();
    expect(factory.sockets).toHaveLength(2);
    factory.current.open();
    await adapter.send(MEMBER, tip);
    expect(factory.current.sent.map((s) => s.text)).toEqual(['Tip: pace yourself today.']);
  });

  it('a close during the stop does not leave a reconnect behind', async () => {
    const { adapter, factory, clock } = await setup({}, {}, { redis: db.redis });
    await adapter.stop();
    expect(factory.current.ended).toBe(true);
    await clock.advance(60 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(clock.pending).toBe(0);
  });
});

describe('A2: linking', () => {
  it('a pairing code not entered in time: the next attempt starts clean instead of logging in unlinked', async () => {
    const onPairingCode = (_: string) => {};
    const { adapter, factory, clock, prefix } = await setup(
      { pairingNumber: '15550009999', onPairingCode },
      {},
      { redis: db.redis, open: false },
    );
    factory.current.emit('connection.update', { qr: '2@ref1' });
    await clock.advance(0);
    expect(factory.current.authState.creds.me?.id).toBe('15550009999@s.whatsapp.net');
    // The QR refs run out: Baileys closes with 408.
    factory.current.close(408);
    await clock.advance(2_000);
    expect(factory.sockets).toHaveLength(2);
    const creds = factory.current.authState.creds;
    expect(creds.me).toBeUndefined();
    expect(creds.pairingCode).toBeUndefined();
    await adapter.whenIdle();
    const stored = await createRedisAuthStore(db.redis, prefix);
    expect(stored.state.creds.me).toBeUndefined();
    // And the new socket asks for a pairing code again.
    factory.current.emit('connection.update', { qr: '2@ref2' });
    await clock.advance(0);
    expect(factory.current.pairingRequests).toEqual(['15550009999']);
  });

  it('a QR-linked session (registered stays false) counts as linked after restart', async () => {
    const first = captureLogger();
    const a = await setup({ logger: first.logger }, {}, { redis: db.redis, open: false });
    expect(first.text()).toContain('not linked yet');
    a.factory.current.pairSuccess();
    await a.clock.advance(0);
    expect(a.factory.sockets).toHaveLength(2);
    // The link survives the 515 restart: me is kept.
    expect(a.factory.current.authState.creds.me?.id).toBe(BOT_ME.id);
    a.factory.current.open();
    await a.adapter.whenIdle();
    await a.adapter.stop();
    const stored = await createRedisAuthStore(db.redis, a.prefix);
    expect(stored.state.creds.registered).toBe(false);

    const second = captureLogger();
    await setup({ logger: second.logger }, {}, { redis: db.redis, prefix: a.prefix, open: false });
    expect(second.text()).not.toContain('not linked yet');
  });
});

describe('A3: bans and outdated clients are not retried for ever', () => {
  it.each([
    [402, /^temporarily banned: .* until 2026-01-02T10:00:05.000Z/],
    [406, /^banned/],
    [405, /update @whiskeysockets\/baileys/],
    [409, /update @whiskeysockets\/baileys/],
  ])('stops on %s and says why', async (code, detail) => {
    const { adapter, factory, clock, hooks } = await setup({}, {}, { redis: db.redis });
    factory.current.close(code, { reason: String(code), expire: String(24 * 60 * 60) });
    await clock.advance(60 * 60_000);
    expect(factory.sockets).toHaveLength(1);
    expect(adapter.status().detail).toMatch(detail);
    expect(hooks.onReconnect).not.toHaveBeenCalled();
  });

  it('logs the ban with its end time', () => {
    expect(decideOnClose(402, { expire: '1767400000' })).toMatchObject({
      action: 'stop',
      detail: expect.stringContaining(new Date(1767400000 * 1000).toISOString()),
    });
  });

  it('announces the version the resolver gives, or Baileys bundled one when it gives none', async () => {
    const latest = await setup(
      { resolveVersion: async () => [2, 3000, 1029999999] as [number, number, number] },
      {},
      { redis: db.redis },
    );
    expect(latest.factory.current.config.version).toEqual([2, 3000, 1029999999]);
    const offline = await setup({ resolveVersion: async () => undefined }, {}, { redis: db.redis });
    expect(offline.factory.current.config.version).toBeUndefined();
  });
});

describe('D14: the connection-change notification fires once', () => {
  it('a 403 close reports "down" once', async () => {
    const { factory, hooks, clock } = await setup({}, {}, { redis: db.redis });
    factory.current.close(403);
    await clock.advance(1_000);
    expect(hooks.onConnectionChange.mock.calls).toEqual([
      ['whatsapp', true],
      ['whatsapp', false],
    ]);
  });
});

describe('A1 with the real socket lock', () => {
  it('losing the Redis lease and taking it back leaves a working adapter', async () => {
    const { singleHolder } = await import('../../src/ops/single-holder.js');
    const { adapter, factory } = await setup({}, {}, { redis: db.redis, open: false });
    await adapter.stop();
    const key = `lock-test-${Date.now()}`;
    const quiet = { info() {}, warn() {}, error() {} } as never;
    const held = singleHolder(adapter, { client: db.redis, key, logger: quiet, ttlMs: 400, pollMs: 100 });
    await held.start();
    const before = factory.sockets.length;
    factory.current.open();
    // An outage longer than the lease: the key is gone when the holder renews.
    await db.redis.del(key);
    await vi.waitFor(() => expect(factory.sockets.length).toBe(before + 1), { timeout: 5_000 });
    factory.current.open();
    await held.send(MEMBER, tip);
    expect(factory.current.sent.map((s) => s.text)).toEqual(['Tip: pace yourself today.']);
    await held.stop();
  });
});
