import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fanOut } from '../../src/scheduling/delivery.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import type { Scheduling } from '../../src/scheduling/service.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { fakePlatforms, freshPrefix, handleFor, makeScheduling, until } from './helpers.js';

/** Posts and a run that does not have every platform: Telegram-only after a console session. */
let redis: TestRedis;
let handle: RedisOn;
const open: Scheduling[] = [];
beforeAll(async () => {
  redis = await startTestRedis();
  handle = handleFor(redis);
});
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await handle.close();
  await redis.destroy();
});

describe('deliveries to a platform this run does not have', () => {
  it('a Telegram-only run skips and counts the console chat: no failed job, no attempt', async () => {
    const platforms = fakePlatforms();
    const s = await makeScheduling(handle, platforms.deliver, {
      platforms: new Set(['telegram'] as const),
      attempts: 2,
    });
    open.push(s);
    await s.subscriptions.add({ platform: 'telegram', chatId: '1', chatType: 'private' });
    // Subscribed by an earlier console session on the same Redis.
    await s.subscriptions.add({ platform: 'console', chatId: 'local', chatType: 'private' });
    await s.start();
    await s.broadcastNow('Meetup tonight');
    await until(() => platforms.sent.length === 1, 10_000, 'the telegram delivery');
    await until(async () => (await s.posts.getCompletedCount()) === 1, 5_000, 'the fan-out');
    const [post] = await s.posts.getCompleted();
    expect(post?.returnvalue).toMatch(/to 1 chats; 1 console chat skipped/);
    expect(platforms.attempts.map((a) => a.platform)).toEqual(['telegram']);
    expect(await s.deliveries.getFailedCount()).toBe(0);
    expect(await s.hasPending('console')).toBe(false);
  });

  it('a delivery queued for the console by an earlier run completes as skipped, never failed', async () => {
    const platforms = fakePlatforms();
    const prefix = freshPrefix();
    const later = await makeScheduling(handle, platforms.deliver, {
      prefix,
      platforms: new Set(['telegram'] as const),
    });
    open.push(later);
    await later.subscriptions.add({ platform: 'console', chatId: 'local', chatType: 'private' });
    // The earlier console run fanned the post out, then quit before its worker delivered it.
    await fanOut({
      client: handle.client,
      prefix,
      deliveries: later.deliveries,
      subscriptions: later.subscriptions,
      postId: 'early',
      replies: [{ kind: 'broadcast', paragraphs: [[{ text: 'Hello console' }]] }],
      defaults: { attempts: 2, backoffMs: 100 },
    });
    await later.start();
    await until(async () => (await later.deliveries.getCompletedCount()) >= 1, 10_000, 'the skipped job');
    const done = await later.deliveries.getCompleted();
    expect(done.map((j) => String(j.returnvalue))).toContain('skipped: platform not running');
    expect(await later.deliveries.getFailedCount()).toBe(0);
    expect(platforms.attempts).toHaveLength(0);
    expect(await later.hasPending('console')).toBe(false);
  });

  it('hasPending looks only as far ahead as asked: a post for tomorrow does not hold a script', async () => {
    const platforms = fakePlatforms();
    const s = await makeScheduling(handle, platforms.deliver);
    open.push(s);
    await s.subscriptions.add({ platform: 'console', chatId: 'local', chatType: 'private' });
    await s.schedulePost(new Date(Date.now() + 24 * 3600_000), 'Tomorrow');
    expect(await s.hasPending('console')).toBe(true);
    expect(await s.hasPending('console', 60_000)).toBe(false);
    await s.schedulePost(new Date(Date.now() + 30_000), 'Soon');
    expect(await s.hasPending('console', 60_000)).toBe(true);
  });
});
