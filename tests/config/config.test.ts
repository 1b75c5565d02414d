import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, readEnvironment } from '../../src/config.js';

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

  it('names list items in words: "MODERATORS, item 2", never "MODERATORS.1"', () => {
    const [problem] = problemsOf({ MODERATORS: 'telegram:1, bob' });
    expect(problem).toMatch(/^MODERATORS, item 2: write each moderator as platform:id/);
  });

  it('lists a TIPS_CRON that is not a schedule with the other problems, in words', () => {
    const problems = problemsOf({ TIPS_CRON: 'every_day', PORT: 'abc' });
    expect(problems).toHaveLength(2);
    expect(problems.find((p) => p.startsWith('TIPS_CRON'))).toMatch(
      /"every_day" is not a schedule.*0 0 10 \* \* \*/,
    );
    expect(loadConfig({ TIPS_CRON: '' }).TIPS_CRON).toBe('');
    expect(loadConfig({ TIPS_CRON: '0 30 9 * * 1-5' }).TIPS_CRON).toBe('0 30 9 * * 1-5');
  });

  it('refuses a REDIS_URL without its scheme, saying what to write', () => {
    expect(problemsOf({ REDIS_URL: 'localhost:6379' })[0]).toMatch(
      /^REDIS_URL: must start with redis:\/\/ or rediss:\/\/, e\.g\. redis:\/\/localhost:6379/,
    );
    expect(loadConfig({ REDIS_URL: 'rediss://u:p@redis.example.org:6380/2' }).REDIS_URL).toBe(
      'rediss://u:p@redis.example.org:6380/2',
    );
  });

  it('says whether PORT was set (the console chat opens no ops server otherwise)', () => {
    expect(loadConfig({}).PORT_EXPLICIT).toBe(false);
    expect(loadConfig({ PORT: '8080' }).PORT_EXPLICIT).toBe(true);
  });
});

describe('readEnvironment: the .env file', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'bot-env-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    path.join(dir, '.env'),
    '# settings\nTELEGRAM_BOT_TOKEN=123:abc\nPORT=3000\nTIPS_CRON="0 0 9 * * *"\n',
  );

  it('reads .env in the working directory and says which file it read', () => {
    const { env, file } = readEnvironment({}, dir);
    expect(file).toBe(path.join(dir, '.env'));
    const config = loadConfig(env);
    expect(config.TELEGRAM_BOT_TOKEN).toBe('123:abc');
    expect(config.TIPS_CRON).toBe('0 0 9 * * *');
  });

  it('lets real environment variables win over the file', () => {
    expect(loadConfig(readEnvironment({ PORT: '4000' }, dir).env).PORT).toBe(4000);
  });

  it('reads no file without one, or with ENV_FILE empty; a missing ENV_FILE is a problem', () => {
    expect(readEnvironment({}, tmpdir()).file).toBeUndefined();
    expect(readEnvironment({ ENV_FILE: '' }, dir).file).toBeUndefined();
    expect(() => readEnvironment({ ENV_FILE: 'nope.env' }, dir)).toThrow(/ENV_FILE: there is no file/);
  });

  it('reports bad values from the file like any others', () => {
    writeFileSync(path.join(dir, 'bad.env'), 'TIPS_CRON=every_day\n');
    const { env } = readEnvironment({ ENV_FILE: 'bad.env' }, dir);
    expect(() => loadConfig(env)).toThrow(/TIPS_CRON: "every_day" is not a schedule/);
  });
});
