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

/**
 * Maps a close's status code (Boom `output.statusCode`) to an action. WhatsApp's `CB:failure`
 * hands its reason over as the status code (Baileys `Socket/socket.js`), with the failure node's
 * attributes as the error's `data`: bans (402) and outdated clients (405, 406, 409) arrive that way.
 */
export function decideOnClose(statusCode: number | undefined, data?: unknown, now = Date.now()): CloseAction {
  switch (statusCode) {
    case 402: {
      const ends = banEnds(data, now);
      return {
        action: 'stop',
        reason: 'temporarily banned',
        detail: `temporarily banned: WhatsApp suspended this number${
          ends ? ` until ${ends.toISOString()}` : ' (no end time given)'
        }; not reconnecting, restart the bot after that`,
      };
    }
    case 406:
      return {
        action: 'stop',
        reason: 'banned',
        detail: 'banned: WhatsApp refused this number (406); not reconnecting',
      };
    case 405:
    case 409:
      return {
        action: 'stop',
        reason: 'client outdated',
        detail: `client outdated (${statusCode}): WhatsApp refuses this client version; update @whiskeysockets/baileys and restart`,
      };
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

/** When a temporary ban ends, from the failure node's attributes (`expire`: unix seconds, or seconds from now). */
function banEnds(data: unknown, now: number): Date | undefined {
  if (!data || typeof data !== 'object') return undefined;
  const attrs = data as Record<string, unknown>;
  const raw = Number(attrs.expire ?? attrs.ban_expire ?? attrs.until);
  if (!Number.isFinite(raw) || raw <= 0) return undefined;
  return new Date(raw > 1e9 ? raw * 1000 : now + raw * 1000);
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

export interface ReconnectTimerOptions {
  readonly clock: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  readonly random: () => number;
  readonly backoff?: BackoffOptions;
  /** Makes the next connection attempt. */
  readonly connect: () => void;
}

/** The reconnect timer and the attempt count its backoff grows with. */
export class ReconnectTimer {
  /** Failed attempts since the last open connection. */
  attempt = 0;
  private timer: unknown;

  constructor(private readonly o: ReconnectTimerOptions) {}

  /** The next backoff delay; counts one more attempt. */
  nextDelay(): number {
    this.attempt++;
    return backoffDelay(this.attempt, { random: this.o.random, ...this.o.backoff });
  }

  /** One reconnect timer at most: a burst of closes never leads to overlapping sockets. */
  schedule(ms: number): void {
    if (this.timer !== undefined) return;
    this.timer = this.o.clock.setTimeout(() => {
      this.timer = undefined;
      this.o.connect();
    }, ms);
  }

  cancel(): void {
    if (this.timer !== undefined) this.o.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
