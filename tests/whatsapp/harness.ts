import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { BaileysEventMap, WAMessage } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { afterEach, vi } from 'vitest';
import {
  createWhatsAppAdapter,
  type WhatsAppAdapter,
  type WhatsAppAdapterOptions,
} from '../../src/adapters/whatsapp/index.js';
import type { ILogger } from '../../src/adapters/whatsapp/types.js';
import { type ContentStore, createContentStore } from '../../src/content/store.js';
import type { Command } from '../../src/core/ports.js';
import { simple } from '../../src/core/replies.js';
import { createRouter, type RouterOptions } from '../../src/core/router.js';
import { FakeClock, fakeSocketFactory } from './fakes.js';

type Upsert = BaileysEventMap['messages.upsert'];

let store: ContentStore | undefined;
const adapters: WhatsAppAdapter[] = [];

/** Stops every adapter a test made; call once per test file. */
export function stopAdaptersAfterEach(): void {
  afterEach(async () => {
    await Promise.all(adapters.splice(0).map((a) => a.stop()));
  });
}

/** Tells who the router thinks is asking: ids and moderator rights. */
export const whoami: Command = {
  name: 'whoami',
  description: 'test: who am I',
  handle: (ctx) => [
    simple(
      'command',
      `id=${ctx.incoming.sender.id} alt=${ctx.incoming.sender.altId} moderator=${ctx.isModerator}`,
    ),
  ],
};

/** Log lines, as an operator would read them. */
export function captureLogger() {
  const lines: { level: string; msg: string; obj: unknown }[] = [];
  const at =
    (level: string) =>
    (obj: unknown, msg?: string): void => {
      lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? ''), obj });
    };
  const logger: ILogger = {
    level: 'info',
    child: () => logger,
    trace: at('trace'),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
  return { logger, lines, text: () => lines.map((l) => `${l.level} ${l.msg}`).join('\n') };
}

let seq = 0;
/** A text message as Baileys hands it over (ids and timestamps like the recorded fixtures). */
export function textMessage(opts: {
  chat: string;
  text: string;
  participant?: string;
  participantAlt?: string;
  remoteJidAlt?: string;
  id?: string;
  timestamp?: number;
  expiration?: number;
}): WAMessage {
  const key: WAMessage['key'] = {
    remoteJid: opts.chat,
    fromMe: false,
    id: opts.id ?? `TEST${String(++seq).padStart(12, '0')}${randomUUID().slice(0, 4).toUpperCase()}`,
    ...(opts.participant ? { participant: opts.participant } : {}),
    ...(opts.participantAlt ? { participantAlt: opts.participantAlt } : {}),
    ...(opts.remoteJidAlt ? { remoteJidAlt: opts.remoteJidAlt } : {}),
  };
  return {
    key,
    messageTimestamp: opts.timestamp ?? 1767261600,
    message:
      opts.expiration !== undefined
        ? { extendedTextMessage: { text: opts.text, contextInfo: { expiration: opts.expiration } } }
        : { conversation: opts.text },
  };
}

export async function setup(
  adapterOptions: Partial<WhatsAppAdapterOptions> = {},
  routerOptions: Partial<RouterOptions> = {},
  opts: { prefix?: string; redis: Redis; open?: boolean },
) {
  store ??= await createContentStore(path.resolve('content'));
  const router = createRouter({ content: store, commands: [whoami], ...routerOptions });
  const clock = new FakeClock();
  const factory = fakeSocketFactory();
  const prefix = opts.prefix ?? `wa-test-${randomUUID()}:`;
  const hooks = {
    onReconnect: vi.fn(),
    onConnectionChange: vi.fn(),
    onRateLimited: vi.fn(),
    onSendRefused: vi.fn(),
    onResend: vi.fn(),
    onInboundDropped: vi.fn(),
  };
  const adapter = createWhatsAppAdapter({
    router,
    redis: opts.redis,
    keyPrefix: prefix,
    makeSocket: factory.make,
    clock,
    random: () => 0.5,
    chatGapMs: 0,
    globalGapMs: 0,
    refusalWaitMs: 0,
    hooks,
    onQr: () => {},
    ...adapterOptions,
  });
  adapters.push(adapter);
  await adapter.start();
  if (opts.open !== false) factory.current.open();
  const deliver = async (...messages: WAMessage[]) => {
    factory.current.emit('messages.upsert', { messages, type: 'notify' } satisfies Upsert);
    await adapter.whenIdle();
  };
  return { adapter, clock, factory, hooks, prefix, deliver, router };
}
