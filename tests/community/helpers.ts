import path from 'node:path';
import type { Clock } from '../../src/community/clock.js';
import { createContentStore } from '../../src/content/store.js';
import type { Adapter, InviteLink, InviteOptions, PlatformAdmin } from '../../src/core/adapter.js';
import type { ContentSource } from '../../src/core/ports.js';
import { plainText } from '../../src/core/text.js';
import type { ChatRef, Incoming, Platform, Reply, Sender } from '../../src/core/types.js';

let loaded: Promise<ContentSource> | undefined;
/** The community's real content, loaded once per test file (it is read-only here). */
export const loadTestContent = (): Promise<ContentSource> => {
  loaded ??= createContentStore(path.resolve('content'), {
    WHATSAPP_COMMUNITY_URL: 'https://chat.whatsapp.com/community-test',
    COMMUNITY_GROUP_URL: 'https://t.me/+FibroFriendsGroup',
  });
  return loaded;
};

/** A clock whose time only moves when the test says so. */
export class FakeClock implements Clock {
  private t: number;
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(start = Date.parse('2025-03-01T10:00:00Z')) {
    this.t = start;
  }
  now = () => this.t;
  setTimeout = (fn: () => void, ms: number) => {
    const id = this.nextId++;
    this.timers.push({ at: this.t + ms, fn, id });
    return id;
  };
  clearTimeout = (handle: unknown) => {
    this.timers = this.timers.filter((x) => x.id !== handle);
  };
  /** Moves time on, firing due timers in order, and lets their promises settle. */
  async advance(ms: number): Promise<void> {
    const until = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = due.at;
      due.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.t = until;
    await new Promise((r) => setImmediate(r));
  }
}

export type AdminCall =
  | { op: 'createInvite'; chatId: string; options: InviteOptions }
  | { op: 'revokeInvite'; chatId: string; link: InviteLink }
  | { op: 'approve' | 'decline'; chatId: string; userId: string };

