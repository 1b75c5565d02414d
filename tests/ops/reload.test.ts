import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContentStore } from '../../src/content/store.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { createContentReloader } from '../../src/ops/reload.js';

const root = path.resolve(import.meta.dirname, '../..');
const dir = mkdtempSync(path.join(tmpdir(), 'bot-content-'));
const faqPath = path.join(dir, 'faq.yaml');
const original = readFileSync(path.join(root, 'content/faq.yaml'), 'utf8');
const NEW_QUESTION = 'What does the zebra lantern rule say about quality of life?';
const newEntry = `
  - id: zebra-lantern
    question: ${NEW_QUESTION}
    topic: b12-and-fibro
    label: The zebra lantern rule
    section: Conclusion
    answer: >-
      Recognizing and correcting B12 deficiency can play an important role in reducing fatigue,
      supporting nerve health, and improving overall quality of life for people living with fibromyalgia.
    keywords: [zebra lantern, zebra, lantern]
    paraphrases:
      - what is the zebra lantern rule
      - tell me the zebra lantern rule
`;

const logged: { level: string; obj: Record<string, unknown>; msg?: string }[] = [];
const logger = {
  info: (obj: object, msg?: string) =>
    void logged.push({ level: 'info', obj: obj as Record<string, unknown>, msg }),
  warn: (obj: object, msg?: string) =>
    void logged.push({ level: 'warn', obj: obj as Record<string, unknown>, msg }),
  error: (obj: object, msg?: string) =>
    void logged.push({ level: 'error', obj: obj as Record<string, unknown>, msg }),
};

let router: Router;
let reloader: ReturnType<typeof createContentReloader>;

const ask = async (text: string) =>
  router.handle({
    kind: 'text',
    text,
    chat: { platform: 'console', chatId: 'c', chatType: 'private' },
    sender: { id: 'u' },
  });

async function until<T>(probe: () => T | undefined, what: string): Promise<T> {
  for (let i = 0; i < 200; i++) {
    const v = probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

beforeAll(async () => {
  cpSync(path.join(root, 'content'), dir, { recursive: true });
  const store = await createContentStore(dir);
  router = createRouter({ content: store });
  reloader = createContentReloader({ store, logger, watchDir: dir, debounceMs: 100 });
});
afterAll(() => {
  reloader.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('content reload without restart', () => {
  it('rejects a broken faq.yaml with file:line problems and keeps answering from the old content', async () => {
    const before = await ask('Can vitamin B12 deficiency cause fibromyalgia?');
    expect(before[0]?.meta?.faqId).toBe('b12-cause-fibro');

    // An editor's slip: an unclosed bracket.
    writeFileSync(faqPath, original.replace('  - id: b12-cause-fibro', '  - id: [b12-cause-fibro'));
    expect(await reloader.reload('SIGHUP')).toBe(false);

    const rejected = logged.find((l) => l.level === 'error');
    expect(rejected?.msg).toMatch(/rejected/);
    const problems = rejected?.obj.problems as string[];
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatch(/^faq\.yaml:[1-9]\d*: /);

    const after = await ask('Can vitamin B12 deficiency cause fibromyalgia?');
    expect(after).toEqual(before);
  });

  it('serves the new answer once the file is fixed (picked up by the file watcher)', async () => {
    expect((await ask(NEW_QUESTION))[0]?.meta?.faqId).not.toBe('zebra-lantern');
    const reloadsBefore = logged.filter((l) => l.msg === 'content reloaded').length;
    writeFileSync(faqPath, `${original.trimEnd()}\n${newEntry}`);
    await until(
      () => (logged.filter((l) => l.msg === 'content reloaded').length > reloadsBefore ? true : undefined),
      'a reload',
    );

    const reply = await ask(NEW_QUESTION);
    expect(reply[0]?.kind).toBe('faq');
    expect(reply[0]?.meta?.faqId).toBe('zebra-lantern');
    // And the old answers are still there.
    expect((await ask('Can vitamin B12 deficiency cause fibromyalgia?'))[0]?.meta?.faqId).toBe(
      'b12-cause-fibro',
    );
  });
});
