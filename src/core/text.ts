import type { Inline, Paragraph, Reply } from './types.js';

/** A plain paragraph. */
export const para = (...parts: (string | Inline)[]): Paragraph =>
  parts.map((part) => (typeof part === 'string' ? { text: part } : part));

export const bold = (text: string): Inline => ({ text, style: 'bold' });
export const italic = (text: string): Inline => ({ text, style: 'italic' });
export const code = (text: string): Inline => ({ text, style: 'code' });

/** The reply as plain text (the console, logs, the JSONL contract). */
export function plainText(reply: Pick<Reply, 'paragraphs'>): string {
  return reply.paragraphs.map((p) => p.map((i) => i.text).join('')).join('\n\n');
}

/**
 * Splits paragraphs into chunks whose rendered length stays within `limit`.
 * Paragraph boundaries are preferred; a single paragraph longer than the limit
 * is cut at sentence ends, then at spaces, then hard. `measure` returns the
 * rendered length of one paragraph (renderers add markup and escapes).
 */
export function splitParagraphs(
  paragraphs: readonly Paragraph[],
  limit: number,
  measure: (p: Paragraph) => number = (p) => p.reduce((n, i) => n + i.text.length, 0),
  separator = 2,
): Paragraph[][] {
  const chunks: Paragraph[][] = [];
  let current: Paragraph[] = [];
  let size = 0;
  const flush = () => {
    if (current.length > 0) chunks.push(current);
    current = [];
    size = 0;
  };
  for (const paragraph of paragraphs) {
    for (const piece of measure(paragraph) > limit ? cutParagraph(paragraph, limit, measure) : [paragraph]) {
      const len = measure(piece);
      if (current.length > 0 && size + separator + len > limit) flush();
      size += (current.length > 0 ? separator : 0) + len;
      current.push(piece);
    }
  }
  flush();
  return chunks;
}

function cutParagraph(paragraph: Paragraph, limit: number, measure: (p: Paragraph) => number): Paragraph[] {
  const pieces: Paragraph[] = [];
  let current: Inline[] = [];
  const fits = (candidate: Inline[]) => measure(candidate) <= limit;
  for (const inline of paragraph) {
    for (const word of splitKeepingSpaces(inline.text, limit)) {
      const piece: Inline = inline.style ? { text: word, style: inline.style } : { text: word };
      const next = mergeInline(current, piece);
      if (fits(next)) {
        current = next;
      } else {
        if (current.length > 0) pieces.push(trimParagraph(current));
        current = [piece];
        // A single word longer than the limit (a URL, junk) is cut hard.
        while (!fits(current) && current[0]!.text.length > 1) {
          const first = current[0]!;
          const text = first.text;
          const head = (n: number): Inline[] => [{ ...first, text: text.slice(0, n) }];
          // The longest head that fits, measured: escapes and markup are not spread evenly.
          let keep = 1;
          for (let hi = text.length - 1; keep < hi; ) {
            const mid = Math.ceil((keep + hi) / 2);
            if (fits(head(mid))) keep = mid;
            else hi = mid - 1;
          }
          // Never split an emoji (a surrogate pair) in two.
          if (keep > 1 && /[\uD800-\uDBFF]/.test(text[keep - 1]!)) keep--;
          pieces.push(head(keep));
          current = [{ ...first, text: text.slice(keep) }];
        }
      }
    }
  }
  if (current.length > 0) pieces.push(trimParagraph(current));
  return pieces.filter((p) => p.some((i) => i.text.trim() !== ''));
}

/** Splits text into sentences when they fit, else into words; spaces stay attached. */
function splitKeepingSpaces(text: string, limit: number): string[] {
  const sentences = text.match(/[^.!?]*[.!?]+\s*|[^.!?]+$/g) ?? [text];
  return sentences.flatMap((s) => (s.length <= limit ? [s] : (s.match(/\S+\s*/g) ?? [s])));
}

function mergeInline(current: Inline[], piece: Inline): Inline[] {
  const last = current[current.length - 1];
  if (last && last.style === piece.style) {
    return [...current.slice(0, -1), { ...last, text: last.text + piece.text }];
  }
  return [...current, piece];
}

function trimParagraph(p: Inline[]): Paragraph {
  const out = [...p];
  const last = out[out.length - 1];
  if (last) out[out.length - 1] = { ...last, text: last.text.trimEnd() };
  return out;
}
