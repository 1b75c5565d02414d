import { describe, expect, it } from 'vitest';
import {
  createIntentScorer,
  loadIntentModel,
  trainIntentClassifier,
} from '../../src/core/intent-classifier.js';
import { normalizeText, words } from '../../src/core/normalize.js';

const tokens = (text: string) => words(normalizeText(text));
const labels = ['faq:treatment', 'faq:foods', 'none'];
const data: [string, number][] = [
  ['how is low b12 treated', 0],
  ['should i get injections or tablets', 0],
  ['what treatment is there for b12 deficiency', 0],
  ['are b12 shots better than pills', 0],
  ['which foods have b12 in them', 1],
  ['what should i eat to get more b12', 1],
  ['is there b12 in eggs and meat', 1],
  ['good food sources of vitamin b12', 1],
  ['what is the weather tomorrow', 2],
  ['tell me a joke', 2],
  ['who won the football', 2],
  ['best mattress to buy', 2],
];
const model = trainIntentClassifier(
  labels,
  data.map(([t, label]) => ({ tokens: tokens(t), label })),
  { bits: 12, epochs: 30 },
);
const scorer = createIntentScorer(loadIntentModel(model));
const predict = (text: string) => {
  const p = scorer.probabilities(tokens(text));
  return labels[p.indexOf(Math.max(...p))];
};

describe('the intent classifier (hashed word and letter-group features, logistic regression)', () => {
  it('tells apart questions it never saw, typos included', () => {
    expect(predict('treatment for low b12: injections?')).toBe('faq:treatment');
    expect(predict('which fods contain b12')).toBe('faq:foods');
    expect(predict('what will the weather be like')).toBe('none');
  });

  it('gives probabilities that add up to one', () => {
    const p = scorer.probabilities(tokens('b12 injections'));
    expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
  });

  it('weighs the question part of a story above its context', () => {
    const story = tokens('my mum eats lots of eggs and meat and she is tired all the time');
    const asked = tokens('should she get injections or tablets');
    const withQuestion = scorer.probabilities([...story, ...asked], asked)[0]!;
    const without = scorer.probabilities([...story, ...asked])[0]!;
    expect(withQuestion).toBeGreaterThan(without);
  });

  it('trains deterministically: the same examples give the same stored model', () => {
    const again = trainIntentClassifier(
      labels,
      data.map(([t, label]) => ({ tokens: tokens(t), label })),
      { bits: 12, epochs: 30 },
    );
    expect(again).toEqual(model);
  });

  it('refuses a stored model whose weights do not fit its classes', () => {
    expect(() => loadIntentModel({ ...model, labels: ['a', 'b'] })).toThrow(/weights/);
  });

  it('reads a 100,000-letter message without trouble', () => {
    const p = scorer.probabilities(['x'.repeat(100_000), ...tokens('b12 injections')]);
    expect(p.length).toBe(3);
  });
});
