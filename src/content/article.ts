import type { Paragraph } from '../core/types.js';
import type { ContentProblem } from './errors.js';

export interface ParsedSection {
  readonly title: string;
  readonly line: number;
  readonly paragraphs: Paragraph[];
  readonly texts: string[];
}

export interface ParsedArticle {
  readonly title: string;
  readonly source: string;
  readonly sections: ParsedSection[];
}

/**
 * Reads `article.md`: a `#` title, a `Source: <url>` line, then `##` sections whose
 * paragraphs are separated by blank lines; `###` sub-headings become bold paragraphs.
 * The format is deliberately this narrow subset of Markdown, parsed line by line so that
 * every problem names its line (a general Markdown parser would lose line numbers).
 */
export function parseArticle(file: string, source: string, problems: ContentProblem[]): ParsedArticle {
  const lines = source.replace(/\r\n?/g, '\n').split('\n');
  let title = '';
  let link = '';
  const sections: ParsedSection[] = [];
  let buffer: string[] = [];
  const problem = (line: number, message: string): void => {
    problems.push({ file, line, message });
  };

  const flush = () => {
    if (buffer.length === 0) return;
    const text = buffer.join(' ').replace(/\s+/g, ' ').trim();
    buffer = [];
    const section = sections[sections.length - 1];
    if (section && text) {
      section.paragraphs.push([{ text }]);
      section.texts.push(text);
    }
  };

  for (const [i, raw] of lines.entries()) {
    handleLine(raw, i);
  }
  function handleLine(raw: string, i: number): void {
    const line = raw.trim();
    const n = i + 1;
    if (line === '') {
      flush();
      return;
    }
    const heading = /^(#{1,6})\s*(.*)$/.exec(line);
    if (heading) {
      flush();
      const level = heading[1]!.length;
      const text = heading[2]!.trim();
      if (!text) {
        problem(n, 'heading has no text');
        return;
      }
      if (level === 1) {
        if (title) {
          problem(n, 'a second "#" title: the article has one title; sections use "##"');
          return;
        }
        title = text;
      } else if (level === 2) {
        if (sections.some((s) => s.title.toLowerCase() === text.toLowerCase())) {
          problem(n, `section "${text}" appears twice`);
        }
        sections.push({ title: text, line: n, paragraphs: [], texts: [] });
      } else if (level === 3) {
        const section = sections[sections.length - 1];
        if (!section) {
          problem(n, '"###" sub-heading before the first "##" section');
          return;
        }
        section.paragraphs.push([{ text, style: 'bold' }]);
        section.texts.push(text);
      } else {
        problem(n, `"${heading[1]}" headings are not used: sections are "##", sub-headings "###"`);
      }
      return;
    }
    const src = /^source:\s*(\S+)$/i.exec(line);
    if (src && sections.length === 0) {
      if (!/^https?:\/\/\S+$/.test(src[1]!)) problem(n, `source link "${src[1]}" is not an http(s) URL`);
      link = src[1]!;
      return;
    }
    if (sections.length === 0) {
      problem(n, 'text before the first "##" section (only the title and "Source:" go there)');
      return;
    }
    buffer.push(line);
  }
  flush();

  if (!title) problems.push({ file, line: 1, message: 'missing the "# <title>" line' });
  if (!link)
    problems.push({ file, line: 1, message: 'missing the "Source: <url>" line that credits the article' });
  if (sections.length === 0) problems.push({ file, line: 1, message: 'no "##" sections' });
  for (const s of sections) {
    if (s.texts.length === 0) problems.push({ file, line: s.line, message: `section "${s.title}" is empty` });
  }
  return { title, source: link, sections };
}
