import type { Content, FaqEntry, Section } from './content.js';
import { normalizeText, words } from './normalize.js';
import { type Actor, can, requiredRole } from './permissions.js';
import type { Command, CommandContext, PressHandler, ReadingPositionStore } from './ports.js';
import {
  faqAnswer,
  faqList,
  faqTopicPage,
  linksReply,
  PAGE,
  passageAnswer,
  rulesReply,
  sectionReply,
  simple,
  tableOfContents,
  welcome,
} from './replies.js';
import { bold, italic, para } from './text.js';
import type { Reply } from './types.js';

/**
 * Remembers the section each chat last read, for typed /next and /prev: in this process only,
 * bounded. The router uses it when no shared store is given (community management gives Redis).
 */
export class ReadingPositions implements ReadingPositionStore {
  private readonly positions = new Map<string, number>();
  constructor(private readonly max = 10_000) {}
  async get(key: string): Promise<number | undefined> {
    return this.positions.get(key);
  }
  async set(key: string, section: number): Promise<void> {
    this.positions.delete(key);
    this.positions.set(key, section);
    if (this.positions.size > this.max) this.positions.delete(this.positions.keys().next().value!);
  }
}

const chatKey = (ctx: CommandContext) => `${ctx.incoming.chat.platform}:${ctx.incoming.chat.chatId}`;

export function findFaq(content: Content, ref: string): FaqEntry | undefined {
  const r = ref.trim().toLowerCase();
  return /^\d+$/.test(r) ? content.faq[Number(r) - 1] : content.faq.find((e) => e.id === r);
}

/** A section by number or by words of its title ("/section who is at risk"). */
export function findSection(content: Content, ref: string): Section | undefined {
  const r = ref.trim();
  if (/^\d+$/.test(r)) return content.sections[Number(r) - 1];
  const wanted = words(normalizeText(r)).filter((w) => w.length > 2);
  if (wanted.length === 0) return undefined;
  let best: { section: Section; hits: number } | undefined;
  for (const section of content.sections) {
    const title = words(normalizeText(section.title));
    const hits = wanted.filter((w) => title.some((t) => t.startsWith(w) || w.startsWith(t))).length;
    if (hits > 0 && (!best || hits > best.hits)) best = { section, hits };
  }
  return best && best.hits / wanted.length >= 0.5 ? best.section : undefined;
}

const showSection = async (ctx: CommandContext, section: Section, editInPlace = false): Promise<Reply[]> => {
  await (ctx.positions ?? positions).set(chatKey(ctx), section.number);
  return [sectionReply(ctx.content, section, editInPlace)];
};

// Without a shared store (no Redis): one per process; tests create their own routers but share no chats.
const positions = new ReadingPositions();

const noSuchSection = (content: Content, ref: string): Reply =>
  simple(
    'error',
    `There is no section "${ref}". The article has ${content.sections.length} sections: send /article for the list, or /section 1.`,
    [{ label: 'Contents', data: 'toc' }],
  );

/** Opens what a deep-link payload names: `faq-<id>`, `faq-<n>`, `sec-<n>`, `rules`, `links`, `article`. */
export async function openPayload(ctx: CommandContext, payload: string): Promise<Reply[] | undefined> {
  const p = payload.trim().toLowerCase();
  const faq = /^faq[-_](.+)$/.exec(p);
  if (faq) {
    const entry = findFaq(ctx.content, faq[1]!);
    return entry ? [faqAnswer(ctx.content, entry)] : undefined;
  }
  const sec = /^sec(?:tion)?[-_](\d+)$/.exec(p);
  if (sec) {
    const section = ctx.content.sections[Number(sec[1]) - 1];
    return section ? showSection(ctx, section) : undefined;
  }
  if (p === 'rules') return [rulesReply(ctx.content)];
  if (p === 'links') return [linksReply(ctx.content)];
  if (p === 'article' || p === 'toc') return [tableOfContents(ctx.content)];
  if (p === 'faq') return [faqList(ctx.content)];
  return undefined;
}

/** Whether a command is for moderators or chat admins (their menu and their part of /help). */
export const isStaffCommand = (c: Command): boolean => requiredRole(c.action ?? 'ask') !== 'member';

export function helpReply(commands: readonly Command[], actor: Actor): Reply {
  const line = (c: Command) => `/${c.name}${c.usage ? ` ${c.usage}` : ''}: ${c.description}`;
  const visible = commands.filter((c) => !c.hidden);
  const member = visible.filter((c) => !isStaffCommand(c));
  const moderator = visible.filter((c) => isStaffCommand(c) && can(actor, c.action ?? 'ask'));
  return {
    kind: 'command',
    paragraphs: [
      para(bold('What I can do')),
      para('Ask me a question in your own words, for example "can B12 cure fibromyalgia?"'),
      para(member.map(line).join('\n')),
      ...(moderator.length > 0 ? [para(bold('For moderators')), para(moderator.map(line).join('\n'))] : []),
      para(italic('I answer only from the community article. It is information, not medical advice.')),
    ],
  };
}

