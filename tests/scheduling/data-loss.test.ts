/**
 * Redis coming back empty (no persistence, or a failover to an empty replica) is noticed, the
 * tip scheduler is installed again, moderators are told once, and readiness fails meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { plainText } from '../../src/core/text.js';
import type { Reply } from '../../src/core/types.js';
import { checkPersistence } from '../../src/scheduling/data-loss.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import { type Scheduling, TIPS_SCHEDULER } from '../../src/scheduling/service.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { fakePlatforms, freshPrefix, handleFor, makeScheduling, quietLogger, until } from './helpers.js';

let redis: TestRedis;
let handle: RedisOn;
const open: Scheduling[] = [];
beforeAll(async () => {
  redis = await startTestRedis({ appendOnly: false });
  handle = handleFor(redis);
});
afterAll(async () => {
  await Promise.allSettled(open.map((s) => s.close()));
  await handle.close();
  await redis.destroy();
});

describe('Redis that comes back empty', () => {
  it('is noticed on reconnect: readiness fails until the tips are set up again, and moderators hear it once', async () => {
    const prefix = freshPrefix();
    const notices: Reply[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    // Two replicas on one Redis: both set themselves up again, one tells the moderators.
    const replicas = await Promise.all(
      [0, 1].map(() =>
        makeScheduling(handleFor(redis), fakePlatforms().deliver, {
          prefix,
          workers: false,
          tipsCron: '0 0 9 * * *',
          onDataLoss: async (notice) => {
            notices.push(notice);
            await gate;
          },
        }),
      ),
    );
    open.push(...replicas);
    for (const s of replicas) await s.start();
    const [s] = replicas as [Scheduling, Scheduling];
    await s.subscriptions.add({ platform: 'telegram', chatId: '1', chatType: 'private' });
    expect(await s.posts.getJobScheduler(TIPS_SCHEDULER)).toBeDefined();
    expect(s.health().ok).toBe(true);

    await redis.stop();
    await redis.restart(); // no AOF: everything is gone
    await until(() => notices.length > 0, 15_000, 'the moderators told');
    const notReady = replicas.find((r) => !r.health().ok);
    expect(notReady?.health().detail).toMatch(/came back empty/);

    release();
    await until(() => replicas.every((r) => r.health().ok), 15_000, 'ready again');
    expect(await s.posts.getJobScheduler(TIPS_SCHEDULER)).toBeDefined();
    expect(notices).toHaveLength(1);
    const words = plainText(notices[0]!);
    expect(words).toMatch(/came back empty/);
    expect(words).toMatch(/\/subscribe again/);
    expect(words).toMatch(/daily tip is set up again/);
  }, 60_000);

  it('checks persistence at start and says loudly when Redis keeps nothing on disk', async () => {
    const logged: string[] = [];
    const logger = { ...quietLogger, error: (_: object, m?: string) => logged.push(m ?? '') };
    await handle.client.config('SET', 'appendonly', 'no');
    await handle.client.config('SET', 'save', '');
    expect(await checkPersistence(handle.client, logger)).toBe('none');
    expect(logged.join('\n')).toMatch(/KEEPS NOTHING ON DISK/);
    await handle.client.config('SET', 'appendonly', 'yes');
    expect(await checkPersistence(handle.client, logger)).toBe('aof');
    await handle.client.config('SET', 'appendonly', 'no');
  });
});
