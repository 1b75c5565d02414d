import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema, loadConfig } from '../../src/config.js';
import { root, spawnBot } from '../helpers/bot-process.js';

const read = (f: string) => readFileSync(path.join(root, f), 'utf8');
const run = promisify(execFile);

/** KEY=value lines of a dotenv file (comments and blanks skipped). */
function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line.trim());
    if (m) out.set(m[1]!, m[2]!);
  }
  return out;
}

describe('.env.example', () => {
  const text = read('.env.example');
  const env = parseDotenv(text);

  it('lists exactly the variables the configuration reads', () => {
    expect([...env.keys()].sort()).toEqual(Object.keys(configSchema.shape).sort());
  });

  it('explains every variable with a comment just above it (or above its group)', () => {
    const lines = text.split('\n');
    for (const key of env.keys()) {
      let i = lines.findIndex((l) => l.startsWith(`${key}=`)) - 1;
      while (i >= 0 && /^[A-Z][A-Z0-9_]*=/.test(lines[i]!)) i--; // a group shares one comment
      expect(lines[i], `comment above ${key}`).toMatch(/^# \S/);
    }
  });

  it('its defaults load as a valid configuration without any secret filled in', () => {
    const config = loadConfig(Object.fromEntries(env));
    expect(config.TELEGRAM_BOT_TOKEN).toBeUndefined();
    expect(config.ADMIN_PASSWORD).toBeUndefined();
    expect(config.PORT).toBe(8080);
    expect(config.WHATSAPP_ENABLED).toBe(false);
  });
});

describe('docker-compose.yml', () => {
  const compose = parse(read('docker-compose.yml'));
  const { redis, bot } = compose.services;

  it('runs Redis with an append-only file on a named volume and a health check', () => {
    const command = [redis.command].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
    const [volume, mount] = String(redis.volumes[0]).split(':');
    expect(compose.volumes).toHaveProperty(volume!);
    expect(mount).toBe('/data');
    expect(redis.healthcheck.test.join(' ')).toMatch(/redis-cli ping/);
    expect(redis.restart).toBe('unless-stopped');
  });

  it('builds the bot from the Dockerfile and starts it once Redis is healthy', () => {
    expect(bot.build.dockerfile ?? 'Dockerfile').toBe('Dockerfile');
    expect(bot.depends_on.redis.condition).toBe('service_healthy');
    expect(bot.restart).toBe('unless-stopped');
  });

  it('passes every setting from .env and points REDIS_URL at the redis service', () => {
    expect([bot.env_file].flat()).toContain('.env');
    expect(bot.environment.REDIS_URL).toBe('redis://redis:6379');
    const overridden = Object.keys(bot.environment);
    for (const key of overridden) expect(Object.keys(configSchema.shape)).toContain(key);
    expect(() =>
      loadConfig({ ...Object.fromEntries(parseDotenv(read('.env.example'))), ...bot.environment }),
    ).not.toThrow();
  });

  it("keeps the bot's data directory on a named volume", () => {
    const dataDir = bot.environment.DATA_DIR;
    const mounts = (bot.volumes as string[]).map((v) => v.split(':'));
    const data = mounts.find(([, target]) => target === dataDir);
    expect(data, `a volume mounted at ${dataDir}`).toBeDefined();
    expect(compose.volumes).toHaveProperty(data![0]!);
  });

  it('listens on every interface inside the container (outside, HOST defaults to 127.0.0.1)', () => {
    expect(bot.environment.HOST).toBe('0.0.0.0');
    expect(loadConfig({}).HOST).toBe('127.0.0.1');
  });

  it('publishes the ops port and gives active jobs time to finish on stop', () => {
    expect(bot.ports.join(' ')).toMatch(/8080/);
    expect(bot.stop_grace_period).toMatch(/^\d+s$/);
  });
});

describe('Dockerfile', () => {
  const text = read('Dockerfile');
  const stages = text.split(/^FROM /m).slice(1);
  const final = stages.at(-1)!;

  it('is multi-stage: compiles with npm run build, ships production dependencies only', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(text).toMatch(/RUN npm run build/);
    expect(text).toMatch(/npm ci --omit=dev/);
    // The final stage copies node_modules from a production-only stage, never from the build.
    const from = /COPY --from=(\S+) \/app\/node_modules/.exec(final)?.[1];
    const source = stages.find((s) => s.includes(` AS ${from}`));
    expect(source).toMatch(/npm ci --omit=dev/);
  });

  it('runs compiled JavaScript as a non-root user, with content/ in the image', () => {
    expect(final).toMatch(/^USER (?!root\b|0\b)\S+/m);
    expect(final).toMatch(/^COPY content \.\/content/m);
    expect(final).toMatch(/COPY --from=\S+ \/app\/dist \.\/dist/);
    expect(final).toMatch(/CMD \["node", ("--[^"]+", )*"dist\/main\.js"\]/);
    expect(final).not.toMatch(/tsx/);
  });

  it('.dockerignore keeps secrets and local state out of the build context', () => {
    const ignored = read('.dockerignore').split('\n');
    for (const entry of ['.env', 'node_modules', 'data', '.git']) expect(ignored).toContain(entry);
    expect(ignored).not.toContain('content');
    expect(ignored).not.toContain('src');
  });
});

describe('the compiled bot (what the image runs)', () => {
  // The image's layout: package.json, production node_modules, dist/, content/.
  const app = mkdtempSync(path.join(tmpdir(), 'bot-image-'));
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  it('npm run build compiles, and node dist/main.js answers without tsx', async () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    await run(
      process.execPath,
      [tsc, '-p', path.join(root, 'tsconfig.build.json'), '--outDir', path.join(app, 'dist')],
      {
        cwd: root,
      },
    );
    cpSync(path.join(root, 'package.json'), path.join(app, 'package.json'));
    cpSync(path.join(root, 'content'), path.join(app, 'content'), { recursive: true });
    symlinkSync(path.join(root, 'node_modules'), path.join(app, 'node_modules'));

    const bot = spawnBot(process.execPath, ['dist/main.js', '--jsonl'], {
      cwd: app,
      env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'silent', DATA_DIR: path.join(app, 'data') },
      input: '{"text":"/help"}\n',
    });
    const { child } = bot;
    // Under a loaded CI machine compiling alone can take a while; never leave the child behind.
    const code = await new Promise<number | null>((resolve) => {
      const guard = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('exit', (c) => {
        clearTimeout(guard);
        resolve(c);
      });
    });
    expect(code, `stderr: ${bot.err()}`).not.toBeNull();
    expect(bot.err()).toBe('');
    expect(code).toBe(0);
    const line = JSON.parse(bot.out().trim().split('\n')[0]!);
    expect(line.input).toBe('/help');
    expect(line.replies[0].kind).toBe('command');
  }, 180_000);
});
