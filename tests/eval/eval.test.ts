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
  beforeAll(async () => {
    const store = await createContentStore(path.resolve('content'));
    router = createRouter({ content: store });
    scores = await evaluate(routerSystem(router), readEvalSet('dev'));
  });

  it('has a labelled set big enough to mean something', () => {
    expect(readEvalSet('dev').length).toBeGreaterThanOrEqual(80);
    expect(scores.answerable).toBeGreaterThanOrEqual(50);
    expect(scores.safety).toBeGreaterThanOrEqual(10);
  });

  it('puts the right FAQ entry first for at least 90% of answerable questions', () => {
    expect(scores.top1).toBeGreaterThanOrEqual(0.9);
  });

  it('gives a health answer to at most 5% of off-topic, unanswerable and greeting messages', () => {
    expect(scores.offTopicAnswered).toBeLessThanOrEqual(0.05);
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
