import type { Content } from '../core/content.js';
import { normalizeText, readable, withinEdits, words } from '../core/normalize.js';
import { createPhraseFinder } from '../core/phrases.js';
import type { AnswerSignals, Matcher, MatchResult, MatchTarget } from '../core/ports.js';
import { createFaqRanker, type FaqProbabilities } from './faq-ranker.js';
import { buildDocs, type Doc } from './match-docs.js';
import { createCoverage, expand, phrasingKey, prepareSynonyms, STOPWORDS, stem } from './match-words.js';
import { createTargetMerger, type Merged, type Rescore, type TargetMerger } from './merge-targets.js';
import { createSearchIndex } from './search-index.js';

export { stem } from './match-words.js';

/** How many ranked documents are merged into candidates. */
const MAX_RESULTS = 300;

/** Tunable thresholds; see `npm run eval` for their effect and tests/eval/tune.ts for how they are chosen. */
export interface MatcherOptions {
  /** Share of the query's topic words a confident answer must cover. */
  readonly minCoverage: number;
  /** The best candidate must beat the runner-up by this factor to answer outright. */
  readonly margin: number;
  /** Below this share of topic words covered, not even suggestions are offered. */
  readonly minSuggestCoverage: number;
  /** Weight of a word the content never uses, relative to the rarest word it does use. */
  readonly unknownWeight: number;
  /** How much an FAQ entry's answer and keywords add to its best-matching phrasing. */
  readonly answerShare: number;
  /** How much an article passage holding an FAQ answer adds to that entry. */
  readonly passageShare: number;
  /** How many extra times the question part of a longer message counts in the search. */
  readonly questionWeight: number;
  /** Weight of the FAQ classifier's probability beside the search score (0: search alone). */
  readonly classifierShare: number;
  /** With a classifier: the probability the best FAQ entry must reach to be answered outright. */
  readonly minProbability: number;
  /** With a classifier: above this probability of "none" (nothing the FAQ answers), no outright answer. */
  readonly maxNoneProbability: number;
  /**
   * With a classifier: above this probability of "none", not even "did you mean" choices; the
   * member is told plainly that the article does not cover it.
   */
  readonly plainNoneProbability: number;
  /** A question naming a topic the article does not cover gets choices only above this coverage. */
  readonly notCoveredSuggestCoverage: number;
  /** A "did you mean" choice must score at least this share of the best candidate's score. */
  readonly suggestShare: number;
  /**
   * With a classifier: when it gives the best entry at least this probability (and "none" at most
   * {@link sureNoneProbability}), a message whose words fall short of the coverage floor, or that
   * names a topic the article does not cover, gets "did you mean" choices instead of a plain
   * "not covered" ("what is fiber my algae", a story naming a medicine before its b12 question).
   */
  readonly sureProbability: number;
  readonly sureNoneProbability: number;
}

export const defaultMatcherOptions: MatcherOptions = {
  minCoverage: 0.2,
  margin: 1.4,
  minSuggestCoverage: 0.2,
  unknownWeight: 0.5,
  answerShare: 0.5,
  passageShare: 0.3,
  questionWeight: 1,
  classifierShare: 0.6,
  minProbability: 0.55,
  maxNoneProbability: 0.3,
  plainNoneProbability: 0.9,
  notCoveredSuggestCoverage: 0.55,
  suggestShare: 0,
  sureProbability: 0.6,
  sureNoneProbability: 0.2,
};

/**
 * Builds the question matcher in two stages. The search (BM25+ with fuzzy and prefix matching,
 * `search-index.ts`) ranks FAQ phrasings, answers and article passages, with the community's
 * synonyms expanding each query; the FAQ classifier trained on members' phrasings
 * (`faq-ranker.ts`), when the content ships one, re-ranks FAQ entries by its probability. The
 * decision rules on top are about confidence: a topic-word coverage check keeps chatter from
 * being answered, a margin and a probability check turn close calls into "did you mean" choices.
 */
