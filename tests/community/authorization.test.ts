/**
 * Every moderator command, community management's and scheduling's, refused for a member on
 * every platform's Incoming shape (built by the adapters' own mappers), with nothing done.
 */
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toIncoming as consoleIncoming } from '../../src/adapters/console/format.js';
import { messageToIncoming } from '../../src/adapters/telegram/to-incoming.js';
import { readMessage, toIncoming as whatsappIncoming } from '../../src/adapters/whatsapp/to-incoming.js';
import { isStaffCommand } from '../../src/core/commands.js';
import type { Incoming, Platform } from '../../src/core/types.js';
import { createScheduling, type Scheduling, schedulingCommands } from '../../src/scheduling/index.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { fresh, loadTestContent, makeBot, type TestBot, texts } from './helpers.js';

const TG_GROUP = -1001234567890;
const WA_GROUP = '120363012345678901@g.us';

/** A message as each platform's adapter turns it into an Incoming. */
function from(platform: Platform, text: string, opts: { userId?: string; group?: boolean } = {}): Incoming {
  const group = opts.group ?? true;
  if (platform === 'telegram') {
    const userId = Number(opts.userId ?? 4242);
    const msg = {
      message_id: 1,
      date: 1_700_000_000,
      chat: group
        ? { id: TG_GROUP, type: 'supergroup', title: 'Fibro friends' }
        : { id: userId, type: 'private', first_name: 'Ana' },
      from: { id: userId, is_bot: false, first_name: 'Ana' },
      text,
      entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
    } as unknown as Message;
    const out = messageToIncoming(msg, { id: 666, username: 'TestNameBot' }, false);
    if (out.type !== 'incoming') throw new Error(out.reason);
    return out.incoming;
  }
  if (platform === 'whatsapp') {
    const phone = opts.userId ?? '15557654321';
    const read = readMessage(
      {
        key: group
          ? {
              remoteJid: WA_GROUP,
              fromMe: false,
              id: fresh('m'),
              participant: '98765432101234@lid',
              participantAlt: `${phone}@s.whatsapp.net`,
            }
          : {
              remoteJid: '98765432101234@lid',
              remoteJidAlt: `${phone}@s.whatsapp.net`,
              fromMe: false,
              id: fresh('m'),
            },
        message: { conversation: text },
        pushName: 'Ben',
      } as never,
      { id: '15550000000@s.whatsapp.net', lid: '11111111111111@lid' },
    );
    if (!read) throw new Error('not read');
    return whatsappIncoming(read, { isChatAdmin: false });
  }
  return consoleIncoming({
    text,
    chatType: group ? 'group' : 'private',
    chatId: 'local-group',
    userId: opts.userId ?? 'someone',
    moderator: false,
  });
}

const COMMUNITY = [
  '/invite spring 7d',
  '/invite revoke spring',
  '/invites',
  '/unanswered 7',
  '/stats 30',
  '/reply 1 Buy miracle cures at evil.example',
  '/register',
  '/unregister',
];
const SCHEDULING = [
  '/schedule tomorrow 10:00 Meetup tonight',
  '/scheduled',
  '/unschedule 1',
  '/broadcast Hello all',
];
const PLATFORMS: Platform[] = ['telegram', 'whatsapp', 'console'];

const db = useTestRedis();
let bot: TestBot;
let scheduling: Scheduling;
const prefix = fresh('auth');

beforeAll(async () => {
  const content = await loadTestContent();
  scheduling = createScheduling({
    redis: {
      mode: 'url',
      connection: db.server.options,
      client: db.redis,
      where: 'test',
      close: async () => {},
    },
    prefix,
    content,
    deliver: async () => {},
    pacing: {},
    tipsCron: '',
    timeZone: 'UTC',
    logger: { info() {}, warn() {}, error() {} },
    workers: false,
  });
  bot = await makeBot({
    redis: db.redis,
    connection: db.server.options,
    content,
    moderators: ['telegram:1001', 'whatsapp:15550001001', 'console:boss'],
    communityChats: [],
    extraCommands: schedulingCommands(scheduling),
  });
});
afterAll(async () => {
  await bot.community.close();
  await scheduling.close();
});

