import { describe, expect, it } from 'vitest';
import {
  ADMIN,
  command,
  FakeClock,
  MEMBERS,
  makeBot,
  press,
  privateChat,
  TELEGRAM_GROUP,
  textFrom,
  texts,
} from './helpers.js';

describe('flood control', () => {
  const setup = (clock: FakeClock) => makeBot({ clock, flood: { max: 3, windowMs: 30_000 } });

  it('answers up to the limit, then one gentle note, then nothing until the window has room', async () => {
    const clock = new FakeClock();
    const { router, community } = await setup(clock);
    const chat = privateChat('telegram', MEMBERS.telegram.id);
    const send = () => router.handle(command(chat, MEMBERS.telegram, '/rules'));
    for (let i = 0; i < 3; i++) {
      expect((await send())[0]?.paragraphs.length, `message ${i + 1}`).toBeGreaterThan(0);
      await clock.advance(1_000);
    }
    const note = await send();
    expect(note).toHaveLength(1);
    expect(texts(note)).toContain('take a short break');
    expect(note[0]!.kind).toBe('command');
    expect(await send()).toEqual([]);
    expect(await router.handle(textFrom(chat, MEMBERS.telegram, 'can b12 cure fibromyalgia?'))).toEqual([]);
    await clock.advance(31_000);
    expect(texts(await send())).toContain('rules');
    await community.close();
  });

  it('counts a group and the private chat separately', async () => {
    const clock = new FakeClock();
    const { router, community } = await setup(clock);
    const inPrivate = privateChat('telegram', MEMBERS.telegram.id);
    for (let i = 0; i < 3; i++) await router.handle(command(inPrivate, MEMBERS.telegram, '/rules'));
    expect(texts(await router.handle(command(inPrivate, MEMBERS.telegram, '/rules')))).toContain(
      'take a short break',
    );
    expect(texts(await router.handle(command(TELEGRAM_GROUP, MEMBERS.telegram, '/rules')))).toContain(
      'rules',
    );
    await community.close();
  });

  it('ignores group chatter not addressed to the bot, and never slows moderators down', async () => {
    const clock = new FakeClock();
    const { router, community } = await setup(clock);
    for (let i = 0; i < 10; i++) {
      await router.handle(textFrom(TELEGRAM_GROUP, MEMBERS.telegram, `just chatting ${i}`, false));
    }
    expect(texts(await router.handle(command(TELEGRAM_GROUP, MEMBERS.telegram, '/rules')))).toContain(
      'rules',
    );
    for (let i = 0; i < 10; i++) {
      expect(texts(await router.handle(command(TELEGRAM_GROUP, ADMIN, '/rules')))).toContain('rules');
    }
    await community.close();
  });

  it('still answers an emergency while flood control holds other answers back', async () => {
    const clock = new FakeClock();
    const { router, community } = await setup(clock);
    const chat = privateChat('telegram', MEMBERS.telegram.id);
    for (let i = 0; i < 5; i++) await router.handle(command(chat, MEMBERS.telegram, '/rules'));
    const replies = await router.handle(textFrom(chat, MEMBERS.telegram, 'I have chest pain'));
    expect(replies[0]?.kind).toBe('safety');
    await community.close();
  });

  it('lets a member page through the article: six taps 1.2 s apart and /next, /prev are not flooding', async () => {
    const clock = new FakeClock();
    // The configured defaults: FLOOD_MAX=6 in FLOOD_WINDOW_SECONDS=30.
    const { router, community } = await makeBot({ clock, flood: { max: 6, windowMs: 30_000 } });
    const chat = privateChat('telegram', MEMBERS.telegram.id);
    const replies = [await router.handle(command(chat, MEMBERS.telegram, '/article'))];
    for (let i = 1; i <= 6; i++) {
      await clock.advance(1_200);
      replies.push(await router.handle(press(chat, MEMBERS.telegram, `sec:${i}`)));
    }
    for (const c of ['/next', '/next', '/prev']) {
      await clock.advance(1_200);
      replies.push(await router.handle(command(chat, MEMBERS.telegram, c)));
    }
    expect(replies.map((r) => texts(r))).not.toContainEqual(expect.stringContaining('take a short break'));
    expect(replies.slice(1, 7).map((r) => r[0]?.meta?.section)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(replies.slice(7).map((r) => r[0]?.meta?.section)).toEqual([7, 8, 7]);
    // Questions still have their own budget: flooding with them is still slowed down.
    for (let i = 0; i < 6; i++) await router.handle(command(chat, MEMBERS.telegram, '/rules'));
    expect(texts(await router.handle(command(chat, MEMBERS.telegram, '/rules')))).toContain(
      'take a short break',
    );
    await community.close();
  });
});
