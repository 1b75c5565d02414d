/**
 * The permission model (src/core/permissions.ts) against the attack that worked before it: an
 * admin of a group they made themselves (the bot added) acting for the community. Through each
 * adapter's own mapper, so WhatsApp group admins take the shared path too.
 */
import { readFileSync } from 'node:fs';
import type { Message } from 'grammy/types';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageToIncoming } from '../../src/adapters/telegram/to-incoming.js';
import { readMessage, toIncoming as whatsappIncoming } from '../../src/adapters/whatsapp/to-incoming.js';
import { permissionTable } from '../../src/core/permissions.js';
import type { ChatRef, Incoming } from '../../src/core/types.js';
import { createScheduling, type Scheduling, schedulingCommands } from '../../src/scheduling/index.js';
import { useTestRedis } from '../helpers/redis-server.js';
import {
  command,
  fresh,
  loadTestContent,
  makeBot,
  privateChat,
  TELEGRAM_GROUP,
  type TestBot,
  textFrom,
  texts,
} from './helpers.js';

/** The group the attacker made; the community's own group is TELEGRAM_GROUP (configured). */
const EVIL_TG = -1009999999999;
const EVIL_WA = '120363099999999999@g.us';
const OTHER_GROUP: ChatRef = {
  platform: 'telegram',
  chatId: '-1005555555555',
  chatType: 'group',
  title: 'Other',
};

function telegramAdmin(chatId: number, text: string, userId = 31337): Incoming {
  const msg = {
    message_id: 77,
    date: 1_700_000_000,
    chat: { id: chatId, type: 'supergroup', title: 'My own group' },
    from: { id: userId, is_bot: false, first_name: 'Mallory' },
    text,
    entities: [{ type: 'bot_command', offset: 0, length: text.split(' ')[0]!.length }],
  } as unknown as Message;
  // The adapter asked getChatAdministrators: Mallory does administer her own group.
  const out = messageToIncoming(msg, { id: 666, username: 'TestNameBot' }, true);
  if (out.type !== 'incoming') throw new Error(out.reason);
  return out.incoming;
}

function whatsappAdmin(group: string, text: string): Incoming {
  const read = readMessage(
    {
      key: {
        remoteJid: group,
        fromMe: false,
        id: fresh('m'),
        participant: '66666666666666@lid',
        participantAlt: '15556666666@s.whatsapp.net',
      },
      message: { conversation: text },
      pushName: 'Mallory',
    } as never,
    { id: '15550000000@s.whatsapp.net', lid: '11111111111111@lid' },
  );
  if (!read) throw new Error('not read');
  return whatsappIncoming(read, { isChatAdmin: true });
}

const PRIVATE_QUESTION = 'Does pregabalin interact with my antidepressant sertraline?';
const GROUP_QUESTION = 'does fibromyalgia cause hair loss?';
const OTHER_QUESTION = 'is fibromyalgia contagious?';

const db = useTestRedis();
let bot: TestBot;
let scheduling: Scheduling;
const MOD = { id: '1001', name: 'Moderator' };
const modChat = privateChat('telegram', '1001');

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
    prefix: fresh('perm'),
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
    content,
    moderators: ['telegram:1001'],
    communityChats: [`telegram:${TELEGRAM_GROUP.chatId}`],
    extraCommands: schedulingCommands(scheduling),
  });
  // Members ask: one in private, one in the community's group, one in another group.
  const member = { id: '4242', name: 'Ana' };
  await bot.router.handle({
    ...textFrom(privateChat('telegram', '4242'), member, PRIVATE_QUESTION),
    messageId: '11',
  });
  await bot.router.handle({ ...textFrom(TELEGRAM_GROUP, member, GROUP_QUESTION), messageId: '12' });
  await bot.router.handle({ ...textFrom(OTHER_GROUP, member, OTHER_QUESTION), messageId: '13' });
  expect(
    texts(await bot.router.handle(command(modChat, MOD, '/schedule tomorrow 10:00 The real meetup'))),
  ).toContain('Scheduled post');
});
afterAll(async () => {
  await bot.community.close();
  await scheduling.close();
});

describe('an admin of a group the community does not know', () => {
  for (const [platform, as] of [
    ['Telegram', (t: string) => telegramAdmin(EVIL_TG, t)],
    ['WhatsApp', (t: string) => whatsappAdmin(EVIL_WA, t)],
  ] as const) {
    it(`on ${platform} cannot read unanswered questions or stats, list or cancel posts, broadcast or reply`, async () => {
      const before = await scheduling.listPending();
      for (const text of [
        '/unanswered 30',
        '/stats',
        '/scheduled',
        `/unschedule ${before[0]!.id}`,
        '/broadcast Buy miracle B12 cure at evil.example',
        '/schedule tomorrow 09:00 Buy miracle B12 cure at evil.example',
        '/reply 1 Buy miracle B12 cure at evil.example',
        '/register',
        '/invite spring',
      ]) {
        const replies = await bot.router.handle(as(text));
        expect(
          replies.map((r) => r.kind),
          text,
        ).toEqual(['refused']);
        const said = texts(replies);
        for (const q of [PRIVATE_QUESTION, GROUP_QUESTION, OTHER_QUESTION]) expect(said).not.toContain(q);
      }
      expect(await scheduling.listPending()).toEqual(before);
      expect(bot.adapters.telegram.sent).toEqual([]);
      expect(bot.adapters.whatsapp.sent).toEqual([]);
    });
  }
});

