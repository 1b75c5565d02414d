import { describe, expect, it } from 'vitest';
import { declineJobId } from '../../src/community/join-requests.js';
import type { Incoming, Sender } from '../../src/core/types.js';
import { useTestRedis } from '../helpers/redis-server.js';
import {
  FakeAdapter,
  fresh,
  makeBot,
  press,
  privateChat,
  TELEGRAM_GROUP,
  texts,
  WHATSAPP_GROUP,
} from './helpers.js';

const db = useTestRedis();

const requester: Sender = { id: '777', name: 'Gina' };
const request = (chat = TELEGRAM_GROUP, sender = requester): Extract<Incoming, { kind: 'join_request' }> => ({
  kind: 'join_request',
  chat,
  sender,
  inviteLink: 'newcomers',
});
const fakeAdapters = () => ({
  telegram: new FakeAdapter('telegram'),
  whatsapp: new FakeAdapter('whatsapp'),
  console: new FakeAdapter('console'),
});

describe('join requests', () => {
  it('sends the rules with an "I agree" button; agreeing approves, welcomes and cancels the timeout', async () => {
    const bot = await makeBot({
      redis: db.redis,
      connection: db.server.options,
      joinRequestTimeoutMs: 60 * 60 * 1000,
    });
    await bot.community.start();
    const replies = await bot.router.handle(request());
    expect(texts(replies)).toContain('Hello Gina, thank you for asking to join us');
    expect(texts(replies)).toContain('1. Be kind and patient');
    expect(texts(replies)).toContain('declined after 60 minutes');
    const button = replies[0]!.buttons![0]!;
    expect(button).toEqual({ label: 'I agree', data: `agree:telegram:${TELEGRAM_GROUP.chatId}` });
    expect(Buffer.byteLength(button.data)).toBeLessThanOrEqual(64);

    const queue = bot.community.internals.joinRequests.queue!;
    const jobId = declineJobId({ platform: 'telegram', chatId: TELEGRAM_GROUP.chatId, userId: '777' });
    expect(await queue.getJobState(jobId)).toBe('delayed');

    // The adapter delivers the reply privately: the press comes from the private chat.
    const welcome = await bot.router.handle(press(privateChat('telegram', '777'), requester, button.data));
    expect(bot.adapters.telegram.calls).toEqual([
      { op: 'approve', chatId: TELEGRAM_GROUP.chatId, userId: '777' },
    ]);
    expect(welcome[0]!.kind).toBe('welcome');
    expect(texts(welcome)).toContain('Welcome, Gina!');
    expect(await queue.getJob(jobId)).toBeUndefined();

    // Pressing again does not approve twice.
    const again = await bot.router.handle(press(privateChat('telegram', '777'), requester, button.data));
    expect(texts(again)).toContain('already answered or has expired');
    expect(bot.adapters.telegram.calls).toHaveLength(1);
    await bot.community.close();
  });

  it('declines a request nobody agreed to once the timeout passes', async () => {
    const bot = await makeBot({
      redis: db.redis,
      connection: db.server.options,
      joinRequestTimeoutMs: 1_000,
    });
    await bot.community.start();
    await bot.router.handle(request());
    const call = await bot.adapters.telegram.waitFor((c) => c.op === 'decline');
    expect(call).toEqual({ op: 'decline', chatId: TELEGRAM_GROUP.chatId, userId: '777' });
    expect(bot.adapters.telegram.calls.filter((c) => c.op === 'approve')).toEqual([]);
    // Agreeing too late says so instead of approving.
    const late = await bot.router.handle(
      press(privateChat('telegram', '777'), requester, `agree:telegram:${TELEGRAM_GROUP.chatId}`),
    );
    expect(texts(late)).toContain('already answered or has expired');
    expect(bot.adapters.telegram.calls.filter((c) => c.op === 'approve')).toEqual([]);
    await bot.community.close();
  });

  it('still declines after a restart: a new instance on the same Redis runs the delayed job', async () => {
    const prefix = `${fresh('restart')}:`;
    const queueName = fresh('joinreq-restart');
    const before = await makeBot({
      redis: db.redis,
      connection: db.server.options,
      prefix,
      queueName,
      joinRequestTimeoutMs: 1_500,
    });
    await before.router.handle(request());
    await before.community.close();
    expect(before.adapters.telegram.calls).toEqual([]);

    const afterAdapters = fakeAdapters();
    const after = await makeBot({
      redis: db.redis,
      connection: db.server.options,
      prefix,
      queueName,
      joinRequestTimeoutMs: 1_500,
      adapters: afterAdapters,
    });
    await after.community.start();
    const call = await afterAdapters.telegram.waitFor((c) => c.op === 'decline');
    expect(call).toEqual({ op: 'decline', chatId: TELEGRAM_GROUP.chatId, userId: '777' });
    await after.community.close();
  });

  it('a press for another platform or chat shape approves nothing', async () => {
    const bot = await makeBot({ redis: db.redis, connection: db.server.options });
    const reply = await bot.router.handle(
      press(privateChat('whatsapp', '777'), requester, `agree:telegram:${TELEGRAM_GROUP.chatId}`),
    );
    expect(reply[0]!.kind).toBe('error');
    expect(bot.adapters.telegram.calls).toEqual([]);
    expect(bot.adapters.whatsapp.calls).toEqual([]);
    await bot.community.close();
  });

  it('WhatsApp with auto-approve: approves at once with a welcome', async () => {
    const bot = await makeBot({ redis: db.redis, connection: db.server.options, whatsappAutoApprove: true });
    const waRequester: Sender = { id: '987654321@lid', altId: '15550001111@s.whatsapp.net', name: 'Hugo' };
    const replies = await bot.router.handle(request(WHATSAPP_GROUP, waRequester));
    expect(bot.adapters.whatsapp.calls).toEqual([
      { op: 'approve', chatId: WHATSAPP_GROUP.chatId, userId: '987654321@lid' },
    ]);
    expect(texts(replies)).toContain('Welcome, Hugo!');
    await bot.community.close();
  });

  it('WhatsApp without auto-approve: leaves the request to the admins, saying nothing', async () => {
    const bot = await makeBot({ redis: db.redis, connection: db.server.options, whatsappAutoApprove: false });
    const replies = await bot.router.handle(request(WHATSAPP_GROUP, { id: '987654321@lid', name: 'Hugo' }));
    expect(replies).toEqual([]);
    expect(bot.adapters.whatsapp.calls).toEqual([]);
    await bot.community.close();
  });

  it('without Redis: still offers the rules and approves on agreement, without promising a timeout', async () => {
    const bot = await makeBot();
    const replies = await bot.router.handle(request());
    expect(texts(replies)).not.toContain('declined after');
    await bot.router.handle(press(privateChat('telegram', '777'), requester, replies[0]!.buttons![0]!.data));
    expect(bot.adapters.telegram.calls).toEqual([
      { op: 'approve', chatId: TELEGRAM_GROUP.chatId, userId: '777' },
    ]);
    await bot.community.close();
  });
});
