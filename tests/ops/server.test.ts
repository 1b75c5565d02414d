import type { IncomingMessage, ServerResponse } from 'node:http';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Router } from '../../src/core/router.js';
import type { Incoming, Reply } from '../../src/core/types.js';
import { createMetrics, instrumentRouter } from '../../src/ops/metrics.js';
import {
  adapterChecks,
  createOpsServer,
  type OpsServer,
  redisCheck,
  WEBHOOK_MAX_BYTES,
} from '../../src/ops/server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

interface ReadyBody {
  ready: boolean;
  failing: string[];
  checks: { name: string; ok: boolean }[];
}

const silent = { info() {}, warn() {}, error() {} };
let redis: TestRedis;
let running: OpsServer[] = [];

beforeAll(async () => {
  redis = await startTestRedis();
});
afterAll(async () => {
  await redis.destroy();
});
afterEach(async () => {
  await Promise.all(running.map((s) => s.close()));
  running = [];
});

async function start(options: Partial<Parameters<typeof createOpsServer>[0]> = {}) {
  const server = createOpsServer({
    port: 0,
    host: '127.0.0.1',
    logger: silent,
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: () => [],
    ...options,
  });
  running.push(server);
  const { url } = await server.listen();
  return url;
}

const chat = { platform: 'telegram', chatId: '42', chatType: 'private' } as const;
const text = (t: string): Incoming => ({ kind: 'text', chat, sender: { id: '7' }, text: t });

