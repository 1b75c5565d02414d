import { execFile } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ContentError } from '../../src/content/errors.js';
import { createContentStore } from '../../src/content/store.js';
import {
  createMemoryTaughtStore,
  createRedisTaughtStore,
  TAUGHT_KEY_PREFIX,
  withTaught,
} from '../../src/content/taught.js';
import { createRouter } from '../../src/core/router.js';
import { useTestRedis } from '../helpers/redis-server.js';

const QUESTION = 'is the blood work for b12 a fasting one';
/** Unanswered by the shipped content; section 8 ("Implications for Long-Term ...") answers it. */
const SECTION_QUESTION = 'where does all this leave me in the long run';
const SECTION_TITLE = 'Implications for Long-Term Fibromyalgia Care';
const ask = async (router: ReturnType<typeof createRouter>, text: string) =>
  (
    await router.handle({
      kind: 'text',
      text,
      chat: { platform: 'console', chatId: 'local', chatType: 'private' },
      sender: { id: 'member' },
      addressed: true,
    })
  )[0]!;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('taught phrasings', () => {
  it('a taught phrasing makes the same question answered outright, at once', async () => {
    const store = await createContentStore('content', {}, { taught: createMemoryTaughtStore() });
    const router = createRouter({ content: store });
    expect((await ask(router, QUESTION)).kind).toBe('fallback');
    await store.teach({
      text: QUESTION,
      target: { type: 'faq', id: 'b12-tests' },
      by: 'telegram:1',
      at: new Date(),
    });
    await store.reload();
    const after = await ask(router, QUESTION);
    expect(after.kind).toBe('faq');
    expect(after.meta?.faqId).toBe('b12-tests');
  });

  it('a phrasing taught as an article section is answered outright with that section', async () => {
    const store = await createContentStore('content', {}, { taught: createMemoryTaughtStore() });
    const router = createRouter({ content: store });
    expect((await ask(router, SECTION_QUESTION)).kind).toBe('fallback');
    await store.teach({
      text: SECTION_QUESTION,
      target: { type: 'section', title: SECTION_TITLE },
      by: 'telegram:1',
      at: new Date(),
    });
    await store.reload();
    const after = await ask(router, `${SECTION_QUESTION.toUpperCase()}?`);
    expect(after.kind).toBe('section');
    expect(after.meta?.section).toBe(8);
    expect(after.buttons?.[0]).toEqual({ label: 'Read the whole section', data: 'sec:8' });
  });

  it('taught phrasings survive every rebuild of the matcher (a reload retrains it)', async () => {
    const taught = createMemoryTaughtStore();
    const store = await createContentStore('content', {}, { taught });
    await store.teach({ text: QUESTION, target: { type: 'faq', id: 'b12-tests' }, by: 'x', at: new Date() });
    await store.teach({
      text: SECTION_QUESTION,
      target: { type: 'section', title: SECTION_TITLE },
      by: 'x',
      at: new Date(),
    });
    const router = createRouter({ content: store });
    for (let i = 0; i < 2; i++) {
      await store.reload();
      const faq = await ask(router, QUESTION);
      expect([faq.kind, faq.meta?.faqId]).toEqual(['faq', 'b12-tests']);
      const section = await ask(router, SECTION_QUESTION);
      expect([section.kind, section.meta?.section]).toEqual(['section', 8]);
    }
    // Taught again as something else, a wording is answered by the new choice alone.
    await store.teach({
      text: SECTION_QUESTION,
      target: { type: 'faq', id: 'b12-tests' },
      by: 'x',
      at: new Date(),
    });
    await store.reload();
    expect((await taught.all()).map((t) => t.target.type)).toEqual(['faq', 'faq']);
    expect((await ask(router, SECTION_QUESTION)).meta?.faqId).toBe('b12-tests');
  });

  it('section-phrasings.yaml is checked like the other files, with file and line', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'bot-phrasings-'));
    dirs.push(work);
    cpSync('content', work, { recursive: true });
    writeFileSync(
      path.join(work, 'section-phrasings.yaml'),
      [
        'phrasings:',
        '  - section: "No Such Section"',
        '    text: "where do i go from here"',
        `  - section: "${SECTION_TITLE}"`,
        '    text: "does low b12 cause fibro"',
        '',
      ].join('\n'),
    );
    const problems = await createContentStore(work).then(
      () => [],
      (err: ContentError) => err.problems.map((p) => `${p.file}:${p.line}: ${p.message}`),
    );
    expect(problems).toEqual([
      'section-phrasings.yaml:2: phrasings[0].section: no section titled "No Such Section" in article.md',
      'section-phrasings.yaml:5: phrasings[1].text: "does low b12 cause fibro" is already a wording of FAQ entry "b12-cause-fibro" (faq.yaml): a wording is answered by one thing',
    ]);
  });

  it('refuses what the content check refuses, and keeps nothing', async () => {
    const taught = createMemoryTaughtStore();
    const store = await createContentStore('content', {}, { taught });
    // A "not covered" topic the article does talk about would silence real answers.
    await expect(
      store.teach({ text: 'vitamin b12', target: { type: 'not_covered' }, by: 'x', at: new Date() }),
    ).rejects.toBeInstanceOf(ContentError);
    expect(await taught.all()).toEqual([]);
  });

  it('adds lines after the list, leaving the rest of the file as it was', () => {
    const src = readFileSync('content/faq.yaml', 'utf8');
    const out = withTaught('faq.yaml', src, [
      {
        text: 'Is the blood work, for B12, a fasting one?',
        target: { type: 'faq', id: 'b12-tests' },
        by: 'x',
        at: new Date(),
      },
    ]);
    const added = out.split('\n').filter((l) => !src.split('\n').includes(l));
    expect(added).toEqual(['      - "is the blood work for b12 a fasting one"']);
    expect(
      withTaught('faq.yaml', out, [
        { text: QUESTION, target: { type: 'faq', id: 'b12-tests' }, by: 'x', at: new Date() },
      ]),
    ).toBe(out);
  });
});

