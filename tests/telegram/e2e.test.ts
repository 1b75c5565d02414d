/**
 * The real Telegram adapter against telegram-test-api, in webhook mode (the emulator's
 * getUpdates ignores offsets). The emulator posts each client message to the adapter's webhook
 * and waits for the answer, so when `client.send*` resolves the bot has replied.
 * Updates the emulator cannot produce (chat_member, chat_join_request, edits) are injected with
 * `bot.handleUpdate` while the bot's API calls still go to the emulator.
 */
import path from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/adapters/telegram/index.js';
import { escapeHtml } from '../../src/adapters/telegram/render.js';
import { createContentStore } from '../../src/content/store.js';
import type { Content } from '../../src/core/content.js';
import { simple } from '../../src/core/replies.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { freePort, htmlToText, memoryLogger, serveWebhook } from './helpers.js';

const TOKEN = 'e2e-token';
const HOOK_PATH = '/telegram/e2e-hook';

interface BotMessage {
  messageId: number;
  chatId: string;
  html: string;
  keyboard: { text: string; callback_data: string }[][];
}

let server: TelegramServer;
let adapter: TelegramAdapter;
let hook: { close(): Promise<void> };
let content: Content;
let router: Router;
const logger = memoryLogger();

const botMessages = (): BotMessage[] =>
  server.storage.botMessages.map((m) => {
    const msg = m.message as { chat_id: string | number; text: string; reply_markup?: unknown };
    const markup = msg.reply_markup as { inline_keyboard?: BotMessage['keyboard'] } | undefined;
    return {
      messageId: m.messageId,
      chatId: String(msg.chat_id),
      html: msg.text,
      keyboard: markup?.inline_keyboard ?? [],
    };
  });

// The emulator does not wait for the webhook before answering the client: count handled updates.
let handled = 0;
const waiters: (() => void)[] = [];
const updateHandled = () => {
  handled++;
  for (const w of waiters.splice(0)) w();
};
async function handledAtLeast(n: number): Promise<void> {
  while (handled < n) await new Promise<void>((r) => waiters.push(r));
}

/** Runs `act` (one client update through the webhook, or an injected one) and returns the bot messages it produced. */
async function newMessages(act: () => Promise<unknown>, viaWebhook = true): Promise<BotMessage[]> {
  const before = server.storage.botMessages.length;
  const target = handled + 1;
  await act();
  if (viaWebhook) await handledAtLeast(target);
  return botMessages().slice(before);
}
const injected = (update: Parameters<TelegramAdapter['bot']['handleUpdate']>[0]) =>
  newMessages(() => adapter.bot.handleUpdate(update), false);

const buttonsOf = (m: BotMessage) => m.keyboard.flat();

