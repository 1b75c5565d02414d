import { describe, expect, it } from 'vitest';
import { createSearchIndex, levenshteinWithin } from '../../src/content/search-index.js';

const tokenize = (text: string) => text.toLowerCase().split(/\W+/).filter(Boolean);
const options = {
  boosts: [2, 1],
  tokenize,
  processTerm: (t: string) => (t.length < 2 ? null : t),
  fuzzy: (t: string) => (t.length >= 5 ? Math.round(t.length * 0.2) : 0),
  prefix: (t: string) => t.length >= 5,
  weights: { fuzzy: 0.6, prefix: 0.5 },
};

describe('search index', () => {
  const docs = [
    ['how long does b12 take to work', 'b12 weeks'],
    ['which foods contain b12', 'meat fish eggs dairy'],
    ['who is at risk of b12 deficiency', 'older adults vegans surgery'],
    ['can b12 cure fibromyalgia', 'no cure'],
  ];
  const index = createSearchIndex(docs, options);

  it('ranks the document holding the rare words first', () => {
    const hits = index.search('are vegans at risk of low b12', 10);
    expect(hits[0]?.doc).toBe(2);
    expect(hits[0]?.queryTerms).toEqual(expect.arrayContaining(['vegans', 'risk', 'b12']));
  });

  it('reads a typo and a word start as the indexed word', () => {
    expect(index.search('fibromialgia', 10)[0]?.doc).toBe(3);
    expect(index.search('deficien', 10)[0]?.doc).toBe(2);
  });

  it('keeps only the best `limit` documents, in the same order as a full ranking', () => {
    const many = Array.from({ length: 2_000 }, (_, i) => [
      `b12 question ${i % 7 === 0 ? 'risk' : ''}`,
      `word${i}`,
    ]);
    const big = createSearchIndex(many, options);
    const all = big.search('b12 risk', many.length);
    const top = big.search('b12 risk', 50);
    expect(top).toHaveLength(50);
    expect(top.map((h) => h.score)).toEqual(all.slice(0, 50).map((h) => h.score));
    expect(top.every((h) => h.queryTerms.includes('risk'))).toBe(true);
  });

  it('finds nothing for words no document holds', () => {
    expect(index.search('football tonight', 10)).toEqual([]);
  });
});

describe('levenshteinWithin', () => {
  it('counts edits up to the bound', () => {
    expect(levenshteinWithin('fibro', 'fibro', 1)).toBe(0);
    expect(levenshteinWithin('fybro', 'fibro', 1)).toBe(1);
    expect(levenshteinWithin('fibromialgia', 'fibromyalgia', 2)).toBe(1);
    expect(levenshteinWithin('mattress', 'methylmalonic', 2)).toBe(3);
  });
});
