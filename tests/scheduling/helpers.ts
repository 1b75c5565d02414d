import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { Redis } from 'ioredis';
import { createContentStore } from '../../src/content/store.js';
import type { DeliveryError } from '../../src/core/adapter.js';
import type { ContentSource } from '../../src/core/ports.js';
import { plainText } from '../../src/core/text.js';
import type { Platform, Reply } from '../../src/core/types.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import { createScheduling, type Scheduling, type SchedulingOptions } from '../../src/scheduling/service.js';
import type { TestRedis } from '../helpers/redis-server.js';

export const quietLogger = { debug() {}, info() {}, warn() {}, error() {} };

let content: ContentSource | undefined;
export async function loadContent(): Promise<ContentSource> {
  content ??= await createContentStore(path.resolve('content'));
  return content;
}

/** A fresh key prefix per test: tests share one redis-server. */
export const freshPrefix = () => `t${randomBytes(5).toString('hex')}`;

/** A RedisOn handle on the test server (the scheduling module takes what openRedis gives). */
export function handleFor(redis: TestRedis): RedisOn {
  const connection = { ...redis.options, maxRetriesPerRequest: null };
  const client = new Redis(connection);
  client.on('error', () => {});
  return {
    mode: 'url',
    connection,
    client,
    where: redis.socket,
    close: async () => {
      client.disconnect();
    },
  };
}

export interface Sent {
  readonly platform: Platform;
  readonly chatId: string;
  readonly kind: Reply['kind'];
  readonly text: string;
  readonly at: number;
}

/** Fake platforms at the Adapter port: records every accepted send; `fail` scripts errors. */
export function fakePlatforms() {
  const sent: Sent[] = [];
  const failures = new Map<string, DeliveryError[]>();
  const attempts: { platform: Platform; chatId: string; at: number }[] = [];
  return {
    sent,
    attempts,
    /** The next sends to this chat throw these errors, in order. */
    fail(platform: Platform, chatId: string, ...errors: DeliveryError[]) {
      failures.set(`${platform}:${chatId}`, errors);
    },
    deliver: async (platform: Platform, chatId: string, replies: readonly Reply[]) => {
      attempts.push({ platform, chatId, at: Date.now() });
      const queue = failures.get(`${platform}:${chatId}`);
      const err = queue?.shift();
      if (err) throw err;
      for (const r of replies)
        sent.push({ platform, chatId, kind: r.kind, text: plainText(r), at: Date.now() });
    },
    to: (platform: Platform, chatId: string) =>
      sent.filter((s) => s.platform === platform && s.chatId === chatId),
  };
}

export async function makeScheduling(
  handle: RedisOn,
  deliver: SchedulingOptions['deliver'],
  extra: Partial<SchedulingOptions> = {},
): Promise<Scheduling> {
  return createScheduling({
    redis: handle,
    prefix: freshPrefix(),
    content: await loadContent(),
    deliver,
    pacing: {},
    tipsCron: '',
    timeZone: 'Europe/London',
    logger: quietLogger,
    backoffMs: 100,
    lockDurationMs: 5_000,
    stalledIntervalMs: 2_000,
    ...extra,
  });
}

export async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 20_000,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
