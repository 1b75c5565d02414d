/**
 * Scores one query against the postings: BM25+ sums per document, times the number of distinct
 * query words it matched (MiniSearch's "quality" factor), keeping the best `limit` documents.
 * Scratch space is allocated once per index and reused by every query.
 */
import type { Expansion } from './expansion.js';
import type { Postings } from './postings.js';
import { kthLargest, kthLargestIn } from './select.js';

/**
 * The best documents of the last query. Valid until the next query on the same index: its
 * arrays are the index's scratch space.
 */
export interface Ranking {
  /** How many documents made the top (at most the limit asked for). */
  readonly count: number;
  /** Those documents (the first `count`), in no particular order. */
  readonly docs: Int32Array;
  /** Final score by document number (read it for the documents above). */
  readonly scores: Float64Array;
  /** The distinct processed query words. */
  readonly terms: readonly string[];
  /** Whether document `doc` matched query word `terms[q]`. */
  matched(doc: number, q: number): boolean;
  /**
   * The same as bits: document `doc`'s words `bits[doc * bitWords .. + bitWords]`, bit `q & 31`
   * of word `q >>> 5` for query word `q` (for merging many documents' matches at once).
   */
  readonly bits: Uint32Array;
  readonly bitWords: number;
}

interface PlanStep {
  readonly q: number;
  readonly expansion: Expansion;
  readonly times: number;
  readonly bound: number;
  readonly postings: number;
}

/** The scratch space of one index's scorer, shared by the steps of a query. */
interface ScoreState {
  readonly postings: Postings;
  readonly n: number;
  /** Running BM25 sum, then final score, by document. */
  readonly score: Float64Array;
  /** Distinct query words matched, by document. */
  readonly quality: Int32Array;
  /** The last query word that touched a document (-1: not found by this query). */
  readonly lastTerm: Int32Array;
  /** Documents found by this query (the first `touchedCount`). */
  readonly touched: Int32Array;
  readonly top: Int32Array;
  /** Documents kept for the last words of the current query: marked with the query's number. */
  readonly keptIn: Int32Array;
  epoch: number;
  matchedBits: Uint32Array;
  bitWords: number;
  finals: Float64Array;
}

// Words in falling order of the most they can add, so the rare, telling ones come first.
function planOf(
  st: ScoreState,
  terms: readonly string[],
  counts: ReadonlyMap<string, number>,
  expand: (term: string) => Expansion | null,
): PlanStep[] {
  const { docs: postingDocs, maxScore } = st.postings;
  const plan: PlanStep[] = [];
  terms.forEach((term, q) => {
    const expansion = expand(term);
    if (!expansion) return;
    const times = counts.get(term)!;
    let bound = 0;
    let size = 0;
    for (let e = 0; e < expansion.ids.length; e++) {
      bound += expansion.weights[e]! * times * maxScore[expansion.ids[e]!]!;
      size += postingDocs[expansion.ids[e]!]!.length;
    }
    plan.push({ q, expansion, times, bound, postings: size });
  });
  return plan.sort((x, y) => y.bound - x.bound);
}

// A word's score in a document (0: the document does not hold it): dense array or binary search.
function lookup(postings: Postings, id: number, doc: number): number {
  const { dense, docs: postingDocs, scores: postingScores } = postings;
  const denseOf = dense[id];
  if (denseOf) return denseOf[doc]!;
  const docsOf = postingDocs[id]!;
  let lo = 0;
  let hi = docsOf.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const at = docsOf[mid]!;
    if (at === doc) return postingScores[id]![mid]!;
    if (at < doc) lo = mid + 1;
    else hi = mid - 1;
  }
  return 0;
}

/**
 * A document's final score (times its quality) once the plan's words from `from` on are added,
 * in the same order, and so to the same last bit, as a pass over their postings would add them.
 */
function finalOf(st: ScoreState, plan: readonly PlanStep[], from: number, doc: number): number {
  let total = st.score[doc]!;
  let matched = st.quality[doc]!;
  for (let j = from; j < plan.length; j++) {
    const { expansion, times } = plan[j]!;
    let hit = false;
    for (let e = 0; e < expansion.ids.length; e++) {
      const s = lookup(st.postings, expansion.ids[e]!, doc);
      if (s === 0) continue;
      total += expansion.weights[e]! * times * s;
      hit = true;
    }
    if (hit) matched++;
  }
  return total * matched;
}

/**
 * A floor under the final `limit`-th best score: the `limit`-th best final score of some
 * `limit` or more documents found so far (any such documents give one). Those are the holders
 * of the rarest word read so far when it has enough of them (they lead), else the leaders.
 */
