/**
 * Emergencies are never queued behind chatter (issue #11, section 3). A busy group has spent
 * its minute's budget with Telegram: a fake Bot API on loopback counts messages per group the
 * way Telegram does (20 a minute) and answers 429 with `retry_after` past that. A member then
 * writes that they have chest pain: the safety reply must leave within 2 s.
 */
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter, type TelegramAdapter } from '../../src/adapters/telegram/index.js';
import { renderReply } from '../../src/adapters/telegram/render.js';
import { DeliveryError } from '../../src/core/adapter.js';
import type { Content } from '../../src/core/content.js';
import { safetyReply, simple } from '../../src/core/replies.js';
import type { Router } from '../../src/core/router.js';
import { realRouter } from '../core/fixtures.js';
import { memoryLogger, startScriptedBotApi } from './helpers.js';

const GROUP = -100_777;
const PER_MINUTE = 20;

/** A Bot API that limits each group to 20 messages a minute, as Telegram does. */
async function limitingBotApi() {
  const sentAt = new Map<string, number[]>();
  const accepted: { text: string; at: number }[] = [];
  const refused: { text: string; retryAfter: number }[] = [];
  const api = await startScriptedBotApi((method, payload) => {
    if (method !== 'sendMessage') return undefined;
    const chat = String(payload.chat_id);
    const text = String(payload.text);
    const now = Date.now();
    const recent = (sentAt.get(chat) ?? []).filter((t) => now - t < 60_000);
    if (chat.startsWith('-') && recent.length >= PER_MINUTE) {
      const retryAfter = Math.ceil((recent[0]! + 60_000 - now) / 1000);
      refused.push({ text, retryAfter });
      return {
        status: 429,
        body: {
          ok: false,
          error_code: 429,
          description: `Too Many Requests: retry after ${retryAfter}`,
          parameters: { retry_after: retryAfter },
        },
      };
    }
    sentAt.set(chat, [...recent, now]);
    accepted.push({ text, at: now });
    return undefined; // the scripted server answers ok with the message
  });
  return { ...api, accepted, refused };
}

let router: Router;
let content: Content;
let safetyHtml: string;

beforeAll(async () => {
  ({ router, content } = await realRouter());
  safetyHtml = renderReply(safetyReply(content))[0]!.html;
});

let nextId = 1;
const groupMessage = (text: string) => {
  const id = nextId++;
  return {
    update_id: id,
    message: {
      message_id: id,
      date: Math.floor(Date.now() / 1000),
      chat: { id: GROUP, type: 'supergroup' as const, title: 'Fibro friends' },
      from: { id: 5_000 + (id % 7), is_bot: false, first_name: `Member${id % 7}` },
      text,
    },
  };
};

const until = async (what: () => boolean, ms: number) => {
  const end = Date.now() + ms;
  while (!what() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
  return what();
};

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setUp() {
  const api = await limitingBotApi();
  const logger = memoryLogger();
  const adapter: TelegramAdapter = createTelegramAdapter({
    token: 'limited',
    router,
    logger,
    apiRoot: api.url,
  });
  await adapter.bot.init();
  cleanup = api.close;
  return { api, adapter, logger };
}

/** Feeds the emergency and returns how long its safety reply took to be accepted by Telegram. */
async function emergencyLatency(adapter: TelegramAdapter, api: Awaited<ReturnType<typeof limitingBotApi>>) {
  const started = Date.now();
  void adapter.bot.handleUpdate(groupMessage("@FibroTestBot I have crushing chest pain and I can't breathe"));
  await until(() => api.accepted.some((m) => m.text === safetyHtml), 8_000);
  const sent = api.accepted.find((m) => m.text === safetyHtml);
  return sent ? sent.at - started : Number.POSITIVE_INFINITY;
}

describe('a safety reply in a saturated group', () => {
  it('leaves within 2 s, ahead of the chatter replies still waiting', async () => {
    const { api, adapter } = await setUp();
    // 30 questions in a burst: more answers than the group's minute allows.
    for (let i = 0; i < 30; i++)
      void adapter.bot.handleUpdate(groupMessage('@FibroTestBot can b12 cure fibromyalgia?'));
    expect(await until(() => api.accepted.length >= PER_MINUTE - 3, 20_000)).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    const chatterBefore = api.accepted.length;
    expect(chatterBefore).toBeLessThan(30); // replies are still waiting

    const ms = await emergencyLatency(adapter, api);
    console.log(`safety reply in a saturated group: ${ms} ms after the message`);
    expect(ms).toBeLessThan(2_000);
    // Telegram never had to refuse it, and no waiting chatter reply went before it.
    expect(api.refused.map((r) => r.text)).not.toContain(safetyHtml);
    expect(api.accepted.slice(chatterBefore).map((m) => m.text)[0]).toBe(safetyHtml);
  }, 30_000);

  it('leaves within 2 s when scheduled posts have used the budget, which they cannot take from it', async () => {
    const { api, adapter } = await setUp();
    const post = [simple('command', "Today's tip: pace yourself.")];
    let sent = 0;
    let refusedByAdapter: DeliveryError | undefined;
    for (let i = 0; i < PER_MINUTE; i++) {
      try {
        await adapter.send(String(GROUP), post);
        sent++;
      } catch (err) {
        refusedByAdapter = err as DeliveryError;
        break;
      }
    }
    // The adapter keeps a share of the minute for safety replies: the queue is told to wait.
    expect(refusedByAdapter).toBeInstanceOf(DeliveryError);
    expect(refusedByAdapter!.code).toBe('RATE_LIMITED');
    expect(refusedByAdapter!.retryAfterMs).toBeGreaterThan(0);
    expect(sent).toBeLessThan(PER_MINUTE);

    const ms = await emergencyLatency(adapter, api);
    console.log(`safety reply after scheduled posts used the budget: ${ms} ms`);
    expect(ms).toBeLessThan(2_000);
    expect(api.refused).toEqual([]);
  }, 30_000);
});
