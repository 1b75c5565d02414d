/**
 * Spaces out outgoing WhatsApp messages: a minimum gap per chat, a minimum gap between any two
 * messages, and a slower rate for bulk sends (tips, broadcasts), each lengthened by random jitter,
 * because WhatsApp bans numbers that send fast or in regular bursts. Replies to a member go before
 * bulk sends that are waiting.
 */

/** Time source and timers; tests pass a fake one. */
export interface PacerClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemClock: PacerClock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return t;
  },
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/**
 * `urgent` (a safety reply) goes first and is never held by any gap or pause: an emergency answer
 * must not wait behind chatter. `reply` (to a member) goes before `bulk` (tips, broadcasts).
 */
export type SendPriority = 'urgent' | 'reply' | 'bulk';

export interface PacerOptions {
  /** Minimum gap between two messages to the same chat. */
  readonly chatGapMs: number;
  /** Minimum gap between any two messages. */
  readonly globalGapMs: number;
  /** Bulk sends per minute over all chats; spread evenly (60000 / n ms apart). */
  readonly bulkPerMinute: number;
  /** Each gap is lengthened by up to this fraction, at random (0.3: up to 30% longer). */
  readonly jitter?: number;
  readonly clock?: PacerClock;
  readonly random?: () => number;
}

/** Thrown to waiters when the pacer is closed (the adapter is stopping). */
export class PacerClosedError extends Error {
  readonly code = 'PACER_CLOSED';
  constructor() {
    super('WhatsApp sending stopped');
    this.name = 'PacerClosedError';
  }
}

interface Waiter {
  readonly chatId: string;
  readonly priority: SendPriority;
  readonly seq: number;
  resolve(): void;
  reject(err: Error): void;
}

export class Pacer {
  private readonly clock: PacerClock;
  private readonly random: () => number;
  private readonly jitter: number;
  private readonly bulkGapMs: number;
  private readonly waiters: Waiter[] = [];
  private readonly chatNext = new Map<string, number>();
  private globalNext = 0;
  private bulkNext = 0;
  private seq = 0;
  private timer: unknown;
  private closed = false;

  constructor(private readonly options: PacerOptions) {
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.jitter = options.jitter ?? 0.3;
    this.bulkGapMs = 60_000 / options.bulkPerMinute;
  }

  /** Resolves when a message to `chatId` may go out now; the caller sends right away. */
  acquire(chatId: string, priority: SendPriority): Promise<void> {
    if (this.closed) return Promise.reject(new PacerClosedError());
    return new Promise<void>((resolve, reject) => {
      this.waiters.push({ chatId, priority, seq: this.seq++, resolve, reject });
      // The newcomer may be able to go sooner than whatever the timer waits for.
      this.reschedule();
    });
  }

  /** WhatsApp said "too many": nothing goes out for `ms`. */
  pause(ms: number): void {
    this.globalNext = Math.max(this.globalNext, this.clock.now() + ms);
    this.reschedule();
  }

  /** How many sends are waiting (for status and tests). */
  get waiting(): number {
    return this.waiters.length;
  }

  /** Rejects every waiter and stops the timer. */
  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    for (const w of this.waiters.splice(0)) w.reject(new PacerClosedError());
  }

  private readyAt(w: Waiter): number {
    if (w.priority === 'urgent') return 0;
    const chat = this.chatNext.get(w.chatId) ?? 0;
    return Math.max(this.globalNext, chat, w.priority === 'bulk' ? this.bulkNext : 0);
  }

  /** The next waiter to go: replies first, unless a bulk send can go without delaying any reply. */
  private pick(): { waiter: Waiter; at: number } | undefined {
    const urgent = this.waiters.find((w) => w.priority === 'urgent');
    if (urgent) return { waiter: urgent, at: 0 };
    let reply: { waiter: Waiter; at: number } | undefined;
    let bulk: { waiter: Waiter; at: number } | undefined;
    for (const w of this.waiters) {
      const at = this.readyAt(w);
      const best = w.priority === 'reply' ? reply : bulk;
      if (w.priority === 'urgent') continue;
      if (!best || at < best.at || (at === best.at && w.seq < best.waiter.seq)) {
        if (w.priority === 'reply') reply = { waiter: w, at };
        else bulk = { waiter: w, at };
      }
    }
    if (!reply) return bulk;
    if (!bulk) return reply;
    // A bulk send pushes the global gap forward: let it go only if the reply could not go before then anyway.
    return bulk.at + this.options.globalGapMs * (1 + this.jitter) <= reply.at ? bulk : reply;
  }

  private gap(ms: number): number {
    return ms * (1 + this.jitter * this.random());
  }

  private reschedule(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.pump();
  }

  private pump(): void {
    if (this.timer !== undefined || this.closed) return;
    for (;;) {
      const next = this.pick();
      if (!next) return;
      const now = this.clock.now();
      if (next.at > now) {
        this.timer = this.clock.setTimeout(() => {
          this.timer = undefined;
          this.pump();
        }, next.at - now);
        return;
      }
      const { waiter } = next;
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      this.globalNext = now + this.gap(this.options.globalGapMs);
      this.chatNext.set(waiter.chatId, now + this.gap(this.options.chatGapMs));
      if (waiter.priority === 'bulk') this.bulkNext = now + this.gap(this.bulkGapMs);
      this.forgetOldChats(now);
      waiter.resolve();
    }
  }

  /** Keeps the per-chat map small: entries in the past constrain nothing. */
  private forgetOldChats(now: number): void {
    if (this.chatNext.size < 1_000) return;
    for (const [chat, at] of this.chatNext) if (at <= now) this.chatNext.delete(chat);
  }
}
