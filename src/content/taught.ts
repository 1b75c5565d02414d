/**
 * Phrasings moderators taught the bot from real questions (the console's review page): "this
 * question is FAQ entry X" becomes one of X's paraphrases, "this is section Y" one of the
 * section's phrasings (content/section-phrasings.yaml), "the article does not cover this" one
 * of the not-covered topics. They are kept in Redis and laid over those files before the content
 * is validated, by the same validator as the files; `npm run content:export` writes them into
 * the files for review and a commit.
 */
import type { Redis } from 'ioredis';
import { isMap, isSeq, parseDocument, Scalar, YAMLMap } from 'yaml';

/** Where the bot keeps taught phrasings in Redis (main.ts and `npm run content:export`). */
export const TAUGHT_KEY_PREFIX = 'bot:content:';

/** A section is named by its title, as faq.yaml and tips.yaml name theirs. */
export type TaughtTarget =
  | { readonly type: 'faq'; readonly id: string }
  | { readonly type: 'section'; readonly title: string }
  | { readonly type: 'not_covered' };

/** The optional file where wordings answered by a whole article section live. */
export const SECTION_PHRASINGS_FILE = 'section-phrasings.yaml';

export interface TaughtPhrase {
  readonly text: string;
  readonly target: TaughtTarget;
  readonly by: string;
  readonly at: Date;
}

/** Where taught phrasings are kept. */
export interface TaughtStore {
  all(): Promise<TaughtPhrase[]>;
  add(phrase: TaughtPhrase): Promise<void>;
  remove(phrase: Pick<TaughtPhrase, 'text' | 'target'>): Promise<void>;
}

/** How a taught phrasing is written into the files: one line, lower case, no punctuation but apostrophes. */
export const taughtWording = (text: string): string =>
  text
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\p{L}\p{N}' ]+/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);

const targetKey = (t: TaughtTarget): string =>
  t.type === 'faq' ? `faq:${t.id}` : t.type === 'section' ? `section:${t.title}` : 'not_covered';
const fieldOf = (p: Pick<TaughtPhrase, 'text' | 'target'>) =>
  `${targetKey(p.target)}\n${taughtWording(p.text)}`;
/** A wording is answered by one thing: teaching it again replaces what it was taught as before. */
const sameWording = (field: string, p: Pick<TaughtPhrase, 'text'>) =>
  field.slice(field.indexOf('\n') + 1) === taughtWording(p.text);

export function createRedisTaughtStore(redis: Redis, prefix: string): TaughtStore {
  const key = `${prefix}taught`;
  return {
    async all() {
      return Object.values(await redis.hgetall(key))
        .map((raw) => {
          const j = JSON.parse(raw) as Omit<TaughtPhrase, 'at'> & { at: number };
          return { ...j, at: new Date(j.at) };
        })
        .sort((a, b) => a.at.getTime() - b.at.getTime());
    },
    async add(phrase) {
      const stale = (await redis.hkeys(key)).filter((f) => sameWording(f, phrase) && f !== fieldOf(phrase));
      const m = redis.multi();
      if (stale.length > 0) m.hdel(key, ...stale);
      m.hset(
        key,
        fieldOf(phrase),
        JSON.stringify({ ...phrase, text: taughtWording(phrase.text), at: phrase.at.getTime() }),
      );
      await m.exec();
    },
    async remove(phrase) {
      await redis.hdel(key, fieldOf(phrase));
    },
  };
}

/** An in-memory store, for running without Redis (taught phrasings are then lost on restart). */
export function createMemoryTaughtStore(): TaughtStore {
  const all = new Map<string, TaughtPhrase>();
  return {
    all: async () => [...all.values()],
    add: async (p) => {
      for (const f of [...all.keys()]) if (sameWording(f, p)) all.delete(f);
      all.set(fieldOf(p), { ...p, text: taughtWording(p.text) });
    },
    remove: async (p) => {
      all.delete(fieldOf(p));
    },
  };
}

/**
 * Lays taught phrasings over a content file's text: FAQ paraphrases into faq.yaml, topics into
 * not-covered.yaml, each as a new line after the list's last item, so the rest of the file (comments,
 * layout) stays as it is. A phrasing already there is not added twice.
 */
