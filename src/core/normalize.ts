/** Text normalisation shared by the matcher and the safety check. */

/**
 * How much of a message the matcher and the safety check read. A question or a cry for help
 * sits in the first few thousand characters, or closes a long story ("...and now chest pain
 * too"); reading a 65,536-character WhatsApp message in full would stall every chat behind it.
 */
export const MAX_READ_CHARS = 4_000;
const TAIL_CHARS = 1_000;

/**
 * The part of a message the matcher and the safety check read: all of it up to
 * {@link MAX_READ_CHARS}, else its beginning and its last thousand characters.
 */
export const readable = (text: string): string =>
  text.length > MAX_READ_CHARS
    ? `${text.slice(0, MAX_READ_CHARS - TAIL_CHARS)}\n${text.slice(-TAIL_CHARS)}`
    : text;

/**
 * Lower case, accents folded, "B-12"/"b 12"/"B₁₂" read as "b12", punctuation to spaces.
 * Linear in the length of the input: no pattern here can backtrack over a long run of
 * characters more than once (a 100,000-character message normalises in milliseconds).
 */
export function normalizeText(input: string): string {
  // One message is read by the safety check, the answer and the matcher: normalised once.
  for (let i = 0; i < MEMO; i++) if (memoIn[i] === input) return memoOut[i]!;
  const out = normalizeUncached(input);
  memoIn[memoAt] = input;
  memoOut[memoAt] = out;
  memoAt = (memoAt + 1) % MEMO;
  return out;
}

// The last few texts normalised and their results (a message, its question part, its query).
const MEMO = 4;
const memoIn: (string | undefined)[] = new Array(MEMO).fill(undefined);
const memoOut: string[] = new Array(MEMO).fill('');
let memoAt = 0;

// Each step below runs only when the text holds what it rewrites: the same result, without a
// pass over every message for patterns most never contain (most are plain ASCII without "vit").
const NON_ASCII = /[^\x00-\x7f]/;

function normalizeUncached(input: string): string {
  let s = NON_ASCII.test(input) ? input.normalize('NFKD').replace(/[\u0300-\u036f]/g, '') : input;
  s = s.toLowerCase();
  if (NON_ASCII.test(s) || s.includes('`')) s = s.replace(/[’‘`]/g, "'");
  if (s.includes('vit')) s = s.replace(/\bvit(?:amin|amine|\.)?\s*b(?:\s*[-_]\s*|\s*)12\b/g, 'vitamin b12');
  if (s.includes('12')) s = s.replace(/\bb(?:\s*[-_]\s*|\s+)12\b/g, 'b12');
  if (s.includes('b12s')) s = s.replace(/\bb12s\b/g, 'b12');
  // "vitamin D" would lose its one-letter name as a word: keep it as one token.
  if (s.includes('vit')) s = s.replace(/\bvit(?:amin|amine|\.)?[\s-]*([ade])(?:\s*\d)?\b/g, 'vitamin$1');
  // In ASCII text (lower case by now) letters and digits are a-z and 0-9: a plain pattern does,
  // and a text already normalised (a query with its synonyms) skips the rewrite.
  if (NON_ASCII.test(s)) s = s.replace(/[^\p{L}\p{N}\s']+/gu, ' ');
  else if (/[^a-z0-9\s']/.test(s)) s = s.replace(/[^a-z0-9\s']+/g, ' ');
  if (s.includes("'"))
    s = s
      // Whole words, then only those with an apostrophe (`/\S*'\S*/` retried every start of a long word).
      .replace(/\S+/g, (word) => (word.includes("'") ? expandContractions(word) : word))
      .replace(/'/g, ' ');
  return s.replace(/\s+/g, ' ').trim();
}

/**
 * Spells out English contractions the way members type them: "I'm" -> "i am", "can't" -> "can not",
 * "he's" -> "he" (the "'s" is dropped: it may be "is", "has" or a possessive), "they're" -> "they are".
 * Patterns (src/core/phrases.ts) go through the same function so both sides agree.
 */
export function expandContractions(word: string): string {
  return word
    .replace(/^od'(d|ed)$/, 'od')
    .replace(/^can't$/, 'can not')
    .replace(/^won't$/, 'will not')
    .replace(/^i'm$/, 'i am')
    .replace(/n't$/, ' not')
    .replace(/'re$/, ' are')
    .replace(/'ve$/, ' have')
    .replace(/'ll$/, ' will')
    .replace(/'d$/, ' would')
    .replace(/'s$/, '');
}

/**
 * Words of a normalised text. One message is split by the safety check, the answer and the
 * matcher's stages: the last few splits are remembered and shared, so the result is read-only.
 */
export function words(normalized: string): readonly string[] {
  if (!normalized) return NO_WORDS;
  for (let i = 0; i < MEMO; i++) if (wordsIn[i] === normalized) return wordsOut[i]!;
  const out = Object.freeze(normalized.split(' '));
  wordsIn[wordsAt] = normalized;
  wordsOut[wordsAt] = out;
  wordsAt = (wordsAt + 1) % MEMO;
  return out;
}

const NO_WORDS: readonly string[] = Object.freeze([]);
const wordsIn: (string | undefined)[] = new Array(MEMO).fill(undefined);
const wordsOut: (readonly string[])[] = new Array(MEMO).fill(NO_WORDS);
let wordsAt = 0;

// Three rows of the distance table, reused by every call (grown when a longer word comes).
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)] as const;

/**
 * Optimal-string-alignment distance, stopping early once it exceeds `max`:
 * a swap of two neighbouring letters ("pian" for "pain") counts as one edit.
 */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > max || max <= 0) return false;
  // Each edit removes at most one letter and adds at most one: more letters missing on either
  // side than `max` cannot be mended, and that check is much cheaper than the table.
  const ma = letterBuckets(a);
  const mb = letterBuckets(b);
  if (bitCount(ma & ~mb) > max || bitCount(mb & ~ma) > max) return false;
  if (rows[0].length <= b.length) {
    const size = 2 * (b.length + 1);
    rows = [new Int32Array(size), new Int32Array(size), new Int32Array(size)];
  }
  let [before, prev, cur] = rows;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj)
        d = Math.min(d, before[j - 2]! + 1);
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return false;
    [before, prev, cur] = [prev, cur, before];
  }
  return prev[b.length]! <= max;
}

/** Which letters occur in a word, folded into 32 buckets. */
function letterBuckets(word: string): number {
  let mask = 0;
  for (let i = 0; i < word.length; i++) mask |= 1 << (word.charCodeAt(i) & 31);
  return mask;
}

function bitCount(n: number): number {
  let count = 0;
  for (let v = n; v !== 0; v &= v - 1) count++;
  return count;
}

/** How many edits a word of this length may carry and still count as the same word. */
export const allowedEdits = (word: string): number => (word.length >= 8 ? 2 : word.length >= 5 ? 1 : 0);
