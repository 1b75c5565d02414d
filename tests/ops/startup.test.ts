import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnBot, TSX_MAIN } from '../helpers/bot-process.js';

/** Starting and quitting the real bot process as a moderator would: settings, busy ports, terminals. */
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'bot-startup-'));
  dirs.push(d);
  return d;
};

/** A port held by another program for the length of a test. */
async function busyPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as { port: number }).port, server };
}

const bot = (args: readonly string[], env: Record<string, string>, input?: string) =>
  spawnBot(process.execPath, [...TSX_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', LOG_LEVEL: 'info', ENV_FILE: '', ...env },
    ...(input === undefined ? {} : { input }),
  });

/** Whether something still answers on the embedded Redis's socket in this data dir. */
const redisAlive = (dataDir: string) =>
  new Promise<boolean>((resolve) => {
    const socket = path.join(dataDir, 'redis', 'redis.sock');
    if (!existsSync(socket)) return resolve(false);
    const c = connect(socket);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });

describe('start-up', () => {
  it('a busy PORT stops a platform run in words (which port, what to set) and leaves no redis-server', async () => {
    const { port, server } = await busyPort();
    const dataDir = tempDir();
    try {
      const b = bot([], {
        DATA_DIR: dataDir,
        PORT: String(port),
        HOST: '127.0.0.1',
        TELEGRAM_BOT_TOKEN: '123:abc',
        TELEGRAM_API_ROOT: 'http://127.0.0.1:9',
      });
      expect(await b.exited).toBe(2);
      expect(b.err()).toContain(`Port ${port} (on 127.0.0.1) is already in use`);
      expect(b.err()).toMatch(/Set PORT to a free port .*or PORT=0/);
      expect(b.err()).not.toMatch(/EADDRINUSE| {4}at /);
      expect(await redisAlive(dataDir)).toBe(false);
    } finally {
      server.close();
    }
  }, 180_000);

  it('the console chat carries on when the PORT it was given is taken, and says so', async () => {
    const { port, server } = await busyPort();
    try {
      const b = bot(
        ['--console', '--jsonl'],
        { DATA_DIR: tempDir(), PORT: String(port), HOST: '127.0.0.1' },
        'can b12 cure fibro?\n',
      );
      expect(await b.exited).toBe(0);
      expect(JSON.parse(b.out().split('\n')[0]!).replies[0].kind).toBe('faq');
      expect(b.err()).toContain('the console chat carries on without the operations server');
    } finally {
      server.close();
    }
  }, 180_000);

  it('the console chat opens no ops server when PORT is not set', async () => {
    const b = bot(['--console', '--jsonl'], { DATA_DIR: tempDir() }, 'hello\n');
    expect(await b.exited).toBe(0);
    expect(b.err()).toContain('"bot started"');
    expect(b.err()).not.toContain('ops server listening');
  }, 180_000);

  it('reads the settings file, says which, and reports its bad values like any others', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'bot.env');
    writeFileSync(file, 'TIPS_CRON=every_day\nREDIS_URL=localhost:6379\n');
    const bad = bot(['--jsonl'], { DATA_DIR: dir, ENV_FILE: file }, '');
    expect(await bad.exited).toBe(2);
    expect(bad.err()).toContain('TIPS_CRON: "every_day" is not a schedule');
    expect(bad.err()).toContain('REDIS_URL: must start with redis://');
    expect(bad.err()).not.toMatch(/ {4}at /);

    writeFileSync(file, 'BLOG_URL=https://blog.example.org/\n');
    const good = bot(['--jsonl'], { DATA_DIR: dir, ENV_FILE: file }, '/links\n');
    expect(await good.exited).toBe(0);
    expect(good.err()).toContain(`settings read from ${file}`);
    expect(good.out()).toContain('https://blog.example.org/');
  }, 180_000);
});

