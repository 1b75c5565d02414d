/** Text normalisation shared by the matcher and the safety check. */

/** Lower case, accents folded, "B-12"/"b 12"/"B₁₂" read as "b12", punctuation to spaces. */
export function normalizeText(input: string): string {
  return (
    input
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[’‘`]/g, "'")
      .replace(/\bvit(?:amin|amine|\.)?\s*b\s*[-_ ]?\s*12\b/g, 'vitamin b12')
      .replace(/\bb\s*[-_ ]\s*12\b/g, 'b12')
      .replace(/\bb12s\b/g, 'b12')
      // "vitamin D" would lose its one-letter name as a word: keep it as one token.
      .replace(/\bvit(?:amin|amine|\.)?[\s-]*([ade])(?:\s*\d)?\b/g, 'vitamin$1')
      .replace(/[^\p{L}\p{N}\s']+/gu, ' ')
      .replace(/\S*'\S*/g, expandContractions)
      .replace(/'/g, ' ')
      .replace(/\s+/g, ' ')
      .trim()
  );
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

/** Words of a normalised text. */
export const words = (normalized: string): string[] => (normalized ? normalized.split(' ') : []);

// Three reusable rows: the distance runs for every word of every message, so it allocates nothing.
let rowPrev2 = new Int32Array(0);
let rowPrev = new Int32Array(0);
let rowCur = new Int32Array(0);

/**
 * Optimal-string-alignment distance, stopping early once it exceeds `max`:
 * a swap of two neighbouring letters ("pian" for "pain") counts as one edit.
 */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > max) return false;
  if (max === 0) return false;
  if (rowCur.length <= b.length) {
    rowPrev2 = new Int32Array(b.length + 1);
    rowPrev = new Int32Array(b.length + 1);
    rowCur = new Int32Array(b.length + 1);
  }
  let prev2 = rowPrev2;
  let prev = rowPrev;
  let cur = rowCur;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb)
        d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return false;
    const t = prev2;
    prev2 = prev;
    prev = cur;
    cur = t;
  }
  return prev[b.length]! <= max;
}

/** How many edits a word of this length may carry and still count as the same word. */
export const allowedEdits = (word: string): number => (word.length >= 8 ? 2 : word.length >= 5 ? 1 : 0);
