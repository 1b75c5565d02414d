import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestRedis, type TestRedis } from '../helpers/redis-server.js';

const fixture = path.join(import.meta.dirname, 'fixtures/slow-worker.ts');
let redis: TestRedis;
let dir: string;

beforeAll(async () => {
  redis = await startTestRedis();
  dir = mkdtempSync(path.join(tmpdir(), 'bot-shutdown-'));
});
afterAll(async () => {
  await redis.destroy();
  rmSync(dir, { recursive: true, force: true });
});

function startBot(queue: string, doneFile: string) {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture], {
    env: { ...process.env, REDIS_SOCKET: redis.socket, QUEUE: queue, JOB_MS: '4000', DONE_FILE: doneFile },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => {
    out += c;
  });
  child.stderr!.on('data', (c) => {
    err += c;
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = async (text: string) => {
    for (let i = 0; i < 400 && !out.includes(text); i++) {
      if (child.exitCode !== null) break;
      await new Promise((r) => setTimeout(r, 25));
    }
    if (!out.includes(text)) throw new Error(`bot never printed "${text}"; stderr: ${err}`);
  };
  return { child, exited, waitFor, stderr: () => err };
}

const fresh = () => `shutdown-${Date.now()}-${Math.random().toString(36).slice(2)}`;
const done = (file: string) =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

describe('graceful shutdown with work in flight', () => {
  it('SIGTERM mid-job: the job finishes, the next job stays queued, the process exits 0', async () => {
    const name = fresh();
    const doneFile = path.join(dir, `${name}.done`);
    const queue = new Queue(name, { connection: redis.options });
    try {
      const first = await queue.add('deliver', { chat: 1 });
      const second = await queue.add('deliver', { chat: 2 });
      const bot = startBot(name, doneFile);
      await bot.waitFor(`active ${first.id}`);
      (bot.child as ChildProcess).kill('SIGTERM');
      expect(await bot.exited).toBe(0);

      expect(done(doneFile)).toEqual([first.id]);
      expect(await queue.getJobState(first.id!)).toBe('completed');
      expect((await queue.getJob(first.id!))?.returnvalue).toBe('sent');
      // Not taken after SIGTERM, and not lost: still waiting for the next start.
      expect(await queue.getJobState(second.id!)).toBe('waiting');
      expect(bot.stderr()).toContain('shutdown complete');
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('a second SIGTERM exits at once (code 1) and the interrupted job is resumed by the next worker', async () => {
    const name = fresh();
    const doneFile = path.join(dir, `${name}.done`);
    const queue = new Queue(name, { connection: redis.options });
    let next: Worker | undefined;
    try {
      const job = await queue.add('deliver', { chat: 1 });
      const bot = startBot(name, doneFile);
      await bot.waitFor(`active ${job.id}`);
      bot.child.kill('SIGTERM');
      // A copy within a second is the same request (npm forwarding plus a group kill): ignored.
      await new Promise((r) => setTimeout(r, 100));
      bot.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 1_200));
      expect(bot.child.exitCode).toBeNull();
      bot.child.kill('SIGTERM');
      expect(await bot.exited).toBe(1);
      expect(done(doneFile)).toEqual([]);
      expect(await queue.getJobState(job.id!)).toBe('active');

      // The next start: the stalled job goes back to the queue and is delivered.
      const delivered = new Promise<string>((resolve) => {
        next = new Worker(name, async (j) => resolve(j.id!), {
          connection: { ...redis.options, maxRetriesPerRequest: null },
          stalledInterval: 300,
        });
      });
      expect(await delivered).toBe(job.id);
    } finally {
      await next?.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
