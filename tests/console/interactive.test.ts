import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../src/adapters/console/index.js';
import { realRouter } from '../core/fixtures.js';

/** The interactive console chat on in-memory streams (a terminal, without the terminal). */
async function chat(hasPending: (withinMs?: number) => Promise<boolean>) {
  const { router } = await realRouter();
  const input = new PassThrough();
  const output = new PassThrough();
  let screen = '';
  output.on('data', (c) => {
    screen += c;
  });
  const adapter = createConsoleAdapter({ router, mode: 'interactive', input, output, hasPending });
  await adapter.start();
  return { adapter, input, screen: () => screen };
}

describe('the interactive console chat', () => {
  it('Ctrl+D quits at once with a post scheduled far ahead, and says the post stays in Redis', async () => {
    const c = await chat(async () => true); // a post for tomorrow
    c.input.end('hello\n');
    await c.adapter.finished;
    expect(c.screen()).toContain('Scheduled posts stay saved in Redis');
  });

  it('says nothing about posts when none are waiting', async () => {
    const c = await chat(async () => false);
    c.input.end();
    await c.adapter.finished;
    expect(c.screen()).not.toContain('Scheduled posts');
  });

  it('Ctrl+C (stop) quits at once too, with the same note', async () => {
    const c = await chat(async () => true);
    await c.adapter.stop();
    await c.adapter.finished;
    expect(c.screen()).toContain('Scheduled posts stay saved in Redis');
  });
});
