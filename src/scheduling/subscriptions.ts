import type { Redis } from 'ioredis';
import type { ChatRef, ChatType, Platform } from '../core/types.js';

/** A chat that receives tips and broadcasts. */
export interface Subscriber {
  readonly platform: Platform;
  readonly chatId: string;
  readonly chatType: ChatType;
}

const PLATFORMS: readonly Platform[] = ['telegram', 'whatsapp', 'console'];

/**
 * The audience, kept in Redis: one hash, field `platform:chatId`, value the chat type.
 * Chat ids may contain `:` themselves (never the platform), so only the first one splits.
 */
export class Subscriptions {
  private readonly key: string;
  constructor(
    private readonly client: Redis,
    prefix: string,
  ) {
    this.key = `${prefix}:subs`;
  }

  /** Returns false when the chat was subscribed already. */
  async add(chat: Pick<ChatRef, 'platform' | 'chatId' | 'chatType'>): Promise<boolean> {
    return (await this.client.hset(this.key, `${chat.platform}:${chat.chatId}`, chat.chatType)) === 1;
  }

  /** Returns false when the chat was not subscribed. */
  async remove(chat: Pick<ChatRef, 'platform' | 'chatId'>): Promise<boolean> {
    return (await this.client.hdel(this.key, `${chat.platform}:${chat.chatId}`)) === 1;
  }

  /**
   * Moves a subscription to a chat's new id (a WhatsApp private chat now known by its LID).
   * Returns false when `from` was not subscribed.
   */
  async move(platform: Platform, from: string, to: string): Promise<boolean> {
    const type = await this.client.hget(this.key, `${platform}:${from}`);
    if (type === null) return false;
    await this.client
      .multi()
      .hset(this.key, `${platform}:${to}`, type)
      .hdel(this.key, `${platform}:${from}`)
      .exec();
    return true;
  }

  async has(chat: Pick<ChatRef, 'platform' | 'chatId'>): Promise<boolean> {
    return (await this.client.hexists(this.key, `${chat.platform}:${chat.chatId}`)) === 1;
  }

  async count(): Promise<Record<Platform, number>> {
    const counts = { telegram: 0, whatsapp: 0, console: 0 };
    for await (const batch of this.batches()) for (const s of batch) counts[s.platform]++;
    return counts;
  }

  /** Every subscriber, in batches (HSCAN: no long block on a big audience). */
  async *batches(size = 500): AsyncGenerator<Subscriber[]> {
    let cursor = '0';
    do {
      const [next, flat] = await this.client.hscan(this.key, cursor, 'COUNT', size);
      cursor = next;
      const batch: Subscriber[] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) {
        const field = flat[i]!;
        const cut = field.indexOf(':');
        const platform = field.slice(0, cut) as Platform;
        if (!PLATFORMS.includes(platform)) continue;
        batch.push({
          platform,
          chatId: field.slice(cut + 1),
          chatType: flat[i + 1] === 'group' ? 'group' : 'private',
        });
      }
      if (batch.length > 0) yield batch;
    } while (cursor !== '0');
  }
}
