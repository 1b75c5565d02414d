/**
 * Collapses ranked documents onto what the matcher answers with (targets). An FAQ entry scores
 * its best-matching phrasing plus a share of its answer and keywords; a passage that holds an FAQ
 * answer counts for that entry.
 *
 * Done on tables built once (document -> target, role, share) and scratch arrays, so a query
 * costs a pass over its top documents and a sort of the targets they reach, not a map, a set
 * and an object per document.
 */
import type { Candidate, MatchTarget } from '../core/ports.js';
import type { Ranking } from './search/query.js';

/** A candidate with the query words its documents matched. */
export interface Merged extends Candidate {
  readonly queryTerms: readonly string[];
}

/** What the merger reads of an indexed document. */
export interface MergeDoc {
  /** `q:` a phrasing, `a:` an answer with its keywords, `p:` an article passage. */
  readonly id: string;
  readonly target: MatchTarget;
  readonly label: string;
}

export interface MergeWeights {
  /** How much an FAQ entry's answer and keywords add to its best-matching phrasing. */
  readonly answerShare: number;
  /** How much an article passage holding an FAQ answer adds to that entry. */
  readonly passageShare: number;
}

/** A document counts as its target's best (a phrasing, a passage of its own) or adds a share. */
const BEST = 0;
const SHARE = 1;
const LINKED = 2;

class MergedCandidate implements Merged {
  constructor(
    readonly target: MatchTarget,
    readonly label: string,
    readonly score: number,
    private readonly terms: readonly string[],
    private readonly bits: number | Uint32Array,
  ) {}

  /** Built when read: the matcher reads it for its best candidate only. */
  get queryTerms(): readonly string[] {
    const { bits } = this;
    return this.terms.filter((_, q) =>
      typeof bits === 'number' ? q < 32 && (bits & (1 << q)) !== 0 : (bits[q >>> 5]! & (1 << (q & 31))) !== 0,
    );
  }
}

/**
 * A candidate's new score from its merged score and the best merged score of the query; `t` is
 * the target's number in {@link TargetMerger.targets}.
 */
export type Rescore = (t: number, score: number, best: number) => number;

/** The first candidates of a query, by search score and re-scored. */
export interface TopCandidates {
  readonly rescored: Merged[];
  readonly bySearch: Merged[];
}

/** How many first candidates the merger keeps slots for until asked for another number. */
const SLOTS = 3;

/** Collapses one index's ranked documents onto targets. */
export interface TargetMerger {
  /** Every target a document may collapse onto, by number. */
  readonly targets: readonly MatchTarget[];
  /** Every candidate, best first; equal scores keep the order of their best document. */
  all(ranking: Ranking): Merged[];
  /**
   * The first `k` of {@link all}'s candidates (`bySearch`), and the first `k` once all are
   * re-scored by `rescore` and stably sorted by the new score (`rescored`; the same list
   * without one): the same candidates in the same order, without building or sorting the
   * others. `reached` answers for the same query.
   */
  top(ranking: Ranking, k: number, rescore?: Rescore): TopCandidates;
  /** Whether the last {@link top}'s candidates (all of them, not only the first `k`) include FAQ entry `id`. */
  reached(id: string): boolean;
}

/**
 * The merger for one index's documents (`faqOfPassage`: passage document id -> FAQ entry id).
 */
