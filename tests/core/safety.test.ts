import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.js';
import { createSafetyCheck } from '../../src/core/safety.js';
import { CONTENT_DIR } from './fixtures.js';

let isEmergency: (text: string) => boolean;

beforeAll(async () => {
  const content = await loadContent(CONTENT_DIR);
  isEmergency = createSafetyCheck(content.community.safetyPatterns);
});

describe('safety check with the community patterns', () => {
  it.each([
    'I have crushing chest pain',
    'I feel suicidal tonight',
    "I can't breathe",
    'i think im having a stroke',
    'I took too many pills',
    'I want to end my life',
    'my friend is unconscious',
    'CHEST PAIN!!!',
  ])('recognises "%s"', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it.each([
    'I feel sucidal',
    'chest pian since this morning',
    'I want to kil myself',
    'my face is droping',
    'i had a siezure',
  ])('tolerates a typo: "%s"', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it('finds the phrase anywhere in a long message', () => {
    const long = `${'My hands ache and the fog is bad today. '.repeat(200)}and now chest pain too`;
    expect(isEmergency(long)).toBe(true);
  });

  it.each([
    'analysis of my blood test came back',
    'numb hands this morning',
    'so tired',
    'numbness in my hands and feet',
    'my pain is bad today',
    'I am exhausted after work',
    'I barely slept last night',
    'my pain was awful last night, can b12 help?',
  ])('raises no alarm on ordinary fibro talk: "%s"', (text) => {
    expect(isEmergency(text)).toBe(false);
  });

  it('raises no alarm on empty or symbol-only text', () => {
    for (const t of ['', '   ', '?!', '😭🙏']) expect(isEmergency(t)).toBe(false);
  });
});
