import { describe, expect, it } from 'vitest';
import { para, plainText, splitParagraphs } from '../../src/core/text.js';
import type { Inline, Paragraph } from '../../src/core/types.js';

const plain = (p: Paragraph) => p.reduce((n, i) => n + i.text.length, 0);
/** The size of a chunk as it is sent: its paragraphs plus a blank line between them. */
const chunkSize = (chunk: Paragraph[], measure = plain, separator = 2) =>
  chunk.reduce((n, p) => n + measure(p), 0) + separator * (chunk.length - 1);
const textOf = (chunks: Paragraph[][]) => chunks.map((c) => plainText({ paragraphs: c })).join('\n\n');
const squash = (s: string) => s.replace(/\s+/g, '');

const sentence = (i: number) => `Sentence number ${i} says something about vitamin B12 and fatigue.`;

describe('splitParagraphs', () => {
  it('keeps paragraphs whole and together when they fit', () => {
    const ps = [para('a'.repeat(30)), para('b'.repeat(30)), para('c'.repeat(30))];
    const chunks = splitParagraphs(ps, 70);
    expect(chunks).toEqual([[ps[0], ps[1]], [ps[2]]]);
  });

  it('sends everything as one chunk when it fits', () => {
    const ps = [para('Hello.'), para('World.')];
    expect(splitParagraphs(ps, 4096)).toEqual([ps]);
  });

  it('cuts a single over-long paragraph at sentence ends', () => {
    const sentences = Array.from({ length: 20 }, (_, i) => sentence(i + 1));
    const long = para(sentences.join(' '));
    const chunks = splitParagraphs([long], 200);
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) {
      expect(chunkSize(chunk)).toBeLessThanOrEqual(200);
      const t = plainText({ paragraphs: chunk });
      // Every chunk is made of whole sentences.
      expect(t).toMatch(/^Sentence number \d+ /);
      expect(t.endsWith('fatigue.')).toBe(true);
    }
    expect(squash(textOf(chunks))).toBe(squash(sentences.join(' ')));
  });

  it('cuts a sentence longer than the limit at spaces', () => {
    const words = Array.from({ length: 300 }, (_, i) => `word${i}`).join(' ');
    const chunks = splitParagraphs([para(words)], 100);
    for (const chunk of chunks) {
      expect(chunkSize(chunk)).toBeLessThanOrEqual(100);
      expect(plainText({ paragraphs: chunk })).toMatch(/^word\d+( word\d+)*$/);
    }
    expect(squash(textOf(chunks))).toBe(squash(words));
  });

  it('cuts a 5,000-character word hard, losing nothing', () => {
    const word = Array.from({ length: 5_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join('');
    const chunks = splitParagraphs([para('Before.'), para(word), para('After.')], 1_000);
    for (const chunk of chunks) expect(chunkSize(chunk)).toBeLessThanOrEqual(1_000);
    expect(chunks.length).toBeGreaterThanOrEqual(6);
    expect(squash(textOf(chunks))).toBe(squash(`Before.${word}After.`));
  });

  it('never cuts an emoji in half', () => {
    const emoji = '💜'.repeat(3_000);
    const chunks = splitParagraphs([para(emoji)], 101);
    for (const chunk of chunks) {
      expect(chunkSize(chunk)).toBeLessThanOrEqual(101);
      expect(plainText({ paragraphs: chunk })).toMatch(/^(💜)+$/u);
    }
    expect(textOf(chunks).replace(/\s+/g, '')).toBe(emoji);
  });

  it('keeps styles on the pieces of a cut paragraph', () => {
    const p: Paragraph = [
      { text: `${sentence(1)} ${sentence(2)} `, style: 'bold' },
      { text: `${sentence(3)} ${sentence(4)}` },
    ];
    const chunks = splitParagraphs([p], 150);
    const inlines = chunks.flat(2) as Inline[];
    expect(inlines.filter((i) => i.text.includes('number 1 ')).every((i) => i.style === 'bold')).toBe(true);
    expect(inlines.filter((i) => i.text.includes('number 4 ')).every((i) => i.style === undefined)).toBe(
      true,
    );
  });

  it('keeps every chunk within the limit when rendering adds escapes and markup', () => {
    // Like Telegram MarkdownV2: "*" and "." are escaped (2 characters), a styled run costs 2 more.
    const measure = (p: Paragraph) =>
      p.reduce((n, i) => n + i.text.length + (i.text.match(/[*.]/g)?.length ?? 0) + (i.style ? 2 : 0), 0);
    const inputs: Paragraph[][] = [
      [[{ text: `${'*'.repeat(3_000)}${'a'.repeat(3_000)}` }]],
      [[{ text: 'x'.repeat(5_000), style: 'bold' }]],
      [[{ text: Array.from({ length: 60 }, (_, i) => `${sentence(i)}...`).join(' '), style: 'italic' }]],
      [para('Short one.'), [{ text: `${'.'.repeat(2_500)}tail`, style: 'code' }], para('End.')],
    ];
    for (const ps of inputs) {
      for (const limit of [100, 1_000]) {
        const chunks = splitParagraphs(ps, limit, measure);
        for (const chunk of chunks) expect(chunkSize(chunk, measure)).toBeLessThanOrEqual(limit);
        expect(squash(textOf(chunks))).toBe(squash(ps.map((p) => plainText({ paragraphs: [p] })).join('')));
      }
    }
  });

  it('loses no text and keeps every chunk within the limit on the real shape of replies', () => {
    // Many paragraphs of mixed length, some over the limit, mixed styles.
    const ps: Paragraph[] = [];
    for (let i = 0; i < 40; i++) {
      const n = (i * 7) % 13;
      ps.push([
        { text: `${i}. `, style: 'bold' },
        { text: Array.from({ length: n * 3 + 1 }, (_, k) => sentence(i * 100 + k)).join(' ') },
      ]);
    }
    for (const limit of [300, 1_000, 4_096]) {
      const chunks = splitParagraphs(ps, limit);
      for (const chunk of chunks) expect(chunkSize(chunk)).toBeLessThanOrEqual(limit);
      expect(squash(textOf(chunks))).toBe(squash(ps.map((p) => plainText({ paragraphs: [p] })).join('')));
    }
  });
});
