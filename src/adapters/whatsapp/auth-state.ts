import {
  type AuthenticationCreds,
  type AuthenticationState,
  BufferJSON,
  initAuthCreds,
  proto,
  type SignalDataSet,
  type SignalDataTypeMap,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { bounded } from './bounded.js';

/**
 * The WhatsApp session (credentials and Signal keys) in Redis instead of loose files, so a
 * restarted or moved container keeps its login. Every key type Baileys writes is stored, whatever
 * its name (v7 adds `lid-mapping`, `device-list`, `tctoken`): one hash per type, one field per id,
 * values serialised with Baileys' `BufferJSON` so Buffers survive.
 *
 * Layout under `prefix` (default `wa:`): `<prefix>creds` (string), `<prefix>keys:<type>` (hash).
 */
export interface RedisAuthStore {
  /** The state to hand to `makeWASocket({ auth })` (wrap `keys` with `makeCacheableSignalKeyStore`). */
  readonly state: AuthenticationState;
  /** Persists `state.creds`; call on every `creds.update`. */
  saveCreds(): Promise<void>;
  /** Deletes the whole session: the next start shows a new QR code. */
  clear(): Promise<void>;
}

const encode = (value: unknown) => JSON.stringify(value, BufferJSON.replacer);
const decode = (raw: string) => JSON.parse(raw, BufferJSON.reviver) as unknown;

export interface RedisAuthStoreOptions {
  /** Every Redis wait is bounded by this (default 10 s): an outage fails decryption, it does not stall it. */
  readonly timeoutMs?: number;
}

/** Loads (or starts) the session stored under `prefix`. */
export async function createRedisAuthStore(
  redis: Redis,
  prefix = 'wa:',
  options: RedisAuthStoreOptions = {},
): Promise<RedisAuthStore> {
  const credsKey = `${prefix}creds`;
  const typeKey = (type: string) => `${prefix}keys:${type}`;
  const ms = options.timeoutMs ?? 10_000;
  const stored = await bounded(redis.get(credsKey), ms, 'reading the WhatsApp credentials');
  const creds: AuthenticationCreds = stored ? (decode(stored) as AuthenticationCreds) : initAuthCreds();

  const state: AuthenticationState = {
    creds,
    keys: {
      async get<T extends keyof SignalDataTypeMap>(type: T, ids: string[]) {
        const out: { [id: string]: SignalDataTypeMap[T] } = {};
        if (ids.length === 0) return out;
        const values = await bounded(redis.hmget(typeKey(type), ...ids), ms, `reading ${type} keys`);
        ids.forEach((id, i) => {
          const raw = values[i];
          if (raw === null || raw === undefined) return;
          let value = decode(raw);
          if (type === 'app-state-sync-key' && value) {
            value = proto.Message.AppStateSyncKeyData.fromObject(value as Record<string, unknown>);
          }
          out[id] = value as SignalDataTypeMap[T];
        });
        return out;
      },
      async set(data: SignalDataSet) {
        const tx = redis.multi();
        let writes = 0;
        for (const [type, entries] of Object.entries(data)) {
          for (const [id, value] of Object.entries(entries ?? {})) {
            if (value === null || value === undefined) tx.hdel(typeKey(type), id);
            else tx.hset(typeKey(type), id, encode(value));
            writes++;
          }
        }
        if (writes === 0) {
          tx.discard();
          return;
        }
        // A failed write must not pass for a saved key: Signal state that was not saved breaks decryption later.
        const results = await bounded(tx.exec(), ms, 'writing Signal keys');
        if (!results) throw new Error('WhatsApp key store: the Redis transaction was discarded');
        const failed = results.find(([err]) => err);
        if (failed)
          throw new Error(`WhatsApp key store: a write failed: ${failed[0]!.message}`, { cause: failed[0] });
      },
      async clear() {
        await deleteKeys(redis, prefix);
      },
    },
  };

  return {
    state,
    async saveCreds() {
      await bounded(redis.set(credsKey, encode(state.creds)), ms, 'saving the WhatsApp credentials');
    },
    async clear() {
      await redis.del(credsKey);
      await deleteKeys(redis, prefix);
    },
  };
}

/** Deletes the session stored under `prefix` without loading it (`npm run whatsapp:logout`). */
export async function clearRedisAuth(redis: Redis, prefix = 'wa:'): Promise<number> {
  const removed = await redis.del(`${prefix}creds`);
  return removed + (await deleteKeys(redis, prefix));
}

async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let removed = 0;
  const pattern = `${prefix.replace(/[*?[\]\\]/g, '\\$&')}keys:*`;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 200);
    cursor = next;
    if (keys.length > 0) removed += await redis.del(...keys);
  } while (cursor !== '0');
  return removed;
}
