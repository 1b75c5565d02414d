import type { Content, FaqEntry, FaqTopic, Section } from './content.js';
import { bold, italic, para } from './text.js';
import type { Button, Inline, Paragraph, Reply, ReplyKind } from './types.js';

/** Builders for the replies every platform shows; adapters only render them. */

export const simple = (kind: ReplyKind, text: string, buttons?: readonly Button[]): Reply => ({
  kind,
  paragraphs: text.split(/\n{2,}/).map((t) => para(t)),
  ...(buttons ? { buttons } : {}),
});

/** The short "not medical advice" line every health answer, tip and welcome carries. */
export const disclaimer = (content: Content): Paragraph => para(italic(content.community.disclaimer));

export const menuButtons: readonly Button[] = [
  { label: 'Questions (FAQ)', data: 'faq' },
  { label: 'Read the article', data: 'toc' },
  { label: 'Community links', data: 'links' },
  { label: 'Rules', data: 'rules' },
];

export function faqAnswer(content: Content, entry: FaqEntry, score?: number): Reply {
  // Credit the section the wording comes from, and open that very section; the section to read
  // for more (`see`) gets its own button when it is another one.
  const from = content.sections[entry.section - 1];
  const see = entry.see !== entry.section ? content.sections[entry.see - 1] : undefined;
  return {
    kind: 'faq',
    paragraphs: [
      para(bold(entry.question)),
      para(entry.answer),
      para(italic(`From the article, section "${from?.title ?? ''}".`)),
      disclaimer(content),
    ],
    buttons: [
      { label: 'Read the whole section', data: `sec:${entry.section}` },
      ...(see ? [{ label: `Read more: ${shortLabel(see.title)}`, data: `sec:${see.number}` }] : []),
      { label: 'More questions', data: 'faq' },
    ],
    meta: { faqId: entry.id, section: entry.see, ...(score === undefined ? {} : { score }) },
  };
}

/** One paragraph of the article that answers a question, with the way to its section. */
export function passageAnswer(content: Content, section: Section, paragraph: number, score?: number): Reply {
  return {
    kind: 'section',
    paragraphs: [
      para(bold(section.title)),
      para(section.texts[paragraph] ?? ''),
      para(italic(`From the article, section ${section.number} of ${content.sections.length}.`)),
      disclaimer(content),
    ],
    buttons: [
      { label: 'Read the whole section', data: `sec:${section.number}` },
      { label: 'Contents', data: 'toc' },
    ],
    meta: { section: section.number, ...(score === undefined ? {} : { score }) },
  };
}

/**
 * Buttons that turn the page of a navigation message (a section, the contents) carry `page:`;
 * every other button (under a welcome, an answer) carries `sec:` / `toc` and opens a new message.
 * Only a `page:` press in a private chat edits the message it sits on: nothing anyone else is
 * reading is ever rewritten.
 */
export const PAGE = 'page';

export function sectionReply(content: Content, section: Section, editInPlace = false): Reply {
  const total = content.sections.length;
  const buttons: Button[] = [];
  if (section.number > 1) buttons.push({ label: '◀ Previous', data: `${PAGE}:${section.number - 1}` });
  buttons.push({ label: 'Contents', data: `${PAGE}:toc` });
  if (section.number < total) buttons.push({ label: 'Next ▶', data: `${PAGE}:${section.number + 1}` });
  return {
    kind: 'section',
    paragraphs: [
      para(bold(`${section.number}. ${section.title}`)),
      ...section.paragraphs,
      para(italic(`Section ${section.number} of ${total}. Source: ${content.source}`)),
      disclaimer(content),
    ],
    buttons,
    editInPlace,
    meta: { section: section.number },
  };
}

export function tableOfContents(content: Content, editInPlace = false): Reply {
  return {
    kind: 'command',
    paragraphs: [
      para(bold(content.title)),
      para('Contents (pick a section, or send /section <number>):'),
      para(content.sections.map((s) => `${s.number}. ${s.title}`).join('\n')),
      para(italic(`Source: ${content.source}`)),
    ],
    buttons: content.sections.map((s) => ({ label: `${s.number}. ${s.title}`, data: `${PAGE}:${s.number}` })),
    editInPlace,
  };
}

/** `page:faq` (the topics) and `page:faq:<topic>`: FAQ navigation, turned in place in a private chat. */
export const FAQ_PAGE = `${PAGE}:faq`;

/**
 * /faq: the topics ("About B12 (3)", "Tests and treatment (5)"), one short button each. The
 * choices are the buttons (Telegram: two per row; WhatsApp and the console: numbered), so no
 * platform shows a choice twice.
 */
export function faqList(content: Content, editInPlace = false): Reply {
  return {
    kind: 'command',
    paragraphs: [
      para(bold('Frequently asked questions')),
      para(
        `${content.faq.length} questions in ${content.faqTopics.length} topics: pick a topic. You can also just ask in your own words, or send /faq and a few words (/faq injections).`,
      ),
    ],
    buttons: content.faqTopics.map((t) => ({
      label: `${t.title} (${t.entries.length})`,
      data: `${FAQ_PAGE}:${t.id}`,
    })),
    editInPlace,
  };
}

