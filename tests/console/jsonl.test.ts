import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/** Runs the real console chat in scripted mode, feeding `lines` on stdin, until it exits. */
function runChat(lines: readonly string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'info', PORT: '0' };
  // A console-only run: no platforms, no external Redis.
  for (const k of [
    'REDIS_URL',
    'TELEGRAM_BOT_TOKEN',
    'TELEGRAM_WEBHOOK_URL',
    'WHATSAPP_ENABLED',
    'MODERATORS',
  ])
    delete env[k];
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', '--console', '--jsonl'], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    stdout += d;
  });
  child.stderr.setEncoding('utf8').on('data', (d: string) => {
    stderr += d;
  });
  child.stdin.end(lines.map((l) => `${l}\n`).join(''));
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`the chat did not exit after its input ended\nstdout:\n${stdout}\nstderr:\n${stderr}`),
      );
    }, 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

interface JsonOut {
  input: string;
  replies: { kind: string; text: string; buttons: { label: string; data: string }[] }[];
}

const script = [
  'can b12 cure fibro?',
  JSON.stringify({ text: 'can b12 supplements cure fibromyalgia?', chatType: 'group', chatId: 'g1' }),
  JSON.stringify({ text: 'lol same here', chatType: 'group', chatId: 'g1' }),
  JSON.stringify({ press: 'sec:2' }),
  JSON.stringify({ text: '/faq 1', moderator: false }),
  '{"text": "can b12 cure', // invalid JSON
  JSON.stringify({ foo: 1 }),
  '',
  '/section 999',
  'does fibromyalgia cause chest pain?',
];

let dataDir: string;
let run: Awaited<ReturnType<typeof runChat>>;
let out: JsonOut[];

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(tmpdir(), 'chat-jsonl-'));
  run = await runChat(script, dataDir);
  out = run.stdout
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as JsonOut);
}, 90_000);

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('console chat, JSONL contract (real process)', () => {
  it('exits 0 after its input ends', () => {
    expect(run.code, run.stderr).toBe(0);
  });

  it('writes exactly one JSON line per input line, in order, and nothing else on stdout', () => {
    const lines = run.stdout.split('\n');
    expect(lines.at(-1)).toBe('');
    expect(lines.slice(0, -1)).toHaveLength(script.length);
    expect(out).toHaveLength(script.length);
  });

  it('shapes every line as {input, replies: [{kind, text, buttons: [{label, data}]}]} with no other keys', () => {
    for (const line of out) {
      expect(Object.keys(line).sort()).toEqual(['input', 'replies']);
      expect(typeof line.input).toBe('string');
      expect(Array.isArray(line.replies)).toBe(true);
      for (const r of line.replies) {
        expect(Object.keys(r).sort()).toEqual(['buttons', 'kind', 'text']);
        expect(typeof r.kind).toBe('string');
        expect(typeof r.text).toBe('string');
        for (const b of r.buttons) {
          expect(Object.keys(b).sort()).toEqual(['data', 'label']);
          expect(typeof b.label).toBe('string');
          expect(typeof b.data).toBe('string');
        }
      }
    }
  });

  it('answers plain text as a private chat', () => {
    expect(out[0]!.input).toBe('can b12 cure fibro?');
    expect(out[0]!.replies.map((r) => r.kind)).toEqual(['faq']);
    expect(out[0]!.replies[0]!.text).toContain('B12 supplements cannot cure fibromyalgia');
    expect(out[0]!.replies[0]!.buttons.map((b) => b.label)).toContain('Read the whole section');
  });

  it('follows the group policy for group lines', () => {
    expect(out[1]!.input).toBe('can b12 supplements cure fibromyalgia?');
    expect(out[1]!.replies.map((r) => r.kind)).toEqual(['faq']);
    expect(out[2]).toEqual({ input: 'lol same here', replies: [] });
  });

  it('handles a press', () => {
    expect(out[3]!.input).toBe('sec:2');
    expect(out[3]!.replies[0]!.kind).toBe('section');
    expect(out[3]!.replies[0]!.text).toMatch(/^2\. Understanding Vitamin B12/);
    expect(out[3]!.replies[0]!.buttons.map((b) => b.data)).toEqual(['page:1', 'page:toc', 'page:3']);
  });

  it('runs commands written in JSON lines', () => {
    expect(out[4]!.input).toBe('/faq 1');
    expect(out[4]!.replies[0]!.kind).toBe('faq');
    expect(out[4]!.replies[0]!.text).toMatch(/^Can vitamin B12 deficiency cause fibromyalgia\?/);
  });

  it('answers invalid JSON and unknown shapes with an error line, and carries on', () => {
    expect(out[5]!.input).toBe('{"text": "can b12 cure');
    expect(out[5]!.replies).toEqual([
      { kind: 'error', text: expect.stringMatching(/not valid JSON/), buttons: [] },
    ]);
    expect(out[6]!.input).toBe('{"foo":1}');
    expect(out[6]!.replies).toEqual([
      { kind: 'error', text: expect.stringMatching(/give "text" or "press"/), buttons: [] },
    ]);
    expect(out[8]!.replies[0]!.kind).toBe('error');
    expect(out[8]!.replies[0]!.text).toContain('There is no section "999"');
  });

  it('adds a caution line, kind "caution", to a question about a serious symptom', () => {
    const replies = out[9]!.replies;
    expect(replies.map((r) => r.kind)).not.toContain('safety');
    expect(replies.at(-1)).toEqual({
      kind: 'caution',
      text: expect.stringMatching(/happening to you .* now, call/),
      buttons: [],
    });
  });

  it('answers an empty line clearly', () => {
    expect(out[7]!.input).toBe('');
    expect(out[7]!.replies[0]!.text).toContain('no words I can read');
  });

  it('writes its logs to stderr as JSON, never to stdout', () => {
    const logs = run.stderr.split('\n').filter((l) => l.startsWith('{'));
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.some((l) => (JSON.parse(l) as { msg?: string }).msg === 'bot started')).toBe(true);
    expect(run.stdout).not.toContain('bot started');
    expect(run.stdout).not.toContain('"level"');
  });
});

