import { stemmer as porter } from 'stemmer';
import type { Content } from '../core/content.js';
import { allowedEdits, normalizeText, readable, withinEdits, words } from '../core/normalize.js';
import { createPhraseFinder } from '../core/phrases.js';
import type { Matcher, MatchResult, MatchTarget } from '../core/ports.js';
import { createTargetMerger } from './merge-targets.js';
import { createSearchIndex } from './search-index.js';
import { expandSynonyms, prepareSynonyms } from './synonyms.js';

/**
 * Words that carry no topic. Question words stay out of this list where they tell
 * questions apart ("how long", "who", "which foods").
 */
const STOPWORDS = new Set(
  `a an the and or but if of to in on at by for from with about as into than then so too very just also
  i me my mine we our you your he she it its they them their this that these those there here
  is am are was were be been being do does did doing have has had having will would shall should can could may might must
  what whats when where why which whom whose how
  not no yes ok okay please thanks thank hi hello hey guys everyone anyone someone all any some
  get got go going know think really much many lot lots thing things stuff like want need
  im ive id dont doesnt didnt cant isnt arent wasnt u ur pls plz`.split(/\s+/),
);

/**
 * Everyday words that may rank answers but never justify one alone: "tell me a joke"
 * or "what time is it in New York" share a word or two with the FAQ, but no topic.
 */
const GENERIC = new Set(
  `who time times day days week year years today tonight tomorrow yesterday morning night evening new old good bad best worse
  better great little big small long short high low right left first last next many more most less least few own other
  same different sure safe true real actual actually still even ever never always sometimes often usually
  tell say said ask asked give take took make made come came see look looking find found use used try tried keep kept
  let put seem seems work works working help helps helped feel feeling felt start started stop mean means show call
  people person man woman guy friend friends family mum mom dad son daughter partner husband wife home house place
  thing way part kind type sort lot bit end point case fact number world life hand word question answer problem
  idea reason example story news game match film movie series show book music song weather phone iphone computer
  car money price shop buy sell pay job school class homework maths math joke jokes fun funny nice cool happy sad
  love hate watch play read write send post group chat message recommend recommendation anyone someone everyone`.split(
    /\s+/,
  ),
);

/** How many ranked documents are merged into candidates. */
const MAX_RESULTS = 300;

/** Tunable thresholds; see `npm run eval` for their effect. */
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
}

export const defaultMatcherOptions: MatcherOptions = {
  minCoverage: 0.55,
  margin: 1.075,
  minSuggestCoverage: 0.2,
  unknownWeight: 0.5,
  answerShare: 0.5,
  passageShare: 0.3,
  questionWeight: 1,
};

interface Doc {
  readonly id: string;
  readonly target: MatchTarget;
  readonly label: string;
  readonly question: string;
  readonly paraphrases: string;
  readonly keywords: string;
  readonly body: string;
  readonly title: string;
}

/**
 * Builds the question matcher: MiniSearch (BM25+ ranking, fuzzy and prefix matching)
 * over the FAQ (questions, paraphrases, keywords, answers) and the article's passages,
 * with the community's synonyms expanding each query. The decision rules on top are
 * about confidence, not ranking: a topic-word coverage check keeps chatter from being
 * answered, and a margin check turns close calls into "did you mean" choices.
 */