/** One topic's questions, a short button each, with the way back to the topics and on to the next. */
export function faqTopicPage(content: Content, topic: FaqTopic, editInPlace = false): Reply {
  const at = content.faqTopics.indexOf(topic);
  const next = content.faqTopics[at + 1];
  return {
    kind: 'command',
    paragraphs: [
      para(bold(`Questions: ${topic.title}`)),
      para(`Topic ${at + 1} of ${content.faqTopics.length}. Pick a question, or ask in your own words.`),
    ],
    buttons: [
      ...topic.entries.map((e) => ({ label: e.label, data: `faq:${e.id}` })),
      { label: '◀ Topics', data: FAQ_PAGE, nav: true },
      ...(next ? [{ label: 'Next topic ▶', data: `${FAQ_PAGE}:${next.id}`, nav: true }] : []),
    ],
    editInPlace,
  };
}

/** The longest a member's name is shown in a welcome (Telegram allows 128 characters, WhatsApp more). */
export const MAX_NAME_CHARS = 40;

/** A name as welcomes show it: trimmed, and cut to {@link MAX_NAME_CHARS}. */
export const shownName = (name: string): string => {
  const trimmed = name.trim();
  return trimmed.length > MAX_NAME_CHARS ? `${trimmed.slice(0, MAX_NAME_CHARS - 1)}…` : trimmed;
};

/**
 * Puts member-given text into a content template's `{name}`. A function replacer, so "$'",
 * "$&" or "$\`" in a name stay as typed (a string replacement would read them as patterns and
 * copy parts of the template into the message).
 */
export const fillName = (template: string, name: string): string => template.replaceAll('{name}', () => name);

export function welcome(content: Content, name?: string): Reply {
  const c = content.community;
  return {
    kind: 'welcome',
    paragraphs: [
      para(bold(c.name)),
      para(fillName(c.welcome, shownName(name ?? '') || 'there')),
      para('Ask me a question in your own words, or pick from the menu.'),
      disclaimer(content),
    ],
    buttons: menuButtons,
  };
}

/** The community's rules as one numbered list ("1. Be kind..."), the same wherever they are shown. */
export const rulesList = (content: Content): Paragraph =>
  para(content.community.rules.map((r, i) => `${i + 1}. ${r}`).join('\n'));

export function rulesReply(content: Content): Reply {
  return {
    kind: 'command',
    paragraphs: [para(bold(`${content.community.name}: rules`)), rulesList(content)],
  };
}

/** An address as people compare them: no scheme, no "www.", no trailing slash, lower case. */
const sameUrl = (url: string): string =>
  url
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\/(www\.)?/, '')
    .replace(/\/+$/, '');

/**
 * The community's links, each address once: a link that is the article's own source says so
 * ("Fibromyalgia Store (where the article comes from)") instead of a second line with the same URL.
 */
export function linksReply(content: Content): Reply {
  const seen = new Set<string>();
  const lines: string[] = [];
  const source = sameUrl(content.source);
  for (const l of content.community.links) {
    const key = sameUrl(l.url);
    if (seen.has(key)) continue;
    seen.add(key);
    lines.push(`${l.label}${key === source ? ' (where the article comes from)' : ''}: ${l.url}`);
  }
  return {
    kind: 'command',
    paragraphs: [
      para(bold('Community links')),
      ...(lines.length ? [para(lines.join('\n'))] : []),
      ...(seen.has(source) ? [] : [para(italic(`The article: ${content.source}`))]),
    ],
  };
}

/**
 * The emergency message, laid out for a person in distress: its first line (what to do now) in
 * bold, then one short line per kind of emergency; each phone number is a `tel:` link.
 */
export function safetyReply(content: Content): Reply {
  const [first = '', ...rest] = content.community.safetyMessage
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '');
  const paragraphs: Paragraph[] = [withPhoneLinks(first, 'bold')];
  if (rest.length > 0)
    paragraphs.push(rest.flatMap((line, i) => [...(i > 0 ? [{ text: '\n' }] : []), ...withPhoneLinks(line)]));
  return { kind: 'safety', paragraphs };
}

/** The one-line caution beside an answer to alarming words that are no emergency now. */
export function cautionReply(content: Content): Reply {
  return { kind: 'caution', paragraphs: [withPhoneLinks(content.community.cautionMessage, 'italic')] };
}

// Emergency and helpline numbers as members dial them: "112", "999", "116 123".
const PHONE = /(?<![\d/.:-])\d{3}(?: \d{3})?(?![\d/.:-])/g;

/** A line with its phone numbers as `tel:` links (tappable in Telegram), all in one style. */
function withPhoneLinks(line: string, style?: 'bold' | 'italic'): Inline[] {
  const out: Inline[] = [];
  const push = (text: string, href?: string) => {
    if (text !== '') out.push({ text, ...(style ? { style } : {}), ...(href ? { href } : {}) });
  };
  let last = 0;
  for (const m of line.matchAll(PHONE)) {
    push(line.slice(last, m.index));
    push(m[0], `tel:${m[0].replace(/\s/g, '')}`);
    last = m.index + m[0].length;
  }
  push(line.slice(last));
  return out;
}

export function fallbackReply(content: Content): Reply {
  return {
    ...simple('fallback', content.community.fallback, [
      { label: 'Questions (FAQ)', data: 'faq' },
      { label: 'Read the article', data: 'toc' },
    ]),
    meta: { unanswered: true },
  };
}

/** A button label short enough for a phone's width: whole words, at most about 32 characters. */
export function shortLabel(text: string, max = 32): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max / 2 ? cut.slice(0, space) : cut).replace(/[\s,:;.-]+$/, '')}…`;
}
