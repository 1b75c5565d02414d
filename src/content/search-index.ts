/**
 * A small BM25+ search index over a few fields, built for a question bot's load: hundreds to
 * tens of thousands of short documents, one query at a time, answers in microseconds.
 *
 * Scoring follows MiniSearch 7 (the library it replaces; the same BM25+ parameters, field
 * boosts, fuzzy and prefix weights, and the "quality" factor that multiplies a document's
 * score by how many distinct query words it matched), so rankings carry over. What differs
 * is the layout: each word's postings across all fields are merged once at build time into
 * typed arrays holding their final weighted score (search/postings.ts), fuzzy and prefix
 * expansions of a query word are computed once and cached (search/expansion.ts), words most
 * documents hold only update documents already in reach (search/query.ts), and only the best
 * `limit` documents are kept, by quickselect (search/select.ts), not sorted.
 */
import { createExpander } from './search/expansion.js';
import { buildPostings } from './search/postings.js';
import { createScorer, type Ranking } from './search/query.js';

export { levenshteinWithin } from './search/expansion.js';
export type { Ranking } from './search/query.js';

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
  /**
   * The same documents as `search`, unsorted and without a hit object each: for callers that
   * merge hits themselves. Valid until the next query on this index.
   */
  rank(query: string, limit: number): Ranking;
  /** Number of documents holding the indexed word in any field. */
  docFrequency(term: string): number;
  readonly documentCount: number;
}

export function createSearchIndex(
  docs: readonly (readonly string[])[],
  options: SearchIndexOptions,
): SearchIndex {
  const { tokenize, processTerm } = options;
  const postings = buildPostings(docs, {
    boosts: options.boosts,
    tokenize,
    processTerm,
    bm25: options.bm25 ?? { k: 1.2, b: 0.7, d: 0.5 },
  });
  const expand = createExpander(postings.termIds, postings.termText, {
    fuzzy: options.fuzzy,
    prefix: options.prefix,
    weights: options.weights ?? { fuzzy: 0.45, prefix: 0.375 },
  });
  const score = createScorer(postings, expand);
  const counts = new Map<string, number>();
  const rank = (query: string, limit: number): Ranking => {
    // Distinct query words with how often each occurs (a repeated word counts again, as in MiniSearch).
    counts.clear();
    for (const token of tokenize(query)) {
      const term = processTerm(token);
      if (term) counts.set(term, (counts.get(term) ?? 0) + 1);
    }
    return score(counts, limit);
  };

  return {
    documentCount: postings.documentCount,
    docFrequency: (term) => {
      const id = postings.termIds.get(term);
      return id === undefined ? 0 : postings.docs[id]!.length;
    },
    rank,
    search(query, limit) {
      const r = rank(query, limit);
      const hits: SearchHit[] = [];
      for (let i = 0; i < r.count; i++) {
        const doc = r.docs[i]!;
        hits.push({ doc, score: r.scores[doc]!, queryTerms: r.terms.filter((_, q) => r.matched(doc, q)) });
      }
      return hits.sort((x, y) => y.score - x.score || x.doc - y.doc);
    },
  };
}
