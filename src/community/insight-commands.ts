/**
 * What moderators learn from members: `/unanswered` (unsure, not covered and chatter, each item
 * naming its chat), `/reply` (answer one in its chat, as a reply to the member's message) and
 * `/stats`. A chat admin sees and answers their own group only; private chats' questions are
 * for configured moderators (permissions.ts).
 */
import type { Action } from '../core/permissions.js';
import { can, chatKeyOf } from '../core/permissions.js';
import type { Command, CommandContext, QuestionOutcome, QuestionRecord } from '../core/ports.js';
import { simple } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { ChatRef, Paragraph, Platform, Reply } from '../core/types.js';
import { PLATFORM_NAMES, sendFailure } from './failures.js';
import type { Insight } from './insight-store.js';
import { type JoinCounter, NO_LINK } from './invite-store.js';
import { parseDays } from './parse.js';

export interface InsightCommandDeps {
  /** Where send failures are logged in full (the moderator gets a sentence for people). */
  readonly logger?: { warn(obj: object, msg?: string): void };
  readonly insight: Insight;
  readonly joins: JoinCounter;
  /** Sends into a chat through its platform's adapter (the answer to a member). */
  readonly send: (chat: ChatRef, replies: readonly Reply[]) => Promise<void>;
  readonly subscribers?: () => Promise<Partial<Record<Platform, number>>>;
  readonly when: (d: Date) => string;
  readonly retentionDays: number;
}

export { PLATFORM_NAMES };

const DAY = 24 * 60 * 60 * 1000;

/** "Telegram group "Fibro friends"", "a private chat on WhatsApp". */
export const describeChat = (chat: ChatRef): string =>
  chat.chatType === 'private'
    ? `a private chat on ${PLATFORM_NAMES[chat.platform]}`
    : `${PLATFORM_NAMES[chat.platform]} group ${chat.title ? `"${chat.title}"` : chat.chatId}`;

const SECTIONS: readonly { outcomes: QuestionOutcome[]; title: string }[] = [
  { outcomes: ['not_covered', 'unanswered'], title: 'Health questions the content does not answer' },
  { outcomes: ['unsure'], title: 'Unsure: I offered "did you mean" choices' },
  { outcomes: ['chatter'], title: 'Chatter and off-topic (kept apart)' },
];

/** What the actor may read: a chat admin their own group, a moderator everything. */
const scopeOf = (ctx: CommandContext, all: Action) =>
  can(ctx.actor, all) ? {} : { chats: [chatKeyOf(ctx.incoming.chat)], groupsOnly: true };

/** A `[days]` period: how many days, since when, and "the last 7 days". */
interface Period {
  readonly days: number;
  readonly since: Date;
  readonly span: string;
}

/** Reads the `[days]` argument (default `fallback`); the error reply when it is no number of days. */
function periodOf(
  ctx: CommandContext,
  fallback: number,
  retentionDays: number,
  example: string,
): Period | Reply[] {
  const days = parseDays(ctx.args, fallback, retentionDays);
  if (typeof days !== 'number') return [simple('error', `${days.error} For example: ${example}`)];
  const since = new Date(ctx.now.getTime() - days * DAY);
  return { days, since, span: days === 1 ? 'the last day' : `the last ${days} days` };
}

/** One line of `/unanswered`: the question, how often, when, where, and what became of it. */
function questionLine(when: (d: Date) => string) {
  return (q: QuestionRecord, wholeCommunity: boolean) => {
    const picked = q.choices.find((c) => c.data === q.pressed);
    const extra = [
      `${q.similar}×`,
      `last ${when(q.at)}`,
      ...(wholeCommunity ? [describeChat(q.chat)] : []),
      ...(q.outcome === 'unsure' ? [picked ? `picked "${picked.label}"` : 'no choice picked'] : []),
      ...(q.answered ? ['answered'] : []),
    ];
    return `#${q.id} "${q.text}" (${extra.join(', ')})`;
  };
}

/** `/unanswered [days]`: the questions I could not answer, by section, most asked first. */
function unansweredCommand(deps: InsightCommandDeps): Command {
  const line = questionLine(deps.when);
  return {
    name: 'unanswered',
    usage: '[days]',
    description: 'questions I could not answer or was unsure of, most asked first',
    action: 'unanswered.chat',
    handle: async (ctx) => {
      const period = periodOf(ctx, 7, deps.retentionDays, '/unanswered 7');
      if (Array.isArray(period)) return period;
      const { since, span } = period;
      const scope = scopeOf(ctx, 'unanswered.all');
      const whole = scope.chats === undefined;
      const paragraphs: Paragraph[] = [
        para(bold(`Questions I could not answer, ${span}${whole ? '' : ', this group only'}`)),
      ];
      for (const section of SECTIONS) {
        const items = await deps.insight.unanswered.list({
          since,
          limit: section.outcomes.includes('chatter') ? 5 : 15,
          outcomes: section.outcomes,
          ...scope,
        });
        if (items.length === 0) continue;
        paragraphs.push(para(bold(section.title)), para(items.map((q) => line(q, whole)).join('\n')));
      }
      if (paragraphs.length === 1) return [simple('command', `No unanswered questions in ${span}.`)];
      paragraphs.push(
        para(
          italic(
            "Answer one with /reply <number> <your answer>: it goes to that chat as a reply to the member's message. Similar wordings are counted together; consider an FAQ entry for the frequent ones.",
          ),
        ),
      );
      if (!deps.insight.durable)
        paragraphs.push(para(italic('Kept in memory only: the list starts again when I restart.')));
      return [{ kind: 'command', paragraphs }];
    },
  };
}

