import type { Platform, Reply } from './types.js';

/** Why a send failed, so the delivery queue knows what to do next. */
export type DeliveryErrorCode =
  /** The platform said "too many requests": try this chat again after `retryAfterMs`. */
  | 'RATE_LIMITED'
  /** The chat is gone for good (bot blocked, kicked, chat deleted): stop sending there. */
  | 'PERMANENT'
  /** Anything else (network, platform down, not connected yet): retry with backoff. */
  | 'TRANSIENT';

export class DeliveryError extends Error {
  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
    readonly retryAfterMs?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'DeliveryError';
  }
}

/** Why a platform refused a chat-administration call, in terms a moderator can act on. */
export type AdminRefusal =
  /** The bot is not an admin of the group, or lacks the right the call needs. */
  | 'needs_admin'
  /** The call asked for what the platform cannot do; `hint` says what, for people. */
  | 'invalid';

/**
 * A chat-administration call (invite link, join request) the platform refused. Still a
 * {@link DeliveryError} (queues retry or stop on `code`); `refusal` says what a person can do.
 */
export class AdminError extends DeliveryError {
  constructor(
    readonly refusal: AdminRefusal,
    code: DeliveryErrorCode,
    message: string,
    /** A sentence for people (`invalid`): what to change. */
    readonly hint?: string,
    cause?: unknown,
  ) {
    super(code, message, undefined, cause);
    this.name = 'AdminError';
  }
}

/**
 * What every platform adapter offers the rest of the bot. Adapters call the router for
 * conversations themselves; `send` is for messages nobody asked for just now (tips, broadcasts).
 */
export interface Adapter {
  readonly platform: Platform;
  start(): Promise<void>;
  /** Stops taking updates and finishes replies in flight. */
  stop(): Promise<void>;
  /** Sends replies to a chat; throws {@link DeliveryError}. */
  send(chatId: string, replies: readonly Reply[]): Promise<void>;
  /** Group management (invite links, join requests, admins), where the platform has it. */
  readonly admin?: PlatformAdmin;
  /** For readiness checks: is the platform connection up? */
  status(): { readonly connected: boolean; readonly detail?: string };
}

/** Options for a new invite link; platforms support what they can and say what they ignored. */
export interface InviteOptions {
  /** A name that lets the bot attribute joins to the link (Telegram keeps it on the link). */
  readonly name: string;
  readonly expiresAt?: Date;
  readonly memberLimit?: number;
  /** People who use the link ask to join and wait for approval. */
  readonly approval?: boolean;
}

export interface InviteLink {
  readonly name: string;
  readonly url: string;
  readonly expiresAt?: Date;
  readonly memberLimit?: number;
  readonly approval?: boolean;
}

/**
 * Group management a platform adapter offers to community management.
 * Methods throw {@link AdminError} when the platform refuses (the bot is not an admin of the
 * group, options it cannot honour), {@link DeliveryError} when it cannot be reached.
 */
export interface PlatformAdmin {
  createInvite(chatId: string, options: InviteOptions): Promise<InviteLink>;
  revokeInvite(chatId: string, link: InviteLink): Promise<void>;
  approveJoinRequest(chatId: string, userId: string): Promise<void>;
  declineJoinRequest(chatId: string, userId: string): Promise<void>;
  /** Whether this person administers the chat (cached by the adapter). */
  isChatAdmin(chatId: string, userId: string): Promise<boolean>;
}

/** What adapters report for metrics and readiness; every hook is optional. */
export interface AdapterHooks {
  /** The platform answered 429 (too many requests). */
  onRateLimited?(platform: Platform, retryAfterMs: number): void;
  /** A connection dropped and the adapter is reconnecting (`reason` is the platform's). */
  onReconnect?(platform: Platform, reason: string): void;
  onConnectionChange?(platform: Platform, connected: boolean): void;
}
