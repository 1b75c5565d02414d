import { Queue } from 'bullmq';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/ops/metrics.js';
import { createOpsServer, type OpsServer } from '../../src/ops/server.js';
import { launchChromium } from '../helpers/chromium.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

let redis: TestRedis;
let queue: Queue;
let server: OpsServer;
let browser: Browser;
let url: string;
const queueName = `dash-${Date.now()}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new Queue(queueName, { connection: redis.options });
  await queue.add('tip', { text: 'hello' });
  server = createOpsServer({
    port: 0,
    host: '127.0.0.1',
    logger: { info() {}, warn() {}, error() {} },
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: () => [],
    queues: [queue],
    admin: { user: 'operator', password: 'correct horse' },
  });
  ({ url } = await server.listen());
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.destroy();
});

describe('queue dashboard in a browser', () => {
  it('refuses a visitor without credentials (401)', async () => {
    const context = await browser.newContext();
    try {
      const page = await context.newPage();
      // Headless Chromium cancels the login prompt, so the navigation itself errors:
      // look at the response the server sent instead.
      const response = page.waitForResponse((r) => r.url() === `${url}/admin/queues`);
      await page.goto(`${url}/admin/queues`).catch(() => undefined);
      expect((await response).status()).toBe(401);
      const body = await (await response).text();
      expect(body).not.toContain(queueName);
      expect(body).not.toContain('<script');
    } finally {
      await context.close();
    }
  });

  it('refuses wrong credentials', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'operator', password: 'guess' },
    });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${url}/admin/queues`);
      expect(res?.status()).toBe(401);
    } finally {
      await context.close();
    }
  });

  it('lists the queues after login', async () => {
    const context = await browser.newContext({
      httpCredentials: { username: 'operator', password: 'correct horse' },
    });
    try {
      const page = await context.newPage();
      const res = await page.goto(`${url}/admin/queues`);
      expect(res?.status()).toBe(200);
      // The board is a single-page app: the queue name appears once its API call succeeded.
      await page.getByText(queueName).first().waitFor({ timeout: 15_000 });
      expect(await page.title()).toContain('Bot queues');
    } finally {
      await context.close();
    }
  });
});
