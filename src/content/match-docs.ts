/**
 * What the matcher searches: one document per way of asking an FAQ question, one per FAQ answer
 * (with its keywords), one per article passage (`merge-targets.ts` collapses ranked documents onto answers).
 */
import type { Content } from '../core/content.js';
import { normalizeText } from '../core/normalize.js';
import type { MatchTarget } from '../core/ports.js';

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