describe('quitting', () => {
  it('a script ends at once although an earlier session scheduled a post for tomorrow', async () => {
    const dataDir = tempDir();
    const first = bot(['--console', '--jsonl'], { DATA_DIR: dataDir }, '/schedule tomorrow 9:00 See you\n');
    expect(await first.exited).toBe(0);
    expect(first.out()).toContain('Scheduled post #1');
    const second = bot(['--console', '--jsonl'], { DATA_DIR: dataDir }, 'hello\n');
    expect(await second.exited).toBe(0);
    expect(second.out().trim().split('\n')).toHaveLength(1);
    expect(await redisAlive(dataDir)).toBe(false);
  }, 180_000);

  it('closing the terminal (SIGHUP) ends the chat with a post pending; the post stays in Redis', async () => {
    const dataDir = tempDir();
    // `script` gives the bot a real terminal; killing `script` closes it, as closing a window does.
    const script = spawnBot('script', ['-qfec', `${process.execPath} ${TSX_MAIN.join(' ')}`, '/dev/null'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir, LOG_LEVEL: 'warn', TERM: 'dumb', ENV_FILE: '' },
    });
    const term = script.child;
    const screen = script.out;
    const waitFor = async (text: string) => {
      for (let i = 0; i < 600 && !screen().includes(text); i++) await new Promise((r) => setTimeout(r, 50));
      expect(screen()).toContain(text);
    };
    await waitFor('you>');
    term.stdin.write('/schedule tomorrow 9:00 See you\r');
    await waitFor('Scheduled post #1');
    const botPid = Number(
      await new Promise<string>((resolve) => {
        const ps = spawn('pgrep', ['-P', String(term.pid)]);
        let o = '';
        ps.stdout.on('data', (c) => {
          o += c;
        });
        ps.on('exit', () => resolve(o.trim().split('\n')[0] ?? ''));
      }),
    );
    expect(botPid).toBeGreaterThan(0);
    term.kill('SIGKILL');
    const alive = () => {
      try {
        process.kill(botPid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 400 && alive(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(alive()).toBe(false);
    expect(await redisAlive(dataDir)).toBe(false);

    // The post is still there for the next start.
    const next = bot(['--console', '--jsonl'], { DATA_DIR: dataDir }, '/scheduled\n');
    expect(await next.exited).toBe(0);
    expect(next.out()).toContain('See you');
  }, 180_000);
});

describe('npm start', () => {
  it('runs the bot itself in one node process (compiled on first start), no tsx wrapper', async () => {
    const npm = spawnBot('npm', ['start', '--silent', '--', '--console', '--jsonl'], {
      env: { PATH: process.env.PATH ?? '', DATA_DIR: tempDir(), LOG_LEVEL: 'warn', ENV_FILE: '' },
    });
    const { child, exited, out } = npm;
    child.stdin.write('can b12 cure fibro?\n');
    for (let i = 0; i < 3_000 && !out().includes('\n'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(out().split('\n')[0]!).replies[0].kind).toBe('faq');

    // Every process under `npm start` that runs node, besides npm itself.
    const table = await new Promise<string>((resolve) => {
      const ps = spawn('ps', ['-eo', 'pid=,ppid=,args=']);
      let o = '';
      ps.stdout.on('data', (c) => {
        o += c;
      });
      ps.on('exit', () => resolve(o));
    });
    const rows = table
      .split('\n')
      .map((l) => /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(l))
      .filter((m) => m !== null)
      .map((m) => ({ pid: Number(m[1]), ppid: Number(m[2]), args: m[3]! }));
    const tree = new Set([child.pid]);
    for (let grew = true; grew; ) {
      grew = false;
      for (const r of rows)
        if (tree.has(r.ppid) && !tree.has(r.pid)) {
          tree.add(r.pid);
          grew = true;
        }
    }
    const nodes = rows.filter(
      (r) => r.pid !== child.pid && tree.has(r.pid) && /^(\S*\/)?node\s/.test(r.args),
    );
    expect(
      nodes.map((r) => r.args),
      JSON.stringify(nodes),
    ).toHaveLength(1);
    expect(nodes[0]!.args).toContain('scripts/start.mjs');
    child.stdin.end();
    expect(await exited).toBe(0);
  }, 300_000);
});
