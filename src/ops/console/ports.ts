/**
 * What the console needs from the rest of the bot. main.ts passes each in, built on the same
 * modules the chat commands use (scheduling service, content store, community stores, router),
 * so a button in the console and a command in a chat do the same thing.
 */
import type { Content } from '../../core/content.js';
import type { ChatRef, Platform, Reply } from '../../core/types.js';
import type { Viewer } from './viewer.js';

/** A member's question the bot did not answer outright, as the review page lists it. */
export interface ConsoleQuestion {
  /** The record's id (for /reply); one per distinct wording, the latest ask. */
  readonly id: string;
  readonly text: string;
  /** How often this wording (or a very similar one) was asked in the period. */
  readonly count: number;
  readonly lastAsked: Date;
  readonly chat?: ChatRef;
  /** `unsure` (choices offered), `unanswered`, `not_covered`, `chatter`. */
  readonly outcome?: string;
  /** The choice the member pressed, when offered some. */
  readonly pressed?: string;
  readonly answered?: { readonly at: Date; readonly by: string };
}

export interface QuestionsPort {
  list(query: {
    since: Date;
    limit: number;
    /** Only these chats (`platform:chatId`); undefined for every chat. */
    chats?: readonly string[];
    /** Leave out private chats (what a chat admin may never read). */
    groupsOnly?: boolean;
  }): Promise<ConsoleQuestion[]>;
  /** Answers a question in its chat, as a reply to the member's message (the `/reply` command). */
  reply?(viewer: Viewer, question: ConsoleQuestion, text: string): Promise<{ ok: boolean; text: string }>;
}

export interface NumbersPort {
  /** Messages per UTC day by outcome (`faq`, `section`, `suggestions`, `fallback`, `safety`, `caution`...). */
  daily(since: Date, chat?: ChatRef): Promise<{ day: string; counts: Record<string, number> }[]>;
  topFaq(since: Date, limit: number, chat?: ChatRef): Promise<{ faqId: string; count: number }[]>;
  topSections?(since: Date, limit: number, chat?: ChatRef): Promise<{ section: number; count: number }[]>;
  joins(chat?: ChatRef): Promise<{ chat: string; link: string; count: number }[]>;
  subscribers(): Promise<Partial<Record<Platform, number>>>;
  /** Deliveries of posts and tips kept by the queue: sent, failed for good, still waiting. */
  deliveries(): Promise<{ sent: number; failed: number; waiting: number }>;
}

/** The last content load, as `npm run content:check` would print it. */
export interface ContentStatus {
  readonly ok: boolean;
  readonly at?: Date;
  /** "content/ is valid: 12 sections, ..." or the problems, one per line with file:line. */
  readonly lines: readonly string[];
}

/** What a phrasing is taught as: an FAQ entry, an article section (by its title), or not covered. */
export type TeachTarget =
  | { readonly type: 'faq'; readonly id: string }
  | { readonly type: 'section'; readonly title: string }
  | { readonly type: 'not_covered' };

export interface TeachPort {
  /** Adds the phrasing and rebuilds the matcher; `problems` when the content check refused it. */
  teach(
    text: string,
    target: TeachTarget,
    by: string,
  ): Promise<{ ok: true } | { ok: false; problems: string[] }>;
}

/** A post's audience as the form chooses it. */
export type PostAudience =
  | { readonly type: 'all' }
  | { readonly type: 'platform'; readonly platform: Platform }
  | { readonly type: 'chat'; readonly platform: Platform; readonly chatId: string };

export interface PostsPort {
  readonly timeZone: string;
  pending(): Promise<
    { id: number; at: Date; text: string; every?: string; audience?: PostAudience; by?: string }[]
  >;
  past(limit: number): Promise<
    {
      id: number;
      at: Date;
      text: string;
      audience?: PostAudience;
      progress: Partial<
        Record<
          Platform,
          { sent: number; waiting: number; failed: number; failures: { reason: string; count: number }[] }
        >
      >;
    }[]
  >;
  tips(until: Date): Promise<{ runs: Date[]; nextTip?: { id: string; text: string } }>;
  chats(limit: number): Promise<{ platform: Platform; chatId: string; chatType: string }[]>;
  /** `request`: the form's own id, so sending the same form twice schedules one post. */
  schedule(at: Date, text: string, audience: PostAudience, by: string, request?: string): Promise<number>;
  edit(id: number, at: Date, text: string): Promise<boolean>;
  cancel(id: number): Promise<boolean>;
}

export interface InvitesPort {
  /** The groups a viewer may make links for: a chat admin's own, every known group for moderators. */
  groups(viewer: Viewer): Promise<ChatRef[]>;
  list(chat: ChatRef): Promise<
    {
      name: string;
      url: string;
      expiresAt?: Date;
      memberLimit?: number;
      approval?: boolean;
      createdAt: Date;
    }[]
  >;
}

export interface ConsolePorts {
  readonly content: { current(): { readonly content: Content }; status(): ContentStatus };
  readonly teach?: TeachPort;
  readonly questions: QuestionsPort;
  readonly numbers: NumbersPort;
  /**
   * Runs a chat command as the viewer in `chat` through the bot's router (the same permission
   * checks and code as typing it there); returns the bot's answer as text.
   */
  command(viewer: Viewer, chat: ChatRef, text: string): Promise<string>;
  readonly invites?: InvitesPort;
  readonly posts?: PostsPort;
  /** The adapters' own formatters (main.ts passes them: ops does not import adapters). */
  readonly previews: Readonly<Partial<Record<'telegram' | 'whatsapp', (reply: Reply) => string>>>;
  readonly timeZone: string;
}
