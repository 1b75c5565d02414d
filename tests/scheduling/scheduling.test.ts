import type { Redis } from 'ioredis';
import { DateTime } from 'luxon';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../src/core/adapter.js';
import { createRouter } from '../../src/core/router.js';
import type { Incoming } from '../../src/core/types.js';
import { schedulingCommands, schedulingOffCommands } from '../../src/scheduling/commands.js';
import { telegramPacing } from '../../src/scheduling/pacing.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import type { Scheduling } from '../../src/scheduling/service.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';
import { fakePlatforms, handleFor, loadContent, makeScheduling, sleep, until } from './helpers.js';

let redis: TestRedis;
let handle: RedisOn;
const open: Scheduling[] = [];
beforeAll(async () => {
  redis = await startTestRedis({ appendOnly: true });
  handle = handleFor(redis);
});
afterEach(async () => {
  await Promise.allSettled(open.splice(0).map((s) => s.close()));
});
afterAll(async () => {
  await handle.close();
  await redis.destroy();
});

async function setup(...args: Parameters<typeof makeScheduling> extends [unknown, ...infer R] ? R : never) {
  const s = await makeScheduling(handle, ...args);
  open.push(s);
  return s;
}

const command = (
  text: string,
  opts: { chatId?: string; moderator?: boolean; group?: boolean } = {},
): Incoming => {
  const [name, ...rest] = text.slice(1).split(' ');
  return {
    kind: 'command',
    command: name!,
    args: rest.join(' '),
    chat: { platform: 'telegram', chatId: opts.chatId ?? '100', chatType: opts.group ? 'group' : 'private' },
    sender: { id: 'u1', isLocalOperator: opts.moderator ?? false },
  };
};

describe('moderator commands', () => {
  it('schedules, lists and cancels a post; members are refused', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver);
    const now = new Date();
    const router = createRouter({
      content: await loadContent(),
      commands: schedulingCommands(s),
      clock: () => now,
    });
    const text = (rs: { paragraphs: readonly (readonly { text: string }[])[] }[]) =>
      rs.map((r) => r.paragraphs.map((p) => p.map((i) => i.text).join('')).join('\n')).join('\n');

    const member = await router.handle(command('/schedule in 2h Hello', { moderator: false }));
    expect(member[0]!.kind).toBe('refused');

    // Within the year ahead that /schedule accepts.
    const day = DateTime.fromJSDate(now).setZone('Europe/London').plus({ days: 200 });
    const made = await router.handle(
      command(`/schedule ${day.toFormat('yyyy-MM-dd')} 09:00 Winter meetup on Zoom`, { moderator: true }),
    );
    const shown = `${day.toFormat('ccc d LLL yyyy')}, 09:00`;
    expect(text(made)).toContain(`Scheduled post #1 for ${shown} (Europe/London)`);
    const second = await router.handle(command('/schedule in 3h Coffee chat', { moderator: true }));
    expect(text(second)).toMatch(/Scheduled post #2/);

    const listed = text(await router.handle(command('/scheduled', { moderator: true })));
    expect(listed).toMatch(/#2: .*"Coffee chat"/);
    expect(listed).toContain(`#1: ${shown}`);
    expect(listed).toMatch(/#1: .*"Winter meetup on Zoom"/);
    expect(listed.indexOf('#2')).toBeLessThan(listed.indexOf('#1'));

    expect(text(await router.handle(command('/unschedule 1', { moderator: true })))).toMatch(
      /Cancelled post #1/,
    );
    expect(text(await router.handle(command('/unschedule 1', { moderator: true })))).toMatch(
      /no waiting post #1/,
    );
    const after = text(await router.handle(command('/scheduled', { moderator: true })));
    expect(after).not.toMatch(/#1:/);
    expect(after).toMatch(/#2:/);

    const weekly = text(
      await router.handle(command('/schedule every friday 18:30 Weekend check-in', { moderator: true })),
    );
    expect(weekly).toMatch(/Scheduled post #3 for every Friday at 18:30 \(Europe\/London\), first on Fri /);
    expect(text(await router.handle(command('/scheduled', { moderator: true })))).toMatch(
      /#3: every Friday at 18:30, next Fri .*"Weekend check-in"/,
    );
    expect(text(await router.handle(command('/unschedule 3', { moderator: true })))).toMatch(
      /Cancelled post #3/,
    );
    expect(text(await router.handle(command('/scheduled', { moderator: true })))).not.toMatch(/#3:/);

    const bad = text(await router.handle(command('/schedule someday Hello', { moderator: true })));
    expect(bad).toMatch(/could not read a date.*For example/);
    const past = text(await router.handle(command('/schedule 2001-01-01 09:00 Hello', { moderator: true })));
    expect(past).toMatch(/already passed/);
  });

  it('lets members subscribe in private, and only moderators in a group', async () => {
    const s = await setup(fakePlatforms().deliver);
    const router = createRouter({ content: await loadContent(), commands: schedulingCommands(s) });
    await router.handle(command('/subscribe', { chatId: '7' }));
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: '7' })).toBe(true);
    const refused = await router.handle(command('/subscribe', { chatId: '-100', group: true }));
    expect(refused[0]!.kind).toBe('refused');
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: '-100' })).toBe(false);
    await router.handle(command('/subscribe', { chatId: '-100', group: true, moderator: true }));
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: '-100' })).toBe(true);
    const tips = await router.handle(command('/tips', { chatId: '7' }));
    expect(tips[0]!.paragraphs[0]![0]!.text).toMatch(/This chat gets the community tip/);
    await router.handle(command('/unsubscribe', { chatId: '7' }));
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: '7' })).toBe(false);
  });

  it('answers every scheduling command with the reason when scheduling is off', async () => {
    const router = createRouter({
      content: await loadContent(),
      commands: schedulingOffCommands('redis-server is not installed'),
    });
    for (const c of ['/schedule in 2h Hi', '/subscribe', '/tips', '/scheduled']) {
      const r = await router.handle(command(c, { moderator: true }));
      expect(r[0]!.paragraphs[0]![0]!.text).toMatch(/off on this bot: redis-server is not installed/);
    }
  });
});

