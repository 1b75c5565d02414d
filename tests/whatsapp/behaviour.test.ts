import { WAMessageStubType } from '@whiskeysockets/baileys';
import { describe, expect, it, vi } from 'vitest';
import { simple } from '../../src/core/replies.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { fixture, GROUP } from './fakes.js';
import { setup, stopAdaptersAfterEach, textMessage } from './harness.js';

const db = useTestRedis();
stopAdaptersAfterEach();

const tip = [simple('tip', 'Tip: pace yourself today.')];
const KNOWN = '111111111111111@lid';
const STRANGER = '15551239999@s.whatsapp.net';
const DAY = 24 * 60 * 60_000;

describe('D11: the reachout timelock holds only new chats', () => {
  it('group replies and existing chats go on; a new chat waits; isActive:false lifts it early', async () => {
    const { adapter, factory, clock, deliver } = await setup({}, {}, { redis: db.redis });
    const socket = factory.current;
    await deliver(textMessage({ chat: KNOWN, text: '/rules' }));
    expect(socket.sent).toHaveLength(1);

    socket.emit('connection.update', {
      reachoutTimeLock: { isActive: true, timeEnforcementEnds: new Date(clock.now() + DAY) },
    });
    await deliver(textMessage({ chat: KNOWN, text: '/rules' }));
    await deliver(textMessage({ chat: GROUP, participant: '333333333333333@lid', text: '/rules' }));
    expect(socket.sent.map((s) => s.jid)).toEqual([KNOWN, KNOWN, GROUP]);
    // Bulk sends are spaced out (20 a minute): let the clock run while they wait.
    const send = async (chat: string) => {
      const outcome = adapter.send(chat, tip).catch((e: unknown) => e);
      await clock.advance(10_000);
      return outcome;
    };
    expect(await send(KNOWN)).toBeUndefined();
    expect(await send(STRANGER)).toMatchObject({ code: 'RATE_LIMITED' });

    socket.emit('connection.update', { reachoutTimeLock: { isActive: false } });
    expect(await send(STRANGER)).toBeUndefined();
    expect(socket.sent.map((s) => s.jid).slice(-2)).toEqual([KNOWN, STRANGER]);
  });
});

describe('D12: join requests and welcomes', () => {
  const autoApprove = {
    onJoinRequest: () => [simple('welcome', 'Welcome, Ann! Here are the rules.')],
    onJoin: (incoming: { members: readonly { id: string }[] }) => [
      simple('welcome', `Welcome ${incoming.members.map((m) => m.id).join(', ')}`),
    ],
  };

  it('with auto-approve, a member is welcomed once, in the group; no private message to a stranger', async () => {
    const { adapter, factory } = await setup({}, autoApprove as never, { redis: db.redis });
    const socket = factory.current;
    socket.emit('group.join-request', fixture('group-join-request'));
    await adapter.whenIdle();
    expect(socket.sent).toEqual([]);
    socket.emit('group-participants.update', {
      ...fixture<Record<string, unknown>>('group-participants-add'),
      participants: [{ id: '999999999999999@lid', phoneNumber: '15551230009@s.whatsapp.net', admin: null }],
    } as never);
    await adapter.whenIdle();
    expect(socket.sent).toEqual([{ jid: GROUP, text: 'Welcome 999999999999999@lid', quoted: false }]);
  });

  it('something other than a welcome goes privately only to someone who wrote to the bot before', async () => {
    const { adapter, factory, deliver } = await setup(
      {},
      { onJoinRequest: () => [simple('command', 'An admin will let you in soon.')] },
      { redis: db.redis },
    );
    const socket = factory.current;
    socket.emit('group.join-request', fixture('group-join-request'));
    await adapter.whenIdle();
    expect(socket.sent).toEqual([]);
    await deliver(textMessage({ chat: '999999999999999@lid', text: '/rules' }));
    socket.emit('group.join-request', fixture('group-join-request'));
    await adapter.whenIdle();
    expect(socket.sent.map((s) => [s.jid, s.text.slice(0, 8)])).toEqual([
      ['999999999999999@lid', expect.any(String)],
      ['999999999999999@lid', 'An admin'],
    ]);
  });

  it('a join is welcomed once across a restart, and not at all when WhatsApp redelivers it days later', async () => {
    const first = await setup({}, autoApprove as never, { redis: db.redis });
    first.factory.current.emit('group-participants.update', fixture('group-participants-add'));
    await first.adapter.whenIdle();
    expect(first.factory.current.sent).toHaveLength(1);
    await first.adapter.stop();

    const second = await setup({}, autoApprove as never, { redis: db.redis, prefix: first.prefix });
    second.factory.current.emit('group-participants.update', fixture('group-participants-add'));
    await second.adapter.whenIdle();
    expect(second.factory.current.sent).toEqual([]);

    // After downtime: the stub says the join was two days ago (it precedes the event, as in Baileys).
    const stale = { id: '123412341234123@lid', phoneNumber: '15551231234@s.whatsapp.net', admin: null };
    second.factory.current.emit('messages.upsert', {
      type: 'append',
      messages: [
        {
          key: { remoteJid: GROUP, fromMe: false, id: 'STUBADD0001', participant: stale.id },
          messageTimestamp: Math.floor((second.clock.now() - 2 * DAY) / 1000),
          messageStubType: WAMessageStubType.GROUP_PARTICIPANT_ADD,
          messageStubParameters: [JSON.stringify(stale)],
        },
      ],
    });
    second.factory.current.emit('group-participants.update', {
      id: GROUP,
      author: stale.id,
      participants: [stale],
      action: 'add',
    });
    await second.adapter.whenIdle();
    expect(second.factory.current.sent).toEqual([]);
  });
});