/** `/reply <number> <answer>`: a moderator's answer sent to the member's chat, quoting the question. */
function replyCommand(deps: InsightCommandDeps): Command {
  return {
    name: 'reply',
    usage: '<number> <answer>',
    description: "answer a member's question from /unanswered, in the chat it came from",
    action: 'reply.chat',
    handle: async (ctx) => {
      const m = /^#?(\d{1,12})\s+([\s\S]+)$/.exec(ctx.args.trim());
      if (!m) {
        return [
          simple(
            'error',
            'Which question, and what answer? For example: /reply 12 Ask your GP about a blood test. /unanswered lists the numbers.',
          ),
        ];
      }
      const [, id, answer] = m as unknown as [string, string, string];
      const q = await deps.insight.unanswered.get(id);
      const mine = q && chatKeyOf(q.chat) === chatKeyOf(ctx.incoming.chat) && q.chat.chatType === 'group';
      // Not found and not yours read the same: a chat admin learns nothing about other chats.
      if (!q || (!can(ctx.actor, 'reply.all') && !mine)) {
        return [
          simple(
            'error',
            `There is no question #${id} that you can answer${can(ctx.actor, 'reply.all') ? '' : ' from this group'}. /unanswered lists them.`,
          ),
        ];
      }
      const message: Reply = {
        kind: 'moderator',
        paragraphs: [para(bold("A moderator's answer")), para(answer.trim().slice(0, 3_000))],
        ...(q.messageId
          ? {
              quote: {
                messageId: q.messageId,
                ...(q.senderId ? { senderId: q.senderId } : {}),
                text: q.text,
              },
            }
          : {}),
      };
      try {
        await deps.send(q.chat, [message]);
      } catch (err) {
        deps.logger?.warn({ err, chat: q.chat }, "a moderator's answer was not sent");
        return [simple('error', sendFailure(err, q.chat.platform, describeChat(q.chat)))];
      }
      await deps.insight.unanswered.markAnswered(
        q.id,
        `${ctx.incoming.chat.platform}:${ctx.incoming.sender.id}`,
        ctx.now,
      );
      return [
        simple(
          'command',
          `Sent to ${describeChat(q.chat)}${q.messageId ? " as a reply to the member's message" : ''}: "${q.text.slice(0, 80)}"`,
        ),
      ];
    },
  };
}

/** `/stats [days]`: answered and not, top FAQ entries, joins per invite link, subscribers. */
function statsCommand(deps: InsightCommandDeps): Command {
  return {
    name: 'stats',
    usage: '[days]',
    description: 'questions answered and not, top FAQ entries, joins, subscribers',
    action: 'stats.chat',
    handle: async (ctx) => {
      const period = periodOf(ctx, 30, deps.retentionDays, '/stats 30');
      if (Array.isArray(period)) return period;
      const { since, span } = period;
      const whole = can(ctx.actor, 'stats.all');
      const chat = ctx.incoming.chat;
      const only = whole ? undefined : chat;
      const counts = await deps.insight.answerCounts(since, only);
      const top = await deps.insight.topFaq(since, 5, only);
      const joins = await deps.joins.counts(chat.chatType === 'group' ? chat : undefined);
      const questions = new Map(ctx.content.faq.map((e) => [e.id, e.question]));
      const paragraphs: Paragraph[] = [
        para(bold(`Statistics, ${span}${whole ? '' : ', this group only'}`)),
        para(
          [
            `Answered: ${counts.faq + counts.section} (FAQ ${counts.faq}, article passages ${counts.section})`,
            `Offered "did you mean" choices: ${counts.suggestions}`,
            `Not answered: ${counts.fallback} (see /unanswered)`,
            `Emergency messages: ${counts.safety}`,
            `Cautions (alarming words, no emergency now): ${counts.caution}`,
          ].join('\n'),
        ),
        para(bold('Top FAQ entries')),
        para(
          top.length
            ? top.map((t, i) => `${i + 1}. ${questions.get(t.faqId) ?? t.faqId} (${t.count})`).join('\n')
            : 'None asked yet.',
        ),
        para(
          bold(
            chat.chatType === 'group'
              ? 'Joins per invite link (this group, all time)'
              : 'Joins per invite link (all groups, all time)',
          ),
        ),
        para(
          joins.length
            ? joins
                .slice(0, 15)
                .map(
                  (j) =>
                    `${j.link === NO_LINK ? 'without a named link' : j.link}${chat.chatType === 'group' ? '' : ` (${j.chat.split(':')[0]})`}: ${j.count}`,
                )
                .join('\n')
            : 'No joins recorded yet.',
        ),
      ];
      if (deps.subscribers && whole) {
        try {
          const subs = await deps.subscribers();
          const text = (Object.entries(subs) as [Platform, number][])
            .map(([p, n]) => `${PLATFORM_NAMES[p]} ${n}`)
            .join(', ');
          paragraphs.push(para(`Tip subscribers: ${text || 'none yet'}`));
        } catch {
          paragraphs.push(para('Tip subscribers: not available right now.'));
        }
      }
      if (!deps.insight.durable) {
        paragraphs.push(
          para(italic('Kept in memory only: these numbers start again from zero when I restart.')),
        );
      }
      return [{ kind: 'command', paragraphs }];
    },
  };
}

/** The insight commands: `/unanswered`, `/reply`, `/stats`. */
export function insightCommands(deps: InsightCommandDeps): Command[] {
  return [unansweredCommand(deps), replyCommand(deps), statsCommand(deps)];
}