describe('ops server', () => {
  it('/healthz answers 200 while the process runs', async () => {
    const url = await start();
    const res = await fetch(`${url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('ok\n');
  });

  it('/readyz is 200 when Redis answers and every adapter is connected', async () => {
    const client = new Redis(redis.options);
    try {
      const adapters = [{ platform: 'telegram' as const, status: () => ({ connected: true }) }];
      const url = await start({
        readiness: async () => [await redisCheck(client), ...adapterChecks(adapters)],
      });
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as ReadyBody;
      expect(body).toMatchObject({ ready: true, failing: [] });
      expect(body.checks.map((c) => c.name)).toEqual(['redis', 'adapter:telegram']);
    } finally {
      client.disconnect();
    }
  });

  it('/readyz is 503 listing each failing check: a disconnected adapter and an unreachable Redis', async () => {
    // A client whose server is gone: nothing listens on this socket.
    const dead = new Redis({
      path: `${redis.dir}/missing.sock`,
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on('error', () => {});
    try {
      const adapters = [
        { platform: 'telegram' as const, status: () => ({ connected: true }) },
        {
          platform: 'whatsapp' as const,
          status: () => ({ connected: false, detail: 'waiting for QR scan' }),
        },
      ];
      const url = await start({
        readiness: async () => [await redisCheck(dead, 500), ...adapterChecks(adapters)],
      });
      const res = await fetch(`${url}/readyz`);
      expect(res.status).toBe(503);
      const body = (await res.json()) as ReadyBody;
      expect(body.ready).toBe(false);
      expect(body.failing).toHaveLength(2);
      expect(body.failing[0]).toMatch(/^redis: /);
      expect(body.failing[1]).toBe('adapter:whatsapp: waiting for QR scan');
    } finally {
      dead.disconnect();
    }
  });

  it('/metrics counts messages in, replies out by kind, unanswered questions, 429s, reconnects', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const replies: Record<string, Reply[]> = {
      hello: [{ kind: 'faq', paragraphs: [[{ text: 'B12 is...' }]] }],
      'what about cats': [
        { kind: 'fallback', paragraphs: [[{ text: 'no idea' }]], meta: { unanswered: true } },
      ],
    };
    const inner: Router = {
      commands: [],
      isModerator: () => false,
      actorOf: async (i: Incoming) => ({ role: 'member' as const, chat: i.chat }),
      handle: async (i) => (i.kind === 'text' ? (replies[i.text] ?? []) : []),
    };
    const router = instrumentRouter(inner, metrics);
    expect(await router.handle(text('hello'))).toEqual(replies.hello);
    await router.handle(text('hello'));
    await router.handle(text('what about cats'));
    metrics.hooks.onRateLimited?.('telegram', 3000);
    metrics.hooks.onReconnect?.('whatsapp', '408');
    metrics.hooks.onConnectionChange?.('whatsapp', true);
    metrics.deliveryLatency.observe({ platform: 'telegram', kind: 'tip' }, 0.7);

    const url = await start({ metrics });
    const res = await fetch(`${url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toContain('bot_messages_in_total{platform="telegram",kind="text"} 3');
    expect(body).toContain('bot_replies_out_total{platform="telegram",kind="faq"} 2');
    expect(body).toContain('bot_replies_out_total{platform="telegram",kind="fallback"} 1');
    expect(body).toContain('bot_unanswered_questions_total{platform="telegram"} 1');
    expect(body).toContain('bot_rate_limited_total{platform="telegram"} 1');
    expect(body).toContain('bot_reconnects_total{platform="whatsapp",reason="408"} 1');
    expect(body).toContain('bot_platform_connected{platform="whatsapp"} 1');
    expect(body).toContain('bot_delivery_latency_seconds_bucket{le="1",platform="telegram",kind="tip"} 1');
  });

  it('/metrics reports queue depths from BullMQ', async () => {
    const metrics = createMetrics({ defaultMetrics: false });
    const name = `depth-${Date.now()}-${Math.random().toString(36).slice(2)}`;
    const queue = new Queue(name, { connection: redis.options });
    try {
      await queue.add('tip', { n: 1 });
      await queue.add('tip', { n: 2 });
      await queue.add('later', { n: 3 }, { delay: 60_000 });
      metrics.watchQueues([queue]);
      const url = await start({ metrics });
      const body = await (await fetch(`${url}/metrics`)).text();
      expect(body).toContain(`bot_queue_jobs{queue="${name}",state="waiting"} 2`);
      expect(body).toContain(`bot_queue_jobs{queue="${name}",state="delayed"} 1`);
      expect(body).toContain(`bot_queue_jobs{queue="${name}",state="active"} 0`);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it("serves Telegram's webhook on the same port, with the raw body untouched", async () => {
    const seen: string[] = [];
    const handler = (req: IncomingMessage, res: ServerResponse) =>
      new Promise<void>((resolve) => {
        let body = '';
        req.on('data', (c) => {
          body += c;
        });
        req.on('end', () => {
          seen.push(body);
          res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
          resolve();
        });
      });
    const url = await start({ webhook: { path: '/telegram/abc', handler } });
    const update = JSON.stringify({ update_id: 1, message: { text: 'hi' } });
    const res = await fetch(`${url}/telegram/abc`, {
      method: 'POST',
      body: update,
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    expect(seen).toEqual([update]);
    expect((await fetch(`${url}/telegram/other`, { method: 'POST', body: update })).status).toBe(404);
  });

  it('refuses webhook bodies over 1 MB (and without a length) before the handler reads them', async () => {
    let calls = 0;
    const url = await start({
      webhook: {
        path: '/telegram/abc',
        handler: (_req, res) => {
          calls++;
          res.writeHead(200).end();
        },
      },
    });
    const big = await fetch(`${url}/telegram/abc`, {
      method: 'POST',
      body: 'x'.repeat(WEBHOOK_MAX_BYTES + 1),
      headers: { 'content-type': 'application/json' },
    }).catch((err: unknown) => err);
    // The server answers 413 and closes; a client still sending may see the reset instead.
    if (big instanceof Response) expect(big.status).toBe(413);
    const chunked = await fetch(`${url}/telegram/abc`, {
      method: 'POST',
      body: new ReadableStream({
        start(c) {
          c.enqueue(new TextEncoder().encode('{}'));
          c.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(411);
    expect(calls).toBe(0);
    const ok = await fetch(`${url}/telegram/abc`, { method: 'POST', body: '{}' });
    expect(ok.status).toBe(200);
    expect(calls).toBe(1);
  });

  it('has no queue dashboard when ADMIN_USER/ADMIN_PASSWORD are unset', async () => {
    const url = await start();
    expect((await fetch(`${url}/admin/queues`)).status).toBe(404);
  });

  it('asks for a login on the dashboard and refuses a wrong password', async () => {
    const url = await start({ admin: { user: 'ops', password: 's3cret' } });
    const none = await fetch(`${url}/admin/queues`);
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Basic /);
    const wrong = await fetch(`${url}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` },
    });
    expect(wrong.status).toBe(401);
    const api = await fetch(`${url}/admin/queues/api/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` },
    });
    expect(api.status).toBe(401);
    const right = await fetch(`${url}/admin/queues`, {
      headers: { authorization: `Basic ${Buffer.from('ops:s3cret').toString('base64')}` },
    });
    expect(right.status).toBe(200);
  });
});
