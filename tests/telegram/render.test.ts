import { describe, expect, it } from 'vitest';
import {
  CALLBACK_DATA_LIMIT,
  escapeHtml,
  layoutKeyboard,
  MESSAGE_LIMIT,
  renderReply,
  shortenLabel,
} from '../../src/adapters/telegram/render.js';
import { bold, code, italic, para } from '../../src/core/text.js';
import type { Reply } from '../../src/core/types.js';
import { htmlToText } from './helpers.js';

describe('escaping', () => {
  it("keeps a member's markup as text", () => {
    const reply: Reply = {
      kind: 'fallback',
      paragraphs: [para('You wrote: <b>hi</b> & <script>alert(1)</script>'), para(bold('Tom & <Jerry>'))],
    };
    const [message] = renderReply(reply);
    expect(message!.html).toBe(
      'You wrote: &lt;b&gt;hi&lt;/b&gt; &amp; &lt;script&gt;alert(1)&lt;/script&gt;\n\n<b>Tom &amp; &lt;Jerry&gt;</b>',
    );
    expect(htmlToText(message!.html)).toBe(
      'You wrote: <b>hi</b> & <script>alert(1)</script>\n\nTom & <Jerry>',
    );
  });

  it('renders styles as Telegram HTML tags', () => {
    const [message] = renderReply({
      kind: 'faq',
      paragraphs: [para(bold('B'), ' plain ', italic('I'), ' ', code('a<b'))],
    });
    expect(message!.html).toBe('<b>B</b> plain <i>I</i> <code>a&lt;b</code>');
  });

  it('makes phone numbers tappable tel: links, and never a link of another scheme', () => {
    const [message] = renderReply({
      kind: 'safety',
      paragraphs: [
        para(bold('Call '), { text: '999', style: 'bold', href: 'tel:999' }),
        para('Samaritans ', { text: '116 123', href: 'tel:116123' }, ' ', {
          text: 'x',
          href: 'javascript:alert(1)',
        }),
      ],
    });
    expect(message!.html).toBe(
      '<b>Call </b><a href="tel:999"><b>999</b></a>\n\nSamaritans <a href="tel:116123">116 123</a> x',
    );
  });

  it('escapes every ampersand and angle bracket', () => {
    expect(escapeHtml('a&b<c>d&amp;')).toBe('a&amp;b&lt;c&gt;d&amp;amp;');
  });
});

describe('splitting', () => {
  const sentence = 'Vitamin B12 & fibromyalgia <notes> are discussed here at some length. ';
  const paragraphs = Array.from({ length: 20 }, (_, i) => para(`${i + 1}. ${sentence.repeat(8)}`.trim()));
  const reply: Reply = {
    kind: 'section',
    paragraphs,
    buttons: [
      { label: 'Contents', data: 'toc' },
      { label: 'Next ▶', data: 'sec:2' },
    ],
  };

  it('turns a 10,000-character reply into several messages within 4096 characters', () => {
    const total = paragraphs.reduce((n, p) => n + p[0]!.text.length, 0);
    expect(total).toBeGreaterThan(10_000);
    const messages = renderReply(reply);
    expect(messages.length).toBeGreaterThan(2);
    for (const m of messages) expect(m.html.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
  });

  it('splits at paragraph boundaries and loses nothing', () => {
    const messages = renderReply(reply);
    const texts = messages.flatMap((m) => htmlToText(m.html).split('\n\n'));
    expect(texts).toEqual(paragraphs.map((p) => p[0]!.text));
  });

  it('puts the keyboard on the last message only', () => {
    const messages = renderReply(reply);
    expect(messages.at(-1)!.keyboard).toBeDefined();
    expect(messages.slice(0, -1).every((m) => m.keyboard === undefined)).toBe(true);
  });

  it('cuts a single paragraph longer than the limit', () => {
    const messages = renderReply({ kind: 'section', paragraphs: [para('word & '.repeat(1200))] });
    expect(messages.length).toBeGreaterThan(1);
    for (const m of messages) expect(m.html.length).toBeLessThanOrEqual(MESSAGE_LIMIT);
  });
});

describe('keyboards', () => {
  it('leaves out buttons whose data exceeds 64 bytes', () => {
    const rows = layoutKeyboard([
      { label: 'ok', data: 'sec:1' },
      { label: 'too long', data: `faq:${'é'.repeat(31)}` },
    ]);
    const data = rows.flat().map((b) => b.callback_data);
    expect(data).toEqual(['sec:1']);
    for (const d of data) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(CALLBACK_DATA_LIMIT);
  });

  it('shortens long labels at a word boundary', () => {
    const label = '3. Why the Connection Between B12 Deficiency and Fibromyalgia Matters';
    const short = shortenLabel(label);
    expect(short.length).toBeLessThanOrEqual(40);
    expect(short.endsWith('…')).toBe(true);
    expect(label.startsWith(short.slice(0, -1))).toBe(true);
    expect(shortenLabel('Contents')).toBe('Contents');
  });

  it('puts navigation on one row and long titles one per row', () => {
    const nav = layoutKeyboard([
      { label: '◀ Previous', data: 'sec:1' },
      { label: 'Contents', data: 'toc' },
      { label: 'Next ▶', data: 'sec:3' },
    ]);
    expect(nav.map((r) => r.length)).toEqual([3]);
    const toc = layoutKeyboard(
      [
        '1. Introduction',
        '2. Understanding Vitamin B12 and Its Role in the Body',
        '3. Who Is at Risk for Vitamin B12 Deficiency',
      ].map((label, i) => ({ label, data: `sec:${i + 1}` })),
    );
    expect(toc.flat()).toHaveLength(3);
    for (const row of toc) {
      for (const b of row) expect(b.text.length).toBeLessThanOrEqual(40);
      if (row.some((b) => b.text.length > 24)) expect(row).toHaveLength(1);
    }
  });

  it('stays within 100 buttons and 8 per row', () => {
    const many = Array.from({ length: 130 }, (_, i) => ({ label: String(i), data: `faq:${i}` }));
    const rows = layoutKeyboard(many);
    expect(rows.flat()).toHaveLength(100);
    for (const r of rows) expect(r.length).toBeLessThanOrEqual(8);
  });
});
