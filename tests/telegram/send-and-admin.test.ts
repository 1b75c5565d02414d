/**
 * Scheduled sends and group management against a scripted Bot API server on loopback:
 * it answers what the emulator cannot (429, 403, chat not found, admin lists, invite links).
 */
import { describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../src/adapters/telegram/index.js';
import { AdminError, DeliveryError } from '../../src/core/adapter.js';
import type { ContentSource } from '../../src/core/ports.js';
import { simple } from '../../src/core/replies.js';
import { createRouter } from '../../src/core/router.js';
import { memoryLogger, startScriptedBotApi } from './helpers.js';

// send() and admin never touch the router; a router over nothing is enough.
const router = createRouter({
  content: {
    current: () => {
      throw new Error('not used');
    },
  } as ContentSource,
});

async function withApi(
  answer: Parameters<typeof startScriptedBotApi>[0],
  fn: (ctx: {
    adapter: ReturnType<typeof createTelegramAdapter>;
    calls: Awaited<ReturnType<typeof startScriptedBotApi>>['calls'];
    rateLimits: number[];
  }) => Promise<void>,
) {
  const api = await startScriptedBotApi(answer);
  const rateLimits: number[] = [];
  const adapter = createTelegramAdapter({
    token: 'scripted',
    router,
    logger: memoryLogger(),
    apiRoot: api.url,
    hooks: { onRateLimited: (_p, ms) => rateLimits.push(ms) },
  });
  try {
    await fn({ adapter, calls: api.calls, rateLimits });
  } finally {
    await adapter.stop();
    await api.close();
  }
}

const fail = (code: number, description: string, parameters?: object) => ({
  status: code,
  body: { ok: false, error_code: code, description, ...(parameters ? { parameters } : {}) },
});

async function deliveryError(p: Promise<unknown>): Promise<DeliveryError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DeliveryError);
  return err as DeliveryError;
}

describe('send() for scheduled posts', () => {
  it("sends a moderator's /reply as a reply to the member's message", async () => {
    await withApi(
      () => undefined,
      async ({ adapter, calls }) => {
        await adapter.send('-100', [
          { ...simple('moderator', 'Ask your GP.'), quote: { messageId: '12', text: 'hair loss?' } },
        ]);
        const sent = calls.filter((c) => c.method === 'sendMessage');
        expect(sent[0]!.payload).toMatchObject({
          chat_id: '-100',
          reply_parameters: { message_id: 12, allow_sending_without_reply: true },
        });
      },
    );
  });

  it('sends HTML with the keyboard', async () => {
    await withApi(
      () => undefined,
      async ({ adapter, calls }) => {
        await adapter.send('42', [
          simple('tip', 'Drink <water> & rest', [{ label: 'More questions', data: 'faq' }]),
        ]);
        const sent = calls.filter((c) => c.method === 'sendMessage');
        expect(sent).toHaveLength(1);
        expect(sent[0]!.payload).toMatchObject({
          chat_id: '42',
          text: 'Drink &lt;water&gt; &amp; rest',
          parse_mode: 'HTML',
          reply_markup: { inline_keyboard: [[{ text: 'More questions', callback_data: 'faq' }]] },
        });
      },
    );
  });

  it('throws RATE_LIMITED with retry_after on 429, without retrying, and reports it', async () => {
    await withApi(
      (method) =>
        method === 'sendMessage'
          ? fail(429, 'Too Many Requests: retry after 7', { retry_after: 7 })
          : undefined,
      async ({ adapter, calls, rateLimits }) => {
        const err = await deliveryError(adapter.send('42', [simple('tip', 'hello')]));
        expect(err.code).toBe('RATE_LIMITED');
        expect(err.retryAfterMs).toBe(7_000);
        expect(calls.filter((c) => c.method === 'sendMessage')).toHaveLength(1);
        expect(rateLimits).toEqual([7_000]);
      },
    );
  });

  it.each([
    [403, 'Forbidden: bot was blocked by the user', 'PERMANENT'],
    [403, 'Forbidden: bot was kicked from the group chat', 'PERMANENT'],
    [403, 'Forbidden: user is deactivated', 'PERMANENT'],
    [400, 'Bad Request: chat not found', 'PERMANENT'],
    [400, 'Bad Request: message is too long', 'TRANSIENT'],
    [502, 'Bad Gateway', 'TRANSIENT'],
  ] as const)('%i %s -> %s', async (code, description, expected) => {
    await withApi(
      (method) => (method === 'sendMessage' ? fail(code, description) : undefined),
      async ({ adapter }) => {
        const err = await deliveryError(adapter.send('42', [simple('tip', 'hello')]));
        expect(err.code).toBe(expected);
        expect(err.message).toContain('42');
      },
    );
  });

  it('is TRANSIENT when Telegram cannot be reached', async () => {
    const adapter = createTelegramAdapter({
      token: 't',
      router,
      logger: memoryLogger(),
      apiRoot: 'http://127.0.0.1:1',
    });
    const err = await deliveryError(adapter.send('42', [simple('tip', 'hello')]));
    expect(err.code).toBe('TRANSIENT');
  });

  it('falls back to plain text when Telegram cannot parse the HTML', async () => {
    let first = true;
    await withApi(
      (method) => {
        if (method !== 'sendMessage' || !first) return undefined;
        first = false;
        return fail(400, "Bad Request: can't parse entities: unexpected end tag");
      },
      async ({ adapter, calls }) => {
        await adapter.send('42', [simple('tip', 'a & b')]);
        const sent = calls.filter((c) => c.method === 'sendMessage');
        expect(sent).toHaveLength(2);
        expect(sent[1]!.payload.text).toBe('a & b');
        expect(sent[1]!.payload.parse_mode).toBeUndefined();
      },
    );
  });
});

