import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { makeCacheableSignalKeyStore, proto, type SignalDataSet } from '@whiskeysockets/baileys';
import { Redis } from 'ioredis';
import { beforeAll, describe, expect, it } from 'vitest';
import { clearRedisAuth, createRedisAuthStore } from '../../src/adapters/whatsapp/auth-state.js';
import { createWhatsAppAdapter } from '../../src/adapters/whatsapp/index.js';
import { createContentStore } from '../../src/content/store.js';
import { createRouter } from '../../src/core/router.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { FakeClock, fakeSocketFactory } from './fakes.js';

const db = useTestRedis({ appendOnly: true });
beforeAll(() => {
  db.redis.on('error', () => {}); // the restart test takes the server away for a moment
});

const prefix = () => `wa-test-${randomUUID()}:`;

/** One value of every key type Baileys 7 writes, shaped as Baileys writes them. */
const everyKeyType = (): SignalDataSet => ({
  'pre-key': { '17': { public: Buffer.from('pre-public-17'), private: Buffer.from('pre-private-17') } },
  session: { '111111111111111.0': Buffer.from([1, 2, 3, 250, 251]) },
  'sender-key': { '120363041234567890@g.us::111111111111111::0': Buffer.from('sender-key') },
  'sender-key-memory': { '120363041234567890@g.us': { '111111111111111:0@lid': true } },
  'app-state-sync-key': {
    AAAAAIvq: proto.Message.AppStateSyncKeyData.fromObject({
      keyData: Buffer.from('app-state-key-data'),
      fingerprint: { rawId: 7, currentIndex: 1, deviceIndexes: [0, 1] },
      timestamp: 1767261600,
    }),
  },
  'app-state-sync-version': {
    regular: {
      version: 12,
      hash: Buffer.alloc(128, 7),
      indexValueMap: { abc: { valueMac: Buffer.from('mac') } },
    },
  },
  'lid-mapping': { '15551230001': '111111111111111', '111111111111111_reverse': '15551230001' },
  'device-list': { '15551230001': ['0', '12'] },
  tctoken: {
    '111111111111111@lid': { token: Buffer.from('trusted-contact-token'), timestamp: '1767261600' },
  },
  'identity-key': { '111111111111111.0': Buffer.from('identity-key-bytes') },
});