describe('delivery', () => {
  it('delivers a scheduled post at its time to every subscribed chat of each platform, once', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver);
    await s.subscriptions.add({ platform: 'telegram', chatId: '1', chatType: 'private' });
    await s.subscriptions.add({ platform: 'telegram', chatId: '-1002', chatType: 'group' });
    await s.subscriptions.add({ platform: 'whatsapp', chatId: '123@g.us', chatType: 'group' });
    await s.subscriptions.add({ platform: 'console', chatId: 'local', chatType: 'private' });
    await s.start();
    const due = Date.now() + 1_500;
    await s.schedulePost(new Date(due), 'Meetup tonight');
    await sleep(500);
    expect(platforms.sent).toHaveLength(0);
    await until(() => platforms.sent.length === 4, 15_000, 'four deliveries');
    expect(
      platforms.sent.every((x) => x.at >= due && x.kind === 'broadcast' && x.text === 'Meetup tonight'),
    ).toBe(true);
    expect(new Set(platforms.sent.map((x) => `${x.platform}:${x.chatId}`)).size).toBe(4);
    await until(async () => !(await s.hasPending('console')), 5_000, 'nothing pending');
    await sleep(500);
    expect(platforms.sent).toHaveLength(4);
  });

  it('reports each delivery with its delay after the post was due (for the latency metric)', async () => {
    const platforms = fakePlatforms();
    const seen: { platform: string; kind: string; latencyMs: number }[] = [];
    const s = await setup(platforms.deliver, {
      onDelivered: (platform, kind, latencyMs) => seen.push({ platform, kind, latencyMs }),
    });
    await s.subscriptions.add({ platform: 'telegram', chatId: '7', chatType: 'private' });
    await s.subscriptions.add({ platform: 'whatsapp', chatId: '8@s.whatsapp.net', chatType: 'private' });
    await s.start();
    await s.broadcastNow('Latency check');
    await until(() => seen.length === 2, 10_000, 'two reports');
    expect(seen.map((x) => x.platform).sort()).toEqual(['telegram', 'whatsapp']);
    expect(seen.every((x) => x.kind === 'broadcast' && x.latencyMs >= 0)).toBe(true);
  });

  it('a second fan-out of the same post sends nothing new', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver);
    for (let i = 0; i < 5; i++)
      await s.subscriptions.add({ platform: 'telegram', chatId: String(i), chatType: 'private' });
    await s.start();
    const { id } = await s.broadcastNow('Once only');
    await until(() => platforms.sent.length === 5, 10_000, 'five deliveries');
    // The same post job run again (a retried or duplicated fan-out).
    await s.posts.add(
      'broadcast',
      { kind: 'broadcast', post: id, text: 'Once only' },
      { jobId: `again-${id}` },
    );
    await until(async () => (await s.posts.getCompletedCount()) >= 2, 10_000, 'second fan-out');
    await sleep(800);
    expect(platforms.sent).toHaveLength(5);
  });

  it('rotates tips without repeats, and a double-firing scheduler sends each chat one tip per slot', async () => {
    const platforms = fakePlatforms();
    const content = (await loadContent()).current().content;
    const s = await setup(platforms.deliver, { tipsCron: '0 0 10 * * *' });
    await s.subscriptions.add({ platform: 'telegram', chatId: '1', chatType: 'private' });
    await s.subscriptions.add({ platform: 'whatsapp', chatId: '2@s.whatsapp.net', chatType: 'private' });
    await s.start();
    expect((await s.nextTip())?.getUTCHours()).toBeOneOf([9, 10]);
    const day = Date.UTC(2026, 0, 1, 10);
    const n = content.tips.length;
    // n + 2 daily slots; each slot's run fires twice, the second a few ms later (another job id).
    for (let i = 0; i < n + 2; i++) {
      const plannedAt = day + i * 86_400_000;
      await s.posts.add('tip', { kind: 'tip', plannedAt }, { jobId: `tip-a-${i}` });
      await s.posts.add('tip', { kind: 'tip', plannedAt: plannedAt + 7 }, { jobId: `tip-b-${i}` });
    }
    await until(() => platforms.sent.length >= 2 * (n + 2), 30_000, 'all tips');
    await sleep(1_000);
    const first = platforms.to('telegram', '1');
    expect(first).toHaveLength(n + 2);
    expect(platforms.to('whatsapp', '2@s.whatsapp.net')).toHaveLength(n + 2);
    expect(first.every((t) => t.kind === 'tip' && t.text.includes(content.community.disclaimer))).toBe(true);
    // Slots run concurrently, so compare as sets: the first n slots used every tip exactly once.
    const body = (t: string) => content.tips.find((tip) => t.includes(tip.text))?.id;
    const ids = first.map((t) => body(t.text));
    expect(ids.every(Boolean)).toBe(true);
    const counts = new Map<string, number>();
    for (const id of ids) counts.set(id!, (counts.get(id!) ?? 0) + 1);
    expect(counts.size).toBe(n);
    expect([...counts.values()].filter((c) => c === 2)).toHaveLength(2);
    expect([...counts.values()].every((c) => c === 1 || c === 2)).toBe(true);
    expect(first[0]!.text).toMatch(/From the article, section "/);
  });

  it('a 429 delays that chat only; the other chats go on', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver, { pacing: { telegram: telegramPacing(30, 20, 0) } });
    for (let i = 0; i < 6; i++)
      await s.subscriptions.add({ platform: 'telegram', chatId: `c${i}`, chatType: 'private' });
    platforms.fail('telegram', 'c0', new DeliveryError('RATE_LIMITED', 'Too Many Requests', 2_000));
    await s.start();
    await s.broadcastNow('Paced');
    await until(() => platforms.sent.length === 6, 15_000, 'six deliveries');
    const c0 = platforms.to('telegram', 'c0');
    expect(c0).toHaveLength(1);
    const rateLimitedAt = platforms.attempts.find((a) => a.chatId === 'c0')!.at;
    expect(c0[0]!.at - rateLimitedAt).toBeGreaterThanOrEqual(1_990);
    const others = platforms.sent.filter((x) => x.chatId !== 'c0');
    // The other chats did not wait for c0's retry_after.
    expect(Math.max(...others.map((x) => x.at))).toBeLessThan(c0[0]!.at);
  });

  it('unsubscribes a chat that blocked the bot and does not retry it', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver);
    await s.subscriptions.add({ platform: 'telegram', chatId: 'ok', chatType: 'private' });
    await s.subscriptions.add({ platform: 'telegram', chatId: 'blocked', chatType: 'private' });
    platforms.fail(
      'telegram',
      'blocked',
      new DeliveryError('PERMANENT', 'Forbidden: bot was blocked by the user'),
    );
    await s.start();
    await s.broadcastNow('Hello');
    await until(
      async () => (await s.deliveries.getFailedCount()) === 1 && platforms.sent.length === 1,
      10_000,
      'settled',
    );
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: 'blocked' })).toBe(false);
    expect(await s.subscriptions.has({ platform: 'telegram', chatId: 'ok' })).toBe(true);
    await sleep(500);
    expect(platforms.attempts.filter((a) => a.chatId === 'blocked')).toHaveLength(1);
  });

  it('retries transient failures and ends in a visible failed state after the last try', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver, { attempts: 3 });
    await s.subscriptions.add({ platform: 'whatsapp', chatId: 'flaky', chatType: 'private' });
    await s.subscriptions.add({ platform: 'whatsapp', chatId: 'down', chatType: 'private' });
    const t = () => new DeliveryError('TRANSIENT', 'socket closed');
    platforms.fail('whatsapp', 'flaky', t());
    platforms.fail('whatsapp', 'down', t(), t(), t(), t());
    await s.start();
    await s.broadcastNow('Try again');
    await until(async () => (await s.deliveries.getFailedCount()) === 1, 15_000, 'one failed job');
    expect(platforms.to('whatsapp', 'flaky')).toHaveLength(1);
    expect(platforms.to('whatsapp', 'down')).toHaveLength(0);
    expect(platforms.attempts.filter((a) => a.chatId === 'down')).toHaveLength(3);
    const [failed] = await s.deliveries.getFailed();
    expect(failed?.failedReason).toMatch(/socket closed/);
    expect(await s.subscriptions.has({ platform: 'whatsapp', chatId: 'down' })).toBe(true);
  });

  it('survives Redis going away and coming back: replies work, queued posts go out once', async () => {
    const platforms = fakePlatforms();
    const s = await setup(platforms.deliver);
    for (let i = 0; i < 20; i++)
      await s.subscriptions.add({ platform: 'telegram', chatId: `r${i}`, chatType: 'private' });
    await s.start();
    const router = createRouter({ content: await loadContent(), commands: schedulingCommands(s) });
    await s.schedulePost(new Date(Date.now() + 2_500), 'Survived');
    await redis.stop(true);
    // Answers to questions do not need Redis; scheduling commands say it is unavailable, quickly.
    const answer = await router.handle(command('/faq'));
    expect(answer[0]!.kind).toBe('command');
    const unavailable = await router.handle(command('/scheduled', { moderator: true }));
    expect(unavailable[0]!.paragraphs[0]![0]!.text).toMatch(/cannot reach its store/);
    await sleep(3_000);
    await redis.restart();
    await until(() => platforms.sent.length >= 20, 20_000, 'twenty deliveries after the restart');
    await sleep(1_000);
    expect(platforms.sent).toHaveLength(20);
    expect(new Set(platforms.sent.map((x) => x.chatId)).size).toBe(20);
    const client: Redis = handle.client;
    expect(await client.ping()).toBe('PONG');
  });
});
