/**
 * Platform-neutral message types. Adapters turn platform updates into {@link Incoming}
 * and render {@link Reply} the way their platform does it. Nothing here knows a platform SDK.
 */

/** Where a chat lives. */
export type Platform = 'telegram' | 'whatsapp' | 'console';

/** Private chats get every answer; group chats follow the group policy. */
export type ChatType = 'private' | 'group';

/** A chat on one platform. `chatId` is the platform's id as a string. */
export interface ChatRef {
  readonly platform: Platform;
  readonly chatId: string;
  readonly chatType: ChatType;
  readonly title?: string;
}

/** Who sent an incoming event. */
export interface Sender {
  /** The platform's id for the person (Telegram user id, WhatsApp LID or phone JID). */
  readonly id: string;
  /** Another id for the same person (WhatsApp: the phone JID beside a LID). */
  readonly altId?: string;
  readonly name?: string;
  readonly isBot?: boolean;
  /** Set by the adapter when the platform says this person administers the chat. */
  readonly isChatAdmin?: boolean;
  /** The console's local operator, or a scripted line's `"moderator": true`. */
  readonly isLocalOperator?: boolean;
}

interface IncomingBase {
  readonly chat: ChatRef;
  readonly sender: Sender;
  /** The bot was mentioned, replied to, or is the only other party (private chat). */
  readonly addressed?: boolean;
  /**
   * The platform's id of the message (Telegram message id, WhatsApp key id), unique within the
   * chat. A platform that delivers the same message again gives the same id: moderators'
   * commands derive their job ids from it, so a redelivery cannot do the work twice.
   */
  readonly messageId?: string;
  /** The platform's own update: an escape hatch for adapters, never read by the core. */
  readonly raw?: unknown;
}

/** A member who joined a chat. */
export interface JoinedMember {
  readonly id: string;
  readonly name?: string;
}

/** Everything that can come in from a chat. Switch on `kind`. */
export type Incoming =
  | (IncomingBase & { readonly kind: 'text'; readonly text: string })
  | (IncomingBase & {
      readonly kind: 'command';
      /** Lower-case command name without the slash or bot suffix: `faq` for `/faq@Bot 3`. */
      readonly command: string;
      /** Everything after the command, trimmed. */
      readonly args: string;
    })
  | (IncomingBase & { readonly kind: 'press'; readonly data: string })
  | (IncomingBase & {
      readonly kind: 'member_joined';
      readonly members: readonly JoinedMember[];
      /** Name or URL of the invite link used, when the platform says. */
      readonly inviteLink?: string;
    })
  | (IncomingBase & {
      /** Someone asked to join through an approval link; `sender` is that person. */
      readonly kind: 'join_request';
      readonly inviteLink?: string;
    })
  | (IncomingBase & {
      readonly kind: 'media';
      /** What arrived without text: sticker, voice note, photo without caption, ... */
      readonly media: string;
    });

export type IncomingKind = Incoming['kind'];

/** What a reply is, as the console's JSONL contract names it. */
export type ReplyKind =
  | 'faq'
  | 'section'
  | 'suggestions'
  | 'fallback'
  | 'safety'
  /** A one-line "if this is happening now, call ..." beside an answer: alarming words, no emergency now. */
  | 'caution'
  | 'command'
  | 'welcome'
  | 'refused'
  | 'error'
  /** Sent on a schedule, never as a reply: a community tip, a moderator's post. */
  | 'tip'
  | 'broadcast'
  /** A moderator's answer to a member's question (`/reply`), sent as a reply to it. */
  | 'moderator';

/** A piece of text with an optional style. Renderers escape `text` and apply the style. */
export interface Inline {
  readonly text: string;
  readonly style?: 'bold' | 'italic' | 'code';
  /** A link target (`tel:999`, `https://...`): Telegram renders a link, WhatsApp and the console the text. */
  readonly href?: string;
}

/** A paragraph is a run of inlines; paragraphs are separated by a blank line when rendered. */
export type Paragraph = readonly Inline[];

/** A choice offered to the member: an inline button on Telegram, a numbered option on WhatsApp. */
export interface Button {
  readonly label: string;
  /** Short opaque data handed back as a `press` (at most 64 bytes: Telegram's limit). */
  readonly data: string;
  /** Turns the page (◀ Topics, Next ▶): Telegram puts these on a row of their own, below the choices. */
  readonly nav?: boolean;
}

/** One message the bot sends. */
export interface Reply {
  readonly kind: ReplyKind;
  readonly paragraphs: readonly Paragraph[];
  readonly buttons?: readonly Button[];
  /** Replace the message the pressed button sits on, where the platform can (navigation). */
  readonly editInPlace?: boolean;
  /**
   * Send as a reply to this message of the chat (a moderator's `/reply` to a member's question).
   * `senderId` and `text` let platforms that quote by content (WhatsApp) show the quote.
   */
  readonly quote?: { readonly messageId: string; readonly senderId?: string; readonly text?: string };
  /** What the reply answered: for evaluation, statistics and logs; never rendered. */
  readonly meta?: ReplyMeta;
}

export interface ReplyMeta {
  readonly faqId?: string;
  readonly section?: number;
  readonly score?: number;
  readonly unanswered?: boolean;
}
