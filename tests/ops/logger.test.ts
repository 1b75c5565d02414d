import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createConsoleAdapter } from '../../src/adapters/console/index.js';
import { loadConfig } from '../../src/config.js';
import { createLogger, createScrubber, fatalLine, secretValues } from '../../src/logger.js';

const TOKEN = '123456789:AAHk3xY_very-secret-token-value';
const WEBHOOK_SECRET = 'hook_secret-42abc';
const PASSWORD = 'p@ss "word" 99';
const REDIS_PASSWORD = 'r3dis-pass!';

function capture() {
  const lines: string[] = [];
  return { lines, stream: { write: (l: string) => void lines.push(l) } };
}

describe('logs never contain secrets', () => {
  const config = loadConfig({
    TELEGRAM_BOT_TOKEN: TOKEN,
    TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/telegram',
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    ADMIN_USER: 'operator',
    ADMIN_PASSWORD: PASSWORD,
    REDIS_URL: `redis://:${encodeURIComponent(REDIS_PASSWORD)}@redis:6379`,
  });

  it('when the whole configuration is logged', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream, secretValues(config));
    logger.info({ config }, 'starting');
    logger.info(config, 'starting (flat)');
    const out = lines.join('');
    expect(out).toContain('operator'); // the line is there, with what is not secret
    expect(out).toContain('[redacted]');
    for (const secret of [
      TOKEN,
      WEBHOOK_SECRET,
      PASSWORD,
      REDIS_PASSWORD,
      encodeURIComponent(REDIS_PASSWORD),
    ]) {
      expect(out).not.toContain(secret);
    }
    expect(out).not.toContain('p@ss \\"word\\" 99');
  });

  it('when an error carries the token in its message and stack', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream, secretValues(config));
    const err = new Error(`request to https://api.telegram.org/bot${TOKEN}/getMe failed`);
    logger.error({ err }, 'telegram failed');
    logger.warn(`retrying with ${TOKEN}`);
    const out = lines.join('');
    expect(out).toContain('https://api.telegram.org/bot[redacted]/getMe');
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain('AAHk3xY');
  });

  it('when a request with auth headers is logged', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream);
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Basic b3BlcmF0b3I6c2VjcmV0',
            'x-telegram-bot-api-secret-token': WEBHOOK_SECRET,
          },
        },
      },
      'request',
    );
    const out = lines.join('');
    expect(out).not.toContain('b3BlcmF0b3I6c2VjcmV0');
    expect(out).not.toContain(WEBHOOK_SECRET);
  });
});

describe('secrets of any length', () => {
  it('a short password is scrubbed where it stands as a word, and ordinary words stay whole', () => {
    const { lines, stream } = capture();
    const logger = createLogger('info', stream, ['pw1', 'k9!x']);
    logger.info({ url: 'redis://:pw1@redis:6379' }, 'login with k9!x failed for pw1; tpw1x stays');
    const out = lines.join('');
    expect(out).not.toMatch(/[^A-Za-z0-9]pw1[^A-Za-z0-9]/);
    expect(out).not.toContain('k9!x');
    expect(out).toContain('tpw1x stays');
    expect(() => JSON.parse(out)).not.toThrow();
  });

  it('the Fatal: line is scrubbed too', () => {
    const line = fatalLine(new Error(`409 Conflict for bot${TOKEN}/getUpdates`), createScrubber([TOKEN]));
    expect(line.startsWith('Fatal: ')).toBe(true);
    expect(line).not.toContain(TOKEN);
    expect(line).toContain('[redacted]');
  });

  it("the console chat's error path is scrubbed", async () => {
    let out = '';
    const output = new PassThrough();
    output.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const input = new PassThrough();
    const adapter = createConsoleAdapter({
      router: {
        commands: [],
        isModerator: () => true,
        actorOf: async (i) => ({ role: 'moderator', chat: i.chat }),
        handle: async () => {
          throw new Error(`Telegram said 401 for token ${TOKEN}`);
        },
      },
      mode: 'jsonl',
      input,
      output,
      scrub: createScrubber([TOKEN]),
    });
    await adapter.start();
    input.end('hello\n');
    await adapter.finished;
    expect(out).toContain('"error"');
    expect(out).not.toContain(TOKEN);
    expect(out).toContain('[redacted]');
  });
});