export function createMatcher(content: Content, options: MatcherOptions = defaultMatcherOptions): Matcher {
  const docs: Doc[] = [];
  for (const e of content.faq) {
    const target: MatchTarget = { type: 'faq', id: e.id };
    // Each way of asking is its own document, so a member's question meets the closest
    // phrasing instead of a blend of all of them.
    [e.question, ...e.paraphrases].forEach((q, k) => {
      docs.push({
        id: `q:${e.id}:${k}`,
        target,
        label: e.question,
        question: q,
        paraphrases: '',
        keywords: '',
        body: '',
        title: '',
      });
    });
    docs.push({
      id: `a:${e.id}`,
      target,
      label: e.question,
      question: '',
      paraphrases: '',
      keywords: e.keywords.join(' '),
      body: e.answer,
      title: content.sections[e.see - 1]?.title ?? '',
    });
  }
  // Passages from the article body; the FAQ section is already indexed through the FAQ.
  const faqSection = content.faq.every((e) => e.section === content.sections.length)
    ? -1
    : findFaqSection(content);
  for (const s of content.sections) {
    if (s.number === faqSection) continue;
    s.texts.forEach((t, i) => {
      if (s.paragraphs[i]?.[0]?.style === 'bold') return;
      docs.push({
        id: `p:${s.number}:${i}`,
        target: { type: 'passage', section: s.number, paragraph: i },
        label: s.title,
        question: '',
        paraphrases: '',
        keywords: '',
        body: t,
        title: s.title,
      });
    });
  }

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

  // Document frequency of each stemmed word: rare words say more about what a question is about.
  const docFreq = new Map<string, number>();
  for (const d of docs) {
    const seen = new Set(
      words(normalizeText(`${d.question} ${d.paraphrases} ${d.keywords} ${d.body} ${d.title}`))
        .filter((w) => !STOPWORDS.has(w))
        .map(stem),
    );
    for (const w of seen) docFreq.set(w, (docFreq.get(w) ?? 0) + 1);
  }
  const vocabulary = [...docFreq.keys()];
  const idf = (df: number) => Math.log(1 + docs.length / df);
  const maxIdf = idf(1);

  const synonyms = prepareSynonyms(content.synonyms, stem);
  const mergeTargets = createTargetMerger(docs, passageFaqLinks(content), options);
  // A member who types an FAQ question (or one of its known phrasings) word for word gets its answer.
  const exact = new Map<string, string | null>();
  for (const e of content.faq)
    for (const q of [e.question, ...e.paraphrases]) {
      const key = phrasingKey(normalizeText(q));
      const seen = exact.get(key);
      // A phrasing two entries share decides nothing.
      if (key !== '') exact.set(key, seen === undefined || seen === e.id ? e.id : null);
    }
  // Short words ("ms", "kids") must match exactly; "doses" must not catch "does".
  const findNotCovered = createPhraseFinder(content.notCovered, (w) => (w.length >= 7 ? 1 : 0));

  /** The stems a member's word may stand for: itself, a typo-corrected vocabulary word, its synonyms. */
  const readingsCache = new Map<string, string[]>();
  const readings = (word: string): string[] => {
    const cached = readingsCache.get(word);
    if (cached) return cached;
    const result = computeReadings(word);
    if (readingsCache.size >= 5_000) readingsCache.clear();
    readingsCache.set(word, result);
    return result;
  };
  const computeReadings = (word: string): string[] => {
    const own = stem(word);
    const out = new Set<string>([
      own,
      ...words(expandSynonyms(word, synonyms))
        .filter((w) => w !== word)
        .map(stem),
    ]);
    if (!docFreq.has(own)) for (const v of vocabulary) if (closeEnough(own, v)) out.add(v);
    return [...out];
  };

  return {
    search(text: string): MatchResult {
      const base = readAsQuestion(text);
      const topicWords = [...new Set(words(base).filter((w) => !STOPWORDS.has(w) && w.length >= 2))];
      if (topicWords.length === 0) return { decision: 'none', candidates: [] };

      // In a story ("my mum is 72... should she get injections?") the question part counts again,
      // so the context around it cannot outvote it.
      const part = questionPart(readable(text));
      const asked = words(part).length <= MAX_QUESTION_WORDS ? part : '';
      let query = expandSynonyms(base, synonyms);
      for (let i = 0; i < options.questionWeight && asked !== ''; i++)
        query += ` ${expandSynonyms(asked, synonyms)}`;
      // Results come best first; past a few hundred documents nothing can reach the top three.
      const candidates = mergeTargets(index.rank(query, MAX_RESULTS));
      const best = candidates[0];
      if (!best) return { decision: 'none', candidates: [] };

      // How much of what the member asked about the best answer covers, each word weighted by
      // how specific it is. A word the content never uses ("pregabalin", "acupuncture") weighs
      // heavily: the question is about something the article does not cover.
      const matched = new Set(best.queryTerms);
      // Long messages carry context ("my gp said...") that is not the question: unknown words weigh less there.
      const unknownWeight = maxIdf * options.unknownWeight * Math.min(1, 6 / topicWords.length);
      let total = 0;
      let covered = 0;
      let evidence = false;
      for (const w of topicWords) {
        const alts = readings(w);
        const known = alts.filter((a) => docFreq.has(a));
        const weight = known.length > 0 ? Math.max(...known.map((a) => idf(docFreq.get(a)!))) : unknownWeight;
        total += weight;
        if (alts.some((a) => matched.has(a) || someClose(a, matched))) {
          covered += weight;
          if (!GENERIC.has(w)) evidence = true;
        }
      }
      const coverage = total === 0 ? 0 : covered / total;
      const second = candidates[1];
      const top = candidates.slice(0, 3).map(({ target, score, label }) => ({ target, score, label }));
      const ratio = second ? best.score / second.score : Number.POSITIVE_INFINITY;

      if (!evidence || coverage < options.minSuggestCoverage)
        return { decision: 'none', candidates: top, coverage, ratio };
      // About something the article does not cover: never an outright answer.
      if (findNotCovered(text)) {
        return {
          decision: coverage >= options.minCoverage ? 'suggest' : 'none',
          candidates: top,
          coverage,
          ratio,
        };
      }
      const typed = exact.get(phrasingKey(base));
      const typedAt = typed ? top.findIndex((c) => c.target.type === 'faq' && c.target.id === typed) : -1;
      if (typedAt >= 0) {
        const first = top[typedAt]!;
        return {
          decision: 'answer',
          candidates: [first, ...top.filter((c) => c !== first)],
          coverage,
          ratio,
        };
      }
      if (coverage >= options.minCoverage && ratio >= options.margin) {
        return { decision: 'answer', candidates: top, coverage, ratio };
      }
      return { decision: 'suggest', candidates: top, coverage, ratio };
    },
  };
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

function readAsQuestion(text: string): string {
  const base = normalizeText(readable(text));
  let all = words(base);
  if (all.some((w) => w.length > MAX_WORD_CHARS)) all = all.filter((w) => w.length <= MAX_WORD_CHARS);
  else if (all.length <= MAX_QUESTION_WORDS) return base;
  return [...new Set(all)].slice(0, MAX_QUESTION_WORDS).join(' ');
}

function findFaqSection(content: Content): number {
  const counts = new Map<number, number>();
  for (const e of content.faq) counts.set(e.section, (counts.get(e.section) ?? 0) + 1);
  const last = content.sections.length;
  return (counts.get(last) ?? 0) > 0 && /question/i.test(content.sections[last - 1]?.title ?? '') ? last : -1;
}

/** A phrasing's topic words in order, stemmed, "vitamin b12" read as "b12": how it is asked, minus filler. */
function phrasingKey(normalized: string): string {
  return words(normalized.replace(/\bvitamin b12\b/g, 'b12'))
    .filter((w) => !STOPWORDS.has(w))
    .map(stem)
    .join(' ');
}

/** Maps passage doc ids to the FAQ entry whose answer is taken from that passage. */
function passageFaqLinks(content: Content): Map<string, string> {
  const links = new Map<string, string>();
  for (const s of content.sections) {
    s.texts.forEach((t, i) => {
      const hay = normalizeText(t);
      const entry = content.faq.find((e) => e.section === s.number && hay.includes(normalizeText(e.answer)));
      if (entry) links.set(`p:${s.number}:${i}`, entry.id);
    });
  }
  return links;
}

function someClose(a: string, set: ReadonlySet<string>): boolean {
  for (const m of set) if (closeEnough(a, m)) return true;
  return false;
}

function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a))) return true;
  return withinEdits(a, b, Math.min(allowedEdits(a), allowedEdits(b)));
}

const stems = new Map<string, string>();

/** Porter's stemmer, so "deficient" meets "deficiency" and "tested" meets "testing"; memoised. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let s = stems.get(word);
  if (s === undefined) {
    s = /\d/.test(word) ? word : porter(word);
    if (stems.size >= 50_000) stems.clear();
    stems.set(word, s);
  }
  return s;
}
