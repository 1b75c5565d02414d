/**
 * The interactive console as a person sees it in a terminal (a fake TTY with its width set):
 * lines wrapped at word boundaries, each choice printed once, the log kept off the prompt.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../src/adapters/console/index.js';
import { createLogger, createLogSink } from '../../src/logger.js';
import { realRouter } from '../core/fixtures.js';

/** A terminal of `columns` columns, without the terminal. */
async function terminal(columns: number, logFile?: string) {
  const { router } = await realRouter();
  const input = new PassThrough();
  const output = Object.assign(new PassThrough(), { isTTY: true, columns });
  let screen = '';
  output.on('data', (c) => {
    screen += c;
  });
  const adapter = createConsoleAdapter({
    router,
    mode: 'interactive',
    input,
    output,
    ...(logFile ? { logFile } : {}),
  });
  await adapter.start();
  const since = () => screen.length;
  /** Types a line and returns what the chat printed for it. */
  const type = async (line: string) => {
    const from = since();
    input.write(`${line}\n`);
    for (let i = 0; i < 200 && !screen.slice(from).endsWith('you> '); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    return screen.slice(from);
  };
  // Past the banner and the welcome, to the first prompt.
  for (let i = 0; i < 200 && !screen.endsWith('you> '); i++) await new Promise((r) => setTimeout(r, 10));
  return { adapter, input, type, screen: () => screen };
}

describe('the interactive console in a terminal', () => {
  it('wraps long lines at word boundaries to the terminal width', async () => {
    const t = await terminal(40);
    const shown = await t.type('/section 1');
    const lines = shown.split('\n');
    // Before: one line of several hundred characters per paragraph, cut anywhere by the terminal.
    for (const line of lines) if (line.includes(' ')) expect(line.length, line).toBeLessThanOrEqual(39);
    // Words are whole: the text read without line breaks is the article's own.
    expect(shown.replace(/\n(?=\S)/g, ' ')).toContain(
      'Fibromyalgia is a complex chronic condition that affects millions of people around the world.',
    );
    // A numbered item's continuation keeps its indent.
    const rules = await t.type('/rules');
    expect(rules).toMatch(/\n1\. Be kind and patient;[^\n]*\n {3}\S/);
    expect(rules.replace(/\n {3}/g, ' ')).toContain(
      '1. Be kind and patient; everyone here is living with something hard, and good and bad days look different for each of us.',
    );
    t.input.end();
    await t.adapter.finished;
  });

  it('"did you mean" prints each choice once', async () => {
    const t = await terminal(200);
    const shown = await t.type('b12');
    expect(shown).toContain('Did you mean:');
    const first = /\n1\. (.+)\n/.exec(shown)![1]!;
    // Before: "1. <choice>" in the text and again as "[1] <choice>" under it.
    expect(shown.split(first)).toHaveLength(2);
    expect(shown).not.toContain('[1]');
    expect(shown).toMatch(/\(type a number, 1-\d\)/);
    t.input.end();
    await t.adapter.finished;
  });

  it("/faq: the topics and then a topic's questions as numbered choices, each once", async () => {
    const t = await terminal(80);
    const topics = await t.type('/faq');
    expect(topics).toContain('  [1] About B12 (3)\n  [2] Fibromyalgia (4)');
    const page = await t.type('1');
    expect(page).toContain('Questions: About B12');
    expect(page).toContain(
      '  [1] What does B12 do?\n  [2] Foods with B12\n  [3] Signs of low B12\n  [4] ◀ Topics',
    );
    expect(page.split('Foods with B12')).toHaveLength(2);
    t.input.end();
    await t.adapter.finished;
  });

  it('says in the banner where the log is written, and shows a warning as a plain sentence', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'console-log-'));
    const file = path.join(dir, 'bot.log');
    const t = await terminal(200, file);
    expect(t.screen()).toContain(`The bot's log is written to ${file}.`);

    // The log as main.ts wires it for a terminal chat.
    const sink = createLogSink();
    const logger = createLogger('info', sink);
    logger.info({ chat: 'x' }, 'held until the mode is known');
    sink.toFile(file, (sentence) => t.adapter.notice(sentence));
    logger.info({ port: 8080 }, 'ops server listening');
    logger.warn(
      { port: 8080 },
      'the console chat carries on without the operations server. Port 8080 is taken',
    );
    const screen = t.screen();
    expect(screen).toContain(
      '\nNote: The console chat carries on without the operations server. Port 8080 is taken.\nyou> ',
    );
    expect(screen).not.toContain('{"level"');
    expect(screen).not.toContain('ops server listening');
    const logged = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { msg: string });
    expect(logged.map((l) => l.msg)).toEqual([
      'held until the mode is known',
      'ops server listening',
      'the console chat carries on without the operations server. Port 8080 is taken',
    ]);
    t.input.end();
    await t.adapter.finished;
  });
});
