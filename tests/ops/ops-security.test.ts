/**
 * The ops server as an attacker on the network sees it: password guessing on the dashboard,
 * framing, MIME sniffing, and server paths leaking through failed jobs and readiness details.
 */
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoginThrottle } from '../../src/ops/login-throttle.js';
import { createMetrics } from '../../src/ops/metrics.js';
import { createOpsServer, type OpsServer, withoutPaths } from '../../src/ops/server.js';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const auth = (password: string) => ({
  authorization: `Basic ${Buffer.from(`operator:${password}`).toString('base64')}`,
});

let redis: TestRedis;
let queue: Queue;
let server: OpsServer;
let url: string;
const queueName = `sec-${Date.now()}-${Math.random().toString(36).slice(2)}`;

beforeAll(async () => {
  redis = await startTestRedis();
  queue = new Queue(queueName, { connection: redis.options });
  // A job that fails the way real ones do: its stack trace names files on this server.
  const worker = new Worker(
    queueName,
    async () => {
      throw new Error(`cannot read ${process.cwd()}/data/secret-layout.json`);
    },
    { connection: { ...redis.options, maxRetriesPerRequest: null } },
  );
  const failed = new Promise((resolve) => worker.once('failed', resolve));
  await queue.add('tip', { text: 'hello' });
  await failed;
  await worker.close();
  server = createOpsServer({
    port: 0,
    host: '127.0.0.1',
    logger: { info() {}, warn() {}, error() {} },
    metrics: createMetrics({ defaultMetrics: false }),
    readiness: () => [
      { name: 'redis', ok: false, detail: `connect ENOENT ${process.cwd()}/data/redis.sock` },
    ],
    queues: [queue],
    admin: { user: 'operator', password: 'correct horse' },
    loginThrottle: { freeFailures: 5, baseDelayMs: 300 },
  });
  ({ url } = await server.listen());
});

afterAll(async () => {
  await server?.close();
  await queue?.obliterate({ force: true });
  await queue?.close();
  await redis?.destroy();
});

describe('dashboard logins', () => {
  it('lock an address out after five wrong passwords, without checking the password while locked', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      statuses.push((await fetch(`${url}/admin/queues`, { headers: auth(`guess${i}`) })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 401]);
    // Even the right password waits out the lockout: a guess cannot be tested while locked.
    const locked = await fetch(`${url}/admin/queues`, { headers: auth('correct horse') });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, 350));
    expect((await fetch(`${url}/admin/queues`, { headers: auth('correct horse') })).status).toBe(200);
  });

  it('double the lockout with every further failure, up to a cap', () => {
    let t = 0;
    const throttle = createLoginThrottle({ now: () => t, baseDelayMs: 1_000, maxDelayMs: 8_000 });
    for (let i = 0; i < 5; i++) throttle.failed('a');
    expect(throttle.waitMs('a')).toBe(0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      throttle.failed('a');
      waits.push(throttle.waitMs('a'));
      t += throttle.waitMs('a');
    }
    expect(waits).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(throttle.waitMs('b')).toBe(0);
  });
});

describe('security headers', () => {
  it('forbid framing and sniffing, and allow only the server’s own scripts', async () => {
    for (const path of ['/healthz', '/readyz', '/admin/queues']) {
      const res = await fetch(`${url}${path}`, { headers: auth('correct horse') });
      expect(res.headers.get('x-frame-options'), path).toBe('DENY');
      expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).toContain("script-src 'self'");
    }
  });
});

describe('server paths', () => {
  it('never reach what the dashboard shows of a failed job', async () => {
    const res = await fetch(
      `${url}/admin/queues/api/queues?activeQueue=${queueName}&status=failed&page=1&jobsPerPage=10`,
      { headers: auth('correct horse') },
    );
    expect(res.status).toBe(200);
    const body = await res.text();
    expect(body).toContain('secret-layout.json');
    expect(body).not.toContain(process.cwd());
    expect(body).not.toMatch(/node_modules\/bullmq/);
  });

  it('never reach /readyz', async () => {
    const body = await (await fetch(`${url}/readyz`)).text();
    expect(body).toContain('redis.sock');
    expect(body).not.toContain(process.cwd());
  });

  it('are cut to the file name, in stack traces and file URLs alike', () => {
    expect(withoutPaths('at run (/home/bot/app/src/x.ts:3:9)')).toBe('at run (…/x.ts:3:9)');
    expect(withoutPaths('file:///app/dist/main.js:1')).toBe('…/main.js:1');
    expect(withoutPaths('a/b relative and 1/2 stay')).toBe('a/b relative and 1/2 stay');
    expect(withoutPaths('links stay: https://t.me/fibro/12')).toBe('links stay: https://t.me/fibro/12');
  });
});
