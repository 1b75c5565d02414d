import type { Button } from '../../core/types.js';

/**
 * The numbered choices last offered in each chat, so that a member's "2" can be turned into the
 * press it stands for. Choices expire: a stale "2" an hour later must not open anything. Bounded.
 */
export class PendingChoices {
  private readonly byKey = new Map<string, { choices: readonly Button[]; expiresAt: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly now: () => number,
    private readonly max = 10_000,
  ) {}

  /** Remembers (or, with no choices, forgets) what `key` was offered just now. */
  offer(key: string, choices: readonly Button[]): void {
    this.byKey.delete(key);
    if (choices.length === 0) return;
    this.byKey.set(key, { choices, expiresAt: this.now() + this.ttlMs });
    if (this.byKey.size > this.max) this.byKey.delete(this.byKey.keys().next().value!);
  }

  /** The button behind a 1-based number, if it was offered to `key` and has not expired. */
  pick(key: string, number: number): Button | undefined {
    const entry = this.byKey.get(key);
    if (!entry) return undefined;
    if (this.now() >= entry.expiresAt) {
      this.byKey.delete(key);
      return undefined;
    }
    return entry.choices[number - 1];
  }

  /** Whether `key` has choices that are still open. */
  has(key: string): boolean {
    const entry = this.byKey.get(key);
    return entry !== undefined && this.now() < entry.expiresAt;
  }

  /** Moves what `from` was offered to `to` (a private chat that got its stable id). */
  move(from: string, to: string): void {
    const entry = this.byKey.get(from);
    if (!entry) return;
    this.byKey.delete(from);
    this.byKey.set(to, entry);
  }
}