/** An adapter at the port: records what community management asks of the platform. */
export class FakeAdapter implements Adapter {
  readonly calls: AdminCall[] = [];
  readonly sent: { chatId: string; replies: readonly Reply[] }[] = [];
  failCreate?: Error;
  private waiters: (() => void)[] = [];
  constructor(
    readonly platform: Platform,
    /** WhatsApp-like: one link per group, no expiry, no limit. */
    private readonly simpleLinks = platform === 'whatsapp',
  ) {}
  readonly admin: PlatformAdmin = {
    createInvite: async (chatId, options) => {
      if (this.failCreate) throw this.failCreate;
      this.record({ op: 'createInvite', chatId, options });
      if (this.simpleLinks) return { name: options.name, url: 'https://chat.whatsapp.com/AbCdEf123' };
      return { ...options, url: `https://t.me/+${options.name}-${this.calls.length}` };
    },
    revokeInvite: async (chatId, link) => this.record({ op: 'revokeInvite', chatId, link }),
    approveJoinRequest: async (chatId, userId) => this.record({ op: 'approve', chatId, userId }),
    declineJoinRequest: async (chatId, userId) => this.record({ op: 'decline', chatId, userId }),
    isChatAdmin: async () => false,
  };
  private record(call: AdminCall) {
    this.calls.push(call);
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves once a call matching `test` was made (real time: BullMQ's delayed jobs). */
  async waitFor(test: (c: AdminCall) => boolean, timeoutMs = 20_000): Promise<AdminCall> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.calls.find(test);
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(`no such admin call; calls were ${JSON.stringify(this.calls)}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 100);
      });
    }
  }
  async start() {}
  async stop() {}
  async send(chatId: string, replies: readonly Reply[]) {
    this.sent.push({ chatId, replies });
  }
  status() {
    return { connected: true };
  }
}

export const TELEGRAM_GROUP: ChatRef = {
  platform: 'telegram',
  chatId: '-1001234567890',
  chatType: 'group',
  title: 'Fibro friends',
};
export const WHATSAPP_GROUP: ChatRef = {
  platform: 'whatsapp',
  chatId: '120363012345678901@g.us',
  chatType: 'group',
};
export const CONSOLE_GROUP: ChatRef = { platform: 'console', chatId: 'local-group', chatType: 'group' };
export const privateChat = (platform: Platform, userId: string): ChatRef => ({
  platform,
  chatId: userId,
  chatType: 'private',
});

/** A member (not a moderator) as each adapter describes one. */
export const MEMBERS: Record<Platform, Sender> = {
  telegram: { id: '4242', name: 'Ana', isChatAdmin: false },
  whatsapp: {
    id: '123456789012345@lid',
    altId: '15557654321@s.whatsapp.net',
    name: 'Ben',
    isChatAdmin: false,
  },
  console: { id: 'someone', name: 'Someone', isLocalOperator: false },
};
export const GROUPS: Record<Platform, ChatRef> = {
  telegram: TELEGRAM_GROUP,
  whatsapp: WHATSAPP_GROUP,
  console: CONSOLE_GROUP,
};
export const ADMIN: Sender = { id: '1', name: 'Mod', isChatAdmin: true };

export const command = (chat: ChatRef, sender: Sender, text: string): Incoming => {
  const [, name, args] = /^\/(\S+)\s*([\s\S]*)$/.exec(text)!;
  return { kind: 'command', chat, sender, command: name!.toLowerCase(), args: args!.trim(), addressed: true };
};
export const textFrom = (chat: ChatRef, sender: Sender, text: string, addressed = true): Incoming => ({
  kind: 'text',
  chat,
  sender,
  text,
  addressed,
});
export const press = (chat: ChatRef, sender: Sender, data: string): Incoming => ({
  kind: 'press',
  chat,
  sender,
  data,
});

export const texts = (replies: readonly Reply[]) => replies.map(plainText).join('\n---\n');

let n = 0;
/** A fresh key prefix / queue name per test. */
export const fresh = (what: string) => `t${process.pid}-${Date.now().toString(36)}-${++n}-${what}`;

import type { ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { type Community, type CommunityOptions, createCommunity } from '../../src/community/index.js';
import type { Command } from '../../src/core/ports.js';
import { createRouter, type Router } from '../../src/core/router.js';

export interface TestBot {
  readonly router: Router;
  readonly community: Community;
  readonly adapters: Record<Platform, FakeAdapter>;
  readonly clock: FakeClock;
}

/** The router with community management wired in, the way main.ts does it, on fake adapters. */
export async function makeBot(
  options: {
    redis?: Redis;
    connection?: ConnectionOptions;
    prefix?: string;
    queueName?: string;
    clock?: FakeClock;
    moderators?: string[];
    extraCommands?: readonly Command[];
    adapters?: Record<Platform, FakeAdapter>;
    content?: ContentSource;
    communityChats?: string[];
  } & Partial<
    Pick<
      CommunityOptions,
      | 'joinRequestTimeoutMs'
      | 'whatsappAutoApprove'
      | 'flood'
      | 'welcomeWindowMs'
      | 'subscribers'
      | 'storeWaitMs'
    >
  > = {},
): Promise<TestBot> {
  const content = options.content ?? (await loadTestContent());
  const clock = options.clock ?? new FakeClock();
  const adapters = options.adapters ?? {
    telegram: new FakeAdapter('telegram'),
    whatsapp: new FakeAdapter('whatsapp'),
    console: new FakeAdapter('console'),
  };
  const community = createCommunity({
    content,
    adapters: (p) => (p === 'console' ? undefined : adapters[p]),
    ...(options.redis ? { redis: options.redis } : {}),
    ...(options.connection ? { connection: options.connection } : {}),
    prefix: options.prefix ?? `${fresh('community')}:`,
    queueName: options.queueName ?? fresh('joinreq'),
    joinRequestTimeoutMs: options.joinRequestTimeoutMs ?? 60 * 60 * 1000,
    whatsappAutoApprove: options.whatsappAutoApprove ?? false,
    flood: options.flood ?? { max: 1000, windowMs: 30_000 },
    welcomeWindowMs: options.welcomeWindowMs ?? 10_000,
    ...(options.subscribers ? { subscribers: options.subscribers } : {}),
    ...(options.storeWaitMs ? { storeWaitMs: options.storeWaitMs } : {}),
    // The test groups are the community's own (COMMUNITY_CHATS): their admins manage them.
    communityChats: options.communityChats ?? Object.values(GROUPS).map((g) => `${g.platform}:${g.chatId}`),
    clock,
  });
  const router = createRouter({
    content,
    moderators: new Set(options.moderators ?? []),
    ...community.routerOptions,
    commands: [...(community.routerOptions.commands ?? []), ...(options.extraCommands ?? [])],
    clock: () => new Date(clock.now()),
  });
  return { router, community, adapters, clock };
}
