import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ContentError, type ContentProblem } from '../../src/content/errors.js';
import { loadContent } from '../../src/content/load.js';

const CONTENT_DIR = path.resolve('content');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A copy of the real content/ to break. */
function copyContent(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'content-test-'));
  dirs.push(dir);
  cpSync(CONTENT_DIR, dir, { recursive: true });
  return dir;
}

/** Changes one file of the copy; returns the new text. Fails if the change did not apply. */
function edit(dir: string, file: string, change: (s: string) => string): string {
  const p = path.join(dir, file);
  const before = readFileSync(p, 'utf8');
  const after = change(before);
  expect(after, `the edit of ${file} changed nothing`).not.toBe(before);
  writeFileSync(p, after);
  return after;
}

/** The 1-based line on which `needle` first appears. */
function lineOf(text: string, needle: string | RegExp): number {
  const lines = text.split('\n');
  const i = lines.findIndex((l) => (typeof needle === 'string' ? l.includes(needle) : needle.test(l)));
  expect(i, `no line with ${needle}`).toBeGreaterThanOrEqual(0);
  return i + 1;
}

async function problemsOf(dir: string): Promise<readonly ContentProblem[]> {
  try {
    await loadContent(dir);
  } catch (err) {
    expect(err).toBeInstanceOf(ContentError);
    return (err as ContentError).problems;
  }
  throw new Error('the broken content loaded without a problem');
}

/** The lines of an FAQ entry, from its `- id:` line to the next entry. */
const entryBlock = (yaml: string, id: string) => {
  const m = new RegExp(`\\n {2}- id: ${id}\\n[\\s\\S]*?(?=\\n {2}- id: |\\n*$)`).exec(yaml);
  if (!m) throw new Error(`no entry ${id}`);
  return m[0];
};

describe('loadContent on the real content', () => {
  it('loads the article, FAQ, tips and community texts', async () => {
    const c = await loadContent(CONTENT_DIR);
    expect(c.sections).toHaveLength(10);
    expect(c.faq.length).toBeGreaterThanOrEqual(24);
    expect(c.tips.length).toBeGreaterThanOrEqual(20);
    expect(c.source).toBe('https://fibromyalgia.dashery.com/');
  });

  it('fills configurable links from configuration and drops them when unset', async () => {
    const without = await loadContent(CONTENT_DIR);
    expect(without.community.links.map((l) => l.id)).not.toContain('whatsapp');
    const withUrl = await loadContent(CONTENT_DIR, {
      WHATSAPP_COMMUNITY_URL: 'https://chat.whatsapp.com/abc',
    });
    expect(withUrl.community.links).toContainEqual(
      expect.objectContaining({ id: 'whatsapp', url: 'https://chat.whatsapp.com/abc' }),
    );
  });
});

