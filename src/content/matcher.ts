import MiniSearch, { type SearchResult } from 'minisearch';
import type { Content } from '../core/content.js';
import type { Candidate, Matcher, MatchResult, MatchTarget } from '../core/ports.js';
import { allowedEdits, normalizeText, withinEdits, words } from '../core/normalize.js';

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

/** Tunable thresholds; see `npm run eval` for their effect. */
export interface MatcherOptions {
  /** Share of the query's topic words a confident answer must cover. */
  readonly minCoverage: number;
  /** The best candidate must beat the runner-up by this factor to answer outright. */
  readonly margin: number;
  /** Below this share of topic words covered, not even suggestions are offered. */
  readonly minSuggestCoverage: number;
}

export const defaultMatcherOptions: MatcherOptions = { minCoverage: 0.5, margin: 1.25, minSuggestCoverage: 0.34 };

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
    docs.push({
      id: `faq:${e.id}`,
      target: { type: 'faq', id: e.id },
      label: e.question,
      question: e.question,
      paraphrases: e.paraphrases.join(' \n '),
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

  const index = new MiniSearch<Doc>({
    fields: ['question', 'paraphrases', 'keywords', 'body', 'title'],
    storeFields: ['target', 'label'],
    processTerm: (term) => {
      const t = stem(term);
      return STOPWORDS.has(term) || t.length < 2 ? null : t;
    },
    tokenize: (text) => words(normalizeText(text)),
    searchOptions: {
      boost: { question: 3, paraphrases: 2.5, keywords: 2.5, body: 1, title: 0.7 },
      fuzzy: (term) => (term.length >= 5 ? 0.2 : term.length >= 4 ? 1 / 4 : false),
      prefix: (term) => term.length >= 5,
      combineWith: 'OR',
      weights: { fuzzy: 0.6, prefix: 0.5 },
    },
  });
  index.addAll(docs);
  const vocabulary = new Set<string>();
  for (const d of docs) {
    for (const w of words(normalizeText(`${d.question} ${d.paraphrases} ${d.keywords} ${d.body} ${d.title}`))) {
      if (!STOPWORDS.has(w)) vocabulary.add(stem(w));
    }
  }

  const synonyms = [...content.synonyms.entries()]
    .map(([from, to]) => [normalizeText(from), normalizeText(to)] as const)
    .sort((a, b) => b[0].length - a[0].length);
  const faqOfPassage = passageFaqLinks(content);

  return {
    search(text: string): MatchResult {
      const base = normalizeText(text);
      const expanded = expand(base, synonyms);
      const topicWords = [...new Set(words(base).filter((w) => !STOPWORDS.has(w) && w.length >= 2))];
      if (topicWords.length === 0) return { decision: 'none', candidates: [] };

      const results = index.search(expanded);
      const candidates = mergeTargets(results, faqOfPassage);
      const best = candidates[0];
      if (!best) return { decision: 'none', candidates: [] };

      // Which of the member's own topic words (or their synonyms) the best answer covers.
      const matched = new Set(best.queryTerms);
      const covered = topicWords.filter((w) => {
        const alts = [stem(w), ...words(expand(w, synonyms)).map(stem)];
        return alts.some((a) => matched.has(a) || [...matched].some((m) => closeEnough(a, m)));
      });
      const coverage = covered.length / topicWords.length;
      const known = topicWords.some((w) => vocabulary.has(stem(w)) || synonymsCover(w, synonyms));
      const second = candidates[1];
      const top = candidates.slice(0, 3).map(({ target, score, label }) => ({ target, score, label }));

      if (!known || coverage < options.minSuggestCoverage) return { decision: 'none', candidates: top };
      if (coverage >= options.minCoverage && (!second || best.score >= second.score * options.margin)) {
        return { decision: 'answer', candidates: top };
      }
      return { decision: 'suggest', candidates: top };
    },
  };
}

interface Merged extends Candidate {
  readonly queryTerms: readonly string[];
}

/** Collapses results onto targets: a passage that holds an FAQ answer counts for that FAQ entry. */
function mergeTargets(results: SearchResult[], faqOfPassage: Map<string, string>): Merged[] {
  const byKey = new Map<string, { target: MatchTarget; label: string; score: number; terms: Set<string> }>();
  for (const r of results) {
    const docId = r.id as string;
    const faqId = faqOfPassage.get(docId);
    const target: MatchTarget = faqId ? { type: 'faq', id: faqId } : (r.target as MatchTarget);
    const key = target.type === 'faq' ? `faq:${target.id}` : docId;
    const entry = byKey.get(key);
    if (entry) {
      // A linked passage adds a little evidence but cannot outrank the entry's own fields.
      entry.score += faqId && docId !== key ? r.score * 0.3 : r.score;
      for (const t of r.queryTerms) entry.terms.add(t);
    } else {
      byKey.set(key, {
        target,
        label: faqId && docId !== key ? '' : (r.label as string),
        score: faqId && docId !== key ? r.score * 0.3 : r.score,
        terms: new Set(r.queryTerms),
      });
    }
  }
  return [...byKey.values()]
    .filter((e) => e.label !== '')
    .map((e) => ({ target: e.target, label: e.label, score: e.score, queryTerms: [...e.terms] }))
    .sort((a, b) => b.score - a.score);
}

function findFaqSection(content: Content): number {
  const counts = new Map<number, number>();
  for (const e of content.faq) counts.set(e.section, (counts.get(e.section) ?? 0) + 1);
  const last = content.sections.length;
  return (counts.get(last) ?? 0) > 0 && /question/i.test(content.sections[last - 1]?.title ?? '') ? last : -1;
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

function expand(normalized: string, synonyms: readonly (readonly [string, string])[]): string {
  const padded = ` ${normalized} `;
  const extra: string[] = [];
  for (const [from, to] of synonyms) {
    if (padded.includes(` ${from} `)) extra.push(to);
  }
  return extra.length > 0 ? `${normalized} ${extra.join(' ')}` : normalized;
}

const synonymsCover = (w: string, synonyms: readonly (readonly [string, string])[]) =>
  synonyms.some(([from]) => from === w || from.split(' ').includes(w));

function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a))) return true;
  return withinEdits(a, b, Math.min(allowedEdits(a), allowedEdits(b)));
}

/** A light English suffix stripper so "tests", "testing" and "tested" meet. */
export function stem(word: string): string {
  if (word.length <= 4 || /\d/.test(word)) return word;
  return word
    .replace(/(ies)$/, 'y')
    .replace(/(sses)$/, 'ss')
    .replace(/([^s])s$/, '$1')
    .replace(/(ing|edly|ed)$/, '')
    .replace(/(.)\1$/, '$1');
}
