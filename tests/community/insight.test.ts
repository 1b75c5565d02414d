import { describe, expect, it, vi } from 'vitest';
import { createRedisInsight } from '../../src/community/insight-store.js';
import { useTestRedis } from '../helpers/redis-server.js';
import {
  command,
  fresh,
  loadTestContent,
  MEMBERS,
  makeBot,
  press,
  privateChat,
  TELEGRAM_GROUP,
  textFrom,
  texts,
} from './helpers.js';

const db = useTestRedis();

const DAY = 86_400_000;
const modChat = privateChat('telegram', '1');
/** A configured moderator (MODERATORS=telegram:1, as makeBot's callers below configure). */
const MODERATOR = { id: '1', name: 'Mod' };

const ask = (text: string, at: Date, chat = TELEGRAM_GROUP) => ({
  text,
  chat,
  senderId: '4242',
  outcome: 'unanswered' as const,
  at,
});

describe('/unanswered', () => {
  it('lists the questions I could not answer, similar wordings counted together, most asked first', async () => {
    const { router, community, clock } = await makeBot({ redis: db.redis, moderators: ['telegram:1'] });
    const now = new Date(clock.now());
    for (const q of [
      'How do I cancel my gym membership?',
      'how do I cancel my GYM membership',
      'How do I cancel my gym membership!!',
    ]) {
      await community.unanswered.record(ask(q, now));
    }
    await community.unanswered.record(ask('Is it raining in Oslo?', now));
    const reply = texts(await router.handle(command(modChat, MODERATOR, '/unanswered')));
    expect(reply).toContain('Questions I could not answer, the last 7 days');
    const lines = reply.split('\n').filter((l) => /^#\d+ /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^#\d+ "How do I cancel my gym membership!!" \(3×, last .*Telegram group "Fibro friends"/,
    );
    expect(lines[1]).toMatch(/^#\d+ "Is it raining in Oslo\?" \(1×, last /);
    await community.close();
  });

  it('looks back as many days as asked', async () => {
    const { router, community, clock } = await makeBot({ redis: db.redis, moderators: ['telegram:1'] });
    await community.unanswered.record(ask('an old question about parking', new Date(clock.now() - 10 * DAY)));
    expect(texts(await router.handle(command(modChat, MODERATOR, '/unanswered 7')))).toContain(
      'No unanswered questions in the last 7 days',
    );
    expect(texts(await router.handle(command(modChat, MODERATOR, '/unanswered 14')))).toContain(
      'an old question about parking',
    );
    expect(texts(await router.handle(command(modChat, MODERATOR, '/unanswered lots')))).toContain(
      'Give a number of days from 1 to 90',
    );
    await community.close();
  });

  it('records what members ask that the content does not answer, and keeps it in Redis across restarts', async () => {
    const prefix = `${fresh('unans')}:`;
    const first = await makeBot({ redis: db.redis, prefix, moderators: ['telegram:1'] });
    const member = privateChat('telegram', MEMBERS.telegram.id);
    const answer = await first.router.handle(
      textFrom(member, MEMBERS.telegram, 'Qwzx flurble snorkvang plimbot?'),
    );
    expect(answer[0]!.kind).toBe('fallback');
    await first.community.close();
    const second = await makeBot({ redis: db.redis, prefix, moderators: ['telegram:1'] });
    expect(texts(await second.router.handle(command(modChat, MODERATOR, '/unanswered')))).toContain(
      '"Qwzx flurble snorkvang plimbot?" (1×',
    );
    await second.community.close();
  });

  it('records "did you mean" offers and the choice pressed, apart from chatter, each with its chat and message id', async () => {
    const { router, community } = await makeBot({ redis: db.redis, moderators: ['telegram:1'] });
    const member = privateChat('telegram', MEMBERS.telegram.id);
    const offer = await router.handle({
      ...textFrom(member, MEMBERS.telegram, 'b12 deficiency'),
      messageId: '501',
    });
    expect(offer[0]!.kind).toBe('suggestions');
    const choice = offer[0]!.buttons![1]!;
    await router.handle({ kind: 'press', chat: member, sender: MEMBERS.telegram, data: choice.data });
    await router.handle({
      ...textFrom(member, MEMBERS.telegram, 'who won the football last night?'),
      messageId: '502',
    });

    const [unsure] = await community.unanswered.list({ since: new Date(0), limit: 5, outcomes: ['unsure'] });
    expect(unsure).toMatchObject({
      text: 'b12 deficiency',
      chat: { platform: 'telegram', chatId: MEMBERS.telegram.id, chatType: 'private' },
      messageId: '501',
      outcome: 'unsure',
      pressed: choice.data,
      similar: 1,
    });
    expect(unsure!.choices.map((c) => c.data)).toEqual(offer[0]!.buttons!.map((b) => b.data));
    const [chatter] = await community.unanswered.list({
      since: new Date(0),
      limit: 5,
      outcomes: ['chatter'],
    });
    expect(chatter).toMatchObject({ text: 'who won the football last night?', messageId: '502' });

    const said = texts(await router.handle(command(modChat, MODERATOR, '/unanswered')));
    const unsureAt = said.indexOf('Unsure: I offered "did you mean" choices');
    const chatterAt = said.indexOf('Chatter and off-topic');
    expect(unsureAt).toBeGreaterThan(-1);
    expect(chatterAt).toBeGreaterThan(unsureAt);
    expect(said).toContain(`picked "${choice.label}"`);
    await community.close();
  });

  it('stays bounded: the oldest questions give way, and every key expires', async () => {
    const prefix = `${fresh('bound')}:`;
    const now = Date.parse('2025-03-01T10:00:00Z');
    const insight = createRedisInsight(db.redis, prefix, {
      maxQuestions: 5,
      retentionDays: 30,
      now: () => now,
    });
    for (let i = 0; i < 20; i++)
      await insight.unanswered.record(ask(`rare question number ${i}`, new Date(now + i)));
    const top = await insight.unanswered.list({ since: new Date(now - DAY), limit: 100 });
    expect(top.map((q) => q.text).sort()).toEqual(
      [15, 16, 17, 18, 19].map((i) => `rare question number ${i}`).sort(),
    );
    expect(await db.redis.zcard(`${prefix}q:index`)).toBe(5);
    const keys = (await db.redis.keys(`${prefix}*`)).filter((k) => !k.endsWith('q:seq'));
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await db.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(31 * 86_400);
    }
  });
});