export function createMatcher(content: Content, options: MatcherOptions = defaultMatcherOptions): Matcher {
  const { docs, faqOfPassage } = buildDocs(content);
  const index = createSearchIndex(
    docs.map((d) => [d.question, d.keywords, d.body, d.title]),
    {
      boosts: [2, 2, 1, 0.7],
      tokenize: (text) => words(normalizeText(text)),
      processTerm: (term) => {
        const t = stem(term);
        return STOPWORDS.has(term) || t.length < 2 ? null : t;
      },
      fuzzy: (term) => (term.length >= 5 ? Math.round(term.length * 0.2) : 0),
      prefix: (term) => term.length >= 5,
      weights: { fuzzy: 0.6, prefix: 0.5 },
    },
  );
  const merge = createTargetMerger(docs, faqOfPassage, options);
  const synonyms = prepareSynonyms(content.synonyms);
  const coverageOf = createCoverage(
    docs.map((d) => `${d.question} ${d.keywords} ${d.body} ${d.title}`),
    synonyms,
    options.unknownWeight,
  );
  const ranker = options.classifierShare > 0 ? createFaqRanker(content) : undefined;
  // The classifier's class for each merge target (-1: a passage, or an entry the model does not know).
  const modelIndex = Int32Array.from(merge.targets, (t) =>
    t.type === 'faq' && ranker ? ranker.indexOf(t.id) : -1,
  );
  const exact = exactPhrasings(content);
  const findNotCovered = notCoveredFinder(content.notCovered, docs);
  const labelOf = new Map(content.faq.map((e) => [e.id, e.question]));

  return {
    search(message: string): MatchResult {
      const text = readsAsTyped(message);
      const base = readAsQuestion(text);
      const topicWords = [...new Set(words(base).filter((w) => !STOPWORDS.has(w) && w.length >= 2))];
      if (topicWords.length === 0) return { decision: 'none', candidates: [] };

      // In a story ("my mum is 72... should she get injections?") the question part counts again,
      // so the context around it cannot outvote it.
      const part = questionPart(readable(text));
      const asked = words(part).length <= MAX_QUESTION_WORDS ? part : '';
      let query = expand(base, synonyms);
      for (let i = 0; i < options.questionWeight && asked !== ''; i++) query += ` ${expand(asked, synonyms)}`;
      // Results come best first; past a few hundred documents nothing can reach the top three.
      const ranking = index.rank(query, MAX_RESULTS);
      const probabilities = ranker?.(words(base), words(asked));
      // The classifier's own leaders: they may join the candidates, and say whether it agrees.
      const leaders = probabilities?.best(CLASSIFIER_CANDIDATES) ?? [];
      // Only the first few candidates are read: the merger picks them without sorting the rest.
      const { rescored, bySearch: found } = merge.top(
        ranking,
        SHOWN,
        probabilities && rescoreBy(probabilities, options.classifierShare, modelIndex),
      );
      const candidates = probabilities ? rerank(merge, rescored, leaders, options, labelOf) : found;
      const best = candidates[0];
      if (!best) return { decision: 'none', candidates: [] };

      const { share: coverage, evidence } = coverageOf(topicWords, best.queryTerms);
      const second = candidates[1];
      const top = candidates
        .slice(0, 3)
        .filter((c) => c === best || c.score >= best.score * options.suggestShare)
        .map(({ target, score, label }) => ({ target, score, label }));
      const ratio = second ? best.score / second.score : Number.POSITIVE_INFINITY;
      const probability =
        probabilities && best.target.type === 'faq' ? probabilities.of(best.target.id) : undefined;
      const searchTop = found[0];
      const classifierAgrees = best.target.type === 'faq' && leaders[0]?.id === best.target.id;
      const signals: AnswerSignals = {
        probability: probability ?? 0,
        runnerUp: (classifierAgrees ? leaders[1]?.p : leaders[0]?.p) ?? 0,
        none: probabilities?.none ?? 0,
        ratio,
        searchRatio: !searchTop ? 0 : found[1] ? searchTop.score / found[1].score : Number.POSITIVE_INFINITY,
        coverage,
        searchAgrees: searchTop !== undefined && sameTarget(searchTop.target, best.target),
        classifierAgrees,
        passage: best.target.type === 'passage',
        words: topicWords.length,
      };
      const facts = {
        candidates: top,
        coverage,
        ratio,
        signals,
        ...(probability === undefined ? {} : { probability }),
        ...(probabilities ? { noneProbability: probabilities.none } : {}),
      };

      // The classifier knows the entry where the words fall short: choices, never a plain "no".
      const known =
        probabilities !== undefined &&
        (probability ?? 0) >= options.sureProbability &&
        probabilities.none <= options.sureNoneProbability;
      if (!evidence || coverage < options.minSuggestCoverage)
        return { decision: known ? 'suggest' : 'none', ...facts };
      // Nothing the FAQ answers, says the classifier, and surely: choices would be loosely related.
      if (probabilities && probabilities.none > options.plainNoneProbability && !exact.has(phrasingKey(base)))
        return { decision: 'none', ...facts };
      // About something the article does not cover: never an outright answer. In a story, the
      // question part decides ("I take pregabalin... how is low b12 treated?" asks about b12),
      // unless it points back at the story ("I have hashimotos, does that raise my risk?").
      if (findNotCovered(asked === '' || REFERS_BACK.test(asked) ? text : asked))
        return {
          decision: known || coverage >= options.notCoveredSuggestCoverage ? 'suggest' : 'none',
          ...facts,
        };
      const typed = exact.get(phrasingKey(base));
      const typedAt = typed ? top.findIndex((c) => c.target.type === 'faq' && c.target.id === typed) : -1;
      if (typedAt >= 0) {
        const first = top[typedAt]!;
        return { decision: 'answer', ...facts, candidates: [first, ...top.filter((c) => c !== first)] };
      }
      const sure = probabilities
        ? (probability ?? 0) >= options.minProbability && probabilities.none <= options.maxNoneProbability
        : true;
      if (coverage >= options.minCoverage && ratio >= options.margin && sure)
        return { decision: 'answer', ...facts };
      return { decision: 'suggest', ...facts };
    },
  };
}

