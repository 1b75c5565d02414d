/**
 * Broadcast drafts: `/broadcast <text>` saves the text here and asks for a confirmation; only the
 * confirmation queues the post. Kept in Redis, so any replica can take the confirmation.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';

export interface BroadcastDraft {
  readonly id: string;
  readonly text: string;
  /** `platform:senderId` of the moderator who wrote it. */
  readonly by: string;
}

/** How long a draft waits for its confirmation. */
export const DRAFT_TTL_S = 30 * 60;

export class BroadcastDrafts {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
  ) {}

  private key = (id: string) => `${this.prefix}:draft:${id}`;
  private lastKey = (by: string) => `${this.prefix}:draft-last:${by}`;

  /**
   * Saves a draft. `requestId` (the command's message) makes the id stable, so a redelivered
   * `/broadcast` shows the same draft instead of making a second one.
   */
  async save(text: string, by: string, requestId?: string): Promise<BroadcastDraft> {
    const id = requestId
      ? createHash('sha256').update(requestId).digest('base64url').slice(0, 16)
      : randomBytes(12).toString('base64url');
    const draft: BroadcastDraft = { id, text, by };
    await this.client
      .multi()
      .set(this.key(id), JSON.stringify(draft), 'EX', DRAFT_TTL_S, 'NX')
      .set(this.lastKey(by), id, 'EX', DRAFT_TTL_S)
      .exec();
    return (await this.get(id)) ?? draft;
  }

  async get(id: string): Promise<BroadcastDraft | undefined> {
    if (!/^[\w-]{1,32}$/.test(id)) return undefined;
    const raw = await this.client.get(this.key(id));
    return raw ? (JSON.parse(raw) as BroadcastDraft) : undefined;
  }

  /** The moderator's newest draft still waiting. */
  async last(by: string): Promise<BroadcastDraft | undefined> {
    const id = await this.client.get(this.lastKey(by));
    return id ? this.get(id) : undefined;
  }

  /** Forgets a draft (cancelled); a confirmation already made is not undone. */
  async drop(draft: BroadcastDraft): Promise<void> {
    await this.client.del(this.key(draft.id), this.lastKey(draft.by));
  }
}
