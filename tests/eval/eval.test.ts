import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createContentStore } from '../../src/content/store.js';
import { createRouter, type Router } from '../../src/core/router.js';
import { type EvalScores, evaluate, keywordFilterSystem, readEvalSet, routerSystem } from './evaluate.js';

// The floor the bot must hold on the labelled development set (tests/eval/dev.jsonl).
// The holdout set is measured by `npm run eval` and never tuned on.
describe('question answering on the labelled set', () => {
  let router: Router;
  let scores: EvalScores;
  let store: Awaited<ReturnType<typeof createContentStore>>;
  beforeAll(async () => {
    store = await createContentStore(path.resolve('content'));
    router = createRouter({ content: store });
    scores = await evaluate(routerSystem(router), readEvalSet('dev'));
  });

  it('has a labelled set big enough to mean something', () => {
    expect(readEvalSet('dev').length).toBeGreaterThanOrEqual(80);
    expect(scores.answerable).toBeGreaterThanOrEqual(50);
    expect(scores.safety).toBeGreaterThanOrEqual(10);
  });

  // Floors a little under what the bot reaches (dev: top-1 100%, answered 99%, wrong 0%). The FAQ
  // classifier is trained on dev, own and the training sets, so these figures are fitted; the
  // cross-validated estimate is in docs/evaluation.md (tests/eval/tune.ts --by-file).
  it('puts the right FAQ entry first for at least 97% of answerable questions', () => {
    expect(scores.top1).toBeGreaterThanOrEqual(0.97);
  });

  it('answers at least 93% of answerable questions outright and right, at most 2% wrong', () => {
    expect(scores.answered).toBeGreaterThanOrEqual(0.93);
    expect(scores.wrongAnswers).toBeLessThanOrEqual(0.02);
  });

  it('holds its floor on the own set written from the article (top-1 100%, answered 96%)', async () => {
    const own = await evaluate(routerSystem(router), readEvalSet('own'), store.current().content);
    expect(own.top1).toBeGreaterThanOrEqual(0.96);
    expect(own.answered).toBeGreaterThanOrEqual(0.9);
    expect(own.offTopicAnswered).toBe(0);
  });

  // Fitted sets (the classifier learns from them): regression guards, not estimates. Reached on
  // 2026-11-30 (top-1 / answered / off-topic answered): stories 92.5 / 89.7 / 0, short 98.7 / 98.3 / 0,
  // pairs 97.6 / 96.9 / 0, group 95.8 / 94.5 / 0, passages 96.2 / 94.7 / 0, voices 97.3 / 96.3 / 0,
  // implied 91.8 / 88.5 / 0; after the round-4 sets: worries 91.1 / 87.1 / 0, topics 97.6 / 96.4 / 0,
  // stories2 92.8 / 90.8 / 0; after the fifth round's sets: pairs2 99.0 / 98.6 / 0, newmember
  // 98.1 / 96.0 / 0, wording 99.0 / 98.0 / 0. Top-1 since "did you mean" replaced "not covered" where
  // the classifier is sure (sureProbability): 98.8 (worries) to 100.
  it.each([
    // set, top-1, answered, off-topic answered at most
    ['train-stories', 0.97, 0.86, 0.02],
    ['train-short', 0.97, 0.95, 0.02],
    ['train-pairs', 0.97, 0.94, 0.02],
    ['train-group', 0.97, 0.91, 0.02],
    ['train-passages', 0.97, 0.91, 0.02],
    ['train-voices', 0.97, 0.93, 0.02],
    ['train-implied', 0.96, 0.85, 0.02],
    ['train-worries', 0.96, 0.83, 0.02],
    ['train-topics', 0.97, 0.93, 0.02],
    ['train-stories2', 0.97, 0.87, 0.02],
    ['train-pairs2', 0.97, 0.95, 0.02],
    ['train-newmember', 0.97, 0.93, 0.02],
    ['train-wording', 0.97, 0.95, 0.02],
  ] as const)(
    'holds its floor on the training set %s (written by independent writers from the article)',
    async (set, top1, answered, offTopic) => {
      const s = await evaluate(routerSystem(router), readEvalSet(set), store.current().content);
      expect(s.top1).toBeGreaterThanOrEqual(top1);
      expect(s.answered).toBeGreaterThanOrEqual(answered);
      expect(s.wrongAnswers).toBeLessThanOrEqual(0.02);
      expect(s.offTopicAnswered).toBeLessThanOrEqual(offTopic);
    },
  );

  it('gives a health answer to at most 2% of off-topic, unanswerable and greeting messages', () => {
    expect(scores.offTopicAnswered).toBeLessThanOrEqual(0.02);
  });

  it('answers every emergency with the safety message first', () => {
    expect(scores.safetyRecall).toBe(1);
  });

  it('does better than a keyword filter on every measure', async () => {
    const store = await createContentStore(path.resolve('content'));
    const keywords = await evaluate(keywordFilterSystem(store.current().content), readEvalSet('dev'));
    expect(scores.top1).toBeGreaterThan(keywords.top1);
    expect(scores.offTopicAnswered).toBeLessThan(keywords.offTopicAnswered);
  });
});
