/**
 * A small BM25+ search index over a few fields, built for a question bot's load: hundreds to
 * tens of thousands of short documents, one query at a time, answers in microseconds.
 *
 * Scoring follows MiniSearch 7 (the library it replaces; the same BM25+ parameters, field
 * boosts, fuzzy and prefix weights, and the "quality" factor that multiplies a document's
 * score by how many distinct query words it matched), so rankings carry over. What differs
 * is the layout: each word's postings across all fields are merged once at build time into
 * typed arrays holding their final weighted score, fuzzy and prefix expansions of a query
 * word are computed once and cached, and only the best `limit` documents are sorted
 * (quickselect), not every document that shares a word like "b12".
 */

export interface SearchIndexOptions {
  /** Boost of each field, in the order documents give their field texts. */
  readonly boosts: readonly number[];
  /** Splits a text into tokens (stop words included: they count in a field's length). */
  readonly tokenize: (text: string) => readonly string[];
  /** The indexed form of a token, or null to leave it out. */
  readonly processTerm: (token: string) => string | null;
  /** Largest edit distance a query word may be read at (0: exact only). */
  readonly fuzzy: (term: string) => number;
  /** Whether longer indexed words starting with a query word count for it. */
  readonly prefix: (term: string) => boolean;
  readonly weights?: { readonly fuzzy: number; readonly prefix: number };
  readonly bm25?: { readonly k: number; readonly b: number; readonly d: number };
}

export interface SearchHit {
  /** Index of the document in the array given to `createSearchIndex`. */
  readonly doc: number;
  readonly score: number;
  /** The distinct processed query words the document matched. */
  readonly queryTerms: readonly string[];
}

export interface SearchIndex {
  /** The best `limit` documents for the query text, best first. */
  search(query: string, limit: number): SearchHit[];
  /** Number of documents holding the indexed word in any field. */
  docFrequency(term: string): number;
  readonly documentCount: number;
}

/** A query word's readings: indexed word ids with their weight (1 for the word itself). */
interface Expansion {
  readonly ids: Int32Array;
  readonly weights: Float64Array;
}

const EXPANSION_CACHE = 20_000;

