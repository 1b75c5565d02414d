/**
 * `/disclaimer`: what a member should know about the bot, plainly and short: where answers come
 * from, that it is not a doctor, what to do in an emergency, and what happens to their messages
 * (what is kept, for how long, who can read it). Every figure comes from the constant the code
 * uses, so the promise and the behaviour cannot drift apart.
 */
import type { Content } from '../core/content.js';
import { MEMORY_MAX_QUESTIONS } from '../core/memory-log.js';
import type { Command } from '../core/ports.js';
import { cautionReply } from '../core/replies.js';
import { bold, para } from '../core/text.js';
import type { Reply } from '../core/types.js';
import { MAX_ENTRIES as AUDIT_ENTRIES } from '../ops/console/audit.js';
import { keptSeconds, MAX_QUESTIONS } from './insight-store.js';
import { OFFER_TTL_SECONDS } from './question-store.js';
import { POSITION_TTL_S } from './shared-state.js';

/** What the member is told about keeping their messages: the running bot's own settings. */
export interface KeepingFacts {
  /** Redis keeps the records (false: memory, lost on restart). */
  readonly durable: boolean;
  readonly retentionDays: number;
  /** FLOOD_WINDOW_SECONDS, in milliseconds. */
  readonly floodWindowMs: number;
}

const DAY_S = 24 * 60 * 60;
const n = (x: number) => x.toLocaleString('en-GB');
const duration = (seconds: number): string =>
  seconds % DAY_S === 0
    ? `${n(seconds / DAY_S)} day${seconds === DAY_S ? '' : 's'}`
    : seconds % 3600 === 0
      ? `${n(seconds / 3600)} hours`
      : `${n(Math.ceil(seconds))} seconds`;

/** The lines about keeping messages, each with the figure the code uses. */
export function keepingLines(facts: KeepingFacts): string[] {
  const days = duration(keptSeconds(facts.retentionDays));
  return [
    facts.durable
      ? `• Questions I could not answer, or answered with "did you mean": your words (up to 500 characters), the chat and your id on the platform, so that a moderator can answer you. Deleted after ${days}; at most the newest ${n(MAX_QUESTIONS)} are kept.`
      : `• Questions I could not answer, or answered with "did you mean": your words (up to 500 characters), the chat and your id on the platform, so that a moderator can answer you. Kept in memory only, the newest ${n(MEMORY_MAX_QUESTIONS)}, until the bot restarts.`,
    `• Questions I answered: only counts per day (which answer, how many; in a group, also the group's own), never your words and never who asked. Deleted after ${days}.`,
    `• A "did you mean" choice waits ${duration(OFFER_TTL_SECONDS)} for your tap.`,
    `• The section you are reading in the article (for /next): ${duration(POSITION_TTL_S)}${facts.durable ? '' : ' at most, in memory'}.`,
    `• To slow down floods: the times of your messages of the last ${duration(facts.floodWindowMs / 1000)}.`,
    '• If you /subscribe: this chat, until you /unsubscribe.',
    '• The technical log names chats, never what you wrote.',
  ];
}

export function aboutReply(content: Content, facts: KeepingFacts): Reply {
  return {
    kind: 'command',
    paragraphs: [
      para(bold('What this bot is, and is not')),
      para(
        `Where my answers come from: only our community's article, "${content.title}" (${content.source}). I do not search the internet or make answers up.`,
      ),
      para(
        'I am not a doctor, and I can be wrong. What I say is information, not medical advice: talk to your doctor before changing any treatment.',
      ),
      para(bold('In an emergency, do not wait for me.')),
      ...cautionReply(content).paragraphs,
      para(bold('What happens to your messages')),
      para(keepingLines(facts).join('\n')),
      para(bold('Who can read it')),
      para(
        `The community's moderators read the kept questions from every chat, private chats included; an admin of one of the community's groups reads that group's only. What moderators do in the web console (answers they send you included) is in an audit log of the newest ${n(AUDIT_ENTRIES)} actions.`,
      ),
    ],
  };
}

export function aboutCommand(facts: KeepingFacts): Command {
  return {
    name: 'disclaimer',
    aliases: ['about', 'privacy'],
    description: 'what this bot is and is not, and what happens to your messages',
    handle: (ctx) => [aboutReply(ctx.content, facts)],
  };
}
