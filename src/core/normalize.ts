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

/**
 * Optimal-string-alignment distance, stopping early once it exceeds `max`:
 * a swap of two neighbouring letters ("pian" for "pain") counts as one edit.
 */
export function withinEdits(a: string, b: string, max: number): boolean {
  if (a === b) return true;
  if (Math.abs(a.length - b.length) > max) return false;
  const rows: number[][] = [Array.from({ length: b.length + 1 }, (_, j) => j)];
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, row[j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      row[j] = d;
      best = Math.min(best, d);
    }
    if (best > max) return false;
    rows.push(row);
  }
  return rows[a.length]![b.length]! <= max;
}

/** How many edits a word of this length may carry and still count as the same word. */
export const allowedEdits = (word: string): number => (word.length >= 8 ? 2 : word.length >= 5 ? 1 : 0);
