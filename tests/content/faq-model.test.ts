import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainingMessages, trainFaqModel } from '../../scripts/faq-train.js';
import { loadContent } from '../../src/content/load.js';
import { createMatcher } from '../../src/content/matcher.js';

describe('the FAQ classifier shipped in content/faq-model.json', async () => {
  const content = await loadContent(path.resolve('content'));

  it('is trained on the FAQ and the labelled messages as they are now (npm run faq:train)', async () => {
    const { messages, hash } = readTrainingMessages();
    const model = content.faqModel;
    expect(model, 'content/faq-model.json is missing: run npm run faq:train').toBeDefined();
    const { readFile } = await import('node:fs/promises');
    const stored = JSON.parse(await readFile(path.resolve('content/faq-model.json'), 'utf8'));
    expect(
      stored.trainedOn,
      'faq.yaml, not-covered.yaml or tests/eval/*.jsonl changed: run npm run faq:train',
    ).toBe(hash);
    // Training is deterministic: the committed weights are what the script makes.
    expect(trainFaqModel(content, messages, hash).weights).toBe(stored.weights);
  });

  it('knows every FAQ entry, and "none"', () => {
    expect(content.faqModel?.labels).toEqual([...content.faq.map((e) => `faq:${e.id}`), 'none']);
  });

  it('leaves an entry it does not know to the search (added after the model was trained)', () => {
    const entry = {
      ...content.faq[0]!,
      id: 'new-entry',
      number: content.faq.length + 1,
      question: 'Does the community meet in person in Leeds?',
      paraphrases: ['is there a leeds meetup for the group'],
      keywords: ['meetup', 'leeds'],
    };
    const matcher = createMatcher({ ...content, faq: [...content.faq, entry] });
    const r = matcher.search('is there a leeds meetup for the group');
    expect(r.decision).toBe('answer');
    expect(r.candidates[0]?.target).toEqual({ type: 'faq', id: 'new-entry' });
  });
});