function finalFloor(
  st: ScoreState,
  plan: readonly PlanStep[],
  from: number,
  touchedCount: number,
  limit: number,
) {
  if (st.finals.length < touchedCount) st.finals = new Float64Array(touchedCount);
  const { finals, n, touched, score, quality } = st;
  const postingDocs = st.postings.docs;
  let count = 0;
  let rarest: PlanStep | undefined;
  for (let j = 0; j < from; j++) {
    const step = plan[j]!;
    if (
      step.expansion.ids.length === 1 &&
      step.postings >= limit &&
      step.postings < (rarest?.postings ?? n + 1)
    )
      rarest = step;
  }
  if (rarest && rarest.postings * 4 < touchedCount) {
    for (const doc of postingDocs[rarest.expansion.ids[0]!]!) finals[count++] = finalOf(st, plan, from, doc);
  } else {
    const lead = kthLargest(touched, touchedCount, score, quality, limit);
    for (let t = 0; t < touchedCount; t++) {
      const doc = touched[t]!;
      if (score[doc]! * quality[doc]! >= lead) finals[count++] = finalOf(st, plan, from, doc);
    }
  }
  // The finals are scratch: selected in place.
  return kthLargestIn(finals, count, limit);
}

/**
 * The words from `cut` on, for documents already found only: those that cannot reach `floor`
 * even with every word left (`rest` is what those words can add) are dropped first. Each word
 * then updates the documents kept, through its dense scores or a pass over its postings, in
 * plan order as before. Returns how many documents are kept (first in `touched`).
 */
