import type { Content } from './content.js';
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
}

/** Finds what in the content answers a member's free text. */
export interface Matcher {
  search(text: string): MatchResult;
}

/** Holds the current content; reloads swap it atomically. */
export interface ContentSource {
  current(): { readonly content: Content; readonly matcher: Matcher };
}

/** Questions the bot could not answer, kept for moderators. */
export interface UnansweredLog {
  record(question: string, chat: ChatRef, at: Date): Promise<void>;
  /** Most frequent normalised questions since `since`. */
  top(since: Date, limit: number): Promise<{ question: string; count: number; lastAsked: Date }[]>;
}

/** Counts for `/stats`: what was answered and how. */
export interface Stats {
  recordAnswer(
    kind: 'faq' | 'section' | 'suggestions' | 'fallback' | 'safety' | 'caution',
    faqId?: string,
  ): Promise<void>;
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
  readonly isModerator: boolean;
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
  readonly moderatorOnly?: boolean;
  /** Hidden from menus (deep-link helpers, aliases). */
  readonly hidden?: boolean;
  handle(ctx: CommandContext): Promise<Reply[]> | Reply[];
}

/** Handles button data with a given prefix (`faq:`, `sec:` ...). */
export interface PressHandler {
  readonly prefix: string;
  readonly moderatorOnly?: boolean;
  handle(ctx: CommandContext & { readonly data: string }): Promise<Reply[]> | Reply[];
}