function sameTarget(a: MatchTarget, b: MatchTarget): boolean {
  if (a.type === 'faq') return b.type === 'faq' && a.id === b.id;
  return b.type === 'passage' && a.section === b.section && a.paragraph === b.paragraph;
}

/** How many candidates the matcher reads (the best and the "did you mean" choices). */
const SHOWN = 3;

/** How many of the classifier's most probable entries may join the candidates the search found. */
const CLASSIFIER_CANDIDATES = 3;

/** A candidate's re-ranked score: search score (as a share of the best) blended with the classifier's probability. */
function rescoreBy(probabilities: FaqProbabilities, beta: number, modelIndex: Int32Array): Rescore {
  return (t, score, bestScore) => {
    const i = modelIndex[t]!;
    return (1 - beta) * (bestScore > 0 ? score / bestScore : 0) + beta * (i < 0 ? 0 : probabilities.at(i));
  };
}

/**
 * Re-ranks candidates by search score blended with the classifier's probability
 * ({@link rescoreBy}); entries the classifier finds likely but the search missed join the list.
 * Given the first {@link SHOWN} search candidates by that blended score (ties in search
 * order), returns the first {@link SHOWN} or more of the whole list in its order: the joining
 * entries come last, where a stable sort keeps them behind every found candidate of equal score.
 */
function rerank(
  merge: TargetMerger,
  rescored: Merged[],
  leaders: readonly { id: string; p: number }[],
  options: MatcherOptions,
  labelOf: ReadonlyMap<string, string>,
): Merged[] {
  const beta = options.classifierShare;
  const out = [...rescored];
  for (const { id, p } of leaders) {
    if (p < 0.05 || merge.reached(id)) continue;
    out.push({ target: { type: 'faq', id }, label: labelOf.get(id) ?? id, score: beta * p, queryTerms: [] });
  }
  return out.sort((a, b) => b.score - a.score);
}

/** Words by which a question points back at what came before it. */
const REFERS_BACK = /\b(it|its|that|this|these|those|they|them|their|one|ones|which|same|there)\b/;

/**
 * The finder of topics the article does not cover. Short words ("ms", "kids") must match exactly,
 * so "doses" never catches "does"; a longer one allows one slip, unless that slip would make it a
 * word the content uses ("meditation" must not catch "medication").
 */
