import { describe, expect, it, vi } from 'vitest';
import { DeliveryError } from '../../src/core/adapter.js';
import { simple } from '../../src/core/replies.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { GROUP } from './fakes.js';
import { setup, stopAdaptersAfterEach, textMessage } from './harness.js';

const db = useTestRedis();
stopAdaptersAfterEach();

const tip = [simple('tip', 'Tip: pace yourself today.')];
const MEMBER = '15551230001@s.whatsapp.net';
const LID = '111111111111111@lid';

describe('C6: late refusals (messages.update ERROR)', () => {
  it('a queued post refused after relaying is not "delivered"; sending backs off; the hook counts it', async () => {
    const { adapter, factory, clock, hooks } = await setup(
      { refusalWaitMs: 3_000, rateLimitPauseMs: 30_000 },
      {},
      { redis: db.redis },
    );
    const socket = factory.current;
    const sending = adapter.send(MEMBER, tip).catch((e: unknown) => e);
    await vi.waitFor(() => expect(socket.sentFull).toHaveLength(1));
    await clock.advance(500);
    socket.refuse(socket.sentFull[0]!.id, '463');
    const outcome = await sending;
    expect(outcome).toBeInstanceOf(DeliveryError);
    expect(outcome).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30_000 });
    expect(hooks.onSendRefused).toHaveBeenCalledWith('463');

    // The pacer holds the next send for the pause.
    let sent = false;
    const next = adapter.send(GROUP, tip).then(() => {
      sent = true;
    });
    await clock.advance(29_000);
    expect(sent).toBe(false);
    await clock.advance(10_000);
    await next;
    expect(socket.sent).toHaveLength(2);
  });

  it('a send nobody refuses within the wait is delivered', async () => {
    const { adapter, clock, factory } = await setup({ refusalWaitMs: 3_000 }, {}, { redis: db.redis });
    let done = false;
    const sending = adapter.send(MEMBER, tip).then(() => {
      done = true;
    });
    await clock.advance(2_900);
    expect(done).toBe(false);
    await clock.advance(100);
    await sending;
    expect(factory.current.sent).toHaveLength(1);
  });

  it('refusals show on /metrics', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const { factory, deliver } = await setup(
      { hooks: { ...metrics.hooks, ...metrics.whatsappHooks } },
      {},
      { redis: db.redis },
    );
    await deliver(textMessage({ chat: MEMBER, text: '/rules' }));
    expect(factory.current.sentFull).toHaveLength(1);
    factory.current.refuse(factory.current.sentFull[0]!.id, '479');
    const text = await metrics.registry.metrics();
    expect(text).toContain('bot_whatsapp_send_refused_total{code="479"} 1');
  });
});

describe('C7: resend requests', () => {
  it('serves a sent message from Redis after a reconnect, kept for days; one retry counter across sockets', async () => {
    const { adapter, factory, clock, hooks, prefix } = await setup({}, {}, { redis: db.redis });
    await adapter.send(MEMBER, tip);
    const first = factory.current;
    const id = first.sentFull[0]!.id;
    first.close(428);
    await clock.advance(10_000);
    const second = factory.current;
    expect(second).not.toBe(first);
    const message = await second.config.getMessage!({ remoteJid: MEMBER, fromMe: true, id });
    expect(message?.extendedTextMessage?.text).toBe('Tip: pace yourself today.');
    expect(hooks.onResend).toHaveBeenCalledWith('served');
    expect(await db.redis.pttl(`${prefix}sent:${id}`)).toBeGreaterThan(6 * 24 * 60 * 60_000);
    expect(
      await second.config.getMessage!({ remoteJid: MEMBER, fromMe: true, id: 'UNKNOWN' }),
    ).toBeUndefined();
    expect(hooks.onResend).toHaveBeenCalledWith('missing');
    expect(second.config.msgRetryCounterCache).toBeDefined();
    expect(second.config.msgRetryCounterCache).toBe(first.config.msgRetryCounterCache);
  });
});

describe('C8: a reply lost to a passing failure is answered on redelivery', () => {
  it('un-claims the message when the send failed TRANSIENT', async () => {
    const { factory, deliver } = await setup({}, {}, { redis: db.redis });
    const socket = factory.current;
    const question = textMessage({ chat: LID, text: '/rules' });
    socket.sendError = new Error('Connection Closed');
    await deliver(question);
    expect(socket.sent).toEqual([]);
    socket.sendError = undefined;
    await deliver(question);
    expect(socket.sent).toHaveLength(1);
    expect(socket.sent[0]!.text).toContain('rules');
    // Once answered, a further redelivery is not answered again.
    await deliver(question);
    expect(socket.sent).toHaveLength(1);
  });

  it('keeps the claim when the chat refused for good (no endless retry)', async () => {
    const { factory, deliver } = await setup({}, {}, { redis: db.redis });
    const socket = factory.current;
    const question = textMessage({ chat: LID, text: '/rules' });
    socket.sendError = Object.assign(new Error('forbidden'), { data: 403 });
    await deliver(question);
    socket.sendError = undefined;
    await deliver(question);
    expect(socket.sent).toEqual([]);
  });
});

describe('C9: a timed-out group query is not a success', () => {
  it('approving a join request that got no answer is TRANSIENT', async () => {
    const { adapter, factory } = await setup({}, {}, { redis: db.redis });
    factory.current.queryTimeout = true;
    await expect(adapter.admin.approveJoinRequest(GROUP, '999999999999999@lid')).rejects.toMatchObject({
      code: 'TRANSIENT',
    });
    factory.current.queryTimeout = false;
    await expect(adapter.admin.approveJoinRequest(GROUP, '999999999999999@lid')).resolves.toBeUndefined();
  });

  it('an invite code that never came is TRANSIENT, not "is the bot an admin?"', async () => {
    const { adapter, factory } = await setup({}, {}, { redis: db.redis });
    factory.current.queryTimeout = true;
    const err = await adapter.admin.createInvite(GROUP, { name: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'TRANSIENT' });
    expect((err as Error).message).not.toContain('admin');
  });
});
