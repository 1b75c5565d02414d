/**
 * The index's build step: BM25+ postings per indexed word, each posting already the weighted
 * score summed over the fields, in typed arrays.
 */

/** Posting lists and what the query planner needs to know about them. */
export interface Postings {
  readonly documentCount: number;
  /** Indexed word -> word id. */
  readonly termIds: ReadonlyMap<string, number>;
  /** Word id -> indexed word. */
  readonly termText: readonly string[];
  /** Word id -> documents holding it, ascending. */
  readonly docs: readonly Int32Array[];
  /** Word id -> the word's weighted score in each of those documents. */
  readonly scores: readonly Float64Array[];
  /** Word id -> the most one of its postings adds. */
  readonly maxScore: Float64Array;
  /**
   * Word id -> a score per document, for words most documents hold ("b12"): once the top
   * documents are known, such a word only updates those (MaxScore).
   */
  readonly dense: readonly (Float64Array | undefined)[];
  /**
   * Word id -> for the same words, their postings by falling score: a query's last word finds
   * the documents it alone could lift into the top, and stops at the first that cannot.
   */
  readonly byImpact: readonly ({ readonly docs: Int32Array; readonly scores: Float64Array } | undefined)[];
}

export interface PostingsOptions {
  readonly boosts: readonly number[];
  readonly tokenize: (text: string) => readonly string[];
  readonly processTerm: (token: string) => string | null;
  readonly bm25: { readonly k: number; readonly b: number; readonly d: number };
}

/** Builds the postings of `docs` (each an array of field texts, in the order of `boosts`). */
export function buildPostings(docs: readonly (readonly string[])[], options: PostingsOptions): Postings {
  const { boosts, tokenize, processTerm } = options;
  const { k, b, d } = options.bm25;
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
  }
  const maxScore = Float64Array.from(postingScores, (p) => p.reduce((m, x) => Math.max(m, x), 0));
  const denseMin = Math.max(256, n >>> 4);
  const dense = postingDocs.map((docsOf, t) => {
    if (docsOf.length < denseMin) return undefined;
    const a = new Float64Array(n);
    docsOf.forEach((doc, p) => {
      a[doc] = postingScores[t]![p]!;
    });
    return a;
  });
  const byImpact = dense.map((a, t) => {
    if (!a) return undefined;
    const order = Array.from(postingDocs[t]!.keys()).sort(
      (x, y) => postingScores[t]![y]! - postingScores[t]![x]! || x - y,
    );
    return {
      docs: Int32Array.from(order, (p) => postingDocs[t]![p]!),
      scores: Float64Array.from(order, (p) => postingScores[t]![p]!),
    };
  });
  return {
    documentCount: n,
    byImpact,
    termIds,
    termText,
    docs: postingDocs,
    scores: postingScores,
    maxScore,
    dense,
  };
}