describe('WhatsApp session in Redis', () => {
  it('round-trips credentials and every key type through a restart of the store', async () => {
    const p = prefix();
    const first = await createRedisAuthStore(db.redis, p);
    expect(first.state.creds.registered).toBe(false);
    Object.assign(first.state.creds, {
      registered: true,
      me: { id: '15550009999:7@s.whatsapp.net', lid: '200000000009999:7@lid', name: 'Fibro B12 Helper' },
      routingInfo: Buffer.from('routing-info'),
    });
    await first.saveCreds();
    const data = everyKeyType();
    await first.state.keys.set(data);

    // A new store on the same Redis: what a restarted or moved container sees.
    const second = await createRedisAuthStore(db.redis, p);
    expect(second.state.creds.registered).toBe(true);
    expect(second.state.creds.me?.lid).toBe('200000000009999:7@lid');
    expect(Buffer.isBuffer(second.state.creds.noiseKey.private)).toBe(true);
    expect(Buffer.from(second.state.creds.noiseKey.private)).toEqual(
      Buffer.from(first.state.creds.noiseKey.private),
    );
    expect(second.state.creds.routingInfo).toEqual(Buffer.from('routing-info'));

    for (const [type, entries] of Object.entries(data)) {
      const ids = Object.keys(entries ?? {});
      const got = await second.state.keys.get(type as keyof typeof data, ids);
      for (const id of ids) {
        const want = (entries as Record<string, unknown>)[id];
        const value = got[id];
        if (type === 'app-state-sync-key') {
          expect(value).toBeInstanceOf(proto.Message.AppStateSyncKeyData);
          expect(Buffer.from((value as proto.Message.IAppStateSyncKeyData).keyData!)).toEqual(
            Buffer.from('app-state-key-data'),
          );
        } else {
          expect(value, `${type} ${id}`).toEqual(want);
        }
      }
    }
    const tc = await second.state.keys.get('tctoken', ['111111111111111@lid']);
    expect(Buffer.isBuffer(tc['111111111111111@lid']?.token)).toBe(true);
  });

  it('deletes keys set to null, and answers only the ids it has', async () => {
    const store = await createRedisAuthStore(db.redis, prefix());
    await store.state.keys.set(everyKeyType());
    await store.state.keys.set({ 'pre-key': { '17': null }, 'lid-mapping': { '15551230001': null } });
    expect(await store.state.keys.get('pre-key', ['17', '18'])).toEqual({});
    expect(await store.state.keys.get('lid-mapping', ['15551230001', '111111111111111_reverse'])).toEqual({
      '111111111111111_reverse': '15551230001',
    });
  });

  it('works behind makeCacheableSignalKeyStore, as the adapter uses it', async () => {
    const p = prefix();
    const store = await createRedisAuthStore(db.redis, p);
    const cached = makeCacheableSignalKeyStore(store.state.keys);
    await cached.set({ 'device-list': { '15551230002': ['0', '3'] } });
    const fresh = await createRedisAuthStore(db.redis, p);
    expect(await fresh.state.keys.get('device-list', ['15551230002'])).toEqual({ '15551230002': ['0', '3'] });
  });

  it('logout clears the session and nothing else', async () => {
    const p = prefix();
    const other = prefix();
    for (const q of [p, other]) {
      const s = await createRedisAuthStore(db.redis, q);
      s.state.creds.registered = true;
      await s.saveCreds();
      await s.state.keys.set(everyKeyType());
    }
    expect(await clearRedisAuth(db.redis, p)).toBeGreaterThan(5);
    const cleared = await createRedisAuthStore(db.redis, p);
    expect(cleared.state.creds.registered).toBe(false);
    expect(await cleared.state.keys.get('session', ['111111111111111.0'])).toEqual({});
    expect(await db.redis.keys(`${p}*`)).toEqual([]);

    const kept = await createRedisAuthStore(db.redis, other);
    expect(kept.state.creds.registered).toBe(true);
    expect(await kept.state.keys.get('session', ['111111111111111.0'])).toEqual({
      '111111111111111.0': Buffer.from([1, 2, 3, 250, 251]),
    });
  });

  it('survives a Redis restart (append-only file), so the login is kept', async () => {
    const p = prefix();
    const s = await createRedisAuthStore(db.redis, p);
    s.state.creds.registered = true;
    await s.saveCreds();
    await db.server.stop();
    await db.server.restart();
    const again = new Redis(db.server.options);
    try {
      expect((await createRedisAuthStore(again, p)).state.creds.registered).toBe(true);
    } finally {
      again.disconnect();
    }
  });

  it('the adapter saves credentials on creds.update', async () => {
    const p = prefix();
    const factory = fakeSocketFactory();
    const adapter = createWhatsAppAdapter({
      router: createRouter({ content: await createContentStore(path.resolve('content')) }),
      redis: db.redis,
      keyPrefix: p,
      makeSocket: factory.make,
      clock: new FakeClock(),
    });
    await adapter.start();
    const creds = factory.current.config.auth!.creds;
    expect(creds.registered).toBe(false);
    // What Baileys does after a successful pairing.
    Object.assign(creds, { registered: true, me: { id: '15550009999:7@s.whatsapp.net', name: 'bot' } });
    factory.current.emit('creds.update', { registered: true });
    await adapter.whenIdle();
    await adapter.stop();
    const stored = await createRedisAuthStore(db.redis, p);
    expect(stored.state.creds.registered).toBe(true);
    expect(stored.state.creds.me?.id).toBe('15550009999:7@s.whatsapp.net');
  });

  it('C10: a key write Redis refused is an error, not a silent success', async () => {
    const p = prefix();
    const s = await createRedisAuthStore(db.redis, p);
    // Something else took the key: HSET fails inside the transaction (EXEC itself succeeds).
    await db.redis.set(`${p}keys:session`, 'not a hash');
    await expect(s.state.keys.set({ session: { '1.0': Buffer.from([1]) } })).rejects.toThrow(/write failed/);
  });

  it('C10: an unreachable Redis fails key reads within the bound instead of stalling decryption', async () => {
    const p = prefix();
    // A client that waits through outages for ever, like the shared one BullMQ needs.
    const patient = new Redis({ ...db.server.options, maxRetriesPerRequest: null });
    patient.on('error', () => {});
    try {
      const s = await createRedisAuthStore(patient, p, { timeoutMs: 300 });
      await db.server.stop();
      const started = Date.now();
      await expect(s.state.keys.get('session', ['1.0'])).rejects.toThrow(/did not answer/);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await db.server.restart();
      patient.disconnect();
    }
  });
});