export function withTaught(file: string, source: string, taught: readonly TaughtPhrase[]): string {
  if (file === SECTION_PHRASINGS_FILE) return withTaughtSections(source, taught);
  const wanted = taught.filter((t) =>
    file === 'faq.yaml'
      ? t.target.type === 'faq'
      : file === 'not-covered.yaml' && t.target.type === 'not_covered',
  );
  if (wanted.length === 0) return source;
  const doc = parseDocument(source);
  if (doc.errors.length > 0) return source;
  const inserts = new Map<number, { indent: string; lines: string[] }>();
  const addTo = (seq: unknown, text: string) => {
    if (!isSeq(seq) || seq.flow || seq.items.length === 0) return;
    const items = seq.items as { value?: unknown; range?: [number, number, number] }[];
    if (items.some((n) => taughtWording(String(n.value ?? n)) === text)) return;
    const last = items[items.length - 1]!;
    if (!last.range) return;
    const lineStart = source.lastIndexOf('\n', last.range[0]) + 1;
    const indent = /^\s*/.exec(source.slice(lineStart, last.range[0]))![0];
    const lineEnd = source.indexOf('\n', last.range[1]);
    const at = lineEnd < 0 ? source.length : lineEnd;
    const entry = inserts.get(at) ?? { indent, lines: [] };
    if (!entry.lines.includes(text)) entry.lines.push(text);
    inserts.set(at, entry);
  };
  if (file === 'not-covered.yaml')
    for (const t of wanted) addTo(doc.get('topics', true), taughtWording(t.text));
  else {
    const entries = doc.get('entries', true);
    for (const t of wanted) {
      const id = (t.target as { id: string }).id;
      const entry = isSeq(entries) ? entries.items.find((e) => isMap(e) && e.get('id') === id) : undefined;
      if (isMap(entry)) addTo(entry.get('paraphrases', true), taughtWording(t.text));
    }
  }
  let out = source;
  for (const [at, { indent, lines }] of [...inserts.entries()].sort((a, b) => b[0] - a[0])) {
    out = `${out.slice(0, at)}${lines.map((l) => `\n${indent}- "${l}"`).join('')}${out.slice(at)}`;
  }
  return out;
}

const quoted = (value: string) => {
  const node = new Scalar(value);
  node.type = 'QUOTE_DOUBLE';
  return node;
};

/**
 * Section phrasings are one flat list (`phrasings: [{section, text}]`), so the file is edited as a
 * YAML document (its comments kept); a file that does not exist yet starts from its header.
 */
function withTaughtSections(source: string, taught: readonly TaughtPhrase[]): string {
  const wanted = taught.flatMap((t) => (t.target.type === 'section' ? [{ ...t, target: t.target }] : []));
  if (wanted.length === 0) return source;
  const doc = parseDocument(source.trim() === '' ? SECTION_PHRASINGS_HEADER : source);
  if (doc.errors.length > 0) return source;
  let list = doc.get('phrasings', true);
  if (!isSeq(list)) {
    doc.set('phrasings', doc.createNode([]));
    list = doc.get('phrasings', true);
  }
  if (!isSeq(list)) return source;
  const have = new Set(
    list.items.map((n) => (isMap(n) ? taughtWording(String(n.get('text') ?? '')) : '')).filter(Boolean),
  );
  let added = 0;
  for (const t of wanted) {
    const text = taughtWording(t.text);
    if (have.has(text)) continue;
    have.add(text);
    const item = new YAMLMap();
    item.set('section', quoted(t.target.title));
    item.set('text', quoted(text));
    list.items.push(item);
    added++;
  }
  if (added === 0) return source;
  list.flow = false;
  return doc.toString({ lineWidth: 0 });
}

export const SECTION_PHRASINGS_HEADER = `# Members' wordings that a whole article section answers ("this is section Y", taught in the web
# console's review page). Asked again, such a wording is answered outright with the section's
# passage that fits it best. \`section\` is a section's title as in article.md; \`text\` is the
# wording, lower case. Written by \`npm run content:export\`; review with git diff, then commit.
phrasings: []
`;
