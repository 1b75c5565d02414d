import type {
  AnyMessageContent,
  AuthenticationCreds,
  BaileysEventMap,
  Contact,
  GroupMetadata,
  MiscMessageGenerationOptions,
  UserFacingSocketConfig,
  WAMessage,
} from '@whiskeysockets/baileys';

/**
 * The part of a Baileys socket the adapter uses. `makeWASocket` returns far more; tests
 * implement just this with a fake, so they never open a network connection.
 */
export interface WhatsAppSocket {
  readonly ev: {
    on<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
    off<T extends keyof BaileysEventMap>(event: T, listener: (arg: BaileysEventMap[T]) => void): void;
  };
  readonly user: Contact | undefined;
  /** The creds object handed in through `config.auth` (Baileys writes `me`, `pairingCode` ... into it). */
  readonly authState: { readonly creds: AuthenticationCreds };
  /** Baileys' LID <-> phone-number store (kept in the auth keys as `lid-mapping`). */
  readonly signalRepository?: { readonly lidMapping: LidLookup };
  sendMessage(
    jid: string,
    content: AnyMessageContent,
    options?: MiscMessageGenerationOptions,
  ): Promise<WAMessage | undefined>;
  groupMetadata(jid: string): Promise<GroupMetadata>;
  groupInviteCode(jid: string): Promise<string | undefined>;
  groupRevokeInvite(jid: string): Promise<string | undefined>;
  groupRequestParticipantsUpdate(
    jid: string,
    participants: string[],
    action: 'approve' | 'reject',
  ): Promise<{ status: string; jid: string | undefined }[]>;
  requestPairingCode(phoneNumber: string): Promise<string>;
  end(error: Error | undefined): void | Promise<void>;
}

/** Phone number <-> LID lookups (Baileys `Signal/lid-mapping.js`). */
export interface LidLookup {
  getLIDForPN(pn: string): Promise<string | null>;
  getPNForLID(lid: string): Promise<string | null>;
}

/** Builds a socket; the default is Baileys' `makeWASocket`. */
export type MakeSocket = (config: UserFacingSocketConfig) => WhatsAppSocket;

/** The bot's own ids, to skip its joins and notice mentions of and replies to it. */
export interface Me {
  readonly id?: string;
  readonly lid?: string;
}

/** The logger Baileys expects (pino's logger fits); Baileys does not export the type from its root. */
export interface ILogger {
  level: string;
  child(obj: Record<string, unknown>): ILogger;
  trace(obj: unknown, msg?: string): void;
  debug(obj: unknown, msg?: string): void;
  info(obj: unknown, msg?: string): void;
  warn(obj: unknown, msg?: string): void;
  error(obj: unknown, msg?: string): void;
}

/** WhatsApp-only signals for metrics, beside the hooks every adapter shares. */
export interface WhatsAppHooks {
  /** WhatsApp refused a message after relaying it (`messages.update` ERROR; 463 restricted, 479 ...). */
  onSendRefused?(code: string): void;
  /** A device asked for a message again: `served` from the store, or `missing`. */
  onResend?(result: 'served' | 'missing'): void;
  /** An incoming message was dropped because too many were already waiting. */
  onInboundDropped?(): void;
}