describe("an admin of the community's group", () => {
  const admin = (text: string) => telegramAdmin(Number(TELEGRAM_GROUP.chatId), text, 2002);

  it("reads that group's questions only: not private chats, not other groups", async () => {
    const said = texts(await bot.router.handle(admin('/unanswered')));
    expect(said).toContain('this group only');
    expect(said).toContain(GROUP_QUESTION);
    expect(said).not.toContain(PRIVATE_QUESTION);
    expect(said).not.toContain(OTHER_QUESTION);
    // The configured moderator sees all three, each naming its chat.
    const all = texts(await bot.router.handle(command(modChat, MOD, '/unanswered')));
    expect(all).toContain(PRIVATE_QUESTION);
    expect(all).toContain(OTHER_QUESTION);
    expect(all).toContain('a private chat on Telegram');
    expect(all).toContain('Telegram group "Other"');
  });

  it("sees that group's statistics only, and no subscriber counts", async () => {
    const said = texts(await bot.router.handle(admin('/stats')));
    expect(said).toContain('Statistics, the last 30 days, this group only');
    // Three questions were asked in all, one of them here.
    expect(said).toMatch(/Not answered: [01] |Offered "did you mean" choices: [01]/);
    const all = texts(await bot.router.handle(command(modChat, MOD, '/stats')));
    expect(all).not.toContain('this group only');
  });

  it('answers a question from that group, but not from another chat', async () => {
    const listed = await bot.community.unanswered.list({ since: new Date(0), limit: 50 });
    const here = listed.find((q) => q.text === GROUP_QUESTION)!;
    const elsewhere = listed.find((q) => q.text === PRIVATE_QUESTION)!;
    const refused = texts(await bot.router.handle(admin(`/reply ${elsewhere.id} Buy at evil.example`)));
    expect(refused).toContain(`There is no question #${elsewhere.id} that you can answer from this group`);
    expect(bot.adapters.telegram.sent).toEqual([]);

    const ok = texts(
      await bot.router.handle(admin(`/reply ${here.id} Ask your GP to check your thyroid too.`)),
    );
    expect(ok).toContain("as a reply to the member's message");
    expect(bot.adapters.telegram.sent).toHaveLength(1);
    const sent = bot.adapters.telegram.sent[0]!;
    expect(sent.chatId).toBe(TELEGRAM_GROUP.chatId);
    expect(sent.replies[0]!.quote).toMatchObject({ messageId: '12' });
    expect(texts(sent.replies)).toContain('Ask your GP to check your thyroid too.');
    bot.adapters.telegram.sent.length = 0;
  });

  it('still cannot act for the whole community', async () => {
    for (const text of ['/broadcast hi all', '/scheduled', '/schedule tomorrow 09:00 hi', '/register']) {
      expect(
        (await bot.router.handle(admin(text))).map((r) => r.kind),
        text,
      ).toEqual(['refused']);
    }
  });
});

describe('the moderators’ guide', () => {
  it('prints the permission table the code uses, verbatim', () => {
    const guide = readFileSync('docs/moderators.md', 'utf8');
    expect(guide).toContain(permissionTable());
  });
});

describe('forged Telegram updates', () => {
  const shaped = (chat: object, extra: object) =>
    ({
      message_id: 1,
      date: 1,
      chat,
      text: '/stats',
      entities: [{ type: 'bot_command', offset: 0, length: 6 }],
      ...extra,
    }) as unknown as Message;
  const bot = { id: 666, username: 'TestNameBot' };

  it('a "sender_chat is the chat" anonymous admin is trusted in a group, never in a private chat', () => {
    const inGroup = messageToIncoming(
      shaped(
        { id: -1001, type: 'supergroup', title: 'G' },
        { sender_chat: { id: -1001, type: 'supergroup', title: 'G' } },
      ),
      bot,
    );
    expect(inGroup.type === 'incoming' && inGroup.incoming.sender.isChatAdmin).toBe(true);

    const forged = messageToIncoming(
      shaped(
        { id: 5, type: 'private', first_name: 'M' },
        { sender_chat: { id: 5, type: 'private' }, from: { id: 5, is_bot: false, first_name: 'M' } },
      ),
      bot,
      false,
    );
    expect(forged.type).toBe('incoming');
    if (forged.type === 'incoming') {
      expect(forged.incoming.sender.isChatAdmin ?? false).toBe(false);
      expect(forged.incoming.sender.id).toBe('5');
    }
  });
});