export function createTargetMerger(
  docs: readonly MergeDoc[],
  faqOfPassage: ReadonlyMap<string, string>,
  weights: MergeWeights,
): TargetMerger {
  const keys = new Map<string, number>();
  const targets: { target: MatchTarget; label: string }[] = [];
  const targetOf = new Int32Array(docs.length);
  const role = new Uint8Array(docs.length);
  const share = new Float64Array(docs.length);
  const shares: number[] = [];
  docs.forEach((doc, d) => {
    const linked = faqOfPassage.get(doc.id);
    const target: MatchTarget = linked ? { type: 'faq', id: linked } : doc.target;
    const key = target.type === 'faq' ? `faq:${target.id}` : doc.id;
    let t = keys.get(key);
    if (t === undefined) {
      t = targets.length;
      keys.set(key, t);
      targets.push({ target, label: '' });
      shares.push(0);
    }
    targetOf[d] = t;
    if (!linked) targets[t]!.label = doc.label;
    if (doc.id.startsWith('q:') || (doc.id.startsWith('p:') && !linked)) role[d] = BEST;
    else {
      role[d] = linked ? LINKED : SHARE;
      share[d] = linked ? weights.passageShare : weights.answerShare;
      shares[t]!++;
    }
  });
  // Adding shares in any order gives the same sum while a target has at most two (a + b = b + a;
  // 0 + a = a); with more, and when a target's documents carry different labels, the merge must
  // follow the ranking's order exactly: then it sorts the documents first.
  const ordered =
    shares.some((s) => s > 2) ||
    docs.some((doc, d) => role[d] !== LINKED && doc.label !== targets[targetOf[d]!]!.label);

  const seen = new Int32Array(targets.length);
  const best = new Float64Array(targets.length);
  const extra = new Float64Array(targets.length);
  const labelled = new Uint8Array(targets.length);
  const firstScore = new Float64Array(targets.length);
  const firstDoc = new Int32Array(targets.length);
  let termBits = new Uint32Array(targets.length);
  const reached: number[] = [];
  let epoch = 0;

  const faqTarget = new Map<string, number>();
  targets.forEach(({ target }, t) => {
    if (target.type === 'faq') faqTarget.set(target.id, t);
  });
  // A passage target is its document's own object; an FAQ entry is found by its id.
  const passageTarget = new Map<MatchTarget, number>();
  docs.forEach((doc, d) => {
    if (doc.target.type === 'passage') passageTarget.set(doc.target, targetOf[d]!);
  });
  const numberOf = (c: Merged) =>
    (c.target.type === 'faq' ? faqTarget.get(c.target.id) : passageTarget.get(c.target)) ?? -1;

  /** Collapses the ranking into the tables above; returns how many targets it reached (in `reached`). */
  const collapse = (ranking: Ranking): void => {
    const { count, docs: top, scores, bits, bitWords } = ranking;
    if (termBits.length < targets.length * bitWords) termBits = new Uint32Array(targets.length * bitWords);
    epoch++;
    reached.length = 0;
    for (let i = 0; i < count; i++) {
      const doc = top[i]!;
      const s = scores[doc]!;
      const t = targetOf[doc]!;
      if (seen[t] !== epoch) {
        seen[t] = epoch;
        best[t] = 0;
        extra[t] = 0;
        labelled[t] = 0;
        firstScore[t] = s;
        firstDoc[t] = doc;
        for (let w = 0; w < bitWords; w++) termBits[t * bitWords + w] = 0;
        reached.push(t);
      } else if (s > firstScore[t]! || (s === firstScore[t]! && doc < firstDoc[t]!)) {
        firstScore[t] = s;
        firstDoc[t] = doc;
      }
      const r = role[doc]!;
      if (r === BEST) best[t] = Math.max(best[t]!, s);
      else extra[t]! += s * share[doc]!;
      if (r !== LINKED) labelled[t] = 1;
      for (let w = 0; w < bitWords; w++) termBits[t * bitWords + w]! |= bits[doc * bitWords + w]!;
    }
  };
  const candidate = (ranking: Ranking, t: number, score: number): Merged => {
    const { bitWords } = ranking;
    const { target, label } = targets[t]!;
    const own = bitWords === 1 ? termBits[t]! : termBits.slice(t * bitWords, (t + 1) * bitWords);
    return new MergedCandidate(target, label, score, ranking.terms, own);
  };
  // Best first; equal scores in the order their best documents rank (score, then document number).
  const before = (a: number, b: number) =>
    best[b]! + extra[b]! - (best[a]! + extra[a]!) ||
    firstScore[b]! - firstScore[a]! ||
    firstDoc[a]! - firstDoc[b]!;
  let inOrder: Merged[] = [];
  const firstOf = (k: number) => ({ k, size: 0, t: new Int32Array(k), score: new Float64Array(k) });
  let picks = { rescored: firstOf(SLOTS), bySearch: firstOf(SLOTS) };
  // Insertion into the first `k`: a later target goes behind every one it does not beat.
  const offer = (into: ReturnType<typeof firstOf>, t: number, s: number) => {
    const { k, t: ts, score } = into;
    let at = into.size;
    while (at > 0 && (s > score[at - 1]! || (s === score[at - 1]! && before(t, ts[at - 1]!) < 0))) at--;
    if (at >= k) return;
    for (let i = Math.min(into.size, k - 1); i > at; i--) {
      ts[i] = ts[i - 1]!;
      score[i] = score[i - 1]!;
    }
    ts[at] = t;
    score[at] = s;
    if (into.size < k) into.size++;
  };
  const picked = (ranking: Ranking, into: ReturnType<typeof firstOf>): Merged[] => {
    const out: Merged[] = [];
    for (let i = 0; i < into.size; i++) out.push(candidate(ranking, into.t[i]!, into.score[i]!));
    return out;
  };

  const all = (ranking: Ranking): Merged[] => {
    if (ordered) return mergeInOrder(ranking, docs, faqOfPassage, weights);
    collapse(ranking);
    reached.sort(before);
    const out: Merged[] = [];
    for (const t of reached) if (labelled[t] !== 0) out.push(candidate(ranking, t, best[t]! + extra[t]!));
    return out;
  };

  return {
    targets: targets.map((t) => t.target),
    all,
    top(ranking, k, rescore) {
      if (ordered) {
        inOrder = all(ranking);
        const bySearch = inOrder.slice(0, k);
        if (!rescore) return { rescored: bySearch, bySearch };
        const bestScore = inOrder[0]?.score ?? 0;
        const rescored = inOrder
          .map((c) => ({ ...c, queryTerms: c.queryTerms, score: rescore(numberOf(c), c.score, bestScore) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, k);
        return { rescored, bySearch };
      }
      inOrder = [];
      if (picks.bySearch.k !== k) picks = { rescored: firstOf(k), bySearch: firstOf(k) };
      picks.rescored.size = 0;
      picks.bySearch.size = 0;
      collapse(ranking);
      let bestScore = 0;
      let any = false;
      for (const t of reached) {
        if (labelled[t] === 0) continue;
        const m = best[t]! + extra[t]!;
        if (!any || m > bestScore) bestScore = m;
        any = true;
        offer(picks.bySearch, t, m);
      }
      const bySearch = picked(ranking, picks.bySearch);
      if (!rescore) return { rescored: bySearch, bySearch };
      for (const t of reached)
        if (labelled[t] !== 0) offer(picks.rescored, t, rescore(t, best[t]! + extra[t]!, bestScore));
      return { rescored: picked(ranking, picks.rescored), bySearch };
    },
    reached(id) {
      if (ordered) return inOrder.some((c) => c.target.type === 'faq' && c.target.id === id);
      const t = faqTarget.get(id);
      return t !== undefined && seen[t] === epoch && labelled[t] === 1;
    },
  };
}

/** The merge in the ranking's order, document by document: the general case (exported for its test). */
export function mergeInOrder(
  ranking: Ranking,
  docs: readonly MergeDoc[],
  faqOfPassage: ReadonlyMap<string, string>,
  weights: MergeWeights,
): Merged[] {
  const hits = Array.from(ranking.docs.subarray(0, ranking.count), (doc) => ({
    doc,
    score: ranking.scores[doc]!,
    queryTerms: ranking.terms.filter((_, q) => ranking.matched(doc, q)),
  })).sort((x, y) => y.score - x.score || x.doc - y.doc);
  const byKey = new Map<
    string,
    { target: MatchTarget; label: string; best: number; extra: number; terms: Set<string> }
  >();
  for (const r of hits) {
    const doc = docs[r.doc]!;
    const docId = doc.id;
    const linked = faqOfPassage.get(docId);
    const target: MatchTarget = linked ? { type: 'faq', id: linked } : doc.target;
    const key = target.type === 'faq' ? `faq:${target.id}` : docId;
    let entry = byKey.get(key);
    if (!entry) {
      entry = { target, label: linked ? '' : doc.label, best: 0, extra: 0, terms: new Set() };
      byKey.set(key, entry);
    }
    if (!linked) entry.label = doc.label;
    if (docId.startsWith('q:') || (docId.startsWith('p:') && !linked))
      entry.best = Math.max(entry.best, r.score);
    else entry.extra += r.score * (linked ? weights.passageShare : weights.answerShare);
    for (const t of r.queryTerms) entry.terms.add(t);
  }
  return [...byKey.values()]
    .filter((e) => e.label !== '')
    .map((e) => ({ target: e.target, label: e.label, score: e.best + e.extra, queryTerms: [...e.terms] }))
    .sort((a, b) => b.score - a.score);
}
