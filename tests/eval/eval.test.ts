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

  // Floors a little under what the bot reaches (dev: top-1 98%, answered 88%, wrong 1%).
  it('puts the right FAQ entry first for at least 95% of answerable questions', () => {
    expect(scores.top1).toBeGreaterThanOrEqual(0.95);
  });

  it('answers at least 85% of answerable questions outright and right, at most 3% wrong', () => {
    expect(scores.answered).toBeGreaterThanOrEqual(0.85);
    expect(scores.wrongAnswers).toBeLessThanOrEqual(0.03);
  });

  it('holds its floor on the own set written from the article (top-1 91%, answered 71%)', async () => {
    const own = await evaluate(routerSystem(router), readEvalSet('own'), store.current().content);
    expect(own.top1).toBeGreaterThanOrEqual(0.88);
    expect(own.answered).toBeGreaterThanOrEqual(0.65);
    expect(own.offTopicAnswered).toBe(0);
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