describe('moderator commands', () => {
  it('are exactly the ones tested here, and none is open to members', () => {
    const names = bot.router.commands
      .filter(isStaffCommand)
      .map((c) => c.name)
      .sort();
    expect(names).toEqual([
      'broadcast',
      'invite',
      'invites',
      'register',
      'reply',
      'schedule',
      'scheduled',
      'stats',
      'unanswered',
      'unregister',
      'unschedule',
    ]);
  });

  for (const platform of PLATFORMS) {
    describe(`on ${platform}`, () => {
      it('are refused to a member, and nothing happens', async () => {
        // A real post and a real link exist, so /unschedule and /invite revoke have something to destroy.
        const mod = from(platform, '/schedule tomorrow 10:00 Keep me', {
          userId: platform === 'console' ? 'boss' : platform === 'telegram' ? '1001' : '15550001001',
        });
        expect(mod.sender.isLocalOperator ?? false).toBe(false);
        const pendingBefore = await scheduling.listPending();
        const postsBefore = await scheduling.posts.getJobCounts();

        for (const text of [...COMMUNITY, ...SCHEDULING]) {
          for (const group of [true, false]) {
            const incoming = from(platform, text, { group });
            expect(bot.router.isModerator(incoming), `${text} ${platform}`).toBe(false);
            const replies = await bot.router.handle(incoming);
            expect(
              replies.map((r) => r.kind),
              `${text} on ${platform}`,
            ).toEqual(['refused']);
            expect(texts(replies)).toContain("is for the community's moderators");
          }
        }
        expect(bot.adapters.telegram.calls).toEqual([]);
        expect(bot.adapters.whatsapp.calls).toEqual([]);
        expect(await scheduling.listPending()).toEqual(pendingBefore);
        expect(await scheduling.posts.getJobCounts()).toEqual(postsBefore);
        expect(
          await bot.community.internals.invites!.list({
            platform,
            chatId:
              platform === 'telegram' ? String(TG_GROUP) : platform === 'whatsapp' ? WA_GROUP : 'local-group',
          }),
        ).toEqual([]);
      });

      it('/subscribe and /unsubscribe in a group are refused to a member, and the subscription stays as it was', async () => {
        const chat = from(platform, '/subscribe').chat;
        for (const text of ['/subscribe', '/unsubscribe']) {
          const replies = await bot.router.handle(from(platform, text));
          expect(
            replies.map((r) => r.kind),
            `${text} on ${platform}`,
          ).toEqual(['refused']);
          expect(await scheduling.subscriptions.has(chat)).toBe(false);
        }
      });
    });
  }

  it("are carried out for configured moderators, and for a registered group's admins (the refusal above is not the only answer)", async () => {
    const tgMod = from('telegram', '/invite spring 7d', { userId: '1001' });
    expect(bot.router.isModerator(tgMod)).toBe(true);
    expect(texts(await bot.router.handle(tgMod))).toContain('Invite link "spring"');
    expect(bot.adapters.telegram.calls).toHaveLength(1);

    const consoleMod = from('console', '/stats', { userId: 'boss' });
    expect(bot.router.isModerator(consoleMod)).toBe(true);
    expect((await bot.router.handle(consoleMod))[0]!.kind).toBe('command');

    const waAdmin = {
      ...from('whatsapp', '/invites'),
      sender: { ...from('whatsapp', '/invites').sender, isChatAdmin: true },
    } as Incoming;
    // An admin of a group the community does not know is a member...
    expect((await bot.router.handle(waAdmin))[0]!.kind).toBe('refused');
    // ...until a moderator registers the group.
    const register = from('whatsapp', '/register', { userId: '15550001001' });
    expect(texts(await bot.router.handle(register))).toContain("this group is one of the community's chats");
    expect((await bot.router.handle(waAdmin))[0]!.kind).toBe('command');
    expect(
      texts(await bot.router.handle(from('whatsapp', '/unregister', { userId: '15550001001' }))),
    ).toContain('no longer');
    expect((await bot.router.handle(waAdmin))[0]!.kind).toBe('refused');
  });

  it('recognise a WhatsApp moderator configured by phone number (MODERATORS=whatsapp:15550001001)', () => {
    const waMod = from('whatsapp', '/stats', { userId: '15550001001' });
    expect(bot.router.isModerator(waMod)).toBe(true);
    // A LID is not a phone number: the same digits under @lid are someone else.
    const lookalike = { ...waMod, sender: { id: '15550001001@lid', name: 'Mallory' } } as Incoming;
    expect(bot.router.isModerator(lookalike)).toBe(false);
  });
});