/** The commands every member can use; `/help` is added by the router, which knows the full list. */
export const builtinCommands: readonly Command[] = [
  {
    name: 'start',
    description: 'welcome and menu',
    handle: async (ctx) =>
      (ctx.args ? await openPayload(ctx, ctx.args) : undefined) ?? [
        welcome(ctx.content, ctx.incoming.sender.name),
      ],
  },
  {
    name: 'faq',
    usage: '[number]',
    description: 'frequently asked questions',
    handle: (ctx) => {
      if (!ctx.args) return [faqList(ctx.content)];
      const entry = findFaq(ctx.content, ctx.args);
      if (entry) return [faqAnswer(ctx.content, entry)];
      if (/^\d+$/.test(ctx.args.trim())) {
        return [
          simple(
            'error',
            `There is no question ${ctx.args.trim()}: the FAQ has ${ctx.content.faq.length}. Send /faq for the list.`,
            [{ label: 'Questions (FAQ)', data: 'faq' }],
          ),
        ];
      }
      const result = ctx.matcher.search(ctx.args);
      const best = result.candidates[0];
      if (result.decision !== 'none' && best?.target.type === 'faq') {
        const found = ctx.content.faq.find((e) => e.id === (best.target as { id: string }).id);
        if (found) return [faqAnswer(ctx.content, found, best.score)];
      }
      return [
        simple(
          'error',
          `I found no FAQ entry for "${ctx.args.slice(0, 80)}". Send /faq for the list, or ask in your own words.`,
          [{ label: 'Questions (FAQ)', data: 'faq' }],
        ),
      ];
    },
  },
  {
    name: 'article',
    aliases: ['toc', 'contents'],
    description: 'the article, section by section',
    handle: (ctx) => [tableOfContents(ctx.content)],
  },
  {
    name: 'section',
    usage: '<number or title words>',
    description: 'read one section of the article',
    handle: (ctx) => {
      if (!ctx.args) return [tableOfContents(ctx.content)];
      const section = findSection(ctx.content, ctx.args);
      return section ? showSection(ctx, section) : [noSuchSection(ctx.content, ctx.args.slice(0, 80))];
    },
  },
  {
    name: 'next',
    description: 'the next section',
    handle: (ctx) => step(ctx, +1),
  },
  {
    name: 'prev',
    aliases: ['previous', 'back'],
    description: 'the previous section',
    handle: (ctx) => step(ctx, -1),
  },
  { name: 'links', description: "the community's links", handle: (ctx) => [linksReply(ctx.content)] },
  { name: 'rules', description: 'community rules', handle: (ctx) => [rulesReply(ctx.content)] },
  {
    name: 'disclaimer',
    description: 'what this bot is and is not',
    handle: (ctx) => [
      {
        kind: 'command',
        paragraphs: [
          para(ctx.content.community.disclaimer),
          para(`Everything I say comes from the community's article: ${ctx.content.source}`),
        ],
      },
    ],
  },
];

async function step(ctx: CommandContext, delta: number): Promise<Reply[]> {
  const current = await (ctx.positions ?? positions).get(chatKey(ctx));
  const total = ctx.content.sections.length;
  const target = current === undefined ? 1 : current + delta;
  if (target < 1)
    return [simple('command', 'You are at the first section already.', [{ label: 'Contents', data: 'toc' }])];
  if (target > total)
    return [simple('command', 'That was the last section.', [{ label: 'Contents', data: 'toc' }])];
  return showSection(ctx, ctx.content.sections[target - 1]!);
}

/** Button presses for navigation and answers. */
export const builtinPresses: readonly PressHandler[] = [
  {
    prefix: 'faq',
    handle: (ctx) => {
      const ref = ctx.data.slice('faq'.length).replace(/^:/, '');
      if (!ref) return [faqList(ctx.content)];
      const entry = findFaq(ctx.content, ref);
      return entry ? [faqAnswer(ctx.content, entry)] : [stale()];
    },
  },
  {
    // Under a welcome or an answer: a new message, so nothing others read is rewritten.
    prefix: 'sec',
    handle: (ctx) => {
      const section = ctx.content.sections[Number(ctx.data.slice(4)) - 1];
      return section ? showSection(ctx, section) : [stale()];
    },
  },
  {
    // Turning the page of a navigation message: in place in a private chat, a new message in a group.
    prefix: PAGE,
    handle: (ctx) => {
      const inPlace = ctx.incoming.chat.chatType === 'private';
      const target = ctx.data.slice(PAGE.length + 1);
      if (target === 'toc') return [tableOfContents(ctx.content, inPlace)];
      if (target === 'faq') return [faqList(ctx.content, inPlace)];
      if (target.startsWith('faq:')) {
        const topic = ctx.content.faqTopics.find((t) => t.id === target.slice(4));
        return topic ? [faqTopicPage(ctx.content, topic, inPlace)] : [stale()];
      }
      const section = ctx.content.sections[Number(target) - 1];
      return section ? showSection(ctx, section, inPlace) : [stale()];
    },
  },
  {
    prefix: 'psg',
    handle: (ctx) => {
      const [, s, p] = ctx.data.split(':');
      const section = ctx.content.sections[Number(s) - 1];
      return section?.texts[Number(p)] ? [passageAnswer(ctx.content, section, Number(p))] : [stale()];
    },
  },
  { prefix: 'toc', handle: (ctx) => [tableOfContents(ctx.content)] },
  { prefix: 'links', handle: (ctx) => [linksReply(ctx.content)] },
  { prefix: 'rules', handle: (ctx) => [rulesReply(ctx.content)] },
];

const stale = (): Reply =>
  simple('error', 'That choice is no longer available. Send /help to start again.', [
    { label: 'Questions (FAQ)', data: 'faq' },
  ]);
