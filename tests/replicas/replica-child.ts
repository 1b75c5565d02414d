/**
 * One bot replica in its own process, for the three-replica test:
 * `node --import tsx tests/replicas/replica-child.ts <redis socket> <prefix> <name>`.
 * The real router, community management and scheduling (with its workers) on a shared Redis;
 * the platforms are fakes at the Adapter port that record every message in Redis, so the record
 * survives this process being killed. Reads `{id, incoming}` lines on stdin (what a webhook
 * would hand the adapter) and writes `{id, replies}` lines on stdout.
 */
import path from 'node:path';
import { createInterface } from 'node:readline';
import { Redis } from 'ioredis';
import { createCommunity } from '../../src/community/index.js';
import { createContentStore } from '../../src/content/store.js';
import type { Adapter } from '../../src/core/adapter.js';
import { createRouter } from '../../src/core/router.js';
import { plainText } from '../../src/core/text.js';
import type { Incoming, Platform, Reply } from '../../src/core/types.js';
import { schedulingCommands, schedulingPresses } from '../../src/scheduling/commands.js';
import type { RedisOn } from '../../src/scheduling/redis.js';
import { createScheduling } from '../../src/scheduling/service.js';

const [socket, prefix, name] = process.argv.slice(2);
if (!socket || !prefix || !name) throw new Error('usage: replica-child.ts <socket> <prefix> <name>');
const connection = { path: socket, maxRetriesPerRequest: null };
const client = new Redis(connection);
const quiet = { debug() {}, info() {}, warn() {}, error() {} };

const record = async (platform: Platform, chatId: string, replies: readonly Reply[]) => {
  const multi = client.multi();
  for (const r of replies) {
    multi.hincrby(`${prefix}:sends:${r.kind}`, `${platform}:${chatId}`, 1);
    multi.rpush(
      `${prefix}:log`,
      JSON.stringify({ platform, chatId, kind: r.kind, text: plainText(r), by: name }),
    );
  }
  await multi.exec();
};
const fakeAdapter = (platform: Platform): Adapter => ({
  platform,
  start: async () => {},
  stop: async () => {},
  send: async (chatId, replies) => {
    // The platform takes a moment, then accepts.
    await new Promise((r) => setTimeout(r, 15));
    await record(platform, chatId, replies);
  },
  status: () => ({ connected: true }),
});
const adapters = { telegram: fakeAdapter('telegram'), whatsapp: fakeAdapter('whatsapp') } as Record<
  Platform,
  Adapter | undefined
>;

const content = await createContentStore(path.resolve('content'));
const redis: RedisOn = { mode: 'url', connection, client, where: socket, close: async () => {} };
const scheduling = createScheduling({
  redis,
  prefix: `${prefix}:s`,
  content,
  deliver: async (platform, chatId, replies) => adapters[platform]!.send(chatId, replies),
  pacing: {},
  tipsCron: '',
  timeZone: 'Europe/London',
  logger: quiet,
  concurrency: 10,
  backoffMs: 100,
  lockDurationMs: 3_000,
  stalledIntervalMs: 1_000,
});
await scheduling.start();
const community = createCommunity({
  content,
  adapters: (p) => adapters[p],
  redis: client,
  connection,
  prefix: `${prefix}:c:`,
  bullPrefix: `${prefix}:bull`,
  queueName: 'join-requests',
  joinRequestTimeoutMs: 3_600_000,
  flood: { max: 5, windowMs: 30_000 },
  welcomeWindowMs: 1_500,
});
const router = createRouter({
  content,
  ...community.routerOptions,
  commands: [...schedulingCommands(scheduling), ...community.commands],
  presses: [...community.presses, ...schedulingPresses(scheduling)],
  moderators: new Set(['telegram:mod']),
});

createInterface({ input: process.stdin }).on('line', (line) => {
  const { id, incoming } = JSON.parse(line) as { id: number; incoming: Incoming };
  void router.handle(incoming).then((replies) => {
    process.stdout.write(
      `${JSON.stringify({
        id,
        by: name,
        replies: replies.map((r) => ({
          kind: r.kind,
          text: plainText(r),
          section: r.meta?.section,
          buttons: r.buttons ?? [],
        })),
      })}\n`,
    );
  });
});
process.stdout.write(`${JSON.stringify({ ready: name })}\n`);
