/**
 * /disclaimer: what a member should know, and every figure it states about keeping messages
 * is the one the code uses (the same constants), checked against the TTLs Redis really holds.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_RETENTION_DAYS, MAX_QUESTIONS } from '../../src/community/insight-store.js';
import { OFFER_TTL_SECONDS } from '../../src/community/question-store.js';
import { POSITION_TTL_S } from '../../src/community/shared-state.js';
import { MEMORY_MAX_QUESTIONS } from '../../src/core/memory-log.js';
import { MAX_ENTRIES } from '../../src/ops/console/audit.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { command, fresh, MEMBERS, makeBot, privateChat, textFrom, texts } from './helpers.js';

const db = useTestRedis();
const DAY = 24 * 60 * 60;
const member = privateChat('telegram', MEMBERS.telegram.id);

async function until<T>(check: () => Promise<T | undefined>, what: string): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await check();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('/disclaimer', () => {
  it('says where answers come from, that it is not a doctor, what to do in an emergency', async () => {
    const { router, community } = await makeBot({ redis: db.redis });
    const reply = texts(await router.handle(command(member, MEMBERS.telegram, '/disclaimer')));
    expect(reply).toContain("only our community's article");
    expect(reply).toContain('https://fibromyalgia.dashery.com/');
    expect(reply).toContain('I am not a doctor, and I can be wrong');
    expect(reply).toContain('call your emergency number: 112 (EU), 911 (US, Canada), 999 (UK)');
    expect(reply).toContain('What happens to your messages');
    expect(reply).toContain("The community's moderators read the kept questions from every chat");
    // /about and /privacy are the same page.
    expect(texts(await router.handle(command(member, MEMBERS.telegram, '/privacy')))).toBe(reply);
    await community.close();
  });

  it('states the retention the code uses, and Redis holds the records for exactly that long', async () => {
    const prefix = `${fresh('about')}:`;
    const { router, community } = await makeBot({
      redis: db.redis,
      prefix,
      flood: { max: 1000, windowMs: 45_000 },
    });
    const reply = texts(await router.handle(command(member, MEMBERS.telegram, '/disclaimer')));
    const keptDays = DEFAULT_RETENTION_DAYS + 1;
    expect(reply).toContain(
      `Deleted after ${keptDays} days; at most the newest ${MAX_QUESTIONS.toLocaleString('en-GB')} are kept.`,
    );
    expect(reply).toContain(`waits ${OFFER_TTL_SECONDS / DAY} day`);
    expect(reply).toContain(`(for /next): ${POSITION_TTL_S / DAY} days.`);
    expect(reply).toContain('the times of your messages of the last 45 seconds');
    expect(reply).toContain(`audit log of the newest ${MAX_ENTRIES.toLocaleString('en-GB')} actions`);

    // The promise is the behaviour: a question the bot could not answer, a reading position.
    await router.handle(textFrom(member, MEMBERS.telegram, 'Qwzx flurble snorkvang plimbot?'));
    const ttl = await until(async () => {
      const t = await db.redis.ttl(`${prefix}q:item:1`);
      return t > 0 ? t : undefined;
    }, 'the unanswered record');
    expect(ttl).toBeGreaterThan(keptDays * DAY - 60);
    expect(ttl).toBeLessThanOrEqual(keptDays * DAY);
    await router.handle(command(member, MEMBERS.telegram, '/section 2'));
    const position = await until(async () => {
      const keys = await db.redis.keys(`${prefix}reading:*`);
      return keys[0] ? db.redis.ttl(keys[0]) : undefined;
    }, 'the reading position');
    expect(position).toBeGreaterThan(POSITION_TTL_S - 60);
    expect(position).toBeLessThanOrEqual(POSITION_TTL_S);
    // "never who asked": a private chat's answers add to the community's totals only.
    await router.handle(command(member, MEMBERS.telegram, '/faq 1'));
    const stats = await until(async () => {
      const keys = await db.redis.keys(`${prefix}stats:*`);
      return keys.length > 0 ? keys : undefined;
    }, 'the answer counts');
    expect(stats.filter((k) => k.includes(MEMBERS.telegram.id))).toEqual([]);
    await community.close();
  });

  it('without Redis says the questions stay in memory until a restart', async () => {
    const { router, community } = await makeBot();
    const reply = texts(await router.handle(command(member, MEMBERS.telegram, '/disclaimer')));
    expect(reply).toContain(
      `Kept in memory only, the newest ${MEMORY_MAX_QUESTIONS.toLocaleString('en-GB')}, until the bot restarts.`,
    );
    expect(reply).not.toContain('at most the newest 20,000');
    await community.close();
  });
});
