import { describe, expect, it } from 'vitest';
import { renderReply } from '../../src/adapters/telegram/render.js';
import { renderReplies } from '../../src/adapters/whatsapp/format.js';
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

describe('welcome names typed by hostile members', () => {
  // "$'" inserts the rest of the template, "$`" what came before, "$&" the placeholder itself.
  const crafted = Array.from(
    { length: 20 },
    (_, i) => `${["$'", '$`', '$&', '$$'][i % 4]!.repeat(20)}${'W'.repeat(60)}${i}`,
  );

  it('20 joiners with replacement patterns and long names get one welcome that fits one message', async () => {
    const clock = new FakeClock();
    const { router, adapters, community } = await makeBot({ clock, welcomeWindowMs: 10_000 });
    for (const name of crafted) await router.handle(join(TELEGRAM_GROUP, name));
    await clock.advance(10_000);
    expect(adapters.telegram.sent).toHaveLength(1);
    const { replies } = adapters.telegram.sent[0]!;
    expect(replies).toHaveLength(1);
    expect(renderReply(replies[0]!)).toHaveLength(1);
    expect(renderReplies(replies).messages).toHaveLength(1);
    const text = texts(replies);
    expect(text.length).toBeLessThan(3_000);
    // The template appears once, and the names read as typed (cut, not interpreted).
    expect(text.split("We're really glad you found us")).toHaveLength(2);
    expect(text).toContain("$'$'$'");
    expect(text).toContain('$`$`$`');
    expect(text).toMatch(/and \d+ others!/);
    await community.close();
  });

  it("a /start from someone named $' greets them by that name", async () => {
    const { router, community } = await makeBot({ clock: new FakeClock() });
    const replies = await router.handle({
      kind: 'command',
      command: 'start',
      args: '',
      chat: { platform: 'telegram', chatId: '42', chatType: 'private' },
      sender: { id: '42', name: "$'$`" },
      addressed: true,
    });
    const text = texts(replies);
    expect(text).toContain("Welcome, $'$`!");
    expect(text.split("We're really glad you found us")).toHaveLength(2);
    await community.close();
  });
});
