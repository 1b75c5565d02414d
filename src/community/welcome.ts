import type { ContentSource } from '../core/ports.js';
import type { ChatRef, JoinedMember, Platform, Reply } from '../core/types.js';
import { type Clock, systemClock } from './clock.js';
import { type CommunityLogger, silentLogger } from './logger.js';
import { communityWelcome, joinNames } from './replies.js';

export type SendTo = (platform: Platform, chatId: string, replies: readonly Reply[]) => Promise<void>;

export interface WelcomeBatcherOptions {
  readonly content: ContentSource;
  readonly send: SendTo;
  /** Joins within this long after the first one share one welcome. */
  readonly windowMs: number;
  readonly clock?: Clock;
  readonly logger?: CommunityLogger;
  /** Names written out in one welcome; the rest are "and N others". */
  readonly maxNames?: number;
}

export interface WelcomeBatcher {
  add(chat: ChatRef, members: readonly JoinedMember[]): void;
  /** Sends every pending welcome now (shutdown). */
  flush(): Promise<void>;
  /** Chats with a welcome waiting for its window to close. */
  pending(): number;
}

/**
 * Collects joins per chat and sends one welcome per window: a raid or a big campaign
 * gets one message naming everyone, not one message per person.
 */
export function createWelcomeBatcher(options: WelcomeBatcherOptions): WelcomeBatcher {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const maxNames = options.maxNames ?? 20;
  const batches = new Map<string, { chat: ChatRef; members: Map<string, JoinedMember>; timer: unknown }>();

  async function send(key: string): Promise<void> {
    const batch = batches.get(key);
    if (!batch) return;
    batches.delete(key);
    clock.clearTimeout(batch.timer);
    const members = [...batch.members.values()];
    const names = members.map((m) => m.name?.trim()).filter((n): n is string => Boolean(n));
    const reply = communityWelcome(
      options.content.current().content,
      joinNames(names, members.length - names.length, maxNames),
    );
    try {
      await options.send(batch.chat.platform, batch.chat.chatId, [reply]);
    } catch (err) {
      logger.warn({ err, chat: batch.chat, members: members.length }, 'welcome could not be sent');
    }
  }

  return {
    add(chat, members) {
      if (members.length === 0) return;
      const key = `${chat.platform}:${chat.chatId}`;
      let batch = batches.get(key);
      if (!batch) {
        batch = { chat, members: new Map(), timer: clock.setTimeout(() => void send(key), options.windowMs) };
        batches.set(key, batch);
      }
      // A raid can be thousands: keep enough to name people and count the rest.
      for (const m of members) {
        if (batch.members.size < 10_000) batch.members.set(m.id, m);
      }
    },
    async flush() {
      await Promise.all([...batches.keys()].map(send));
    },
    pending: () => batches.size,
  };
}
