/**
 * `npm run content:export`: writes the phrasings moderators taught in the console (kept in Redis)
 * into content/faq.yaml, content/section-phrasings.yaml and content/not-covered.yaml, after checking the result with the same
 * validator as `npm run content:check`. Review the change with `git diff content/` and commit it.
 */
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from './config.js';
import { ContentError } from './content/errors.js';
import { loadContent } from './content/load.js';
import {
  createRedisTaughtStore,
  SECTION_PHRASINGS_FILE,
  TAUGHT_KEY_PREFIX,
  withTaught,
} from './content/taught.js';
import { openRedis, optionsFromUrl } from './scheduling/redis.js';

const FILES = ['faq.yaml', SECTION_PHRASINGS_FILE, 'not-covered.yaml'] as const;

async function main(): Promise<number> {
  const config = loadConfig();
  const dir = path.resolve(config.CONTENT_DIR);
  // A running bot's embedded Redis is read where it is; otherwise open it the way the bot does.
  const socket = path.resolve(config.DATA_DIR, 'redis', 'redis.sock');
  let client: Redis;
  let close: () => Promise<void>;
  if (config.REDIS_URL) {
    client = new Redis(optionsFromUrl(config.REDIS_URL));
    close = async () => void client.disconnect();
  } else if (existsSync(socket)) {
    client = new Redis({ path: socket, maxRetriesPerRequest: 2 });
    close = async () => void client.disconnect();
  } else {
    const silent = { info() {}, warn() {}, error() {}, debug() {} };
    const handle = await openRedis({ dataDir: config.DATA_DIR, logger: silent as never });
    if (handle.mode === 'off') {
      process.stderr.write(`content:export: no Redis (${handle.reason}), so nothing was taught.\n`);
      return 1;
    }
    client = handle.client;
    close = handle.close;
  }
  try {
    const taught = await createRedisTaughtStore(client, TAUGHT_KEY_PREFIX).all();
    if (taught.length === 0) {
      process.stdout.write('Nothing taught in the console yet: content/ is unchanged.\n');
      return 0;
    }
    const edit = (file: string, source: string) => withTaught(file, source, taught);
    try {
      await loadContent(dir, {}, edit);
    } catch (err) {
      if (!(err instanceof ContentError)) throw err;
      process.stderr.write(`Not written: the taught phrasings make the content invalid.\n${err.message}\n`);
      return 1;
    }
    for (const file of FILES) {
      // section-phrasings.yaml is optional: the first section taught creates it.
      const before = await readFile(path.join(dir, file), 'utf8').catch(() => '');
      const after = edit(file, before);
      // One line per phrasing; a section phrasing is an item of two lines.
      const items = (t: string) => t.match(/^\s*- section:/gm)?.length ?? 0;
      const added =
        file === SECTION_PHRASINGS_FILE
          ? items(after) - items(before)
          : after.split('\n').length - before.split('\n').length;
      if (after !== before) await writeFile(path.join(dir, file), after);
      process.stdout.write(`${file}: ${added} phrasing(s) added\n`);
    }
    process.stdout.write('Check with `git diff content/`, then commit.\n');
    return 0;
  } finally {
    await close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`content:export failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  },
);
