import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

const problemsOf = (env: Record<string, string>): readonly string[] => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems;
  }
  throw new Error('the configuration was accepted');
};

describe('loadConfig', () => {
  it('starts with sensible defaults from an empty environment', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({
      LOG_LEVEL: 'info',
      CONTENT_DIR: 'content',
      DATA_DIR: 'data',
      MODERATORS: [],
      WHATSAPP_ENABLED: false,
      COMMUNITY_TIMEZONE: 'UTC',
      TIPS_CRON: '0 0 10 * * *',
      PORT: 8080,
    });
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
  });

  it('treats empty values as unset', () => {
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: '', REDIS_URL: '', BLOG_URL: '', WHATSAPP_ENABLED: '' });
    expect(c.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(c.REDIS_URL).toBeUndefined();
    expect(c.BLOG_URL).toBeUndefined();
    expect(c.WHATSAPP_ENABLED).toBe(false);
  });

  it('reads good values', () => {
    const c = loadConfig({
      PORT: '3000',
      MODERATORS: 'telegram:123, whatsapp:15551234567 ,console:u1',
      COMMUNITY_TIMEZONE: 'Europe/London',
      WHATSAPP_ENABLED: 'yes',
      TELEGRAM_API_ROOT: 'http://127.0.0.1:9000',
    });
    expect(c.PORT).toBe(3000);
    expect(c.MODERATORS).toEqual(['telegram:123', 'whatsapp:15551234567', 'console:u1']);
    expect(c.COMMUNITY_TIMEZONE).toBe('Europe/London');
    expect(c.WHATSAPP_ENABLED).toBe(true);
    expect(c.TELEGRAM_API_ROOT).toBe('http://127.0.0.1:9000');
  });

  it('lists every bad value at once, each with its variable name', () => {
    const problems = problemsOf({
      PORT: 'abc',
      COMMUNITY_TIMEZONE: 'Mars/Base',
      MODERATORS: 'bob',
      TELEGRAM_API_ROOT: 'not a url',
    });
    expect(problems).toHaveLength(4);
    const find = (name: string) => problems.find((p) => p.startsWith(name));
    expect(find('PORT')).toBeDefined();
    expect(find('COMMUNITY_TIMEZONE')).toMatch(/IANA time zone/);
    expect(find('MODERATORS')).toMatch(/platform:id/);
    expect(find('TELEGRAM_API_ROOT')).toMatch(/full URL/);
  });

  it('puts every problem in the error message shown at start-up', () => {
    let message = '';
    try {
      loadConfig({
        PORT: 'abc',
        COMMUNITY_TIMEZONE: 'Mars/Base',
        MODERATORS: 'bob',
        TELEGRAM_API_ROOT: 'not a url',
      });
    } catch (err) {
      message = (err as Error).message;
    }
    for (const name of ['PORT', 'COMMUNITY_TIMEZONE', 'MODERATORS', 'TELEGRAM_API_ROOT'])
      expect(message).toContain(name);
    expect(message).toContain('4 problem(s)');
  });

  it('refuses settings that only make sense together', () => {
    expect(problemsOf({ ADMIN_USER: 'admin' }).join('\n')).toMatch(/ADMIN_USER \/ ADMIN_PASSWORD/);
    expect(problemsOf({ TELEGRAM_WEBHOOK_URL: 'https://bot.example.org/hook' }).join('\n')).toMatch(
      /TELEGRAM_BOT_TOKEN/,
    );
  });

  it('refuses out-of-range numbers', () => {
    expect(problemsOf({ PORT: '70000' })[0]).toMatch(/^PORT/);
    expect(problemsOf({ TELEGRAM_GROUP_PER_MINUTE: '50' })[0]).toMatch(/^TELEGRAM_GROUP_PER_MINUTE/);
  });
});
