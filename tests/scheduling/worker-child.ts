/**
 * A delivery worker in its own process, for the crash test: `node --import tsx worker-child.ts <socket> <prefix>`.
 * Its fake platform records every accepted send in Redis (`<prefix>:fake:sends`, chat -> count),
 * so the count survives this process being killed with SIGKILL.
 */
import { Redis } from 'ioredis';
import { startDeliveryWorker } from '../../src/scheduling/delivery.js';
import { Pacer } from '../../src/scheduling/pacing.js';
import { Subscriptions } from '../../src/scheduling/subscriptions.js';

const [socket, prefix] = process.argv.slice(2);
if (!socket || !prefix) throw new Error('usage: worker-child.ts <socket> <prefix>');
const connection = { path: socket, maxRetriesPerRequest: null };
const client = new Redis(connection);
const logger = {
  info() {},
  warn() {},
  error: (o: object, m?: string) => process.stderr.write(`${m} ${JSON.stringify(o)}\n`),
};

startDeliveryWorker({
  connection,
  client,
  prefix,
  bullPrefix: `${prefix}:bull`,
  pacer: new Pacer(client, prefix, {}),
  subscriptions: new Subscriptions(client, prefix),
  logger,
  attempts: 5,
  concurrency: 20,
  lockDurationMs: 3_000,
  stalledIntervalMs: 1_000,
  deliver: async (_platform, chatId) => {
    // The platform takes a moment, then accepts the message (and the send is counted).
    await new Promise((r) => setTimeout(r, 15));
    await client.hincrby(`${prefix}:fake:sends`, chatId, 1);
  },
});
process.stdout.write('ready\n');
