/**
 * Golden replay: every message of the evaluation and safety sets through the router, so a speed
 * change can prove the replies stayed byte-identical.
 *
 *   npx tsx bench/golden.ts           compare with bench/golden.json (exit 1 on any difference)
 *   npx tsx bench/golden.ts --write   record bench/golden.json anew
 *
 * Each message is sent privately (addressed) and in a group (not addressed), at the real content
 * size and with the FAQ scaled to 1,000 entries (the bench's FAQ). A message's record is a hash of
 * its replies (kind, text, buttons, meta) and of the safety grade and reason the router logged.
 * holdout.jsonl and blind.jsonl are opaque here: only hashes are stored and compared, and a
 * difference names its line number, never its text.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../src/content/load.js';
import { createMatcher } from '../src/content/matcher.js';
import type { Content } from '../src/core/content.js';
import { createRouter } from '../src/core/router.js';
import { plainText } from '../src/core/text.js';
import type { Incoming, Reply } from '../src/core/types.js';
import { QUESTIONS, scaleFaq } from './router-bench.js';

const root = path.resolve(import.meta.dirname, '..');
const goldenFile = path.join(root, 'bench', 'golden.json');
// The open sets' replies in words, beside the build output (not committed): shown when a hash differs.
const readableFile = path.join(root, 'dist', 'golden-readable.json');

interface Source {
  readonly name: string;
  readonly texts: readonly string[];
  /** Hidden sets: never print their texts. */
  readonly opaque: boolean;
}

function sources(): Source[] {
  const jsonl = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => (JSON.parse(l) as { text: string }).text);
  const out: Source[] = [{ name: 'bench', texts: QUESTIONS, opaque: false }];
  for (const set of ['dev', 'own', 'holdout', 'blind']) {
    const file = path.join(root, 'tests', 'eval', `${set}.jsonl`);
    if (existsSync(file))
      out.push({ name: set, texts: jsonl(file), opaque: set === 'holdout' || set === 'blind' });
  }
  const safetyDir = path.join(root, 'content', 'safety');
  for (const f of readdirSync(safetyDir)
    .filter((f) => f.endsWith('.txt'))
    .sort()) {
    const texts = readFileSync(path.join(safetyDir, f), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    out.push({ name: `safety/${f}`, texts, opaque: false });
  }
  return out;
}

const show = (r: Reply) =>
  JSON.stringify({ kind: r.kind, text: plainText(r), buttons: r.buttons, meta: r.meta });

/** A message's record: the hash of what it got, and (open sets only) the same in words for a diff. */
interface Record1 {
  readonly hash: string;
  readonly readable?: string;
}
type Records = Record<string, Record<string, Record1[]>>;

async function replay(content: Content, picked: readonly Source[]): Promise<Record<string, Record1[]>> {
  const matcher = createMatcher(content);
  const verdicts: string[] = [];
  const router = createRouter({
    content: { current: () => ({ content, matcher }) },
    logger: {
      info: (obj) => verdicts.push(JSON.stringify({ ...obj, chat: undefined })),
      warn: () => {},
      error: (obj) => verdicts.push(`error ${String((obj as { err?: unknown }).err)}`),
    },
  });
  const records: Record<string, Record1[]> = {};
  for (const source of picked) {
    const list: Record1[] = [];
    for (const text of source.texts) {
      const lines: string[] = [];
      for (const group of [false, true]) {
        verdicts.length = 0;
        const incoming: Incoming = {
          kind: 'text',
          text,
          chat: { platform: 'console', chatId: 'golden', chatType: group ? 'group' : 'private' },
          sender: { id: 'golden', name: 'Golden' },
          addressed: !group,
        };
        const replies = await router.handle(incoming);
        lines.push(
          `${group ? 'group' : 'private'}: ${replies.map(show).join(' | ')} || ${verdicts.join(' ')}`,
        );
      }
      const readable = lines.join('\n');
      const hash = createHash('sha256').update(readable).digest('hex').slice(0, 16);
      list.push(source.opaque ? { hash } : { hash, readable });
    }
    records[source.name] = list;
  }
  return records;
}

const content = await loadContent(path.join(root, 'content'));
const all = sources();
const started = performance.now();
const result: Records = {
  real: await replay(content, all),
  // The 1,000-entry FAQ is the bench's: the question sets only (safety does not depend on the FAQ).
  faq1000: await replay(
    scaleFaq(content, 1_000),
    all.filter((s) => !s.name.startsWith('safety/')),
  ),
};
const count = Object.values(result).reduce(
  (n, sets) => n + Object.values(sets).reduce((m, l) => m + l.length, 0),
  0,
);
console.log(`golden: ${count} messages replayed in ${((performance.now() - started) / 1000).toFixed(1)} s`);

if (process.argv.includes('--write')) {
  const hashes = Object.fromEntries(
    Object.entries(result).map(([size, sets]) => [
      size,
      Object.fromEntries(Object.entries(sets).map(([name, list]) => [name, list.map((r) => r.hash)])),
    ]),
  );
  writeFileSync(goldenFile, `${JSON.stringify(hashes, null, 2)}\n`);
  mkdirSync(path.dirname(readableFile), { recursive: true });
  writeFileSync(readableFile, JSON.stringify(result));
  console.log(`golden: written to ${path.relative(root, goldenFile)}`);
} else {
  const golden = JSON.parse(readFileSync(goldenFile, 'utf8')) as Record<string, Record<string, string[]>>;
  const words: Records = existsSync(readableFile) ? JSON.parse(readFileSync(readableFile, 'utf8')) : {};
  let differences = 0;
  for (const [size, sets] of Object.entries(golden)) {
    for (const [name, list] of Object.entries(sets)) {
      const now = result[size]?.[name] ?? [];
      if (now.length !== list.length) {
        console.log(`${size} ${name}: ${list.length} messages recorded, ${now.length} now`);
        differences++;
        continue;
      }
      list.forEach((was, i) => {
        const is = now[i]!;
        if (is.hash === was) return;
        differences++;
        if (differences > 20) return;
        if (is.readable === undefined)
          console.log(`${size} ${name} line ${i + 1}: replies differ (hidden set)`);
        else {
          const before = words[size]?.[name]?.[i];
          const then =
            before?.hash === was ? before.readable : '(not kept: npx tsx bench/golden.ts --write to keep)';
          console.log(`${size} ${name} line ${i + 1}:\n  was ${then}\n  now ${is.readable}`);
        }
      });
    }
  }
  console.log(differences === 0 ? 'golden: identical' : `golden: ${differences} messages differ`);
  process.exitCode = differences === 0 ? 0 : 1;
}