describe('conversation replies', () => {
  const update = (id: number, chatId: number, text: string) => ({
    update_id: id,
    message: {
      message_id: id,
      date: 1,
      chat: { id: chatId, type: 'private' as const, first_name: 'M' },
      from: { id: chatId, is_bot: false, first_name: 'M' },
      text,
    },
  });
  const echo = createRouter({
    // Just enough content for the router's safety check; the guard answers everything.
    content: {
      current: () => ({ content: { community: { safetyPatterns: [] } }, matcher: {} }),
    } as unknown as ContentSource,
    guards: [(incoming) => [simple('command', `echo ${incoming.kind === 'text' ? incoming.text : ''}`)]],
  });

  it('wait out a 429 and then arrive', async () => {
    let limited = false;
    const api = await startScriptedBotApi((method) => {
      if (method !== 'sendMessage' || limited) return undefined;
      limited = true;
      return fail(429, 'Too Many Requests: retry after 1', { retry_after: 1 });
    });
    const rateLimits: number[] = [];
    const adapter = createTelegramAdapter({
      token: 't',
      router: echo,
      logger: memoryLogger(),
      apiRoot: api.url,
      hooks: { onRateLimited: (_p, ms) => rateLimits.push(ms) },
    });
    try {
      await adapter.bot.init();
      await adapter.bot.handleUpdate(update(1, 5, 'hello'));
      const sent = api.calls.filter((c) => c.method === 'sendMessage');
      expect(sent.map((c) => c.payload.text)).toEqual(['echo hello', 'echo hello']);
      expect(rateLimits).toEqual([1_000]);
    } finally {
      await api.close();
    }
  });

  it('a chat that blocked the bot is logged with its id and the next update is still answered', async () => {
    const api = await startScriptedBotApi((method, payload) =>
      method === 'sendMessage' && payload.chat_id === '6'
        ? fail(403, 'Forbidden: bot was blocked by the user')
        : undefined,
    );
    const logger = memoryLogger();
    const adapter = createTelegramAdapter({ token: 't', router: echo, logger, apiRoot: api.url });
    try {
      await adapter.bot.init();
      await adapter.bot.handleUpdate(update(1, 6, 'first'));
      await adapter.bot.handleUpdate(update(2, 7, 'second'));
      const errors = logger.lines.filter((l) => l.level === 'error');
      expect(errors).toHaveLength(1);
      expect(errors[0]!.obj).toMatchObject({ chatId: 6, error: { code: 403 } });
      const delivered = api.calls.filter((c) => c.method === 'sendMessage' && c.payload.chat_id === '7');
      expect(delivered.map((c) => c.payload.text)).toEqual(['echo second']);
    } finally {
      await api.close();
    }
  });
});

