/**
 * Delivery benchmark: a 10,000-chat broadcast through the real queues and workers on a real
 * redis-server, against a fake platform that enforces the configured limits and answers 429
 * when they are broken. Prints the enqueue (fan-out) time, the achieved delivery rate as a share
 * of the limit, and the counts of 429s, duplicates and lost deliveries.
 *
 * `npx tsx bench/delivery-bench.ts`, or through `npm run bench` (bench/run-bench.ts).
 */
import { fileURLToPath } from 'node:url';
import { DeliveryError } from '../src/core/adapter.js';
import { simple } from '../src/core/replies.js';
import { fanOut } from '../src/scheduling/delivery.js';
import { telegramPacing } from '../src/scheduling/pacing.js';
import { createScheduling } from '../src/scheduling/service.js';
import { startTestRedis } from '../tests/helpers/redis-server.js';
import { handleFor, loadContent, quietLogger } from '../tests/scheduling/helpers.js';

export interface DeliveryBenchResult {
  readonly chats: number;
  readonly limitPerSecond: number;
  readonly enqueueMs: number;
  readonly deliveryMs: number;
  readonly achievedPerSecond: number;
  readonly shareOfLimit: number;
  readonly rateLimited: number;
  readonly duplicates: number;
  readonly lost: number;
}

export async function runDeliveryBench(
  options: { chats?: number; perSecond?: number; concurrency?: number; print?: boolean } = {},
): Promise<DeliveryBenchResult> {
  const chats = options.chats ?? 10_000;
  // Telegram allows ~30/s (our default is 25/s): 10,000 chats would take 6.7 minutes. The bench
  // scales the limit up (same code path and pacing, smaller gaps) to stay well under a minute.
  const perSecond = options.perSecond ?? 250;
  const chatGapMs = 1_100;
  const redis = await startTestRedis();
  const handle = handleFor(redis);
  const prefix = `bench${Date.now().toString(36)}`;

  // The fake platform: at most `perSecond` sends in any one-second window, a gap per chat; else 429.
  const window: number[] = [];
  const lastPerChat = new Map<string, number>();
  const received = new Map<string, number>();
  let rateLimited = 0;
  let first = 0;
  let last = 0;
  const deliver = async (_platform: string, chatId: string) => {
    const now = performance.timeOrigin + performance.now();
    while (window.length > 0 && window[0]! <= now - 1000) window.shift();
    const prev = lastPerChat.get(chatId);
    if (window.length >= perSecond || (prev !== undefined && now - prev < chatGapMs)) {
      rateLimited++;
      throw new DeliveryError('RATE_LIMITED', 'Too Many Requests: retry after 1', 1_000);
    }
    window.push(now);
    lastPerChat.set(chatId, now);
    received.set(chatId, (received.get(chatId) ?? 0) + 1);
    first ||= now;
    last = now;
  };

  const scheduling = createScheduling({
    redis: handle,
    prefix,
    content: await loadContent(),
    deliver,
    pacing: { telegram: telegramPacing(perSecond, 20, chatGapMs) },
    tipsCron: '',
    timeZone: 'UTC',
    logger: quietLogger,
    concurrency: options.concurrency ?? 64,
  });
  try {
    for (let i = 0; i < chats; i += 1_000) {
      const n = Math.min(1_000, chats - i);
      const fields = Array.from({ length: n }, (_, j) => [`telegram:${1_000_000 + i + j}`, 'private']).flat();
      await handle.client.hset(`${prefix}:subs`, ...fields);
    }
    // Enqueue: the fan-out of one post into one delivery job per chat, before workers run.
    const t0 = performance.now();
    await fanOut({
      client: handle.client,
      prefix,
      deliveries: scheduling.deliveries,
      subscriptions: scheduling.subscriptions,
      postId: 'bench-1',
      replies: [simple('broadcast', 'Bench: hello everyone')],
      defaults: { attempts: 5, backoffMs: 1_000 },
    });
    const enqueueMs = performance.now() - t0;

    await scheduling.start();
    const deadline = Date.now() + 5 * 60_000;
    const pendingKey = `${prefix}:pending:telegram`;
    while ((await handle.client.scard(pendingKey)) > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
    }
    const delivered = [...received.values()].reduce((a, b) => a + b, 0);
    const duplicates = [...received.values()].reduce((a, c) => a + Math.max(0, c - 1), 0);
    const lost = chats - received.size;
    const deliveryMs = last - first;
    const achievedPerSecond = deliveryMs > 0 ? ((delivered - 1) * 1000) / deliveryMs : 0;
    const result: DeliveryBenchResult = {
      chats,
      limitPerSecond: perSecond,
      enqueueMs: Math.round(enqueueMs),
      deliveryMs: Math.round(deliveryMs),
      achievedPerSecond: Math.round(achievedPerSecond * 10) / 10,
      shareOfLimit: Math.round((achievedPerSecond / perSecond) * 1000) / 1000,
      rateLimited,
      duplicates,
      lost,
    };
    if (options.print !== false) {
      console.log('\nDelivery benchmark (BullMQ + Redis pacing, fake platform enforcing the limits)');
      console.log(
        `  broadcast to ${chats} chats; limit scaled up to ${perSecond} msg/s (Telegram: ~30/s, default 25/s)`,
      );
      console.log(`  enqueue (fan-out into ${chats} delivery jobs): ${result.enqueueMs} ms`);
      console.log(
        `  delivery: ${delivered} sends in ${(deliveryMs / 1000).toFixed(1)} s = ${result.achievedPerSecond} msg/s, ` +
          `${(result.shareOfLimit * 100).toFixed(1)}% of the limit (goal >= 90%)`,
      );
      console.log(
        `  429s from the fake platform: ${rateLimited}; duplicates: ${duplicates}; lost: ${lost} (goal 0 and 0)`,
      );
    }
    return result;
  } finally {
    await scheduling.close();
    await handle.close();
    await redis.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const chats = process.argv[2] ? Number(process.argv[2]) : undefined;
  await runDeliveryBench(chats ? { chats } : {});
}
