/**
 * What to do when the WhatsApp connection closes. Baileys never reconnects by itself; the status
 * code on the close says whether trying again can help (see DisconnectReason in Baileys).
 */

export type CloseAction =
  /** A passing problem (network, server): try again after a backoff. */
  | { readonly action: 'retry'; readonly reason: string }
  /** WhatsApp asks for a fresh socket (normal right after the QR scan): reconnect at once. */
  | { readonly action: 'restart'; readonly reason: string }
  /** Trying again cannot help; the operator must act. `detail` says what to do. */
  | { readonly action: 'stop'; readonly reason: string; readonly detail: string };

/** Maps a close's status code (Boom `output.statusCode`) to an action. */
export function decideOnClose(statusCode: number | undefined): CloseAction {
  switch (statusCode) {
    case 515:
      return { action: 'restart', reason: 'restart required' };
    case 401:
      return {
        action: 'stop',
        reason: 'logged out',
        detail: 'logged out: pair again (npm run whatsapp:logout, then restart to get a new QR code)',
      };
    case 403:
      return {
        action: 'stop',
        reason: 'forbidden',
        detail: 'forbidden: WhatsApp refused this number (it may be banned); not reconnecting',
      };
    case 440:
      return {
        action: 'stop',
        reason: 'connection replaced',
        detail:
          'replaced: another session for this number took over (a second bot instance?); not reconnecting',
      };
    case 411:
      return {
        action: 'stop',
        reason: 'multi-device mismatch',
        detail: 'multi-device mismatch: pair again (npm run whatsapp:logout, then restart)',
      };
    case 408:
      return { action: 'retry', reason: 'connection lost or timed out' };
    case 428:
      return { action: 'retry', reason: 'connection closed' };
    case 500:
      return { action: 'retry', reason: 'bad session' };
    case 503:
      return { action: 'retry', reason: 'service unavailable' };
    default:
      return {
        action: 'retry',
        reason: statusCode === undefined ? 'connection closed' : `closed with ${statusCode}`,
      };
  }
}

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
  /** Each delay is scaled by a random factor in [1 - jitter, 1 + jitter]. */
  readonly jitter?: number;
  readonly random?: () => number;
}

/** Exponential backoff: base, 2x base, 4x base ... capped, with jitter so restarts do not align. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}): number {
  const base = options.baseMs ?? 2_000;
  const max = options.maxMs ?? 120_000;
  const jitter = options.jitter ?? 0.2;
  const random = options.random ?? Math.random;
  const raw = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(raw * (1 - jitter + 2 * jitter * random()));
}
