/**
 * What the matcher searches: one document per way of asking an FAQ question, one per FAQ answer
 * (with its keywords), one per article passage; and how ranked documents collapse onto answers.
 */
import type { Content } from '../core/content.js';
import { normalizeText } from '../core/normalize.js';
import type { Candidate, MatchTarget } from '../core/ports.js';
import type { SearchHit } from './search-index.js';

export interface Doc {
  readonly id: string;
  readonly target: MatchTarget;
  readonly label: string;
  readonly question: string;
  readonly keywords: string;
  readonly body: string;
  readonly title: string;
}

/** The documents of the content, and which passages hold an FAQ answer. */
export function buildDocs(content: Content): { docs: Doc[]; faqOfPassage: Map<string, string> } {
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
        keywords: '',
        body: t,
        title: s.title,
      });
    });
  }
  return { docs, faqOfPassage: passageFaqLinks(content) };
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

/** A candidate with the query words its documents matched. */
export interface Merged extends Candidate {
  readonly queryTerms: readonly string[];
}

/**
 * Collapses results onto targets. An FAQ entry scores its best-matching phrasing plus a
 * share of its answer and keywords; a passage that holds an FAQ answer counts for that entry.
 */
export function mergeTargets(
  results: readonly SearchHit[],
  docs: readonly Doc[],
  faqOfPassage: Map<string, string>,
  weights: { readonly answerShare: number; readonly passageShare: number },
): Merged[] {
  const byKey = new Map<
    string,
    { target: MatchTarget; label: string; best: number; extra: number; terms: Set<string> }
  >();
  for (const r of results) {
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
