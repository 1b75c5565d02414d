import { GrammyError, HttpError } from 'grammy';
import { AdminError, DeliveryError } from '../../core/adapter.js';

/** Telegram's words for a chat the bot can never reach again (HTTP 400 or 403). */
const GONE =
  /bot was blocked|bot was kicked|user is deactivated|chat not found|bot is not a member|peer_id_invalid|group chat was (?:upgraded|deactivated)|have no rights to send|chat_write_forbidden|not enough rights to send text/i;

/** The `retry_after` of a 429, in milliseconds; undefined for anything else. */
export function retryAfterMs(err: unknown): number | undefined {
  if (err instanceof GrammyError && err.error_code === 429) {
    return Math.max(1, err.parameters.retry_after ?? 1) * 1000;
  }
  return undefined;
}

/**
 * Maps what Telegram answered to what the delivery queue should do:
 * 429 -> `RATE_LIMITED` (with `retryAfterMs`), a blocked/kicked/deleted chat -> `PERMANENT`,
 * everything else (network, 5xx, other 400s) -> `TRANSIENT`.
 */
export function toDeliveryError(err: unknown, chatId: string): DeliveryError {
  if (err instanceof DeliveryError) return err;
  const wait = retryAfterMs(err);
  if (wait !== undefined)
    return new DeliveryError('RATE_LIMITED', `Telegram rate limit for chat ${chatId}`, wait, err);
  if (err instanceof GrammyError) {
    if (err.error_code === 403 || GONE.test(err.description)) {
      return new DeliveryError(
        'PERMANENT',
        `Telegram chat ${chatId} is unreachable: ${err.description}`,
        undefined,
        err,
      );
    }
    return new DeliveryError(
      'TRANSIENT',
      `Telegram refused a call for chat ${chatId}: ${err.description ?? err.message}`,
      undefined,
      err,
    );
  }
  if (err instanceof HttpError) {
    return new DeliveryError('TRANSIENT', `Telegram could not be reached: ${err.message}`, undefined, err);
  }
  const message = err instanceof Error ? err.message : String(err);
  return new DeliveryError(
    'TRANSIENT',
    `Sending to Telegram chat ${chatId} failed: ${message}`,
    undefined,
    err,
  );
}

/** A short, loggable description of a Telegram error (no payloads, no token). */
export function describeError(err: unknown): { code?: number; description: string } {
  if (err instanceof GrammyError) {
    // A server that is not quite the Bot API (an emulator's 500) leaves code and description out.
    return {
      ...(err.error_code ? { code: err.error_code } : {}),
      description: err.description ?? err.message,
    };
  }
  if (err instanceof HttpError) return { description: `network: ${err.message}` };
  return { description: err instanceof Error ? err.message : String(err) };
}

export const isNotModified = (err: unknown) =>
  err instanceof GrammyError && /message is not modified/i.test(err.description);
export const isParseError = (err: unknown) =>
  err instanceof GrammyError &&
  /can't parse entities|unsupported start tag|can't find end tag/i.test(err.description);

/** Telegram's words for "the bot lacks the admin right this needs" (HTTP 400 or 403). */
const NEEDS_ADMIN =
  /not enough rights|chat_admin_required|administrator rights|not an administrator|need to be an? admin|have no rights|bot is not a member|chat not found|member list is inaccessible/i;

/**
 * A refused chat-administration call: {@link AdminError} `needs_admin` when Telegram says the
 * bot lacks the right (the queue code stays what {@link toDeliveryError} gives), else as a send.
 */
export function toAdminError(err: unknown, chatId: string): DeliveryError {
  const delivery = toDeliveryError(err, chatId);
  if (
    err instanceof GrammyError &&
    (err.error_code === 403 || NEEDS_ADMIN.test(err.description ?? err.message))
  ) {
    return new AdminError('needs_admin', delivery.code, delivery.message, undefined, err);
  }
  return delivery;
}
