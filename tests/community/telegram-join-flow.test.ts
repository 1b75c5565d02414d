/**
 * The agree-to-rules flow end to end: the real Telegram adapter (webhook mode) against
 * telegram-test-api, community management on a real Redis with BullMQ. The emulator cannot
 * send chat_join_request (injected with bot.handleUpdate) nor answer approve/decline calls:
 * a small loopback proxy in front of it records those two and forwards everything else.
 */
import { createServer, type Server } from 'node:http';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/adapters/telegram/index.js';
import { type Community, createCommunity } from '../../src/community/index.js';
import { createRouter } from '../../src/core/router.js';
import { useTestRedis } from '../helpers/redis-server.js';
import { freePort, htmlToText, memoryLogger, serveWebhook } from '../telegram/helpers.js';
import { fresh, loadTestContent } from './helpers.js';

const TOKEN = 'join-flow-token';
const GROUP = { id: -1009001, type: 'supergroup' as const, title: 'Fibro friends' };

interface JoinCall {
  method: 'approveChatJoinRequest' | 'declineChatJoinRequest';
  /** As a string: Telegram takes either, and the adapter sends the core's string id. */
  chat_id: string;
  user_id: number;
}

let emulator: TelegramServer;
let proxy: Server;
let hook: { close(): Promise<void> };
let adapter: TelegramAdapter;
let community: Community;
const db = useTestRedis();
const joinCalls: JoinCall[] = [];
const logger = memoryLogger();

/** Waits (real time: webhooks and BullMQ's delayed jobs) until `check` returns something. */
async function eventually<T>(check: () => T | undefined, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const botMessagesTo = (chatId: number) =>
  emulator.storage.botMessages
    .map(
      (m) =>
        m.message as {
          chat_id: string | number;
          text: string;
          reply_markup?: { inline_keyboard?: { text: string; callback_data: string }[][] };
        },
    )
    .map((m, i) => ({ ...m, messageId: emulator.storage.botMessages[i]!.messageId }))
    .filter((m) => String(m.chat_id) === String(chatId));

const joinRequest = (updateId: number, userId: number, firstName: string) =>
  adapter.bot.handleUpdate({
    update_id: updateId,
    chat_join_request: {
      chat: GROUP,
      from: { id: userId, is_bot: false, first_name: firstName },
      user_chat_id: userId,
      date: Math.floor(Date.now() / 1000),
    },
  });

beforeAll(async () => {
  const [emulatorPort, proxyPort, hookPort] = [await freePort(), await freePort(), await freePort()];
  emulator = new TelegramServer({ port: emulatorPort, host: '127.0.0.1', storeTimeout: 600 });
  await emulator.start();

  proxy = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', async () => {
      const method = (req.url ?? '').split('/').pop() ?? '';
      if (method === 'approveChatJoinRequest' || method === 'declineChatJoinRequest') {
        const payload = JSON.parse(body) as { chat_id: number | string; user_id: number };
        joinCalls.push({ method, chat_id: String(payload.chat_id), user_id: payload.user_id });
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ ok: true, result: true }));
        return;
      }
      const forwarded = await fetch(`http://127.0.0.1:${emulatorPort}${req.url}`, {
        method: req.method ?? 'POST',
        headers: { 'content-type': req.headers['content-type'] ?? 'application/json' },
        ...(body ? { body } : {}),
      });
      res.statusCode = forwarded.status;
      res.setHeader('content-type', forwarded.headers.get('content-type') ?? 'application/json');
      res.end(await forwarded.text());
    });
  });
  await new Promise<void>((r) => proxy.listen(proxyPort, '127.0.0.1', () => r()));

  const content = await loadTestContent();
  const platforms = new Map<string, TelegramAdapter>();
  community = createCommunity({
    content,
    adapters: (p) => platforms.get(p),
    redis: db.redis,
    connection: db.server.options,
    prefix: `${fresh('tgflow')}:`,
    queueName: fresh('tgflow-joinreq'),
    joinRequestTimeoutMs: 1_500,
    flood: { max: 100, windowMs: 30_000 },
  });
  const router = createRouter({ content, ...community.routerOptions, moderators: new Set(['telegram:301']) });
  adapter = createTelegramAdapter({
    token: TOKEN,
    router,
    logger,
    apiRoot: `http://127.0.0.1:${proxyPort}`,
    webhook: { url: `http://127.0.0.1:${hookPort}/hook` },
  });
  platforms.set('telegram', adapter);
  hook = await serveWebhook(hookPort, adapter.webhook!, logger);
  await adapter.start();
  await community.start();
});