export function createSearchIndex(
  docs: readonly (readonly string[])[],
  options: SearchIndexOptions,
): SearchIndex {
  const { boosts, tokenize, processTerm } = options;
  const { fuzzy: fuzzyWeight, prefix: prefixWeight } = options.weights ?? { fuzzy: 0.45, prefix: 0.375 };
  const { k, b, d } = options.bm25 ?? { k: 1.2, b: 0.7, d: 0.5 };
  const fieldCount = boosts.length;
  const n = docs.length;

  // Pass 1: term frequencies per (word, field, document) and field lengths (distinct tokens).
  const termIds = new Map<string, number>();
  const termText: string[] = [];
  const perField: Map<number, number>[][] = []; // [term][field] doc -> tf
  const fieldLength = new Float64Array(n * fieldCount);
  const totalLength = new Float64Array(fieldCount);
  docs.forEach((fields, doc) => {
    for (let f = 0; f < fieldCount; f++) {
      const tokens = tokenize(fields[f] ?? '');
      const length = new Set(tokens).size;
      fieldLength[doc * fieldCount + f] = length;
      totalLength[f]! += length;
      for (const token of tokens) {
        const term = processTerm(token);
        if (!term) continue;
        let id = termIds.get(term);
        if (id === undefined) {
          id = termText.length;
          termIds.set(term, id);
          termText.push(term);
          perField.push(Array.from({ length: fieldCount }, () => new Map<number, number>()));
        }
        const m = perField[id]![f]!;
        m.set(doc, (m.get(doc) ?? 0) + 1);
      }
    }
  });
  const avgLength = Array.from(totalLength, (t) => (n === 0 ? 0 : t / n));

  // Pass 2: one posting list per word, each posting the weighted BM25+ score summed over fields.
  const postingDocs: Int32Array[] = [];
  const postingScores: Float64Array[] = [];
  const docFreq = new Int32Array(termText.length);
  for (let t = 0; t < termText.length; t++) {
    const scores = new Map<number, number>();
    perField[t]!.forEach((freqs, f) => {
      const idf = Math.log(1 + (n - freqs.size + 0.5) / (freqs.size + 0.5));
      const avg = avgLength[f]!;
      for (const [doc, tf] of freqs) {
        const len = fieldLength[doc * fieldCount + f]!;
        const raw = idf * (d + (tf * (k + 1)) / (tf + k * (1 - b + (b * len) / avg)));
        scores.set(doc, (scores.get(doc) ?? 0) + boosts[f]! * raw);
      }
    });
    const ids = [...scores.keys()].sort((x, y) => x - y);
    postingDocs.push(Int32Array.from(ids));
    postingScores.push(Float64Array.from(ids, (doc) => scores.get(doc)!));
    docFreq[t] = ids.length;
  }
  perField.length = 0;
  // The best a posting of each word can add, and for words most documents hold ("b12"), a dense
  // score array: once the top documents are known, such a word only updates those (MaxScore).
  const maxPosting = Float64Array.from(postingScores, (p) => p.reduce((m, x) => Math.max(m, x), 0));
  const denseMin = Math.max(256, n >>> 4);
  const dense = postingDocs.map((docsOf, t) => {
    if (docsOf.length < denseMin) return undefined;
    const a = new Float64Array(n);
    docsOf.forEach((doc, p) => {
      a[doc] = postingScores[t]![p]!;
    });
    return a;
  });

  // Vocabulary bucketed by length, for the fuzzy and prefix scans.
  const maxLen = termText.reduce((m, t) => Math.max(m, t.length), 0);
  const byLength: number[][] = Array.from({ length: maxLen + 1 }, () => []);
  termText.forEach((t, id) => {
    byLength[t.length]!.push(id);
  });

  const expansions = new Map<string, Expansion | null>();
  const expand = (term: string): Expansion | null => {
    const cached = expansions.get(term);
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
    if (expansions.size >= EXPANSION_CACHE) expansions.clear();
    expansions.set(term, result);
    return result;
  };

  // Per-query scratch space, reused: scores, and which distinct query words each document matched.
  const score = new Float64Array(n);
  const quality = new Int32Array(n);
  const lastTerm = new Int32Array(n).fill(-1);
  const touched = new Int32Array(n);
  let matchedBits = new Uint32Array(0);
  let bitWords = 0;

  return {
    documentCount: n,
    docFrequency: (term) => {
      const id = termIds.get(term);
      return id === undefined ? 0 : docFreq[id]!;
    },
    search(query, limit) {
      // Distinct query words with how often each occurs (a repeated word counts again, as in MiniSearch).
      const counts = new Map<string, number>();
      for (const token of tokenize(query)) {
        const term = processTerm(token);
        if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
      }
      const terms = [...counts.keys()];
      bitWords = Math.ceil(terms.length / 32);
      if (matchedBits.length < n * bitWords) matchedBits = new Uint32Array(n * bitWords);
      // Words in falling order of the most they can add, so the rare, telling ones come first.
      const plan: { q: number; expansion: Expansion; times: number; bound: number; postings: number }[] = [];
      terms.forEach((term, q) => {
        const expansion = expand(term);
        if (!expansion) return;
        const times = counts.get(term)!;
        let bound = 0;
        let postings = 0;
        for (let e = 0; e < expansion.ids.length; e++) {
          bound += expansion.weights[e]! * times * maxPosting[expansion.ids[e]!]!;
          postings += postingDocs[expansion.ids[e]!]!.length;
        }
        plan.push({ q, expansion, times, bound, postings });
      });
      plan.sort((x, y) => y.bound - x.bound);
      let rest = plan.reduce((sum, p) => sum + p.bound, 0);
      let touchedCount = 0;
      let updateOnly = false;
      for (let i = 0; i < plan.length; i++) {
        const { q, expansion, times, bound, postings } = plan[i]!;
        // A document none of the words so far matched scores at most `rest` times the number of words
        // left (BM25 sums, then the quality factor). Once that cannot reach the current top `limit`,
        // the remaining words only update documents already found.
        if (!updateOnly && touchedCount >= limit && postings > touchedCount) {
          const floor = kthLargest(touched, touchedCount, score, quality, limit);
          if (rest * (plan.length - i) < floor) updateOnly = true;
        }
        rest -= bound;
        const bit = 1 << (q & 31);
        const word = q >>> 5;
        for (let e = 0; e < expansion.ids.length; e++) {
          const id = expansion.ids[e]!;
          const w = expansion.weights[e]! * times;
          const docsOf = postingDocs[id]!;
          const scoresOf = postingScores[id]!;
          const denseOf = dense[id];
          if (updateOnly && denseOf) {
            for (let t = 0; t < touchedCount; t++) {
              const doc = touched[t]!;
              const s = denseOf[doc]!;
              if (s === 0) continue;
              if (lastTerm[doc] !== q) {
                lastTerm[doc] = q;
                quality[doc]!++;
                matchedBits[doc * bitWords + word]! |= bit;
              }
              score[doc]! += w * s;
            }
            continue;
          }
          for (let p = 0; p < docsOf.length; p++) {
            const doc = docsOf[p]!;
            const last = lastTerm[doc]!;
            if (last === -1) {
              if (updateOnly) continue;
              touched[touchedCount++] = doc;
              score[doc] = 0;
              quality[doc] = 0;
              for (let b = doc * bitWords, end = b + bitWords; b < end; b++) matchedBits[b] = 0;
            }
            if (last !== q) {
              lastTerm[doc] = q;
              quality[doc]!++;
              matchedBits[doc * bitWords + word]! |= bit;
            }
            score[doc]! += w * scoresOf[p]!;
          }
        }
      }
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i]!;
        score[doc]! *= quality[doc]!;
      }
      const threshold = kthLargest(touched, touchedCount, score, undefined, limit);
      const hits: SearchHit[] = [];
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i]!;
        lastTerm[doc] = -1;
        if (score[doc]! < threshold) continue;
        const queryTerms: string[] = [];
        for (let q = 0; q < terms.length; q++) {
          if (matchedBits[doc * bitWords + (q >>> 5)]! & (1 << (q & 31))) queryTerms.push(terms[q]!);
        }
        hits.push({ doc, score: score[doc]!, queryTerms });
      }
      hits.sort((x, y) => y.score - x.score || x.doc - y.doc);
      if (hits.length > limit) hits.length = limit;
      return hits;
    },
  };
}

let selectBuffer = new Float64Array(0);

/**
 * The `k`-th largest score (times `factor` when given) among the touched documents, by
 * quickselect; -Infinity when there are fewer.
 */
function kthLargest(
  docs: Int32Array,
  count: number,
  score: Float64Array,
  factor: Int32Array | undefined,
  k: number,
): number {
  if (count <= k || k <= 0) return Number.NEGATIVE_INFINITY;
  if (selectBuffer.length < count) selectBuffer = new Float64Array(count);
  const a = selectBuffer;
  for (let i = 0; i < count; i++) {
    const doc = docs[i]!;
    a[i] = factor ? score[doc]! * factor[doc]! : score[doc]!;
  }
  // Descending order: the element at index k-1 ends as the k-th largest.
  let lo = 0;
  let hi = count - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = a[(lo + hi) >>> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! > pivot) i++;
      while (a[j]! < pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i] = a[j]!;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return a[target]!;
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
