import { describe, expect, it } from 'vitest';
import { choicePrompt, neutralise, renderReplies } from '../../src/adapters/whatsapp/format.js';
import { bold, code, italic, para } from '../../src/core/text.js';
import type { Reply } from '../../src/core/types.js';

const ZW = '\u200B';
const visible = (s: string) => s.replaceAll(ZW, '');

describe('WhatsApp rendering', () => {
  it('styles inlines the WhatsApp way, keeping spaces outside the markers', () => {
    const reply: Reply = {
      kind: 'faq',
      paragraphs: [para(bold('Title'), ' then ', italic(' aside '), ' and ', code('npm start'))],
    };
    expect(renderReplies([reply]).messages).toEqual([{ text: '*Title* then  _aside_  and ```npm start```' }]);
  });

  it('neutralises markers in plain text but leaves the letters readable and URLs intact', () => {
    const text = 'Use *this* or _that_ ~now~ `x`, see https://example.org/a_b_c*d';
    const out = neutralise(text);
    expect(visible(out)).toBe(text);
    expect(out).not.toMatch(/\*this\*/);
    expect(out).not.toMatch(/_that_/);
    expect(out).toContain('https://example.org/a_b_c*d');
    expect(neutralise('> quoted?')).toBe(`${ZW}> quoted?`);
  });

  it('writes phone numbers as plain digits, which WhatsApp makes tappable itself', () => {
    const { messages } = renderReplies([
      {
        kind: 'safety',
        paragraphs: [para({ text: 'Call ', style: 'bold' }, { text: '999', style: 'bold', href: 'tel:999' })],
      },
    ]);
    expect(messages.map((m) => m.text)).toEqual(['*Call 999*']);
  });

  it('offers buttons as a numbered list with a prompt, numbered across the replies of one response', () => {
    const replies: Reply[] = [
      {
        kind: 'safety',
        paragraphs: [para('Call for help.')],
        buttons: [{ label: 'Helplines', data: 'links' }],
      },
      {
        kind: 'faq',
        paragraphs: [para('Answer.')],
        buttons: [
          { label: 'Read the whole section', data: 'sec:8' },
          { label: 'More questions', data: 'faq' },
        ],
      },
    ];
    const { messages, choices } = renderReplies(replies);
    expect(messages.map((m) => m.text)).toEqual([
      'Call for help.\n\n1. Helplines',
      'Answer.\n\n2. Read the whole section\n3. More questions\n\n_Reply 1, 2 or 3._',
    ]);
    expect(choices.map((c) => c.data)).toEqual(['links', 'sec:8', 'faq']);
  });

  it('says how to choose in plain words', () => {
    expect(choicePrompt(1)).toBe('Reply 1 to choose.');
    expect(choicePrompt(2)).toBe('Reply 1 or 2.');
    expect(choicePrompt(12)).toBe('Reply with a number from 1 to 12.');
  });

  it('splits a long reply into messages under the limit, at paragraph boundaries', () => {
    const long = Array.from({ length: 30 }, (_, i) => para(`Paragraph ${i} ${'word '.repeat(40)}`.trim()));
    const { messages } = renderReplies(
      [{ kind: 'section', paragraphs: long, buttons: [{ label: 'Next', data: 'sec:2' }] }],
      1_000,
    );
    expect(messages.length).toBeGreaterThan(5);
    for (const m of messages) expect(m.text.length).toBeLessThanOrEqual(1_000);
    expect(messages[messages.length - 1]!.text).toMatch(/1\. Next\n\n_Reply 1 to choose\._$/);
    expect(messages.map((m) => m.text).join('\n\n')).toContain('Paragraph 29');
  });
});