describe('"chatAdmin" (the sender administers that chat, but is not a configured moderator)', () => {
  const admin = (text: string) =>
    JSON.stringify({
      text,
      chatType: 'group',
      chatId: 'g9',
      userId: 'ann',
      moderator: false,
      chatAdmin: true,
    });
  let lines: JsonOut[];
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chat-admin-'));
    const r = await runChat(
      [
        admin('/unanswered'),
        JSON.stringify({ text: '/register', chatType: 'group', chatId: 'g9' }),
        admin('/unanswered'),
        admin('/broadcast Buy miracle B12 cure at evil.example'),
        JSON.stringify({ text: '/stats', chatAdmin: 'yes' }),
      ],
      dir,
    );
    lines = r.stdout
      .split('\n')
      .filter((l) => l.startsWith('{"input"'))
      .map((l) => JSON.parse(l) as JsonOut);
  }, 90_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('has a member’s rights in a chat the community does not know, a chat admin’s once registered', () => {
    expect(lines.map((l) => l.replies[0]!.kind)).toEqual([
      'refused',
      'command',
      'command',
      'refused',
      'error',
    ]);
    expect(lines[2]!.replies[0]!.text).toMatch(/this group only|No unanswered questions/);
    expect(lines[4]!.replies[0]!.text).toContain('"chatAdmin" must be true or false');
  });
});

describe('scripted input edge cases (issue #11)', () => {
  let dir: string;
  let out: Awaited<ReturnType<typeof runChat>>;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'chat-jsonl-edge-'));
    // Line 1 schedules a post an hour ahead; line 2 holds a bare carriage return inside it.
    out = await runChat(['/schedule in 1h Hello from the script', 'can b12\rcure fibro?'], dir);
  }, 90_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('a first-line /schedule finds scheduling running, and the script still ends at end of input', () => {
    expect(out.code).toBe(0);
    const first = JSON.parse(out.stdout.trim().split('\n')[0] ?? '{}') as JsonOut;
    expect(first.replies[0]?.text).toMatch(/^Scheduled post #/);
  });

  it('keeps a bare \\r inside its line: one JSON line out per line in', () => {
    const lines = out.stdout.trim().split('\n');
    expect(lines).toHaveLength(2);
    expect((JSON.parse(lines[1] ?? '{}') as JsonOut).input).toBe('can b12\rcure fibro?');
  });
});
