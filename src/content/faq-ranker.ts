/**
 * The supervised first stage: the FAQ classifier (content/faq-model.json, `npm run faq:train`)
 * read against the content as it is now. Entries the model does not know (added since it was
 * trained) get no probability and are ranked by the search alone.
 */
import type { Content } from '../core/content.js';
import { createIntentScorer } from '../core/intent-classifier.js';

/** The classifier's view of one message (valid until the ranker reads the next one). */
export interface FaqProbabilities {
  /** Probability that the message asks FAQ entry `id` (0 for entries the model does not know). */
  of(id: string): number;
  /** The probability of the model's class `i` (see {@link FaqRanker.indexOf}). */
  at(i: number): number;
  /** Probability that it asks nothing the FAQ answers. */
  readonly none: number;
  /** Known entries with their probability, most probable first (at most `limit`; ties in FAQ order). */
  best(limit: number): { id: string; p: number }[];
}

export interface FaqRanker {
  (tokens: readonly string[], questionTokens: readonly string[]): FaqProbabilities;
  /** The model's class for FAQ entry `id`, or -1 when the model does not know it. */
  indexOf(id: string): number;
}

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
  const classes = Int32Array.from(indexOf.values());
  let p: Float32Array<ArrayBufferLike> = new Float32Array(0);
  const view = {
    none: 0,
    of: (id: string) => {
      const i = indexOf.get(id);
      return i === undefined ? 0 : p[i]!;
    },
    at: (i: number) => p[i]!,
    best: (limit: number) => {
      // The first `limit` of a stable sort by falling probability, by insertion.
      const top: { id: string; p: number }[] = [];
      for (let k = 0; k < ids.length; k++) {
        const pk = p[classes[k]!]!;
        if (top.length >= limit && !(pk > top[top.length - 1]!.p)) continue;
        let at = top.length;
        while (at > 0 && pk > top[at - 1]!.p) at--;
        top.splice(at, 0, { id: ids[k]!, p: pk });
        if (top.length > limit) top.pop();
      }
      return top;
    },
  };
  const rank = (tokens: readonly string[], questionTokens: readonly string[]) => {
    p = scorer.probabilities(tokens, questionTokens);
    view.none = noneAt < 0 ? 0 : p[noneAt]!;
    return view;
  };
  return Object.assign(rank, { indexOf: (id: string) => indexOf.get(id) ?? -1 });
}
