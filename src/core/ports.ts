import type { Content } from './content.js';
import type { Action, Actor } from './permissions.js';
import type { ChatRef, Incoming, Reply } from './types.js';

/** Something the matcher can answer with. */
export type MatchTarget =
  | { readonly type: 'faq'; readonly id: string }
  | { readonly type: 'passage'; readonly section: number; readonly paragraph: number };

export interface Candidate {
  readonly target: MatchTarget;
  /** Ranking score; only comparable within one search. */
  readonly score: number;
  /** A short label for a "did you mean" choice. */
  readonly label: string;
}

/**
 * - `answer`: one candidate is clearly right;
 * - `suggest`: a close call between a few candidates;
 * - `none`: nothing in the content answers this.
 */
export type MatchDecision = 'answer' | 'suggest' | 'none';

export interface MatchResult {
  readonly decision: MatchDecision;
  readonly candidates: readonly Candidate[];
  /** Weighted share of the question's topic words the best candidate covers (0-1). */
  readonly coverage?: number;
  /** The best candidate's score over the runner-up's (Infinity when it stands alone). */
  readonly ratio?: number;
  /** The FAQ classifier's probability for the best candidate (when the content ships a classifier). */
  readonly probability?: number;
  /** The FAQ classifier's probability that the message asks nothing the FAQ answers. */
  readonly noneProbability?: number;
  /** What the answer-or-ask decision read (for tuning and explaining it). */
  readonly signals?: AnswerSignals;
}

/** What the matcher's answer-or-ask decision reads of one search. */
export interface AnswerSignals {
  /** The classifier's probability for the best candidate (0 for a passage, or without a classifier). */
  readonly probability: number;
  /** The classifier's highest probability among the other FAQ entries. */
  readonly runnerUp: number;
  /** The classifier's probability that the FAQ answers nothing asked. */
  readonly none: number;
  /** The best candidate's blended score over the runner-up's. */
  readonly ratio: number;
  /** The search's own best score over its runner-up's, before the classifier re-ranks. */
  readonly searchRatio: number;
  /** Weighted share of the question's topic words the best candidate covers. */
  readonly coverage: number;
  /** Whether the search alone put the same candidate first. */
  readonly searchAgrees: boolean;
  /** Whether the classifier alone put the same candidate first. */
  readonly classifierAgrees: boolean;
  /** Whether the best candidate is an article passage (not an FAQ entry). */
  readonly passage: boolean;
  /** How many distinct topic words the message has. */
  readonly words: number;
}

/** Finds what in the content answers a member's free text. */
export interface Matcher {
  search(text: string): MatchResult;
}

/** Holds the current content; reloads swap it atomically. */
export interface ContentSource {
  current(): { readonly content: Content; readonly matcher: Matcher };
}

/**
 * What became of a member's question the bot did not answer outright:
 * - `unsure`: "did you mean" choices were offered;
 * - `not_covered`: a health question naming a topic the article does not cover (content/not-covered.yaml);
 * - `unanswered`: a question about the community's subject that nothing in the content answers;
 * - `chatter`: off-topic talk ("what's the weather in leeds"), kept apart so the useful list stays short.
 */
export type QuestionOutcome = 'unsure' | 'not_covered' | 'unanswered' | 'chatter';

/** One question as the router records it. */
export interface QuestionEvent {
  readonly text: string;
  readonly chat: ChatRef;
  /** The member's message, so a moderator's answer can quote it. */
  readonly messageId?: string;
  /** Who asked (the platform's id): a WhatsApp quote in a group names the author. */
  readonly senderId?: string;
  readonly outcome: QuestionOutcome;
  /** The "did you mean" choices offered (button data and label), for `unsure`. */
  readonly choices?: readonly { readonly label: string; readonly data: string }[];
  readonly at: Date;
}

