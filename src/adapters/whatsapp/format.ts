import { splitParagraphs } from '../../core/text.js';
import type { Button, Inline, Paragraph, Reply } from '../../core/types.js';

/**
 * Core replies -> WhatsApp text. WhatsApp has no escape character, so characters that would
 * start formatting in member or content text are neutralised with zero-width spaces (see
 * {@link neutralise}); styled inlines get `*bold*`, `_italic_` and ```` ```code``` ````.
 */

/** WhatsApp shows long messages fine, but a wall of text is hard to read on a phone. */
export const WHATSAPP_MESSAGE_LIMIT = 4_000;

const ZWSP = '\u200B';
const MARKERS = /[*_~`]/g;
const URL = /\b(?:https?:\/\/|www\.)\S+/gi;

/**
 * Makes formatting markers in plain text inert. A marker opens formatting only when it sits at a
 * word boundary and touches a non-space character; with a zero-width space on both sides it does
 * neither, whichever way a client classifies that space. URLs are left alone so links keep working.
 */
export function neutralise(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(URL)) {
    out += neutralisePlain(text.slice(last, m.index));
    out += m[0];
    last = m.index + m[0].length;
  }
  out += neutralisePlain(text.slice(last));
  return out;
}

function neutralisePlain(text: string): string {
  return (
    text
      .replace(MARKERS, (c) => `${ZWSP}${c}${ZWSP}`)
      // `> ` at the start of a line would render as a quote.
      .replace(/^>/gm, `${ZWSP}>`)
  );
}

function renderInline(inline: Inline): string {
  if (!inline.style) return neutralise(inline.text);
  // Markers only work hugging the text: keep surrounding spaces outside them.
  const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(inline.text)!;
  const [, lead, body, trail] = m as unknown as [string, string, string, string];
  if (body === '') return inline.text;
  switch (inline.style) {
    case 'bold':
      return `${lead}*${neutralise(body)}*${trail}`;
    case 'italic':
      return `${lead}_${neutralise(body)}_${trail}`;
    case 'code':
      // Inside a monospace block nothing formats; only a run of backticks could end it early.
      return `${lead}\`\`\`${body.replaceAll('```', `\`${ZWSP}\`\``)}\`\`\`${trail}`;
  }
}

/**
 * One paragraph as WhatsApp text. Links have no markup here (WhatsApp makes numbers and URLs
 * tappable itself), so neighbouring pieces of one style are joined: `*Call 999*`, not `*Call* *999*`.
 */
export const renderParagraph = (p: Paragraph): string => {
  const runs: Inline[] = [];
  for (const inline of p) {
    const last = runs[runs.length - 1];
    if (last && last.style === inline.style)
      runs[runs.length - 1] = { ...last, text: last.text + inline.text };
    else runs.push(inline);
  }
  return runs.map(renderInline).join('');
};

/** How the numbered choices are asked for: "Reply 1 or 2", "Reply 1, 2 or 3", "Reply with a number from 1 to 12". */
export function choicePrompt(count: number): string {
  if (count === 1) return 'Reply 1 to choose.';
  if (count <= 5) {
    const nums = Array.from({ length: count }, (_, i) => String(i + 1));
    return `Reply ${nums.slice(0, -1).join(', ')} or ${nums[nums.length - 1]}.`;
  }
  return `Reply with a number from 1 to ${count}.`;
}

/** One message ready for `sendMessage(jid, { text })`. */
export interface RenderedMessage {
  readonly text: string;
}

/**
 * Renders the replies of one response as WhatsApp messages and returns the choices they offer,
 * numbered across the whole response (the member answers with that number).
 *
 * Buttons become a numbered list after the text, unless the text already lists them under the
 * same numbers (the table of contents, the FAQ list): then only the prompt is added.
 */
export function renderReplies(
  replies: readonly Reply[],
  limit = WHATSAPP_MESSAGE_LIMIT,
): { messages: RenderedMessage[]; choices: Button[] } {
  const messages: RenderedMessage[] = [];
  const choices: Button[] = [];
  replies.forEach((reply, index) => {
    const buttons = reply.buttons ?? [];
    const offset = choices.length;
    choices.push(...buttons);
    const chunks = splitParagraphs(reply.paragraphs, limit, (p) => renderParagraph(p).length).map((chunk) =>
      chunk.map(renderParagraph).join('\n\n'),
    );
    if (chunks.length === 0) chunks.push('');
    if (buttons.length > 0) {
      const plain = reply.paragraphs.map((p) => p.map((i) => i.text).join('')).join('\n');
      const lines = new Set(plain.split('\n').map((l) => l.trim()));
      const numbered = (b: Button, i: number) =>
        b.label.startsWith(`${i + 1}. `) ? b.label : `${i + 1}. ${b.label}`;
      const alreadyListed = offset === 0 && buttons.every((b, i) => lines.has(numbered(b, i)));
      const list = alreadyListed
        ? []
        : buttons.map((b, i) => `${offset + i + 1}. ${neutralise(b.label.replace(/^\d+\.\s+/, ''))}`);
      // The prompt goes on the last reply of the response, covering every choice so far.
      const last =
        index === replies.length - 1 || !replies.slice(index + 1).some((r) => (r.buttons ?? []).length > 0);
      const tail = [
        ...(list.length > 0 ? [list.join('\n')] : []),
        ...(last ? [`_${choicePrompt(choices.length)}_`] : []),
      ];
      const lastChunk = chunks[chunks.length - 1]!;
      const withTail = [lastChunk, ...tail].filter((s) => s !== '').join('\n\n');
      if (withTail.length <= limit) chunks[chunks.length - 1] = withTail;
      else chunks.push(tail.join('\n\n'));
    }
    for (const text of chunks) if (text.trim() !== '') messages.push({ text });
  });
  return { messages, choices };
}
