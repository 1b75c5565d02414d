/**
 * The Telegram adapter: grammY updates become the core's {@link Incoming} events, the router's
 * replies are rendered as HTML messages with inline keyboards. This file only wires the parts:
 *
 * - `lifecycle.ts`: the Bot, long polling (`@grammyjs/runner`) or a webhook, start and stop;
 * - `inbound.ts`: messages and button presses to the router (with `to-incoming.ts`);
 * - `outbound.ts`: replies to sends and edits, rate limits;
 * - `admin.ts`: admins, invite links, join requests, joins.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import type { Bot } from 'grammy';
import type { Adapter, PlatformAdmin } from '../../core/adapter.js';
import { AdminCache, createTelegramAdmin, installMembership, JoinDedup } from './admin.js';
import { installConversation, updatePipeline } from './inbound.js';
import { createTelegramLifecycle, type TelegramWebhook } from './lifecycle.js';
import { createTelegramOutbound } from './outbound.js';
import type { TelegramAdapterOptions } from './types.js';

export { ALLOWED_UPDATES, type TelegramWebhook } from './lifecycle.js';
export type { TelegramAdapterOptions, TelegramLogger } from './types.js';

export interface TelegramAdapter extends Adapter {
  readonly platform: 'telegram';
  readonly admin: PlatformAdmin;
  /** Present in webhook mode: the operations HTTP server mounts it. */
  readonly webhook?: TelegramWebhook;
  /**
   * The grammY bot. An escape hatch for tests and tools: `bot.handleUpdate(update)` feeds an
   * update Telegram (or an emulator) cannot be made to send.
   */
  readonly bot: Bot;
}

/**
 * Creates the Telegram adapter. Nothing talks to Telegram until {@link Adapter.start}.
 *
 * @example
 * const telegram = createTelegramAdapter({ token, router, logger, apiRoot: 'http://127.0.0.1:9000' });
 * await telegram.start();
 */
export function createTelegramAdapter(options: TelegramAdapterOptions): TelegramAdapter {
  const { router, logger, hooks } = options;
  const clock = options.clock ?? Date.now;
  const lifecycle = createTelegramLifecycle(options);
  const { bot, api, identity } = lifecycle;
  const outbound = createTelegramOutbound({
    api,
    logger,
    ...(hooks ? { hooks } : {}),
    ...(options.groupPerMinute !== undefined ? { groupPerMinute: options.groupPerMinute } : {}),
    ...(options.safetyReserve !== undefined ? { safetyReserve: options.safetyReserve } : {}),
  });

  // Every 429 is seen (innermost), then polling is paced; conversation replies (bot.api and
  // every ctx.api) wait out a 429 and retry a 5xx a few times. Scheduled sends, start-up calls
  // and group management use the plain `api`: no auto-retry, errors go to the caller.
  api.config.use(outbound.observeRateLimits);
  bot.api.config.use(outbound.observeRateLimits, lifecycle.pacePolling);
  bot.api.config.use(autoRetry({ maxRetryAttempts: 3, maxDelaySeconds: 60, rethrowHttpErrors: true }));

  const admins = new AdminCache(() => api, logger, clock);
  const joins = new JoinDedup(options.joinDedupMs ?? 2 * 60_000, clock);
  const updates = updatePipeline(bot, logger);
  installMembership(updates, { router, logger, identity, admins, joins, outbound });
  installConversation(updates, { router, logger, identity, admins, outbound });

  return {
    platform: 'telegram',
    bot,
    admin: createTelegramAdmin(() => api, admins),
    ...(lifecycle.webhook ? { webhook: lifecycle.webhook } : {}),
    start: () => lifecycle.start(),
    stop: () => lifecycle.stop(),
    send: (chatId, replies) => outbound.send(chatId, replies),
    status: () => lifecycle.status(),
  };
}