describe('npm run content:export', () => {
  const redis = useTestRedis();
  it('writes taught phrasings into content/ through the validator', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'bot-export-'));
    dirs.push(work);
    cpSync('content', path.join(work, 'content'), { recursive: true });
    symlinkSync(path.dirname(redis.server.socket), path.join(work, 'redis'));
    const store = createRedisTaughtStore(redis.redis, TAUGHT_KEY_PREFIX);
    await store.add({
      text: QUESTION,
      target: { type: 'faq', id: 'b12-tests' },
      by: 'telegram:1',
      at: new Date(),
    });
    await store.add({
      text: SECTION_QUESTION,
      target: { type: 'section', title: SECTION_TITLE },
      by: 'telegram:1',
      at: new Date(),
    });
    await store.add({
      text: 'Dolphin therapy',
      target: { type: 'not_covered' },
      by: 'telegram:1',
      at: new Date(),
    });
    const env = { ...process.env, CONTENT_DIR: path.join(work, 'content'), DATA_DIR: work, REDIS_URL: '' };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/export-content.ts'],
      { env },
    );
    expect(stdout).toContain('faq.yaml: 1 phrasing(s) added');
    expect(stdout).toContain('not-covered.yaml: 1 phrasing(s) added');
    expect(stdout).toContain('section-phrasings.yaml: 1 phrasing(s) added');
    const phrasings = readFileSync(path.join(work, 'content', 'section-phrasings.yaml'), 'utf8');
    expect(phrasings).toContain(`  - section: "${SECTION_TITLE}"\n    text: "${SECTION_QUESTION}"`);
    // The editors' notes at the top of the file stay.
    expect(phrasings.startsWith("# Members' wordings")).toBe(true);
    expect(readFileSync(path.join(work, 'content', 'faq.yaml'), 'utf8')).toContain(`- "${QUESTION}"`);
    expect(readFileSync(path.join(work, 'content', 'not-covered.yaml'), 'utf8')).toContain(
      '- "dolphin therapy"',
    );
    // The files alone now hold them, and pass the content check.
    const fresh = await createContentStore(path.join(work, 'content'));
    expect(fresh.current().content.faq.find((e) => e.id === 'b12-tests')?.paraphrases).toContain(QUESTION);
    const section = await ask(createRouter({ content: fresh }), SECTION_QUESTION);
    expect([section.kind, section.meta?.section]).toEqual(['section', 8]);
  }, 60_000);
});
