import type { Redis } from 'ioredis';
import type { InviteLink } from '../core/adapter.js';
import type { Platform } from '../core/types.js';

/** A chat an invite link belongs to. */
export interface ChatKey {
  readonly platform: Platform;
  readonly chatId: string;
}

export const chatKeyString = (c: ChatKey): string => `${c.platform}:${c.chatId}`;

/** An invite link as the bot remembers it. */
export interface StoredInvite extends InviteLink {
  readonly createdAt: Date;
  readonly createdBy?: string;
}

/** The invite links the bot created, per chat; Redis only (they must outlive a restart). */
export interface InviteStore {
  /** False when the chat already has a link with this name. */
  add(chat: ChatKey, invite: StoredInvite): Promise<boolean>;
  get(chat: ChatKey, name: string): Promise<StoredInvite | undefined>;
  list(chat: ChatKey): Promise<StoredInvite[]>;
  remove(chat: ChatKey, name: string): Promise<void>;
}

/** Joins per invite link, per chat. */
export interface JoinCounter {
  add(chat: ChatKey, link: string, members: number): Promise<void>;
  /** Joins per link in one chat, or in every chat when `chat` is undefined; most joins first. */
  counts(chat?: ChatKey): Promise<{ chat: string; link: string; count: number }[]>;
}

/** Joins that came without a link the platform could name. */
export const NO_LINK = '(no link named)';

type Json = Omit<StoredInvite, 'expiresAt' | 'createdAt'> & { expiresAt?: string; createdAt: string };

const toJson = (i: StoredInvite): string =>
  JSON.stringify({ ...i, expiresAt: i.expiresAt?.toISOString(), createdAt: i.createdAt.toISOString() });

const fromJson = (s: string): StoredInvite => {
  const j = JSON.parse(s) as Json;
  return {
    ...j,
    createdAt: new Date(j.createdAt),
    ...(j.expiresAt ? { expiresAt: new Date(j.expiresAt) } : {}),
  } as StoredInvite;
};

export function createRedisInviteStore(redis: Redis, prefix: string): InviteStore {
  const key = (c: ChatKey) => `${prefix}invites:${chatKeyString(c)}`;
  return {
    async add(chat, invite) {
      return (await redis.hsetnx(key(chat), invite.name, toJson(invite))) === 1;
    },
    async get(chat, name) {
      const s = await redis.hget(key(chat), name);
      return s ? fromJson(s) : undefined;
    },
    async list(chat) {
      const all = await redis.hgetall(key(chat));
      return Object.values(all)
        .map(fromJson)
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime());
    },
    async remove(chat, name) {
      await redis.hdel(key(chat), name);
    },
  };
}

/** Bounded: a link name is at most 32 characters and a chat has few links, but joins can name anything. */
const MAX_LINKS_PER_CHAT = 500;

export function createRedisJoinCounter(redis: Redis, prefix: string): JoinCounter {
  const key = (c: string) => `${prefix}joins:${c}`;
  const chats = `${prefix}joins-chats`;
  return {
    async add(chat, link, members) {
      const c = chatKeyString(chat);
      const k = key(c);
      const field = link.slice(0, 200);
      // A new field past the bound is folded into NO_LINK so a flood of odd names stays small.
      const known = (await redis.hexists(k, field)) === 1 || (await redis.hlen(k)) < MAX_LINKS_PER_CHAT;
      await redis
        .multi()
        .hincrby(k, known ? field : NO_LINK, members)
        .sadd(chats, c)
        .exec();
    },
    async counts(chat) {
      const list = chat ? [chatKeyString(chat)] : (await redis.smembers(chats)).slice(0, 1000);
      const rows: { chat: string; link: string; count: number }[] = [];
      for (const c of list) {
        for (const [link, count] of Object.entries(await redis.hgetall(key(c)))) {
          rows.push({ chat: c, link, count: Number(count) });
        }
      }
      return rows.sort((a, b) => b.count - a.count);
    },
  };
}

export function createMemoryJoinCounter(maxChats = 1_000): JoinCounter {
  const byChat = new Map<string, Map<string, number>>();
  return {
    async add(chat, link, members) {
      const c = chatKeyString(chat);
      let links = byChat.get(c);
      if (!links) {
        links = new Map();
        byChat.set(c, links);
        if (byChat.size > maxChats) byChat.delete(byChat.keys().next().value!);
      }
      const field = links.has(link) || links.size < MAX_LINKS_PER_CHAT ? link.slice(0, 200) : NO_LINK;
      links.set(field, (links.get(field) ?? 0) + members);
    },
    async counts(chat) {
      const entries = chat
        ? [[chatKeyString(chat), byChat.get(chatKeyString(chat)) ?? new Map<string, number>()] as const]
        : [...byChat.entries()];
      return entries
        .flatMap(([c, links]) => [...links.entries()].map(([link, count]) => ({ chat: c, link, count })))
        .sort((a, b) => b.count - a.count);
    },
  };
}
