import { plainText, splitParagraphs } from '../../core/text.js';
import type { Button, Inline, Paragraph, Reply } from '../../core/types.js';

/** Telegram's limit for one message's text. */
export const MESSAGE_LIMIT = 4096;
/** Telegram's limit for a button's callback data, in bytes. */
export const CALLBACK_DATA_LIMIT = 64;
/** Longer labels are shortened: Telegram clients cut them anyway, mid-word. */
export const LABEL_LIMIT = 40;
/** Telegram allows at most 100 buttons in one inline keyboard (8 per row). */
export const MAX_BUTTONS = 100;

export interface InlineKeyboardButton {
  readonly text: string;
  readonly callback_data: string;
}

/** One Telegram message: HTML text, and the keyboard when it is the reply's last message. */
export interface RenderedMessage {
  readonly html: string;
  /** The same text without markup, for the fallback when Telegram cannot parse the HTML. */
  readonly plain: string;
  readonly keyboard?: readonly (readonly InlineKeyboardButton[])[];
}

/** Escapes text for Telegram's HTML parse mode: everything a member or the content wrote stays text. */
export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const TAGS = { bold: 'b', italic: 'i', code: 'code' } as const;

export function renderInline(inline: Inline): string {
  const text = escapeHtml(inline.text);
  if (text === '') return text;
  const styled = inline.style ? `<${TAGS[inline.style]}>${text}</${TAGS[inline.style]}>` : text;
  // A link: `tel:` numbers become tappable (only safe schemes; anything else stays text).
  return inline.href && /^(tel:\+?[\d]+|https?:\/\/\S+)$/.test(inline.href)
    ? `<a href="${escapeHtml(inline.href).replaceAll('"', '&quot;')}">${styled}</a>`
    : styled;
}

export const renderParagraph = (paragraph: Paragraph): string => paragraph.map(renderInline).join('');

/**
 * Renders one reply as one or more Telegram messages, each within {@link MESSAGE_LIMIT}
 * (measured on the HTML, which is never shorter than the text Telegram counts).
 * Paragraphs stay whole where they fit; the keyboard rides on the last message.
 */
export function renderReply(reply: Reply, limit = MESSAGE_LIMIT): RenderedMessage[] {
  const chunks = splitParagraphs(reply.paragraphs, limit, (p) => renderParagraph(p).length, 2);
  if (chunks.length === 0) chunks.push([[{ text: '…' }]]);
  const keyboard = layoutKeyboard(reply.buttons ?? []);
  return chunks.map((paragraphs, i) => ({
    html: paragraphs.map(renderParagraph).join('\n\n'),
    plain: plainText({ paragraphs }),
    ...(i === chunks.length - 1 && keyboard.length > 0 ? { keyboard } : {}),
  }));
}

/** Shortens a label at a word boundary, with an ellipsis. */
export function shortenLabel(label: string, max = LABEL_LIMIT): string {
  const clean = label.replace(/\s+/g, ' ').trim();
  if (clean.length <= max) return clean;
  const cut = clean.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,.:;-]+$/, '')}…`;
}

const byteLength = (s: string) => Buffer.byteLength(s, 'utf8');

/**
 * Lays buttons out in rows: short navigation choices side by side (up to 3),
 * middling ones in pairs, long ones (FAQ questions, section titles) one per row.
 * Buttons whose data would exceed Telegram's 64 bytes are left out: they could not be sent.
 */
export function layoutKeyboard(buttons: readonly Button[]): InlineKeyboardButton[][] {
  const usable = buttons
    .filter((b) => b.data !== '' && byteLength(b.data) <= CALLBACK_DATA_LIMIT)
    .slice(0, MAX_BUTTONS)
    .map((b) => ({ text: shortenLabel(b.label), callback_data: b.data, nav: b.nav === true }));
  const perRow = (text: string) => (text.length <= 14 ? 3 : text.length <= 24 ? 2 : 1);
  const rows: InlineKeyboardButton[][] = [];
  let row: InlineKeyboardButton[] = [];
  let rowMax = 0;
  let rowNav = false;
  for (const { nav, ...button } of usable) {
    const max = perRow(button.text);
    const widest = Math.min(rowMax || max, max);
    // Page-turning buttons (◀ Topics, Next ▶) get a row of their own, below the choices.
    if (row.length > 0 && (row.length >= widest || nav !== rowNav)) {
      rows.push(row);
      row = [];
    }
    rowMax = row.length === 0 ? max : Math.min(rowMax, max);
    rowNav = nav;
    row.push(button);
  }
  if (row.length > 0) rows.push(row);
  return rows;
}

/** Buttons dropped by {@link layoutKeyboard} because their data is too long (for a log line). */
export const oversizedButtons = (buttons: readonly Button[]): Button[] =>
  buttons.filter((b) => byteLength(b.data) > CALLBACK_DATA_LIMIT);
