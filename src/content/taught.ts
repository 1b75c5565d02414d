/**
 * Phrasings moderators taught the bot from real questions (the console's review page): "this
 * question is FAQ entry X" becomes one of X's paraphrases, "the article does not cover this" one
 * of the not-covered topics. They are kept in Redis and laid over faq.yaml and not-covered.yaml
 * before the content is validated, by the same validator as the files; `npm run content:export`
 * writes them into the files for review and a commit.
 */
import type { Redis } from 'ioredis';
import { isMap, isSeq, parseDocument } from 'yaml';

/** Where the bot keeps taught phrasings in Redis (main.ts and `npm run content:export`). */
export const TAUGHT_KEY_PREFIX = 'bot:content:';

export type TaughtTarget = { readonly type: 'faq'; readonly id: string } | { readonly type: 'not_covered' };

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

const fieldOf = (p: Pick<TaughtPhrase, 'text' | 'target'>) =>
  `${p.target.type === 'faq' ? `faq:${p.target.id}` : 'not_covered'}\n${taughtWording(p.text)}`;

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
      await redis.hset(
        key,
        fieldOf(phrase),
        JSON.stringify({ ...phrase, text: taughtWording(phrase.text), at: phrase.at.getTime() }),
      );
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