describe('loadContent names the file, the line and what is wrong', () => {
  it('a YAML syntax error in faq.yaml: the line of the error', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) =>
      s.replace(
        '    question: Can B12 supplements cure fibromyalgia?',
        '    question: "Can B12 supplements" cure fibromyalgia?',
      ),
    );
    const problems = await problemsOf(dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'faq.yaml', line: lineOf(text, '"Can B12 supplements" cure') });
    expect(problems[0]!.message).toMatch(/YAML syntax/);
  });

  it('a YAML syntax error far down the file is not reported on line 1', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) =>
      s.replace(/\n {2}- id: other-nutrients\n/, '\n  - id: other-nutrients\n   broken: [oops\n'),
    );
    const problems = await problemsOf(dir);
    const broken = lineOf(text, 'broken: [oops');
    expect(problems.every((p) => p.file === 'faq.yaml')).toBe(true);
    expect(problems.some((p) => p.line >= broken)).toBe(true);
    expect(problems.some((p) => p.line === 1)).toBe(false);
  });

  it('a missing answer: the line of that entry', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) => {
      const block = entryBlock(s, 'b12-cure');
      return s.replace(block, block.replace(/\n {4}answer: >-\n( {6}.*\n)+/, '\n'));
    });
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'faq.yaml', line: lineOf(text, '- id: b12-cure') });
    expect(problems[0]!.message).toMatch(/answer/);
  });

  it("an answer that is not the article's wording: the line of the answer", async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) => {
      const block = entryBlock(s, 'b12-cure');
      return s.replace(
        block,
        block.replace('No, B12 supplements cannot cure', 'Yes, B12 supplements can cure'),
      );
    });
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    const answerLine =
      lineOf(text.slice(text.indexOf('- id: b12-cure')), /^ {4}answer:/) + lineOf(text, '- id: b12-cure') - 1;
    expect(problems[0]).toMatchObject({ file: 'faq.yaml', line: answerLine });
    expect(problems[0]!.message).toContain("not the article's wording");
  });

  it('a section name that does not exist: the line of the section field', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) => {
      const block = entryBlock(s, 'b12-cure');
      return s.replace(
        block,
        block.replace('section: Frequently Asked Questions', 'section: Frequently Asked Quests'),
      );
    });
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({
      file: 'faq.yaml',
      line: lineOf(text, 'section: Frequently Asked Quests'),
    });
    expect(problems[0]!.message).toContain('no section titled "Frequently Asked Quests"');
  });

  it('a duplicate id: the line of the second use', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) => s.replace('  - id: b12-cure\n', '  - id: b12-treatment\n'));
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    const second =
      text.split('\n').findIndex((l, i, all) => l === '  - id: b12-treatment' && all.indexOf(l) !== i) + 1;
    expect(problems[0]).toMatchObject({ file: 'faq.yaml', line: second });
    expect(problems[0]!.message).toContain('"b12-treatment" is used twice');
  });

  it('a FAQ topic that does not exist, a label too long for a button, a label used twice: each on its line', async () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) =>
      s
        .replace(
          '    topic: b12-and-fibro\n    label: Can B12 cure fibro?',
          '    topic: b12-cures\n    label: Can B12 cure fibro?',
        )
        .replace('    label: Foods with B12\n', '    label: Which foods contain vitamin B12?\n')
        .replace('    label: Who is at risk?\n', '    label: Who should be tested?\n'),
    );
    const problems = await problemsOf(dir);
    expect(problems).toEqual([
      {
        file: 'faq.yaml',
        line: lineOf(text, 'label: Which foods contain vitamin B12?'),
        message:
          'entries[8].label: a label is at most 24 characters, so that two fit side by side on a phone',
      },
    ]);
    // The schema passes once the label is short; the topic and the twin label are found next.
    edit(dir, 'faq.yaml', (s) =>
      s.replace('label: Which foods contain vitamin B12?', 'label: Foods with B12'),
    );
    const again = await problemsOf(dir);
    expect(again).toEqual([
      {
        file: 'faq.yaml',
        line: lineOf(text, 'topic: b12-cures'),
        message:
          'entries[4].topic: no topic "b12-cures": the topics are about-b12, fibromyalgia, b12-and-fibro, who-is-at-risk, tests-treatment',
      },
      {
        file: 'faq.yaml',
        line:
          text
            .split('\n')
            .findIndex((l, i, all) => l === '    label: Who should be tested?' && all.indexOf(l) !== i) + 1,
        message: 'entries[12].label: the label "Who should be tested?" is already used by "b12-testing-who"',
      },
    ]);
  });

  it('a tip over the length limit: the line of that tip', async () => {
    const dir = copyContent();
    const long = 'This tip goes on and on. '.repeat(30);
    const text = edit(dir, 'tips.yaml', (s) =>
      s.replace(/(\n {2}- id: tip-05\n {4}section: .*\n {4}text: )>-\n( {6}.*\n)+/, `$1${long.trim()}\n`),
    );
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: 'tips.yaml', line: lineOf(text, 'This tip goes on and on.') });
    expect(problems[0]!.message).toMatch(/at most 600 characters/);
  });

  it('article.md with text before the first section: that line', async () => {
    const dir = copyContent();
    const text = edit(dir, 'article.md', (s) =>
      s.replace('\n## Introduction', 'A stray sentence.\n\n## Introduction'),
    );
    const problems = await problemsOf(dir);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems[0]).toMatchObject({ file: 'article.md', line: lineOf(text, 'A stray sentence.') });
    expect(problems[0]!.message).toContain('text before the first "##" section');
  });

  it('fewer than 20 tips: says so in tips.yaml', async () => {
    const dir = copyContent();
    const text = edit(dir, 'tips.yaml', (s) => `${s.split(/\n(?= {2}- id: tip-20\b)/)[0]!}\n`);
    const problems = await problemsOf(dir);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.file).toBe('tips.yaml');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(lineOf(text, /^tips:/));
    expect(problems[0]!.line).toBeLessThanOrEqual(lineOf(text, '- id: tip-01'));
    expect(problems[0]!.message).toContain('at least 20 tips');
  });

  it('lists every problem at once, across files', async () => {
    const dir = copyContent();
    edit(dir, 'faq.yaml', (s) => s.replace('  - id: b12-cure\n', '  - id: B12 Cure\n'));
    edit(dir, 'tips.yaml', (s) => s.replace('  - id: tip-05\n', '  - id: Tip 5\n'));
    edit(dir, 'article.md', (s) => s.replace('\n## Introduction', 'A stray sentence.\n\n## Introduction'));
    const files = new Set((await problemsOf(dir)).map((p) => p.file));
    expect(files).toEqual(new Set(['faq.yaml', 'tips.yaml', 'article.md']));
  });

  it('a missing file is named', async () => {
    const dir = copyContent();
    rmSync(path.join(dir, 'synonyms.yaml'));
    const problems = await problemsOf(dir);
    expect(problems).toContainEqual(
      expect.objectContaining({ file: 'synonyms.yaml', message: expect.stringMatching(/cannot read/) }),
    );
  });
});

describe('npm run content:check', () => {
  const check = (dir?: string) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'src/content/check-cli.ts', ...(dir ? [dir] : [])], {
      encoding: 'utf8',
      timeout: 60_000,
    });

  it('exits 0 on the real content and says what it found', () => {
    const r = check();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/content\/ is valid: 10 sections, \d+ FAQ entries, \d+ tips/);
  });

  it('exits non-zero with file:line problems on a broken copy', () => {
    const dir = copyContent();
    const text = edit(dir, 'faq.yaml', (s) =>
      s.replace('section: Frequently Asked Questions', 'section: Nowhere'),
    );
    const r = check(dir);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(`faq.yaml:${lineOf(text, 'section: Nowhere')}: `);
    expect(r.stderr).toContain('no section titled "Nowhere"');
    expect(r.stderr).not.toMatch(/\bat \S+ \(/);
  });
});