beforeAll(async () => {
  const [apiPort, hookPort] = [await freePort(), await freePort()];
  server = new TelegramServer({ port: apiPort, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  const store = await createContentStore(path.resolve('content'));
  content = store.current().content;
  router = createRouter({
    content: store,
    onJoinRequest: (incoming) => [
      simple(
        'welcome',
        `Hello ${incoming.sender.name}, thanks for asking to join. An admin will look at it soon.`,
      ),
    ],
  });
  adapter = createTelegramAdapter({
    token: TOKEN,
    router,
    logger,
    apiRoot: `http://127.0.0.1:${apiPort}`,
    webhook: { url: `http://127.0.0.1:${hookPort}${HOOK_PATH}` },
  });
  const handler = adapter.webhook!.handler;
  hook = await serveWebhook(
    hookPort,
    {
      path: adapter.webhook!.path,
      secretToken: adapter.webhook!.secretToken,
      handler: async (req, res) => {
        await handler(req, res);
        updateHandled();
      },
    },
    logger,
  );
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await hook?.close();
  await server?.stop();
});

describe('Telegram adapter against the emulator', () => {
  it('is connected in webhook mode and survives the missing setMyCommands', () => {
    expect(adapter.status().connected).toBe(true);
    expect(adapter.webhook?.path).toBe(HOOK_PATH);
    // The emulator answers 500 for setMyCommands: a warning, not a failed start.
    expect(logger.lines.some((l) => l.level === 'warn' && /command menu/.test(l.msg ?? ''))).toBe(true);
  });

  it('/start welcomes the member by name with the menu', async () => {
    const client = server.getClient(TOKEN, { userId: 101, chatId: 101, firstName: 'Ann' });
    const [welcome, ...rest] = await newMessages(() => client.sendCommand(client.makeCommand('/start')));
    expect(rest).toHaveLength(0);
    expect(welcome!.chatId).toBe('101');
    expect(welcome!.html).toContain(`<b>${escapeHtml(content.community.name)}</b>`);
    expect(htmlToText(welcome!.html)).toContain('Ann');
    expect(buttonsOf(welcome!).map((b) => b.callback_data)).toEqual(['faq', 'toc', 'links', 'rules']);
  });

  it('answers a free-text question from the FAQ', async () => {
    const client = server.getClient(TOKEN, { userId: 102, chatId: 102 });
    const [answer] = await newMessages(() => client.sendMessage(client.makeMessage('can b12 cure fibro?')));
    const entry = content.faq.find((e) => e.id === 'b12-cure')!;
    expect(answer!.html).toContain(`<b>${escapeHtml(entry.question)}</b>`);
    expect(htmlToText(answer!.html)).toContain(entry.answer);
    expect(buttonsOf(answer!).map((b) => b.callback_data)).toContain(`sec:${entry.see}`);
  });

  it('/article, a table-of-contents button, then "Next" edit the message in place', async () => {
    const client = server.getClient(TOKEN, { userId: 103, chatId: 103 });
    const [toc] = await newMessages(() => client.sendCommand(client.makeCommand('/article')));
    const tocButtons = buttonsOf(toc!);
    expect(tocButtons).toHaveLength(content.sections.length);
    for (const b of tocButtons) expect(b.text.length).toBeLessThanOrEqual(40);
    const third = tocButtons.find((b) => b.callback_data === 'page:3')!;

    const press = (data: string, messageId: number) =>
      newMessages(() =>
        client.sendCallback(client.makeCallbackQuery(data, { message: { message_id: messageId } })),
      );
    expect(await press(third.callback_data, toc!.messageId)).toHaveLength(0);
    const shown = () => botMessages().find((m) => m.messageId === toc!.messageId)!;
    const section3 = content.sections[2]!;
    expect(shown().html).toContain(`<b>3. ${escapeHtml(section3.title)}</b>`);
    const next = buttonsOf(shown()).find((b) => b.text.startsWith('Next'))!;
    expect(next.callback_data).toBe('page:4');

    expect(await press(next.callback_data, toc!.messageId)).toHaveLength(0);
    expect(shown().html).toContain(`<b>4. ${escapeHtml(content.sections[3]!.title)}</b>`);
    expect(buttonsOf(shown()).map((b) => b.callback_data)).toEqual(['page:3', 'page:toc', 'page:5']);
  });

  it('in a group, "Read the article" under the welcome sends the contents anew: the welcome stays', async () => {
    const client = server.getClient(TOKEN, { userId: 110, chatId: -5110, type: 'group', firstName: 'Bo' });
    const [welcome] = await newMessages(() => client.sendCommand(client.makeCommand('/start')));
    const before = welcome!.html;
    const read = buttonsOf(welcome!).find((b) => b.callback_data === 'toc')!;
    const [toc] = await newMessages(() =>
      client.sendCallback(
        client.makeCallbackQuery(read.callback_data, { message: { message_id: welcome!.messageId } }),
      ),
    );
    expect(htmlToText(toc!.html)).toContain('Contents');
    expect(botMessages().find((m) => m.messageId === welcome!.messageId)!.html).toBe(before);
    // Paging in a group is a new message too: the contents others are reading stay.
    const [section] = await newMessages(() =>
      client.sendCallback(client.makeCallbackQuery('page:2', { message: { message_id: toc!.messageId } })),
    );
    expect(htmlToText(section!.html)).toContain(`2. ${content.sections[1]!.title}`);
    expect(htmlToText(botMessages().find((m) => m.messageId === toc!.messageId)!.html)).toContain('Contents');
  });

  it('"Read the whole section" under an answer opens the named section as a new message', async () => {
    const client = server.getClient(TOKEN, { userId: 111, chatId: 111 });
    const [answer] = await newMessages(() => client.sendMessage(client.makeMessage('can b12 cure fibro?')));
    const before = answer!.html;
    const read = buttonsOf(answer!).find((b) => b.text === 'Read the whole section')!;
    const [section] = await newMessages(() =>
      client.sendCallback(
        client.makeCallbackQuery(read.callback_data, { message: { message_id: answer!.messageId } }),
      ),
    );
    const entry = content.faq.find((e) => e.id === 'b12-cure')!;
    expect(htmlToText(section!.html)).toContain(
      `${entry.section}. ${content.sections[entry.section - 1]!.title}`,
    );
    expect(botMessages().find((m) => m.messageId === answer!.messageId)!.html).toBe(before);
  });

  it('offers "did you mean" choices and answers the one pressed', async () => {
    // Whichever of these the matcher finds ambiguous today: the test is about the buttons.
    const candidates = ['symptoms', 'risk', 'b12', 'b12 fibro', 'deficiency signs', 'vitamin'];
    let query: string | undefined;
    for (const q of candidates) {
      const replies = await router.handle({
        kind: 'text',
        text: q,
        chat: { platform: 'telegram', chatId: 'probe', chatType: 'private' },
        sender: { id: 'probe' },
        addressed: true,
      });
      if (replies[0]?.kind === 'suggestions') {
        query = q;
        break;
      }
    }
    expect(query, 'one of the probe questions should give suggestions').toBeDefined();
    const client = server.getClient(TOKEN, { userId: 104, chatId: 104 });
    const [suggestions] = await newMessages(() => client.sendMessage(client.makeMessage(query!)));
    const choices = buttonsOf(suggestions!).filter((b) => b.callback_data.startsWith('faq:'));
    expect(choices.length).toBeGreaterThanOrEqual(2);
    const picked = choices[1]!;
    const entry = content.faq.find((e) => `faq:${e.id}` === picked.callback_data)!;
    const [answer] = await newMessages(() =>
      client.sendCallback(
        client.makeCallbackQuery(picked.callback_data, { message: { message_id: suggestions!.messageId } }),
      ),
    );
    expect(htmlToText(answer!.html)).toContain(entry.answer);
  });

  it('in a group answers a question addressed to the bot and stays out of chatter', async () => {
    const client = server.getClient(TOKEN, {
      userId: 105,
      chatId: -1005,
      type: 'group',
      chatTitle: 'Fibro friends',
    });
    const chatter = await newMessages(() =>
      client.sendMessage(client.makeMessage('good morning everyone, lovely weather')),
    );
    expect(chatter).toHaveLength(0);
    const text = '@TestNameBot can b12 cure fibro?';
    const [answer] = await newMessages(() =>
      client.sendMessage(
        client.makeMessage(text, { entities: [{ type: 'mention', offset: 0, length: 12 }] }),
      ),
    );
    expect(answer!.chatId).toBe('-1005');
    expect(htmlToText(answer!.html)).toContain(content.faq.find((e) => e.id === 'b12-cure')!.answer);
  });

  it('ignores a command addressed to another bot and answers /faq@TestNameBot', async () => {
    const client = server.getClient(TOKEN, { userId: 106, chatId: -1006, type: 'group' });
    expect(await newMessages(() => client.sendCommand(client.makeCommand('/faq@OtherBot')))).toHaveLength(0);
    const [list] = await newMessages(() => client.sendCommand(client.makeCommand('/faq@TestNameBot')));
    expect(list!.chatId).toBe('-1006');
    expect(htmlToText(list!.html)).toContain('Frequently asked questions');
    expect(buttonsOf(list!)).toHaveLength(content.faqTopics.length);
  });

  it('/faq: topics two per row; a topic turns the message in place into its questions, two per row', async () => {
    const client = server.getClient(TOKEN, { userId: 112, chatId: 112 });
    const [list] = await newMessages(() => client.sendCommand(client.makeCommand('/faq')));
    expect(list!.keyboard.map((row) => row.map((b) => b.text))).toEqual([
      ['About B12 (3)', 'Fibromyalgia (4)'],
      ['B12 and fibromyalgia (9)', 'Who is at risk (3)'],
      ['Tests and treatment (5)'],
    ]);
    const topic = buttonsOf(list!).find((b) => b.text === 'Tests and treatment (5)')!;
    expect(
      await newMessages(() =>
        client.sendCallback(
          client.makeCallbackQuery(topic.callback_data, { message: { message_id: list!.messageId } }),
        ),
      ),
    ).toHaveLength(0);
    const page = botMessages().find((m) => m.messageId === list!.messageId)!;
    expect(htmlToText(page.html)).toContain('Questions: Tests and treatment');
    expect(page.keyboard.map((row) => row.map((b) => b.text))).toEqual([
      ['How is low B12 treated?', 'Who should be tested?'],
      ['How soon does B12 help?', 'Which blood tests?'],
      ['Other nutrients to check'],
      ['◀ Topics'],
    ]);
    // A question opens its answer as a new message: the list stays for the next question.
    const [answer] = await newMessages(() =>
      client.sendCallback(
        client.makeCallbackQuery('faq:b12-tests', { message: { message_id: list!.messageId } }),
      ),
    );
    expect(htmlToText(answer!.html)).toContain(content.faq.find((e) => e.id === 'b12-tests')!.question);
  });

  it("shows a member's markup back as text", async () => {
    const client = server.getClient(TOKEN, { userId: 107, chatId: 107 });
    const [reply] = await newMessages(() =>
      client.sendCommand(client.makeCommand('/faq <b>x</b> & <script>y</script>')),
    );
    expect(reply!.html).not.toContain('<script>');
    expect(reply!.html).toContain('&lt;b&gt;x&lt;/b&gt; &amp; &lt;script&gt;');
  });

  it('says it cannot read a sticker in private, and ignores one in a group', async () => {
    const sticker = {
      file_id: 'st1',
      file_unique_id: 'st1',
      type: 'regular',
      width: 512,
      height: 512,
      is_animated: false,
      is_video: false,
    };
    const dm = server.getClient(TOKEN, { userId: 108, chatId: 108 });
    const [reply] = await newMessages(() =>
      dm.sendMessage(dm.makeMessage(undefined as unknown as string, { sticker })),
    );
    expect(htmlToText(reply!.html)).toContain("can't read a sticker");
    const group = server.getClient(TOKEN, { userId: 108, chatId: -1008, type: 'group' });
    expect(
      await newMessages(() =>
        group.sendMessage(group.makeMessage(undefined as unknown as string, { sticker })),
      ),
    ).toHaveLength(0);
  });

  it('answers a photo caption as text', async () => {
    const client = server.getClient(TOKEN, { userId: 109, chatId: 109 });
    const photo = [{ file_id: 'p1', file_unique_id: 'p1', width: 10, height: 10 }];
    const [answer] = await newMessages(() =>
      client.sendMessage(
        client.makeMessage(undefined as unknown as string, { photo, caption: 'can b12 cure fibro?' }),
      ),
    );
    expect(htmlToText(answer!.html)).toContain(content.faq.find((e) => e.id === 'b12-cure')!.answer);
  });

  it('never answers another bot', async () => {
    const client = server.getClient(TOKEN, { userId: 110, chatId: 110 });
    const fromBot = client.makeMessage('can b12 cure fibro?', {
      from: { id: 110, is_bot: true, first_name: 'Other' },
    });
    expect(await newMessages(() => client.sendMessage(fromBot))).toHaveLength(0);
  });

  it('ignores edited messages', async () => {
    const update = {
      update_id: 900_001,
      edited_message: {
        message_id: 5,
        date: 1,
        edit_date: 2,
        chat: { id: 111, type: 'private' as const, first_name: 'Ed' },
        from: { id: 111, is_bot: false, first_name: 'Ed' },
        text: 'can b12 cure fibro?',
      },
    };
    expect(await injected(update)).toHaveLength(0);
  });

  it('welcomes a member who joined (chat_member), once even when the service message follows', async () => {
    const chat = { id: -1012, type: 'supergroup' as const, title: 'Fibro friends' };
    const user = { id: 112, is_bot: false, first_name: 'Maria', last_name: 'Lopez' };
    const joined = await injected({
      update_id: 900_002,
      chat_member: {
        chat,
        from: user,
        date: 1,
        old_chat_member: { status: 'left', user },
        new_chat_member: { status: 'member', user },
        invite_link: {
          invite_link: 'https://t.me/+abc',
          name: 'spring-flyer',
          creator: user,
          creates_join_request: false,
          is_primary: false,
          is_revoked: false,
        },
      },
    });
    expect(joined).toHaveLength(1);
    expect(joined[0]!.chatId).toBe('-1012');
    expect(joined[0]!.html).toContain(`<b>${escapeHtml(content.community.name)}</b>`);
    expect(htmlToText(joined[0]!.html)).toContain('Maria Lopez');

    const service = await injected({
      update_id: 900_003,
      message: { message_id: 77, date: 1, chat, from: user, new_chat_members: [user] },
    });
    expect(service).toHaveLength(0);
  });

  it('answers a join request privately to the requester, not in the group', async () => {
    const user = { id: 113, is_bot: false, first_name: 'Kim' };
    const sent = await injected({
      update_id: 900_004,
      chat_join_request: {
        chat: { id: -1013, type: 'supergroup', title: 'Fibro friends' },
        from: user,
        user_chat_id: 113,
        date: 1,
      },
    });
    expect(sent).toHaveLength(1);
    expect(sent[0]!.chatId).toBe('113');
    expect(htmlToText(sent[0]!.html)).toContain('Hello Kim, thanks for asking to join');
  });

  it('treats a failed admin lookup as "not admin"', async () => {
    // The emulator has no getChatAdministrators.
    expect(await adapter.admin.isChatAdmin('-1006', '106')).toBe(false);
  });

  it('logged no errors along the way', () => {
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});

describe('webhook secret', () => {
  it('is never left off: without TELEGRAM_WEBHOOK_SECRET one is derived from the token, and forged updates get 401', async () => {
    const port = await freePort();
    const handled: string[] = [];
    const unguarded = createTelegramAdapter({
      token: TOKEN,
      router: {
        ...router,
        handle: async (i) => {
          handled.push(i.kind);
          return [];
        },
      },
      logger: memoryLogger(),
      apiRoot: server.config.apiURL.replace('localhost', '127.0.0.1'),
      webhook: { url: `http://127.0.0.1:${port}/hook` },
    });
    const secret = unguarded.webhook!.secretToken;
    expect(secret).toMatch(/^[A-Za-z0-9_-]{40,}$/);
    expect(secret).not.toContain(TOKEN);
    // Every replica derives the same secret from the same token.
    expect(
      createTelegramAdapter({
        token: TOKEN,
        router,
        logger: memoryLogger(),
        webhook: { url: 'https://x/hook' },
      }).webhook!.secretToken,
    ).toBe(secret);
    const local = await serveWebhook(port, unguarded.webhook!, memoryLogger(), { sendSecret: false });
    try {
      const forged = JSON.stringify({
        update_id: 7,
        message: {
          message_id: 1,
          date: 1,
          chat: { id: 5, type: 'private' },
          from: { id: 5, is_bot: false, first_name: 'M' },
          text: '/broadcast hi',
        },
      });
      const res = await fetch(`http://127.0.0.1:${port}/hook`, {
        method: 'POST',
        body: forged,
        headers: { 'content-type': 'application/json' },
      });
      expect(res.status).toBe(401);
      expect(handled).toEqual([]);
    } finally {
      await local.close();
      await unguarded.stop();
    }
  });

  it('refuses an update without the secret header and accepts one with it', async () => {
    const port = await freePort();
    const guarded = createTelegramAdapter({
      token: TOKEN,
      router,
      logger: memoryLogger(),
      apiRoot: server.config.apiURL.replace('localhost', '127.0.0.1'),
      webhook: { url: `http://127.0.0.1:${port}/hook`, secretToken: 's3cret_token' },
    });
    const local = await serveWebhook(port, guarded.webhook!, memoryLogger(), { sendSecret: false });
    try {
      const body = JSON.stringify({
        update_id: 1,
        edited_message: { message_id: 1, date: 1, chat: { id: 1, type: 'private' }, text: 'x' },
      });
      const post = (headers: Record<string, string>) =>
        fetch(`http://127.0.0.1:${port}/hook`, {
          method: 'POST',
          body,
          headers: { 'content-type': 'application/json', ...headers },
        });
      expect((await post({})).status).toBe(401);
      expect((await post({ 'x-telegram-bot-api-secret-token': 'wrong' })).status).toBe(401);
      expect((await post({ 'x-telegram-bot-api-secret-token': 's3cret_token' })).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${port}/elsewhere`, { method: 'POST', body })).status).toBe(404);
    } finally {
      await local.close();
    }
  });
});
