/** Long polling with @grammyjs/runner against the emulator: the default mode `npm start` uses. */
import path from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/adapters/telegram/index.js';
import { createContentStore } from '../../src/content/store.js';
import { createRouter } from '../../src/core/router.js';
import { freePort, htmlToText, memoryLogger } from './helpers.js';

const TOKEN = 'polling-token';
let server: TelegramServer;
let adapter: TelegramAdapter;
let answer: string;
const logger = memoryLogger();

beforeAll(async () => {
  const port = await freePort();
  server = new TelegramServer({ port, host: '127.0.0.1', storeTimeout: 600 });
  await server.start();
  const store = await createContentStore(path.resolve('content'));
  answer = store.current().content.faq.find((e) => e.id === 'b12-cure')!.answer;
  adapter = createTelegramAdapter({
    token: TOKEN,
    router: createRouter({ content: store }),
    logger,
    apiRoot: `http://127.0.0.1:${port}/`,
  });
  await adapter.start();
});

afterAll(async () => {
  await adapter?.stop();
  await server?.stop();
});

it('polls for updates and answers in order, then stops cleanly', async () => {
  expect(adapter.status()).toMatchObject({ connected: true, detail: 'long polling' });
  const client = server.getClient(TOKEN, { userId: 7, chatId: 7, firstName: 'Pat' });
  const twoReplies = new Promise<void>((resolve) => {
    server.on('AddedBotMessage', () => {
      if (server.storage.botMessages.length >= 2) resolve();
    });
  });
  await client.sendCommand(client.makeCommand('/start'));
  await client.sendMessage(client.makeMessage('can b12 cure fibro?'));
  await twoReplies;
  const texts = server.storage.botMessages.map((m) =>
    htmlToText(String((m.message as { text: string }).text)),
  );
  expect(texts[0]).toContain('Pat');
  expect(texts[1]).toContain(answer);
  await adapter.stop();
  expect(adapter.status().connected).toBe(false);
  expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
});