describe('D13: incoming messages waiting through a long pause are bounded', () => {
  it('drops beyond the cap, counting each drop', async () => {
    const { factory, hooks, adapter, clock } = await setup(
      { globalGapMs: 60 * 60_000, maxPendingIncoming: 3 },
      {},
      { redis: db.redis },
    );
    const messages = Array.from({ length: 10 }, (_, i) =>
      textMessage({ chat: `1555100000${i}@s.whatsapp.net`, text: '/rules' }),
    );
    factory.current.emit('messages.upsert', { messages, type: 'notify' });
    await clock.advance(0);
    expect(hooks.onInboundDropped).toHaveBeenCalledTimes(7);
    expect(factory.current.sent.length).toBeLessThanOrEqual(1);
    await adapter.stop();
  });
});

describe('D14: small things with real effects', () => {
  it('ignores status broadcasts and newsletters at the socket (no decryption)', async () => {
    const { factory } = await setup({}, {}, { redis: db.redis });
    const ignore = factory.current.config.shouldIgnoreJid!;
    expect(ignore('status@broadcast')).toBe(true);
    expect(ignore('120363000000000000@newsletter')).toBe(true);
    expect(ignore(KNOWN)).toBeFalsy();
    expect(ignore(GROUP)).toBeFalsy();
  });

  it('sends no link preview, and answers disappearing chats with their timer', async () => {
    const { factory, deliver } = await setup({}, {}, { redis: db.redis });
    await deliver(fixture('ephemeral').messages[0]!);
    const [sent] = factory.current.sentFull;
    expect(sent!.content).toMatchObject({ linkPreview: null });
    expect(sent!.options).toMatchObject({ ephemeralExpiration: 604800 });
    await deliver(textMessage({ chat: KNOWN, text: '/rules', expiration: 0 }));
    expect(factory.current.sentFull[1]!.options.ephemeralExpiration).toBeUndefined();
  });
});

describe('#11 section 3: a safety reply jumps the queue', () => {
  it('goes out before chatter replies already waiting for the same group', async () => {
    const { factory, clock, adapter } = await setup({ chatGapMs: 60_000 }, {}, { redis: db.redis });
    const socket = factory.current;
    const chatter = ['/rules', '/rules', '/rules'].map((text, i) =>
      textMessage({ chat: GROUP, participant: `33333333333333${i}@lid`, text }),
    );
    socket.emit('messages.upsert', { messages: chatter, type: 'notify' });
    await vi.waitFor(() => expect(socket.sent).toHaveLength(1));
    socket.emit('messages.upsert', {
      messages: [
        textMessage({ chat: GROUP, participant: '444444444444444@lid', text: 'i want to kill myself' }),
      ],
      type: 'notify',
    });
    // The fake clock stands still: the two chatter replies still wait for the chat's gap.
    await vi.waitFor(() => expect(socket.sent).toHaveLength(2));
    expect(socket.sent[1]!.text).toMatch(/call your emergency number now/i);
    await clock.advance(10 * 60_000);
    await adapter.whenIdle();
    expect(socket.sent).toHaveLength(4);
  });
});
