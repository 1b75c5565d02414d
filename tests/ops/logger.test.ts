import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger, secretValues } from '../../src/logger.js';

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
