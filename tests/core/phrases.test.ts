import { describe, expect, it } from 'vitest';
import { normalizeText } from '../../src/core/normalize.js';
import { compilePattern, createPhraseFinder } from '../../src/core/phrases.js';

const oneSlip = (w: string) => (w.length >= 4 ? 1 : 0);

describe('the phrase pattern language', () => {
  it('reads a typo per word, but =word only as spelled', () => {
    const loose = createPhraseFinder(['take my life'], oneSlip);
    const strict = createPhraseFinder(['=take my life'], oneSlip);
    expect(loose('i want to make my life easier')).toBe('take my life');
    expect(strict('i want to make my life easier')).toBeUndefined();
    expect(strict('i want to take my life')).toBe('=take my life');
  });

  it('matches prefixes, alternatives and gaps of up to four words', () => {
    const find = createPhraseFinder(['suicid*', '(can not|cant) breathe', 'chest .. pain'], oneSlip);
    expect(find('feeling suicidal tonight')).toBe('suicid*');
    expect(find("I can't breathe")).toBe('(can not|cant) breathe');
    expect(find('my chest is in so much pain')).toBe('chest .. pain');
    expect(find('my chest is in so very very much pain')).toBeUndefined();
  });

  it('reads # as a number of 10 or more: an overdose quantity, not a dose', () => {
    const find = createPhraseFinder(['took # (pills|of)'], oneSlip);
    expect(find('i took 35 of my amitriptyline')).toBe('took # (pills|of)');
    expect(find('took 100 pills')).toBe('took # (pills|of)');
    expect(find('took 2 pills this morning')).toBeUndefined();
    expect(find('took all pills')).toBeUndefined();
  });

  it('reads contractions in patterns and messages the same way', () => {
    const find = createPhraseFinder(['(i am|im) =dying', "won't wake up"], oneSlip);
    expect(find("I'm dying")).toBe('(i am|im) =dying');
    expect(find('im dying')).toBe('(i am|im) =dying');
    expect(find('he will not wake up')).toBe("won't wake up");
  });

  it('refuses malformed patterns with a reason', () => {
    expect(() => compilePattern('(chest pain')).toThrow(/bracket/);
    expect(() => compilePattern('.. pain')).toThrow(/start and end with a word/);
    expect(() => compilePattern('(a||b) c')).toThrow(/empty alternative/);
    expect(() => compilePattern('(thought|thoughts) ? of dying')).toThrow(/not a word/);
  });
});

describe('normalising messages', () => {
  it('spells out contractions and keeps vitamin names whole', () => {
    expect(normalizeText("I'm sure they're fine, we've seen it")).toBe(
      'i am sure they are fine we have seen it',
    );
    expect(normalizeText('Vitamin-D and B-12')).toBe('vitamind and b12');
    expect(normalizeText('vit b 12 levels')).toBe('vitamin b12 levels');
  });
});