/** A recorded question, as moderators (and later the web console's review page) read it. */
export interface QuestionRecord extends QuestionEvent {
  /** Short and stable: `/reply <id> <text>` names it. */
  readonly id: string;
  readonly choices: readonly { readonly label: string; readonly data: string }[];
  /** The choice the member pressed (its button data), when they pressed one. */
  readonly pressed?: string;
  /** When a moderator answered it with /reply, and who. */
  readonly answered?: { readonly at: Date; readonly by: string };
  /** How many times the same wording was asked in what the query covered (this one included). */
  readonly similar: number;
}

export interface QuestionQuery {
  readonly since: Date;
  readonly limit: number;
  /** Only these chats (`platform:chatId`); undefined: every chat. */
  readonly chats?: readonly string[];
  /** Leave out private chats (what a chat admin may never read). */
  readonly groupsOnly?: boolean;
  readonly outcomes?: readonly QuestionOutcome[];
}

/** Questions the bot did not answer outright (and what members picked), kept for moderators. */
export interface UnansweredLog {
  record(question: QuestionEvent): Promise<void>;
  /** A member pressed a button: when it was one of the choices last offered to them there, remember it. */
  pressed(press: { chat: ChatRef; senderId: string; data: string; at: Date }): Promise<void>;
  /** The most recent ask of each distinct wording, most asked first, with `similar` counted. */
  list(query: QuestionQuery): Promise<QuestionRecord[]>;
  get(id: string): Promise<QuestionRecord | undefined>;
  markAnswered(id: string, by: string, at: Date): Promise<void>;
}

/** Counts for `/stats`: what was answered and how (per chat too, for a chat admin's `/stats`). */
export interface Stats {
  recordAnswer(
    kind: 'faq' | 'section' | 'suggestions' | 'fallback' | 'safety' | 'caution',
    faqId?: string,
    chat?: ChatRef,
  ): Promise<void>;
  /**
   * An article section was served: a passage answer, a section opened by `/read`, `/section`, a
   * button or page navigation. Counted apart from `recordAnswer` (which counts messages by outcome).
   */
  recordSection?(section: number, chat?: ChatRef): Promise<void>;
}

/**
 * The section each chat last read, for typed /next and /prev. Keys are `platform:chatId`.
 * Shared by every replica when it lives in Redis; an implementation that cannot reach its store
 * answers "unknown" (undefined) rather than hold the reply.
 */
export interface ReadingPositionStore {
  get(chatKey: string): Promise<number | undefined>;
  set(chatKey: string, section: number): Promise<void>;
}

/** Context a command handler gets. */
export interface CommandContext {
  readonly incoming: Incoming;
  readonly content: Content;
  readonly matcher: Matcher;
  readonly args: string;
  /** Who is acting and with which role; ask `can(ctx.actor, action)` (see permissions.ts). */
  readonly actor: Actor;
  readonly now: Date;
  /** Where reading positions live (default: this process's memory). */
  readonly positions?: ReadingPositionStore;
}

/** A slash command. Other modules (scheduling, community management) register their own. */
export interface Command {
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One line for `/help` and the platforms' command menus. */
  readonly description: string;
  /** Shown in `/help` as the argument syntax, e.g. `<n|words>`. */
  readonly usage?: string;
  /** What the command does, in the permission table; the router refuses it below that role. Default `ask`. */
  readonly action?: Action;
  /** Hidden from menus (deep-link helpers, aliases). */
  readonly hidden?: boolean;
  handle(ctx: CommandContext): Promise<Reply[]> | Reply[];
}

/** Handles button data with a given prefix (`faq:`, `sec:` ...). */
export interface PressHandler {
  readonly prefix: string;
  /** As for commands: the router refuses the press below the action's role. Default `ask`. */
  readonly action?: Action;
  handle(ctx: CommandContext & { readonly data: string }): Promise<Reply[]> | Reply[];
}

/** The few logging calls the core makes; pino's logger fits. */
export interface CoreLogger {
  /** Optional: what the safety check decided and why (pino's `info`). */
  info?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}