describe('/stats', () => {
  it('shows questions answered and not, the top FAQ entries, joins per invite link and subscribers', async () => {
    const content = await loadTestContent();
    const faq = content.current().content.faq;
    const { router, community, clock } = await makeBot({
      redis: db.redis,
      content,
      subscribers: async () => ({ telegram: 12, whatsapp: 4 }),
      moderators: ['telegram:1'],
    });
    for (let i = 0; i < 3; i++) await community.stats.recordAnswer('faq', faq[1]!.id);
    await community.stats.recordAnswer('faq', faq[0]!.id);
    await community.stats.recordAnswer('section');
    await community.stats.recordAnswer('suggestions');
    await community.stats.recordAnswer('fallback');
    await community.stats.recordAnswer('fallback');
    await community.stats.recordAnswer('safety');
    await router.handle({
      kind: 'member_joined',
      chat: TELEGRAM_GROUP,
      sender: { id: 'x' },
      members: [
        { id: 'a', name: 'A' },
        { id: 'b', name: 'B' },
      ],
      inviteLink: 'spring',
    });
    await router.handle({
      kind: 'member_joined',
      chat: TELEGRAM_GROUP,
      sender: { id: 'x' },
      members: [{ id: 'c', name: 'C' }],
    });
    await clock.advance(10_000);

    const reply = texts(await router.handle(command(TELEGRAM_GROUP, MODERATOR, '/stats')));
    expect(reply).toContain('Statistics, the last 30 days');
    expect(reply).toContain('Answered: 5 (FAQ 4, article passages 1)');
    expect(reply).toContain('Offered "did you mean" choices: 1');
    expect(reply).toContain('Not answered: 2');
    expect(reply).toContain('Emergency messages: 1');
    expect(reply).toContain(`1. ${faq[1]!.question} (3)`);
    expect(reply).toContain(`2. ${faq[0]!.question} (1)`);
    expect(reply).toContain('spring: 2');
    expect(reply).toContain('without a named link: 1');
    expect(reply).toContain('Tip subscribers: Telegram 12, WhatsApp 4');
    expect(reply).not.toContain('memory');

    // Older than the window asked for: not counted.
    await clock.advance(3 * DAY);
    expect(texts(await router.handle(command(TELEGRAM_GROUP, MODERATOR, '/stats 1')))).toContain(
      'Answered: 0',
    );
    await community.close();
  });

  it('counts what the router answers', async () => {
    const { router, community } = await makeBot({ redis: db.redis, moderators: ['telegram:1'] });
    const member = privateChat('telegram', MEMBERS.telegram.id);
    await router.handle(textFrom(member, MEMBERS.telegram, 'Qwzx flurble snorkvang plimbot?'));
    await router.handle(command(member, MEMBERS.telegram, '/faq 1'));
    const reply = texts(await router.handle(command(modChat, MODERATOR, '/stats')));
    expect(reply).toContain('Not answered: 1');
    await community.close();
  });

  it('counts each article section served, however it was reached, in total and per chat', async () => {
    for (const redis of [db.redis, undefined]) {
      const { router, community, clock } = await makeBot({
        ...(redis ? { redis } : {}),
        moderators: ['telegram:1'],
      });
      const member = privateChat('telegram', MEMBERS.telegram.id);
      const since = new Date(clock.now() - DAY);
      await router.handle(command(member, MEMBERS.telegram, '/section 3'));
      await router.handle(press(member, MEMBERS.telegram, 'page:3'));
      await router.handle(press(member, MEMBERS.telegram, 'psg:3:0'));
      await router.handle(command(TELEGRAM_GROUP, MEMBERS.telegram, '/section 3'));
      await router.handle(command(member, MEMBERS.telegram, '/next'));
      // The contents and the FAQ are no section served.
      await router.handle(command(member, MEMBERS.telegram, '/article'));
      await router.handle(command(member, MEMBERS.telegram, '/faq 1'));
      const insight = community.internals.insight;
      await vi.waitFor(async () =>
        expect(await insight.topSections(since, 10)).toEqual([
          { section: 3, count: 4 },
          { section: 4, count: 1 },
        ]),
      );
      expect(await insight.topSections(since, 10, TELEGRAM_GROUP)).toEqual([{ section: 3, count: 1 }]);
      await community.close();
    }
  });

  it('without Redis says the numbers are kept in memory only, and leaves out subscribers it cannot know', async () => {
    const { router, community } = await makeBot({ moderators: ['telegram:1'] });
    await community.stats.recordAnswer('fallback');
    const reply = texts(await router.handle(command(modChat, MODERATOR, '/stats')));
    expect(reply).toContain('Not answered: 1');
    expect(reply).toContain('Kept in memory only');
    expect(reply).not.toContain('Tip subscribers');
    await community.close();
  });
});