function notCoveredFinder(topics: readonly string[], docs: readonly Doc[]) {
  const used = new Set<string>();
  for (const d of docs)
    for (const w of words(normalizeText(`${d.question} ${d.keywords} ${d.body} ${d.title}`))) used.add(w);
  const vocabulary = [...used];
  const exactOnly = new Set<string>();
  for (const topic of topics)
    for (const w of words(normalizeText(topic)))
      if (w.length >= 7 && vocabulary.some((v) => v !== w && withinEdits(w, v, 1))) exactOnly.add(w);
  return createPhraseFinder(topics, (w) => (w.length >= 7 && !exactOnly.has(w) ? 1 : 0));
}

/** A member who types an FAQ question (or one of its known phrasings) word for word gets its answer. */
function exactPhrasings(content: Content): Map<string, string | null> {
  const exact = new Map<string, string | null>();
  for (const e of content.faq)
    for (const q of [e.question, ...e.paraphrases]) {
      const key = phrasingKey(normalizeText(q));
      const seen = exact.get(key);
      // A phrasing two entries share decides nothing.
      if (key !== '') exact.set(key, seen === undefined || seen === e.id ? e.id : null);
    }
  return exact;
}

/**
 * "dose" typed for "does" where only a verb can stand: opening a message or a clause, or after
 * how/why/when/where, and before its subject ("dose b12 help", "how dose it work"). Left alone
 * after "what"/"which" and before "of" or "should" ("what dose should i take" asks for a dose).
 */
const DOSE_FOR_DOES =
  /(^|[.?!,;:]\s*|\b(?:how|why|when|where|so|and|but)\s+)dose(?=\s+(?:b12|b 12|vitamin|fibro\w*|it|this|that|the|my|your|his|her|their|our|anyone|anybody|someone|everyone|low|high|being|having|taking|getting|a|an|he|she|they|you|deficiency|lack)\b)/gi;

/** The message as meant where a typing slip would read as another topic. */
function readsAsTyped(text: string): string {
  return /dose/i.test(text) ? text.replace(DOSE_FOR_DOES, '$1does') : text;
}

const ASKING =
  /^(who|what|whats|when|where|why|which|how|can|could|should|shall|is|are|am|does|do|did|will|would|has|have|any|anyone|anybody|tell me|explain|please|so|but|and)\b/;

/**
 * The question in a longer message: its sentences (or clauses) that end in "?" or open like a
 * question, normalised; empty when the message is a single sentence or holds no question part.
 */
export function questionPart(text: string): string {
  const pieces = text
    .split(
      /(?<=[?!.;\n])|,(?=\s*(?:who|what|when|where|why|which|how|can|could|should|is|are|does|do|will|would)\b)/i,
    )
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (pieces.length < 2) return '';
  const asking = pieces.filter((p) => p.endsWith('?') || ASKING.test(normalizeText(p)));
  if (asking.length === 0 || asking.length === pieces.length) return '';
  return normalizeText(asking.join(' '));
}

/**
 * Past this many words a message is read as its first this-many distinct words: a question is
 * rarely longer (the evaluation sets' longest is 53), and a pasted wall of repeats must not cost
 * the search once per repeat.
 */
const MAX_QUESTION_WORDS = 80;
/** Longer "words" are not words any content uses, and fuzzy search on them costs without end. */
const MAX_WORD_CHARS = 40;

/** A message as the matcher reads it: its words (normalised) and its question part's words. */
export function readMessage(typed: string): { tokens: readonly string[]; questionTokens: readonly string[] } {
  const text = readsAsTyped(typed);
  const part = questionPart(readable(text));
  return {
    tokens: words(readAsQuestion(text)),
    questionTokens: words(part).length <= MAX_QUESTION_WORDS ? words(part) : [],
  };
}

function readAsQuestion(text: string): string {
  const base = normalizeText(readable(text));
  let all = words(base);
  if (all.some((w) => w.length > MAX_WORD_CHARS)) all = all.filter((w) => w.length <= MAX_WORD_CHARS);
  else if (all.length <= MAX_QUESTION_WORDS) return base;
  return [...new Set(all)].slice(0, MAX_QUESTION_WORDS).join(' ');
}
