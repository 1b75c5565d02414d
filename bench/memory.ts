/**
 * `npm run bench:memory`: resident memory of the compiled bot (what `npm start` runs), idle.
 *
 * Builds dist/ when needed (through scripts/start.mjs), then starts the bot three ways and reads
 * each process's VmRSS from /proc after it has been idle for a while:
 *   - the console chat alone (scripted mode, stdin held open);
 *   - Telegram (webhook mode, against the telegram-test-api emulator: polling it would busy-loop);
 *   - Telegram with the console, for comparison.
 * Each run uses its own data dir and embedded redis-server (a separate process, not counted).
 * A figure, not a test: nothing here passes or fails.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { TelegramServer } from 'telegram-test-api/lib/telegramServer.js';

const root = path.resolve(import.meta.dirname, '..');
/** The node flags `npm start` uses (package.json), so the figure is what `npm start` gives. */
const startFlags = (
  JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }
).scripts.start
  .split(/\s+/)
  .filter((w) => w.startsWith('--'));
const IDLE_MS = Number(process.argv[2] ?? 15_000);

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

const rssMb = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};

async function measure(label: string, args: string[], env: Record<string, string>): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'bot-mem-'));
  const child: ChildProcess = spawn(process.execPath, [...startFlags, 'scripts/start.mjs', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'info', ENV_FILE: '', ...env },
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr!.on('data', (c) => {
    log += c;
  });
  try {
    for (let i = 0; i < 1_200 && !log.includes('"bot started"'); i++)
      await new Promise((r) => setTimeout(r, 100));
    if (!log.includes('"bot started"')) throw new Error(`${label}: did not start\n${log}`);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const node = rssMb(child.pid!);
    console.log(`  ${label.padEnd(34)} ${node.toFixed(0).padStart(4)} MB resident (one node process)`);
  } finally {
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// Compile once up front (a bad setting makes the bot exit right after), so no run measures tsc.
const build = spawn(process.execPath, ['scripts/start.mjs'], {
  cwd: root,
  env: { PATH: process.env.PATH ?? '', ENV_FILE: '', TIPS_CRON: 'not a schedule' },
  stdio: ['ignore', 'ignore', 'ignore'],
});
await new Promise((r) => build.once('exit', r));

const emulatorPort = await freePort();
const emulator = new TelegramServer({ port: emulatorPort, host: '127.0.0.1', storeTimeout: 600 });
await emulator.start();
console.log(
  `Idle resident memory of the compiled bot (node ${process.version} ${startFlags.join(' ')}), ` +
    `after ${IDLE_MS / 1000} s idle:`,
);
try {
  const telegram = async () => {
    const port = await freePort();
    return {
      TELEGRAM_BOT_TOKEN: '123456:bench',
      TELEGRAM_API_ROOT: `http://127.0.0.1:${emulatorPort}`,
      TELEGRAM_WEBHOOK_URL: `http://127.0.0.1:${port}/telegram/hook`,
      TELEGRAM_WEBHOOK_SECRET: 'bench',
      PORT: String(port),
      HOST: '127.0.0.1',
    };
  };
  await measure('console chat alone', ['--console', '--jsonl'], {});
  await measure('Telegram (webhook)', [], await telegram());
  await measure('Telegram + console chat', ['--console', '--jsonl'], await telegram());
} finally {
  await emulator.stop();
}
