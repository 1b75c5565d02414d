import { describe, expect, it } from 'vitest';
import { FakeClock, makeBot, TELEGRAM_GROUP, texts, WHATSAPP_GROUP } from './helpers.js';

const join = (chat: typeof TELEGRAM_GROUP, ...names: (string | undefined)[]) => ({
  kind: 'member_joined' as const,
  chat,
  sender: { id: 'system' },
  members: names.map((name, i) => ({
    id: `${name ?? 'anon'}-${i}-${Math.random()}`,
    ...(name ? { name } : {}),
  })),
});

describe('welcome batching', () => {
  it('welcomes five joins within 3 s with one message naming everyone, the rules, the disclaimer and a menu', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock, welcomeWindowMs: 10_000 });
    for (const name of ['Ana', 'Ben', 'Cleo', 'Dan', 'Eve']) {
      expect(await router.handle(join(TELEGRAM_GROUP, name))).toEqual([]);
      await clock.advance(600);
    }
    expect(adapters.telegram.sent).toEqual([]);
    await clock.advance(10_000);
    expect(adapters.telegram.sent).toHaveLength(1);
    const { chatId, replies } = adapters.telegram.sent[0]!;
    expect(chatId).toBe(TELEGRAM_GROUP.chatId);
    expect(replies).toHaveLength(1);
    const text = texts(replies);
    expect(text).toContain('Welcome, Ana, Ben, Cleo, Dan and Eve!');
    expect(text).toContain('1. Be kind and patient');
    expect(text).toContain('is not medical');
    expect(replies[0]!.kind).toBe('welcome');
    expect(replies[0]!.buttons?.map((b) => b.label)).toEqual([
      'Questions (FAQ)',
      'Read the article',
      'Community links',
      'Rules',
    ]);
    await community.close();
  });

  it('welcomes joins 30 s apart separately', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock, welcomeWindowMs: 10_000 });
    await router.handle(join(TELEGRAM_GROUP, 'Ana'));
    await clock.advance(30_000);
    await router.handle(join(TELEGRAM_GROUP, 'Ben'));
    await clock.advance(30_000);
    expect(adapters.telegram.sent.map((s) => texts(s.replies).split('\n\n')[1])).toEqual([
      expect.stringContaining('Welcome, Ana!'),
      expect.stringContaining('Welcome, Ben!'),
    ]);
    await community.close();
  });

  it('keeps chats apart and sends to the right platform', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock });
    await router.handle(join(TELEGRAM_GROUP, 'Ana'));
    await router.handle(join(WHATSAPP_GROUP, 'Ben'));
    await clock.advance(10_000);
    expect(adapters.telegram.sent.map((s) => texts(s.replies))).toEqual([
      expect.stringContaining('Welcome, Ana!'),
    ]);
    expect(adapters.whatsapp.sent.map((s) => s.chatId)).toEqual([WHATSAPP_GROUP.chatId]);
    expect(texts(adapters.whatsapp.sent[0]!.replies)).toContain('Welcome, Ben!');
    await community.close();
  });

  it('names at most 20 people in a raid and counts the rest', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock });
    const names = Array.from({ length: 250 }, (_, i) => `Member${i + 1}`);
    for (const name of names) await router.handle(join(TELEGRAM_GROUP, name));
    await router.handle(join(TELEGRAM_GROUP, undefined));
    await clock.advance(10_000);
    expect(adapters.telegram.sent).toHaveLength(1);
    const text = texts(adapters.telegram.sent[0]!.replies);
    expect(text).toContain('Member20 and 231 others!');
    expect(text).not.toContain('Member21');
    await community.close();
  });

  it('sends a pending welcome at shutdown instead of dropping it', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock });
    await router.handle(join(TELEGRAM_GROUP, 'Ana'));
    await community.close();
    expect(texts(adapters.telegram.sent[0]!.replies)).toContain('Welcome, Ana!');
  });
});
