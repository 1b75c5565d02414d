import { beforeAll, describe, expect, it } from 'vitest';
import { questionPart } from '../../src/content/matcher.js';
import type { Router } from '../../src/core/router.js';
import type { Reply } from '../../src/core/types.js';
import { realRouter, text } from '../core/fixtures.js';

let router: Router;
beforeAll(async () => {
  ({ router } = await realRouter());
});

const ask = async (t: string): Promise<Reply> => (await router.handle(text(t)))[0]!;

describe('understanding members (issue #10)', () => {
  it('finds the question part of a story', () => {
    expect(
      questionPart(
        'my mum is 72, has fibro and her b12 came back low. should she get injections or tablets?',
      ),
    ).toBe('should she get injections or tablets');
    expect(questionPart('what foods have b12')).toBe('');
  });

  it.each([
    [
      "i've had fibro for 6 years and my doc never once checked my b12... should i be asking for a test?",
      'b12-testing-who',
    ],
    [
      "my gp found my b12 was 180 and i've had fibro for 6 years. could the low b12 have caused my fibro?",
      'b12-cause-fibro',
    ],
  ])('answers a story by its question: "%s"', async (story, id) => {
    const reply = await ask(story);
    expect(reply.kind).toBe('faq');
    expect(reply.meta?.faqId).toBe(id);
  });

  it.each([
    ['what does b12 do in the body', 'what-does-b12-do'],
    ['can fybro be caused by low vitamine b 12?', 'b12-cause-fibro'],
    ['does deficit of vitamin B12 make fibromialgia worse?', 'b12-contributing-factor'],
  ])('answers "%s" outright', async (question, id) => {
    const reply = await ask(question);
    expect(reply.kind).toBe('faq');
    expect(reply.meta?.faqId).toBe(id);
  });

  it('answers a risk-group question outright', async () => {
    const reply = await ask('are vegans more likely to be low in b12');
    expect(reply.kind).toBe('faq');
    expect(reply.meta?.faqId).toBe('who-is-at-risk');
  });

  it('offers choices when a question is too vague to pick one entry ("did you mean")', async () => {
    const reply = await ask('b12 deficiency');
    expect(reply.kind).toBe('suggestions');
    expect(reply.buttons?.length).toBeGreaterThanOrEqual(2);
  });

  it.each([
    'which mattress is best for fibromyalgia',
    'best pillow for fibro neck pain',
    'is swimming good for fibromyalgia',
    // The question points back at a topic the article does not cover, named in the story.
    "I'm thinking of trying acupuncture for my fibro after b12 didn't help much. Is it worth the money?",
    'i have hashimotos. does that raise my risk of fibro?',
    'low b12 in dogs? my lab is always tired',
  ])('gives no health answer to "%s", which the article does not cover', async (question) => {
    const replies = await router.handle(text(question));
    expect(replies.some((r) => r.kind === 'faq' || r.kind === 'section')).toBe(false);
  });

  it.each([
    [
      'I take pregabalin and duloxetine for my fibro. My b12 just came back low. How is low b12 treated?',
      'b12-treatment',
    ],
    ['is there a medication that lowers b12 absorption', 'medications-b12'],
  ])(
    'answers "%s" although it names a medicine the article does not discuss, or a near spelling of one',
    async (question, id) => {
      const reply = await ask(question);
      expect(reply.kind).toBe('faq');
      expect(reply.meta?.faqId).toBe(id);
    },
  );

  it.each([
    'methylcobalamin vs cyanocobalamin which is better',
    'best b12 brand uk',
    'how much do private b12 shots cost',
  ])(
    'says plainly that the article does not cover "%s", without loosely related choices',
    async (question) => {
      const reply = await ask(question);
      expect(reply.kind).toBe('fallback');
      expect(reply.buttons?.map((b) => b.data)).toEqual(['faq', 'toc']);
    },
  );

  it.each([
    ['dose fibro cause low b12?', 'b12-cause-fibro'],
    ['how dose b12 work in the body', 'what-does-b12-do'],
  ])('reads "dose" typed for "does" as the verb: "%s"', async (question, id) => {
    const reply = await ask(question);
    expect(reply.kind).toBe('faq');
    expect(reply.meta?.faqId).toBe(id);
  });

  it.each([
    'what dose of b12 should i take',
    'what dose should i take',
    'whats the right dose for b12 tablets',
  ])('still reads "%s" as asking for a dose, which the article does not give', async (question) => {
    const replies = await router.handle(text(question));
    expect(replies.some((r) => r.kind === 'faq' || r.kind === 'section')).toBe(false);
  });

  it.each(['fiber my algae what is it', 'my rheumatologist says i have fibro my algae, what is it'])(
    'offers the entry the classifier is sure of when the words fall short, instead of "not covered": "%s"',
    async (question) => {
      const reply = await ask(question);
      expect(reply.kind).toBe('suggestions');
      expect(reply.buttons?.[0]?.data).toBe('faq:what-is-fibromyalgia');
    },
  );
});
