import { describe, expect, it } from 'vitest';
import {
  createTargetMerger,
  type MergeDoc,
  type Merged,
  mergeInOrder,
} from '../../src/content/merge-targets.js';
import { createSearchIndex } from '../../src/content/search-index.js';

const tokenize = (text: string) => text.toLowerCase().split(/\W+/).filter(Boolean);
const options = {
  boosts: [2, 1],
  tokenize,
  processTerm: (t: string) => (t.length < 2 ? null : t),
  fuzzy: (t: string) => (t.length >= 5 ? 1 : 0),
  prefix: (t: string) => t.length >= 5,
};

// Three FAQ entries (two phrasings and an answer each) and passages, one holding entry 0's answer.
const docs: (MergeDoc & { fields: string[] })[] = [];
for (let e = 0; e < 3; e++) {
  const target = { type: 'faq', id: `e${e}` } as const;
  const topic = ['injections', 'tablets', 'tests'][e]!;
  docs.push({ id: `q:e${e}:0`, target, label: `Q${e}`, fields: [`are b12 ${topic} right for me`, ''] });
  docs.push({ id: `q:e${e}:1`, target, label: `Q${e}`, fields: [`b12 ${topic} question`, ''] });
  docs.push({ id: `a:e${e}`, target, label: `Q${e}`, fields: ['', `b12 ${topic} answer fibromyalgia`] });
}
for (let p = 0; p < 4; p++) {
  docs.push({
    id: `p:2:${p}`,
    target: { type: 'passage', section: 2, paragraph: p },
    label: 'Section two',
    fields: ['', p === 0 ? 'b12 injections answer fibromyalgia' : `b12 passage ${p} about tablets and tests`],
  });
}
const links = new Map([['p:2:0', 'e0']]);
const weights = { answerShare: 0.5, passageShare: 0.3 };
const index = createSearchIndex(
  docs.map((d) => d.fields),
  options,
);
const merge = createTargetMerger(docs, links, weights);
const QUERIES = [
  'are b12 injections right',
  'b12 tablets or injections',
  'b12 fibromyalgia answer',
  'tests',
  'b12',
];

describe('target merge', () => {
  it.each(QUERIES)(
    'gives the same candidates, scores and matched words as the merge in ranking order: %s',
    (q) => {
      const plain = (c: Merged) => ({
        target: c.target,
        label: c.label,
        score: c.score,
        queryTerms: [...c.queryTerms].sort(),
      });
      const fast = merge.all(index.rank(q, 300)).map(plain);
      const ordered = mergeInOrder(index.rank(q, 300), docs, links, weights).map(plain);
      expect(fast).toEqual(ordered);
      expect(fast.length).toBeGreaterThan(0);
    },
  );
});

describe('target merge, first candidates only', () => {
  const plain = (c: Merged) => ({
    target: c.target,
    label: c.label,
    score: c.score,
    queryTerms: [...c.queryTerms],
  });
  // A re-score that ties often (whole tenths) and lifts entry e2 (target 2), as a classifier might.
  const rescore = (t: number, score: number, best: number) =>
    Math.round((10 * score) / best) / 10 + (t === 2 ? 0.5 : 0);

  it.each(QUERIES)('are the first of every candidate re-scored and stably sorted: %s', (q) => {
    const every = merge.all(index.rank(q, 300));
    const best = every[0]?.score ?? 0;
    for (const k of [1, 2, 3, 5]) {
      const plainTop = merge.top(index.rank(q, 300), k);
      expect(plainTop.bySearch.map(plain)).toEqual(every.slice(0, k).map(plain));
      expect(plainTop.rescored.map(plain)).toEqual(every.slice(0, k).map(plain));
      const rescored = every
        .map((c) => ({ ...plain(c), score: rescore(merge.targets.indexOf(c.target), c.score, best) }))
        .sort((a, b) => b.score - a.score);
      const both = merge.top(index.rank(q, 300), k, rescore);
      expect(both.rescored.map(plain)).toEqual(rescored.slice(0, k));
      expect(both.bySearch.map(plain)).toEqual(every.slice(0, k).map(plain));
    }
    expect(merge.reached('e0')).toBe(every.some((c) => c.target.type === 'faq' && c.target.id === 'e0'));
  });
});

describe('search index top documents', () => {
  // A word nearly every document holds ("b12"), a few rarer ones: the words-left shortcuts run.
  const many = Array.from({ length: 3_000 }, (_, i) => [
    `b12 question ${i % 7 === 0 ? 'risk' : ''} ${i % 11 === 0 ? 'injections' : ''} ${i % 3 === 0 ? 'fibromyalgia' : ''}`,
    `word${i} b12 ${i % 5 === 0 ? 'tablets' : ''}`,
  ]);
  const big = createSearchIndex(many, options);

  it.each([
    'b12 risk',
    'risk injections b12',
    'fibromyalgia b12',
    'fibro b12 risk',
    'tablets injections fibromyalgia b12 risk',
  ])('are the best of a full ranking, with the same scores to the last bit: %s', (q) => {
    const all = big.search(q, many.length);
    for (const limit of [10, 50, 300]) {
      const top = big.search(q, limit);
      expect(top.map((h) => [h.doc, h.score, h.queryTerms])).toEqual(
        all.slice(0, limit).map((h) => [h.doc, h.score, h.queryTerms]),
      );
    }
  });
});
