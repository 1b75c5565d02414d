import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnBot, TSX_MAIN, until } from '../helpers/bot-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'bot-main-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

describe('the bot process (npm start) behind its ops server', () => {
  it('answers health, readiness and metrics, reloads on SIGHUP, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const bot = spawnBot(process.execPath, [...TSX_MAIN, '--jsonl'], {
      // REDIS_URL unset: the bot runs its own redis-server in DATA_DIR, as on a small host.
      env: {
        PATH: process.env.PATH,
        PORT: String(port),
        HOST: '127.0.0.1',
        DATA_DIR: dataDir,
        LOG_LEVEL: 'info',
      },
    });
    const { child, exited, out, err } = bot;
    const url = `http://127.0.0.1:${port}`;
    try {
      await until(() => err().includes('"bot started"'), 'start-up', err);

      expect((await fetch(`${url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${url}/readyz`);
      const readyBody = (await ready.json()) as { checks: { name: string }[] };
      expect(ready.status, JSON.stringify(readyBody)).toBe(200);
      expect(readyBody.checks.map((c) => c.name)).toContain('redis');

      child.stdin.write('{"text":"Can vitamin B12 deficiency cause fibromyalgia?"}\n');
      await until(() => out().includes('\n'), 'a reply', err);
      expect(JSON.parse(out().split('\n')[0]!).replies[0].kind).toBe('faq');

      const metrics = await (await fetch(`${url}/metrics`)).text();
      expect(metrics).toContain('bot_messages_in_total{platform="console",kind="text"} 1');
      expect(metrics).toContain('bot_replies_out_total{platform="console",kind="faq"} 1');
      expect(metrics).toMatch(/bot_queue_jobs\{queue="[^"]+",state="waiting"\} \d+/);
      expect(metrics).toContain('process_cpu_user_seconds_total');
      expect((await fetch(`${url}/admin/queues`)).status).toBe(404);

      child.kill('SIGHUP');
      await until(() => err().includes('"content reloaded"'), 'the SIGHUP reload', err);

      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      expect(err()).toContain('"shutdown complete"');
      expect(err()).toContain('"ok":true');
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  }, 180_000);
});
