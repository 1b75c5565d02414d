/**
 * A query word's readings among the indexed words: itself, longer words it starts (prefix) and
 * words within a few edits (fuzzy), each with its weight; computed once per word and remembered.
 */

/** A query word's readings: indexed word ids with their weight (1 for the word itself). */
export interface Expansion {
  readonly ids: Int32Array;
  readonly weights: Float64Array;
}

export interface ExpansionOptions {
  /** Largest edit distance a query word may be read at (0: exact only). */
  readonly fuzzy: (term: string) => number;
  /** Whether longer indexed words starting with a query word count for it. */
  readonly prefix: (term: string) => boolean;
  readonly weights: { readonly fuzzy: number; readonly prefix: number };
}

const CACHE_SIZE = 20_000;

/** The expansion function for one vocabulary: null when a word reads as no indexed word. */
export function createExpander(
  termIds: ReadonlyMap<string, number>,
  termText: readonly string[],
  options: ExpansionOptions,
): (term: string) => Expansion | null {
  const { fuzzy: fuzzyWeight, prefix: prefixWeight } = options.weights;
  // Vocabulary bucketed by length, for the fuzzy and prefix scans.
  const maxLen = termText.reduce((m, t) => Math.max(m, t.length), 0);
  const byLength: number[][] = Array.from({ length: maxLen + 1 }, () => []);
  termText.forEach((t, id) => {
    byLength[t.length]!.push(id);
  });

  const cache = new Map<string, Expansion | null>();
  return (term) => {
    const cached = cache.get(term);
    if (cached !== undefined) return cached;
    const found = new Map<number, number>();
    const own = termIds.get(term);
    if (own !== undefined) found.set(own, 1);
    if (options.prefix(term)) {
      for (let len = term.length + 1; len <= maxLen; len++) {
        for (const id of byLength[len]!) {
          if (termText[id]!.startsWith(term)) {
            found.set(id, (prefixWeight * len) / (len + 0.3 * (len - term.length)));
          }
        }
      }
    }
    const maxDistance = options.fuzzy(term);
    if (maxDistance > 0) {
      const lo = Math.max(1, term.length - maxDistance);
      const hi = Math.min(maxLen, term.length + maxDistance);
      for (let len = lo; len <= hi; len++) {
        for (const id of byLength[len]!) {
          if (found.has(id)) continue; // exact and prefix readings win
          const distance = levenshteinWithin(term, termText[id]!, maxDistance);
          if (distance > 0 && distance <= maxDistance) {
            found.set(id, (fuzzyWeight * len) / (len + distance));
          }
        }
      }
    }
    const result =
      found.size === 0
        ? null
        : { ids: Int32Array.from(found.keys()), weights: Float64Array.from(found.values()) };
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(term, result);
    return result;
  };
}

let rowA = new Int32Array(0);
let rowB = new Int32Array(0);

/** Levenshtein distance of `a` and `b` when it is at most `max`, else `max + 1`; allocation-free. */
export function levenshteinWithin(a: string, b: string, max: number): number {
  if (a === b) return 0;
  if (Math.abs(a.length - b.length) > max) return max + 1;
  if (rowA.length <= b.length) {
    rowA = new Int32Array(b.length + 1);
    rowB = new Int32Array(b.length + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= b.length; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + cost);
      cur[j] = v;
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  const result = prev[b.length]!;
  return result > max ? max + 1 : result;
}
