/**
 * The community's chats: the ones configured (COMMUNITY_CHATS) and the ones a moderator registered
 * with /register. Only an admin of one of these chats gets a chat admin's rights (permissions.ts):
 * anyone can create a group and add the bot, and its admins must not act for the community.
 */
import type { Redis } from 'ioredis';
import { type CommunityChats, chatKeyOf } from '../core/permissions.js';
import type { ChatRef } from '../core/types.js';

export interface RegisteredChat {
  /** `platform:chatId`. */
  readonly key: string;
  readonly title?: string;
  /** From COMMUNITY_CHATS: /unregister cannot remove it. */
  readonly configured: boolean;
  readonly by?: string;
  readonly at?: Date;
}

export interface ChatRegistry extends CommunityChats {
  /** Adds a chat; false when it was known already. */
  register(chat: ChatRef, by: string, at: Date): Promise<boolean>;
  /** Removes a registered chat; false when it was not registered (or is configured). */
  unregister(chat: ChatRef): Promise<boolean>;
  isConfigured(chat: ChatRef): boolean;
  list(): Promise<RegisteredChat[]>;
}

interface Entry {
  title?: string;
  by: string;
  at: number;
}

/** Registered chats in a Redis hash (`<prefix>chats`), or in memory without Redis. */
export function createChatRegistry(options: {
  readonly configured?: readonly string[];
  readonly redis?: Redis;
  readonly prefix: string;
}): ChatRegistry {
  const configured = new Set(options.configured ?? []);
  const { redis } = options;
  const key = `${options.prefix}chats`;
  const memory = new Map<string, Entry>();
  const store = {
    get: async (field: string) =>
      redis ? ((await redis.hget(key, field)) ?? undefined) : memory.has(field) ? '1' : undefined,
    add: async (field: string, entry: Entry) =>
      redis
        ? (await redis.hsetnx(key, field, JSON.stringify(entry))) === 1
        : !memory.has(field) && Boolean(memory.set(field, entry)),
    remove: async (field: string) => (redis ? (await redis.hdel(key, field)) === 1 : memory.delete(field)),
    all: async (): Promise<[string, Entry][]> =>
      redis
        ? Object.entries(await redis.hgetall(key)).map(([f, v]) => [f, JSON.parse(v) as Entry])
        : [...memory.entries()],
  };
  return {
    isConfigured: (chat) => configured.has(chatKeyOf(chat)),
    async isCommunityChat(chat) {
      const k = chatKeyOf(chat);
      return configured.has(k) || (await store.get(k)) !== undefined;
    },
    async register(chat, by, at) {
      if (configured.has(chatKeyOf(chat))) return false;
      return store.add(chatKeyOf(chat), {
        ...(chat.title ? { title: chat.title } : {}),
        by,
        at: at.getTime(),
      });
    },
    async unregister(chat) {
      if (configured.has(chatKeyOf(chat))) return false;
      return store.remove(chatKeyOf(chat));
    },
    async list() {
      const registered = (await store.all()).map(
        ([k, e]): RegisteredChat => ({
          key: k,
          ...(e.title ? { title: e.title } : {}),
          configured: false,
          by: e.by,
          at: new Date(e.at),
        }),
      );
      return [...[...configured].map((k) => ({ key: k, configured: true })), ...registered];
    },
  };
}
