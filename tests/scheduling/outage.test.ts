/**
 * Redis outages around moderators' commands: "failed" only when nothing happened, "not confirmed
 * yet" when in doubt (with the outcome reported later), and a retry never doubles a post.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRouter } from '../../src/core/router.js';
import { plainText } from '../../src/core/text.js';
import type { ChatRef, Incoming, Reply } from '../../src/core/types.js';
import { schedulingCommands, schedulingPresses } from '../../src/scheduling/commands.js';
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
afterAll(async () => {
  redis.resume();
  await Promise.allSettled(open.map((s) => s.close()));
  await handle.close();
  await redis.destroy();
});

const MOD_CHAT: ChatRef = { platform: 'telegram', chatId: '500', chatType: 'private' };
const fromModerator = (text: string, messageId?: string): Incoming => {
  const [name, ...rest] = text.slice(1).split(' ');
  return {
    kind: 'command',
    command: name!,
    args: rest.join(' '),
    chat: MOD_CHAT,
    sender: { id: 'mod' },
    ...(messageId ? { messageId } : {}),
  };
};
const pressBy = (data: string): Incoming => ({ kind: 'press', data, chat: MOD_CHAT, sender: { id: 'mod' } });
const words = (replies: readonly Reply[]) => replies.map(plainText).join('\n');

async function setup() {
  const platforms = fakePlatforms();
  const s = await makeScheduling(handle, platforms.deliver);
  open.push(s);
  for (const [platform, chatId] of [
    ['telegram', '1'],
    ['telegram', '-1002'],
    ['whatsapp', '3@g.us'],
  ] as const)
    await s.subscriptions.add({ platform, chatId, chatType: chatId === '1' ? 'private' : 'group' });
  await s.start();
  const notes: { chat: ChatRef; text: string }[] = [];
  const options = {
    notify: async (chat: ChatRef, replies: readonly Reply[]) => {
      notes.push({ chat, text: words(replies) });
    },
    commandTimeoutMs: 1_000,
  };
  const router = createRouter({
    content: await loadContent(),
    moderators: new Set(['telegram:mod']),
    commands: schedulingCommands(s, options),
    presses: schedulingPresses(s, options),
    // "in 1h" is 5 s from the real now: the post falls due during the test.
    clock: () => new Date(Date.now() - 3_600_000 + 5_000),
  });
  const broadcastJobs = async () =>
    (await s.posts.getJobs(['delayed', 'waiting', 'active', 'completed'])).filter(
      (j) => j?.name === 'broadcast',
    ).length;
  return { s, platforms, router, notes, broadcastJobs };
}

describe('a Redis outage around moderators commands', () => {
  it('a stalled store: "not confirmed yet", the outcome reported later, and retries make one post, one delivery per chat', async () => {
    const { platforms, router, notes, broadcastJobs } = await setup();
    redis.pause();
    let replies: string[];
    try {
      // The moderator's command, then the moderator sending it again, then the platform redelivering the first.
      replies = [
        words(await router.handle(fromModerator('/schedule in 1h Meetup moved to Zoom', '41'))),
        words(await router.handle(fromModerator('/schedule in 1h Meetup moved to Zoom', '42'))),
        words(await router.handle(fromModerator('/schedule in 1h Meetup moved to Zoom', '41'))),
      ];
    } finally {
      redis.resume();
    }
    for (const r of replies) {
      expect(r).toMatch(/Not confirmed yet/);
      expect(r).not.toMatch(/cannot reach|failed|did not/i);
    }
    await until(() => notes.length === 3, 10_000, 'three late reports');
    for (const n of notes) {
      expect(n.chat).toEqual(MOD_CHAT);
      expect(n.text).toMatch(/About your \/schedule a moment ago:[\s\S]*post #1 /);
    }
    const again = words(await router.handle(fromModerator('/schedule in 1h Meetup moved to Zoom', '43')));
    expect(again).toMatch(/Already scheduled .*post #1 /);

    const jobs = await broadcastJobs();
    await until(() => platforms.sent.length >= 3, 20_000, 'the post delivered');
    await sleep(1_500);
    const perChat = ['telegram:1', 'telegram:-1002', 'whatsapp:3@g.us'].map(
      (c) => platforms.sent.filter((x) => `${x.platform}:${x.chatId}` === c).length,
    );
    console.log(
      `outage test: 4 attempts of one /schedule -> ${jobs} post job(s), deliveries per chat ${perChat.join('/')}`,
    );
    expect(jobs).toBe(1);
    expect(perChat).toEqual([1, 1, 1]);
  }, 40_000);

  it('a store that is down: "nothing was changed", and nothing is queued when it comes back', async () => {
    const { router, broadcastJobs, notes } = await setup();
    await redis.stop();
    await until(() => handle.client.status !== 'ready', 5_000, 'the client to notice');
    let reply: string;
    try {
      reply = words(await router.handle(fromModerator('/schedule in 1h Down we go', '77')));
    } finally {
      await redis.restart();
    }
    expect(reply).toMatch(/cannot reach its store.*nothing was changed/s);
    await handle.client.ping();
    await sleep(1_500);
    expect(await broadcastJobs()).toBe(0);
    expect(notes).toHaveLength(0);
  }, 30_000);
});

describe('/broadcast asks before it posts', () => {
  it('shows the audience per platform, queues nothing until confirmed, and posts once however often it is confirmed', async () => {
    const { platforms, router, broadcastJobs } = await setup();
    const asked = await router.handle(fromModerator('/broadcast The meetup moved to 7pm', '90'));
    const text = words(asked);
    expect(text).toMatch(/This goes to 3 chats \(Telegram 2, WhatsApp 1\)/);
    expect(text).toMatch(/\/broadcast confirm/);
    const send = asked[0]!.buttons?.find((b) => /Send to 3 chats/.test(b.label));
    expect(send).toBeDefined();
    await sleep(1_000);
    expect(await broadcastJobs()).toBe(0);
    expect(platforms.sent).toHaveLength(0);

    // The button pressed twice, and the command too: one post.
    const first = words(await router.handle(pressBy(send!.data)));
    expect(first).toMatch(/Posting #1 now to 3 chats/);
    expect(words(await router.handle(pressBy(send!.data)))).toMatch(/already confirmed/);
    expect(words(await router.handle(fromModerator('/broadcast confirm', '91')))).toMatch(
      /already confirmed/,
    );
    await until(() => platforms.sent.length >= 3, 20_000, 'the broadcast delivered');
    await sleep(1_500);
    expect(await broadcastJobs()).toBe(1);
    expect(platforms.sent.map((x) => x.text)).toEqual(Array(3).fill('The meetup moved to 7pm'));

    // Cancel drops a draft: nothing is posted.
    await router.handle(fromModerator('/broadcast Never mind this one', '92'));
    expect(words(await router.handle(fromModerator('/broadcast cancel', '93')))).toMatch(/Dropped/);
    expect(words(await router.handle(fromModerator('/broadcast confirm', '94')))).toMatch(
      /Nothing is waiting/,
    );
    expect(await broadcastJobs()).toBe(1);
  }, 40_000);
});
