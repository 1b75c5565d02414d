import { describe, expect, it } from 'vitest';
import { createRedisInsight } from '../../src/community/insight-store.js';
import { useTestRedis } from '../helpers/redis-server.js';
import {
  ADMIN,
  command,
  fresh,
  loadTestContent,
  MEMBERS,
  makeBot,
  privateChat,
  TELEGRAM_GROUP,
  textFrom,
  texts,
} from './helpers.js';

const db = useTestRedis();

const DAY = 86_400_000;
const modChat = privateChat('telegram', '1');

describe('/unanswered', () => {
  it('lists the questions I could not answer, similar wordings counted together, most asked first', async () => {
    const { router, community, clock } = await makeBot({ redis: db.redis });
    const now = new Date(clock.now());
    for (const q of [
      'How do I cancel my gym membership?',
      'how do I cancel my GYM membership',
      'How do I cancel my gym membership!!',
    ]) {
      await community.unanswered.record(q, TELEGRAM_GROUP, now);
    }
    await community.unanswered.record('Is it raining in Oslo?', TELEGRAM_GROUP, now);
    const reply = texts(await router.handle(command(modChat, ADMIN, '/unanswered')));
    expect(reply).toContain('Questions I could not answer, the last 7 days');
    const lines = reply.split('\n').filter((l) => /^\d+\. /.test(l));
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/^1\. "How do I cancel my gym membership\?" \(3×, last /);
    expect(lines[1]).toMatch(/^2\. "Is it raining in Oslo\?" \(1×, last /);
    await community.close();
  });

  it('looks back as many days as asked', async () => {
    const { router, community, clock } = await makeBot({ redis: db.redis });
    await community.unanswered.record(
      'an old question about parking',
      TELEGRAM_GROUP,
      new Date(clock.now() - 10 * DAY),
    );
    expect(texts(await router.handle(command(modChat, ADMIN, '/unanswered 7')))).toContain(
      'No unanswered questions in the last 7 days',
    );
    expect(texts(await router.handle(command(modChat, ADMIN, '/unanswered 14')))).toContain(
      'an old question about parking',
    );
    expect(texts(await router.handle(command(modChat, ADMIN, '/unanswered lots')))).toContain(
      'Give a number of days from 1 to 90',
    );
    await community.close();
  });

  it('records what members ask that the content does not answer, and keeps it in Redis across restarts', async () => {
    const prefix = `${fresh('unans')}:`;
    const first = await makeBot({ redis: db.redis, prefix });
    const member = privateChat('telegram', MEMBERS.telegram.id);
    const answer = await first.router.handle(
      textFrom(member, MEMBERS.telegram, 'Qwzx flurble snorkvang plimbot?'),
    );
    expect(answer[0]!.kind).toBe('fallback');
    await first.community.close();
    const second = await makeBot({ redis: db.redis, prefix });
    expect(texts(await second.router.handle(command(modChat, ADMIN, '/unanswered')))).toContain(
      '"Qwzx flurble snorkvang plimbot?" (1×',
    );
    await second.community.close();
  });

  it('stays bounded: per day the least asked questions give way, and every key expires', async () => {
    const prefix = `${fresh('bound')}:`;
    const now = Date.parse('2025-03-01T10:00:00Z');
    const insight = createRedisInsight(db.redis, prefix, {
      maxQuestionsPerDay: 5,
      retentionDays: 30,
      now: () => now,
    });
    for (let i = 0; i < 3; i++)
      await insight.unanswered.record('the frequent one', TELEGRAM_GROUP, new Date(now));
    for (let i = 0; i < 20; i++)
      await insight.unanswered.record(`rare question number ${i}`, TELEGRAM_GROUP, new Date(now));
    const top = await insight.unanswered.top(new Date(now - DAY), 100);
    expect(top.length).toBeLessThanOrEqual(5);
    expect(top[0]).toMatchObject({ question: 'the frequent one', count: 3 });
    const keys = await db.redis.keys(`${prefix}*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) {
      const ttl = await db.redis.ttl(key);
      expect(ttl, key).toBeGreaterThan(0);
      expect(ttl, key).toBeLessThanOrEqual(31 * 86_400);
    }
    expect(await db.redis.hlen(`${prefix}unanswered:2025-03-01:text`)).toBeLessThanOrEqual(5);
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

    const reply = texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/stats')));
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
    expect(texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/stats 1')))).toContain('Answered: 0');
    await community.close();
  });

  it('counts what the router answers', async () => {
    const { router, community } = await makeBot({ redis: db.redis });
    const member = privateChat('telegram', MEMBERS.telegram.id);
    await router.handle(textFrom(member, MEMBERS.telegram, 'Qwzx flurble snorkvang plimbot?'));
    await router.handle(command(member, MEMBERS.telegram, '/faq 1'));
    const reply = texts(await router.handle(command(modChat, ADMIN, '/stats')));
    expect(reply).toContain('Not answered: 1');
    await community.close();
  });

  it('without Redis says the numbers are kept in memory only, and leaves out subscribers it cannot know', async () => {
    const { router, community } = await makeBot();
    await community.stats.recordAnswer('fallback');
    const reply = texts(await router.handle(command(modChat, ADMIN, '/stats')));
    expect(reply).toContain('Not answered: 1');
    expect(reply).toContain('Kept in memory only');
    expect(reply).not.toContain('Tip subscribers');
    await community.close();
  });
});
