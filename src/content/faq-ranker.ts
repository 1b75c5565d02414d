/**
 * The supervised first stage: the FAQ classifier (content/faq-model.json, `npm run faq:train`)
 * read against the content as it is now. Entries the model does not know (added since it was
 * trained) get no probability and are ranked by the search alone.
 */
import type { Content } from '../core/content.js';
import { createIntentScorer } from '../core/intent-classifier.js';

/** The classifier's view of one message. */
export interface FaqProbabilities {
  /** Probability that the message asks FAQ entry `id` (0 for entries the model does not know). */
  of(id: string): number;
  /** Probability that it asks nothing the FAQ answers. */
  readonly none: number;
  /** Known entries with their probability, most probable first (at most `limit`). */
  best(limit: number): { id: string; p: number }[];
}

export type FaqRanker = (tokens: readonly string[], questionTokens: readonly string[]) => FaqProbabilities;

export function createFaqRanker(content: Content): FaqRanker | undefined {
  const model = content.faqModel;
  if (!model) return undefined;
  const scorer = createIntentScorer(model);
  const known = new Set(content.faq.map((e) => e.id));
  const indexOf = new Map<string, number>();
  let noneAt = -1;
  model.labels.forEach((label, i) => {
    if (label === 'none') noneAt = i;
    else if (label.startsWith('faq:') && known.has(label.slice(4))) indexOf.set(label.slice(4), i);
  });
  const ids = [...indexOf.keys()];
  return (tokens, questionTokens) => {
    const p = scorer.probabilities(tokens, questionTokens);
    return {
      of: (id) => {
        const i = indexOf.get(id);
        return i === undefined ? 0 : p[i]!;
      },
      none: noneAt < 0 ? 0 : p[noneAt]!,
      best: (limit) =>
        ids
          .map((id) => ({ id, p: p[indexOf.get(id)!]! }))
          .sort((a, b) => b.p - a.p)
          .slice(0, limit),
    };
  };
}