function finishFrom(
  st: ScoreState,
  plan: readonly PlanStep[],
  cut: number,
  touchedCount: number,
  rest: number,
  floor: number,
): number {
  const { touched, score, quality, lastTerm, keptIn, matchedBits, bitWords } = st;
  const { docs: postingDocs, scores: postingScores, dense } = st.postings;
  const left = plan.length - cut;
  const epoch = ++st.epoch;
  let kept = 0;
  for (let i = 0; i < touchedCount; i++) {
    const doc = touched[i]!;
    if ((score[doc]! + rest) * (quality[doc]! + left) < floor) {
      lastTerm[doc] = -1;
      continue;
    }
    keptIn[doc] = epoch;
    touched[kept++] = doc;
  }
  for (let j = cut; j < plan.length; j++) {
    const { q, expansion, times } = plan[j]!;
    const bit = 1 << (q & 31);
    const word = q >>> 5;
    for (let e = 0; e < expansion.ids.length; e++) {
      const id = expansion.ids[e]!;
      const w = expansion.weights[e]! * times;
      const docsOf = postingDocs[id]!;
      const denseOf = dense[id];
      if (denseOf && kept < docsOf.length) {
        for (let t = 0; t < kept; t++) {
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
      const scoresOf = postingScores[id]!;
      for (let p = 0; p < docsOf.length; p++) {
        const doc = docsOf[p]!;
        if (keptIn[doc] !== epoch) continue;
        if (lastTerm[doc] !== q) {
          lastTerm[doc] = q;
          quality[doc]!++;
          matchedBits[doc * bitWords + word]! |= bit;
        }
        score[doc]! += w * scoresOf[p]!;
      }
    }
  }
  return kept;
}

/**
 * {@link finishFrom} and the final pass at once, when only the query's last word is left and it
 * has one reading and a dense score array: each document found is dropped if it cannot reach
 * `floor` even with that word (`rest` is the most it adds), else takes its score from the array
 * and its final score (times its quality), and is kept if that reaches `floor`. Every document
 * found is marked as not found, for the next query. Returns how many are kept (first in `touched`).
 */
function finishLast(
  st: ScoreState,
  step: PlanStep,
  touchedCount: number,
  rest: number,
  floor: number,
): number {
  const { touched, score, quality, lastTerm, matchedBits, bitWords } = st;
  const { q, expansion, times } = step;
  const denseOf = st.postings.dense[expansion.ids[0]!]!;
  const w = expansion.weights[0]! * times;
  const bit = 1 << (q & 31);
  const word = q >>> 5;
  let kept = 0;
  for (let i = 0; i < touchedCount; i++) {
    const doc = touched[i]!;
    lastTerm[doc] = -1;
    let total = score[doc]!;
    let matched = quality[doc]!;
    if ((total + rest) * (matched + 1) < floor) continue;
    const s = denseOf[doc]!;
    if (s !== 0) {
      total += w * s;
      matched++;
      matchedBits[doc * bitWords + word]! |= bit;
    }
    const final = total * matched;
    score[doc] = final;
    if (final >= floor) touched[kept++] = doc;
  }
  return kept;
}

/**
 * The query's last word when it has one reading and a dense score array, once a floor is known:
 * documents already found take its score from the array; a document it alone would bring in
 * scores its score times one, so only those at or above the floor are taken, read by falling
 * score until the first below. Returns the new number of documents found.
 */
function lastWord(
  st: ScoreState,
  id: number,
  q: number,
  w: number,
  touchedCount: number,
  floor: number,
): number {
  const { touched, score, quality, lastTerm, matchedBits, bitWords } = st;
  const denseOf = st.postings.dense[id]!;
  const byImpact = st.postings.byImpact;
  const bit = 1 << (q & 31);
  const word = q >>> 5;
  for (let t = 0; t < touchedCount; t++) {
    const doc = touched[t]!;
    const s = denseOf[doc]!;
    if (s === 0) continue;
    lastTerm[doc] = q;
    quality[doc]!++;
    matchedBits[doc * bitWords + word]! |= bit;
    score[doc]! += w * s;
  }
  const impact = byImpact[id]!;
  let count = touchedCount;
  for (let p = 0; p < impact.docs.length; p++) {
    const s = impact.scores[p]!;
    if (w * s < floor) break;
    const doc = impact.docs[p]!;
    if (lastTerm[doc] !== -1) continue;
    touched[count++] = doc;
    lastTerm[doc] = q;
    // 0 + x is x for these positive scores.
    score[doc] = w * s;
    quality[doc] = 1;
    if (bitWords === 1) matchedBits[doc] = bit;
    else {
      for (let b = doc * bitWords, end = b + bitWords; b < end; b++) matchedBits[b] = 0;
      matchedBits[doc * bitWords + word] = bit;
    }
  }
  return count;
}

/**
 * One reading's postings added to the running sums (query word `q`, weight `w`); a document not
 * found before starts at zero. Returns the new number of documents found.
 */
function addPostings(
  st: ScoreState,
  docsOf: Int32Array,
  scoresOf: Float64Array,
  w: number,
  q: number,
  found: number,
): number {
  const { touched, score, quality, lastTerm, matchedBits, bitWords } = st;
  const bit = 1 << (q & 31);
  const word = q >>> 5;
  let touchedCount = found;
  for (let p = 0; p < docsOf.length; p++) {
    const doc = docsOf[p]!;
    const last = lastTerm[doc]!;
    if (last === -1) {
      // A new document: this word alone (0 + x is x for these positive scores).
      touched[touchedCount++] = doc;
      score[doc] = w * scoresOf[p]!;
      quality[doc] = 1;
      lastTerm[doc] = q;
      if (bitWords === 1) matchedBits[doc] = bit;
      else {
        for (let b = doc * bitWords, end = b + bitWords; b < end; b++) matchedBits[b] = 0;
        matchedBits[doc * bitWords + word] = bit;
      }
      continue;
    }
    if (last !== q) {
      lastTerm[doc] = q;
      quality[doc]!++;
      matchedBits[doc * bitWords + word]! |= bit;
    }
    score[doc]! += w * scoresOf[p]!;
  }
  return touchedCount;
}

/**
 * {@link addPostings} when no document is found yet: each posting is a new document, with this
 * one word matched and its score (0 + x is x for these positive scores). Returns how many.
 */
function firstPostings(
  st: ScoreState,
  docsOf: Int32Array,
  scoresOf: Float64Array,
  w: number,
  q: number,
): number {
  const { touched, score, quality, lastTerm, matchedBits, bitWords } = st;
  const bit = 1 << (q & 31);
  const word = q >>> 5;
  if (bitWords === 1) {
    // Up to 32 query words (nearly every query): one bit word per document, set outright.
    for (let p = 0; p < docsOf.length; p++) {
      const doc = docsOf[p]!;
      touched[p] = doc;
      score[doc] = w * scoresOf[p]!;
      quality[doc] = 1;
      lastTerm[doc] = q;
      matchedBits[doc] = bit;
    }
    return docsOf.length;
  }
  for (let p = 0; p < docsOf.length; p++) {
    const doc = docsOf[p]!;
    touched[p] = doc;
    score[doc] = w * scoresOf[p]!;
    quality[doc] = 1;
    lastTerm[doc] = q;
    const at = doc * bitWords;
    for (let b = at, end = at + bitWords; b < end; b++) matchedBits[b] = 0;
    matchedBits[at + word] = bit;
  }
  return docsOf.length;
}

/** A query scorer over one index's postings. */
export function createScorer(
  postings: Postings,
  expand: (term: string) => Expansion | null,
): (counts: ReadonlyMap<string, number>, limit: number) => Ranking {
  const n = postings.documentCount;
  const { docs: postingDocs, scores: postingScores, dense, byImpact } = postings;
  const st: ScoreState = {
    postings,
    n,
    score: new Float64Array(n),
    quality: new Int32Array(n),
    lastTerm: new Int32Array(n).fill(-1),
    touched: new Int32Array(n),
    top: new Int32Array(n),
    keptIn: new Int32Array(n),
    epoch: 0,
    matchedBits: new Uint32Array(0),
    bitWords: 0,
    finals: new Float64Array(0),
  };
  const { score, quality, lastTerm, touched, top } = st;
  // Documents scoring exactly the threshold; a typed array sorts them without a comparator call.
  const ties = new Int32Array(n);
  const ranking = {
    count: 0,
    docs: top,
    scores: score,
    terms: [] as readonly string[],
    bits: st.matchedBits,
    bitWords: 0,
    matched: (doc: number, q: number) =>
      (st.matchedBits[doc * st.bitWords + (q >>> 5)]! & (1 << (q & 31))) !== 0,
  };

  return (counts, limit) => {
    const terms = [...counts.keys()];
    ranking.terms = terms;
    const bitWords = Math.ceil(terms.length / 32);
    st.bitWords = bitWords;
    if (st.matchedBits.length < n * bitWords) st.matchedBits = new Uint32Array(n * bitWords);
    const matchedBits = st.matchedBits;
    ranking.bits = matchedBits;
    ranking.bitWords = bitWords;
    const plan = planOf(st, terms, counts, expand);
    let rest = plan.reduce((sum, p) => sum + p.bound, 0);
    let touchedCount = 0;
    // From `cut` on, words only finish documents already found (MaxScore): a document none of
    // the words before matched scores at most `rest` times the number of words left (BM25 sums,
    // then the quality factor), and once that cannot reach the floor it cannot make the top.
    let cut = plan.length;
    // When the top holds a good share of all documents, few can be left out: floors cost more than they save.
    const pruning = limit * 4 <= n;
    let floor = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < plan.length; i++) {
      const { q, expansion, times, bound, postings: size } = plan[i]!;
      // A floor costs a pass over the documents found and lookups of the words left: worth it
      // before a word with many more postings, a word most documents hold ("b12") or the last.
      const worth =
        size > 2 * touchedCount || i === plan.length - 1 || dense[expansion.ids[0]!] !== undefined;
      if (pruning && touchedCount >= limit && size > touchedCount && worth) {
        floor = finalFloor(st, plan, i, touchedCount, limit);
        if (rest * (plan.length - i) < floor) {
          cut = i;
          break;
        }
      }
      rest -= bound;
      const lastId = expansion.ids.length === 1 && i === plan.length - 1 ? expansion.ids[0]! : -1;
      if (floor > Number.NEGATIVE_INFINITY && lastId >= 0 && dense[lastId] && byImpact[lastId]) {
        touchedCount = lastWord(st, lastId, q, expansion.weights[0]! * times, touchedCount, floor);
        continue;
      }
      for (let e = 0; e < expansion.ids.length; e++) {
        const id = expansion.ids[e]!;
        if (touchedCount === 0) {
          touchedCount = firstPostings(
            st,
            postingDocs[id]!,
            postingScores[id]!,
            expansion.weights[e]! * times,
            q,
          );
          continue;
        }
        touchedCount = addPostings(
          st,
          postingDocs[id]!,
          postingScores[id]!,
          expansion.weights[e]! * times,
          q,
          touchedCount,
        );
      }
    }
    const last = plan[plan.length - 1];
    if (cut === plan.length - 1 && last!.expansion.ids.length === 1 && dense[last!.expansion.ids[0]!]) {
      touchedCount = finishLast(st, last!, touchedCount, rest, floor);
    } else {
      if (cut < plan.length) touchedCount = finishFrom(st, plan, cut, touchedCount, rest, floor);
      // Documents below the floor (a bound under the limit-th best final score) cannot make the top:
      // dropped here, so the selection below reads a few hundred scores instead of thousands. The
      // same pass marks every document found as not found, for the next query.
      let kept = 0;
      for (let i = 0; i < touchedCount; i++) {
        const doc = touched[i]!;
        lastTerm[doc] = -1;
        const s = score[doc]! * quality[doc]!;
        score[doc] = s;
        if (s >= floor) touched[kept++] = doc;
      }
      touchedCount = kept;
    }
    // The best `limit` by score, then by document number among equal scores at the threshold.
    const threshold = kthLargest(touched, touchedCount, score, undefined, limit);
    let count = 0;
    let tieCount = 0;
    for (let i = 0; i < touchedCount; i++) {
      const doc = touched[i]!;
      const s = score[doc]!;
      if (s > threshold) top[count++] = doc;
      else if (s === threshold) ties[tieCount++] = doc;
    }
    if (tieCount > 0) {
      const tied = ties.subarray(0, tieCount);
      if (count + tieCount > limit) tied.sort();
      for (let i = 0; i < tieCount && count < limit; i++) top[count++] = tied[i]!;
    }
    ranking.count = count;
    return ranking;
  };
}