describe('command menu', () => {
  it('publishes member commands to private chats and groups, moderator ones only to admins', async () => {
    const withModeration = createRouter({
      content: {} as ContentSource,
      commands: [
        { name: 'broadcast', description: 'post to every chat', action: 'broadcast', handle: () => [] },
        { name: 'secret', description: 'hidden helper', hidden: true, handle: () => [] },
      ],
    });
    const api = await startScriptedBotApi(() => undefined);
    const adapter = createTelegramAdapter({
      token: 't',
      router: withModeration,
      logger: memoryLogger(),
      apiRoot: api.url,
    });
    try {
      await adapter.start();
      const menus = new Map(
        api.calls
          .filter((c) => c.method === 'setMyCommands')
          .map((c) => [
            (c.payload.scope as { type: string }).type,
            (c.payload.commands as { command: string }[]).map((x) => x.command),
          ]),
      );
      expect([...menus.keys()].sort()).toEqual([
        'all_chat_administrators',
        'all_group_chats',
        'all_private_chats',
      ]);
      expect(menus.get('all_private_chats')).toContain('faq');
      expect(menus.get('all_private_chats')).toEqual(menus.get('all_group_chats'));
      expect(menus.get('all_private_chats')).not.toContain('broadcast');
      expect(menus.get('all_private_chats')).not.toContain('secret');
      expect(menus.get('all_chat_administrators')).toContain('broadcast');
      expect(menus.get('all_chat_administrators')).toContain('faq');
      // Scripted API answers getUpdates at once: polling started and stops cleanly.
      expect(adapter.status().connected).toBe(true);
    } finally {
      await adapter.stop();
      await api.close();
    }
  });
});

describe('group management', () => {
  it('creates an invite link with name, expiry and limit', async () => {
    await withApi(
      (method, payload) =>
        method === 'createChatInviteLink'
          ? {
              body: {
                ok: true,
                result: {
                  invite_link: 'https://t.me/+xyz',
                  name: payload.name,
                  member_limit: payload.member_limit,
                  expire_date: payload.expire_date,
                  creates_join_request: false,
                  is_primary: false,
                  is_revoked: false,
                  creator: { id: 777, is_bot: true, first_name: 'F' },
                },
              },
            }
          : undefined,
      async ({ adapter, calls }) => {
        const expiresAt = new Date('2030-01-01T00:00:00Z');
        const link = await adapter.admin.createInvite('-100', { name: 'flyer', expiresAt, memberLimit: 50 });
        expect(link).toEqual({ name: 'flyer', url: 'https://t.me/+xyz', expiresAt, memberLimit: 50 });
        expect(calls.find((c) => c.method === 'createChatInviteLink')!.payload).toMatchObject({
          chat_id: '-100',
          name: 'flyer',
          member_limit: 50,
          expire_date: Math.floor(expiresAt.getTime() / 1000),
        });
      },
    );
  });

  it('refuses approval combined with a member limit, before asking Telegram', async () => {
    await withApi(
      () => undefined,
      async ({ adapter, calls }) => {
        await expect(
          adapter.admin.createInvite('-100', { name: 'x', approval: true, memberLimit: 5 }),
        ).rejects.toThrow(/cannot combine a member limit with join approval/);
        expect(calls).toHaveLength(0);
      },
    );
  });

  it('approves and declines join requests, and revokes links', async () => {
    await withApi(
      () => undefined,
      async ({ adapter, calls }) => {
        await adapter.admin.approveJoinRequest('-100', '5');
        await adapter.admin.declineJoinRequest('-100', '6');
        await adapter.admin.revokeInvite('-100', { name: 'x', url: 'https://t.me/+xyz' });
        expect(calls.map((c) => [c.method, c.payload])).toEqual([
          ['approveChatJoinRequest', { chat_id: '-100', user_id: 5 }],
          ['declineChatJoinRequest', { chat_id: '-100', user_id: 6 }],
          ['revokeChatInviteLink', { chat_id: '-100', invite_link: 'https://t.me/+xyz' }],
        ]);
      },
    );
  });

  it('knows chat admins and asks Telegram once per chat while cached', async () => {
    await withApi(
      (method) =>
        method === 'getChatAdministrators'
          ? {
              body: {
                ok: true,
                result: [
                  { status: 'creator', is_anonymous: false, user: { id: 9, is_bot: false, first_name: 'A' } },
                ],
              },
            }
          : undefined,
      async ({ adapter, calls }) => {
        expect(await adapter.admin.isChatAdmin('-100', '9')).toBe(true);
        expect(await adapter.admin.isChatAdmin('-100', '10')).toBe(false);
        expect(calls.filter((c) => c.method === 'getChatAdministrators')).toHaveLength(1);
      },
    );
  });

  it('a refused admin action becomes a DeliveryError', async () => {
    await withApi(
      () => fail(400, 'Bad Request: not enough rights to manage chat invite links'),
      async ({ adapter }) => {
        const err = await deliveryError(adapter.admin.createInvite('-100', { name: 'x' }));
        expect(err.code).toBe('TRANSIENT');
        expect(err.message).toContain('not enough rights');
        // ...and says why in terms a chat can be told: the bot needs the admin right.
        expect(err).toBeInstanceOf(AdminError);
        expect((err as AdminError).refusal).toBe('needs_admin');
      },
    );
  });
});