afterAll(async () => {
  await community?.close();
  await adapter?.stop();
  await hook?.close();
  await new Promise((r) => proxy?.close(r));
  await emulator?.stop();
});

describe('Telegram join request, end to end', () => {
  it('sends the rules privately; "I agree" approves the request and welcomes the member', async () => {
    await joinRequest(910_001, 201, 'Kim');
    const [rules] = await eventually(
      () => (botMessagesTo(201).length ? botMessagesTo(201) : undefined),
      'the rules',
    );
    expect(htmlToText(rules!.text)).toContain('Hello Kim, thank you for asking to join us');
    expect(htmlToText(rules!.text)).toContain('Be kind and patient');
    expect(botMessagesTo(GROUP.id)).toEqual([]);
    const agree = rules!.reply_markup!.inline_keyboard!.flat().find((b) => b.text === 'I agree')!;
    expect(agree.callback_data).toBe(`agree:telegram:${GROUP.id}`);

    const client = emulator.getClient(TOKEN, { userId: 201, chatId: 201, firstName: 'Kim', type: 'private' });
    await client.sendCallback(
      client.makeCallbackQuery(agree.callback_data, { message: { message_id: rules!.messageId } }),
    );
    const welcome = await eventually(() => botMessagesTo(201)[1], 'the welcome');
    expect(htmlToText(welcome.text)).toContain('Welcome, Kim!');
    expect(joinCalls).toEqual([
      { method: 'approveChatJoinRequest', chat_id: String(GROUP.id), user_id: 201 },
    ]);

    // The timeout was cancelled: the other request below is declined, this one never is.
    await joinRequest(910_002, 202, 'Lee');
    await eventually(() => joinCalls.find((c) => c.user_id === 202), 'the decline for Lee');
    expect(joinCalls.filter((c) => c.user_id === 201)).toEqual([
      { method: 'approveChatJoinRequest', chat_id: String(GROUP.id), user_id: 201 },
    ]);
  });

  it('declines a request nobody agreed to once the timeout passes', async () => {
    await joinRequest(910_003, 203, 'Max');
    const call = await eventually(() => joinCalls.find((c) => c.user_id === 203), 'the decline for Max');
    expect(call).toEqual({ method: 'declineChatJoinRequest', chat_id: String(GROUP.id), user_id: 203 });
    expect(htmlToText(botMessagesTo(203)[0]!.text)).toContain('declined after 2 seconds');
  });

  it('/invite where Telegram refuses: the group reads what failed and what to try, no ids or "undefined"', async () => {
    // The emulator has no createChatInviteLink: it answers HTTP 500 with no description, as a
    // Bot API server that refuses without saying why. Before: "Telegram refused a message to -5001: undefined".
    const client = emulator.getClient(TOKEN, {
      userId: 301,
      chatId: GROUP.id,
      firstName: 'Mo',
      type: 'supergroup',
    });
    const before = botMessagesTo(GROUP.id).length;
    await client.sendCommand(client.makeCommand('/invite spring'));
    const reply = htmlToText((await eventually(() => botMessagesTo(GROUP.id)[before], 'the answer')).text);
    expect(reply).toContain('I could not create an invite link');
    expect(reply).toContain('try again in a minute');
    expect(reply).toContain('I am an admin of this group with the "Invite users via link" right');
    expect(reply).not.toMatch(/undefined|-100\d+|refused a|Error|at \//);
  });

  it('logged no errors', () => {
    expect(logger.lines.filter((l) => l.level === 'error')).toEqual([]);
  });
});
