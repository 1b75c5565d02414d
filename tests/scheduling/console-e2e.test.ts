import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, describe, expect, it } from 'vitest';

/** The console chat with no REDIS_URL: it starts its own redis-server in a fresh DATA_DIR. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** `npm run chat -- --jsonl`, or `direct`: the same command without npm in between (signals reach the bot). */
function startBot(dataDir: string, direct = false) {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    PORT: '0',
  };
  for (const k of ['REDIS_URL', 'TELEGRAM_BOT_TOKEN', 'WHATSAPP_ENABLED']) delete env[k];
  const [cmd, args] = direct
    ? [process.execPath, ['--import', 'tsx', 'src/main.ts', '--console', '--jsonl']]
    : ['npm', ['run', '--silent', 'chat', '--', '--jsonl']];
  const child = spawn(cmd as string, args as string[], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  const waiters: (() => void)[] = [];
  createInterface({ input: child.stdout! }).on('line', (l) => {
    lines.push(JSON.parse(l));
    for (const w of waiters.splice(0)) w();
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  const waitFor = async (pred: (l: Record<string, unknown>) => boolean, what: string, ms = 30_000) => {
    const deadline = Date.now() + ms;
    while (!lines.some(pred)) {
      if (Date.now() > deadline)
        throw new Error(`no ${what} within ${ms} ms; stdout: ${JSON.stringify(lines)} stderr: ${stderr}`);
      await new Promise<void>((r) => {
        waiters.push(r);
        setTimeout(r, 200);
      });
    }
  };
  return { child: child as ChildProcess, lines, exited, waitFor, stderr: () => stderr };
}

const deliveries = (lines: Record<string, unknown>[]) =>
  lines
    .filter((l) => 'delivery' in l)
    .map((l) => l.delivery as { chatId: string; kind: string; text: string });
const replyText = (l: Record<string, unknown>) =>
  (l.replies as { text: string }[] | undefined)?.[0]?.text ?? '';

describe('console chat with the embedded Redis', () => {
  it('/schedule in 3s: confirms, delivers once about 3 s later, exits when nothing is pending', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bot-console-'));
    dirs.push(dataDir);
    const bot = startBot(dataDir);
    bot.child.stdin!.end('/schedule in 3s Hello everyone\n');
    await bot.waitFor((l) => l.input === '/schedule in 3s Hello everyone', 'confirmation');
    const confirmation = bot.lines.find((l) => l.input === '/schedule in 3s Hello everyone')!;
    expect(replyText(confirmation)).toMatch(/^Scheduled post #1 for .*"Hello everyone"/);
    expect(deliveries(bot.lines)).toHaveLength(0);
    expect(await bot.exited).toBe(0);
    expect(deliveries(bot.lines)).toEqual([{ chatId: 'local', kind: 'broadcast', text: 'Hello everyone' }]);
  }, 60_000);

  it('the same with a restart of the bot between scheduling and the due time', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'bot-console-'));
    dirs.push(dataDir);
    // SIGTERM the bot itself (npm would die of the signal instead of passing on the bot's exit code).
    const first = startBot(dataDir, true);
    first.child.stdin!.write('/schedule in 8s Hello after restart\n');
    await first.waitFor((l) => replyText(l).startsWith('Scheduled post #1'), 'confirmation');
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
    expect(deliveries(first.lines)).toHaveLength(0);

    const second = startBot(dataDir);
    second.child.stdin!.end();
    expect(await second.exited).toBe(0);
    expect(deliveries(second.lines)).toEqual([
      { chatId: 'local', kind: 'broadcast', text: 'Hello after restart' },
    ]);
  }, 90_000);
});
