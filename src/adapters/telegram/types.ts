import type { AdapterHooks } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';

/** The logging calls the adapter makes; pino's logger fits. */
export interface TelegramLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** Settings for {@link createTelegramAdapter}; main.ts fills them from the configuration. */
export interface TelegramAdapterOptions {
  /** From BotFather. */
  readonly token: string;
  readonly router: Router;
  readonly logger: TelegramLogger;
  readonly hooks?: AdapterHooks;
  /** A self-hosted or local Bot API server (no trailing slash); default Telegram's. */
  readonly apiRoot?: string;
  /**
   * Webhook mode: Telegram posts updates to `url`; mount {@link TelegramAdapter.webhook}'s
   * handler at its path. Without it the adapter long-polls.
   */
  readonly webhook?: { readonly url: string; readonly secretToken?: string };
  /** Messages a minute Telegram allows in one group (default 20). */
  readonly groupPerMinute?: number;
  /** How many of a group's messages a minute only safety replies may use (default 3). */
  readonly safetyReserve?: number;
  /** How long a join counts as the same join (chat_member and the service message both report it). */
  readonly joinDedupMs?: number;
  readonly clock?: () => number;
}
