/**
 * Chat administration on Telegram: who administers which chat (cached), invite links, join
 * requests, and the membership updates (joins, admin changes, the bot's own membership).
 */
import type { Api, Composer, Context } from 'grammy';
import type { Message } from 'grammy/types';
import { AdminError, type InviteLink, type InviteOptions, type PlatformAdmin } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import { describeError, toAdminError } from './errors.js';
import { sendLater } from './lanes.js';
import type { TelegramOutbound } from './outbound.js';
import {
  type BotIdentity,
  changesAdmin,
  chatRef,
  inviteLinkName,
  isJoin,
  joinedMember,
  messageSender,
  senderOf,
} from './to-incoming.js';
import type { TelegramLogger } from './types.js';

const ADMIN_TTL_MS = 5 * 60_000;
/** A failed lookup (bot not admin, emulator) is retried sooner than a good answer expires. */
const FAILED_TTL_MS = 60_000;
const MAX_CHATS = 5_000;

/** Who administers which chat, from `getChatAdministrators`, cached per chat for about five minutes. */
export class AdminCache {
  private readonly chats = new Map<string, { admins: ReadonlySet<string>; until: number }>();
  private readonly pending = new Map<string, Promise<ReadonlySet<string>>>();

  constructor(
    private readonly api: () => Api,
    private readonly logger: TelegramLogger,
    private readonly clock: () => number = Date.now,
  ) {}

  async isAdmin(chatId: string, userId: string): Promise<boolean> {
    return (await this.admins(chatId)).has(userId);
  }

  /** Forget a chat's admins (a member update changed them). */
  invalidate(chatId: string): void {
    this.chats.delete(chatId);
  }

  private admins(chatId: string): Promise<ReadonlySet<string>> {
    const cached = this.chats.get(chatId);
    if (cached && cached.until > this.clock()) return Promise.resolve(cached.admins);
    let lookup = this.pending.get(chatId);
    if (!lookup) {
      lookup = this.fetch(chatId).finally(() => this.pending.delete(chatId));
      this.pending.set(chatId, lookup);
    }
    return lookup;
  }

  private async fetch(chatId: string): Promise<ReadonlySet<string>> {
    let admins: ReadonlySet<string>;
    let ttl = ADMIN_TTL_MS;
    try {
      const list = await this.api().getChatAdministrators(chatId);
      admins = new Set(list.map((m) => String(m.user.id)));
    } catch (err) {
      // Not an admin ourselves, or a Bot API server without this method: nobody counts as admin.
      this.logger.debug({ chatId, error: describeError(err) }, 'telegram: could not read chat admins');
      admins = new Set();
      ttl = FAILED_TTL_MS;
    }
    this.chats.delete(chatId);
    this.chats.set(chatId, { admins, until: this.clock() + ttl });
    if (this.chats.size > MAX_CHATS) this.chats.delete(this.chats.keys().next().value!);
    return admins;
  }
}

const invalid = (hint: string) => new AdminError('invalid', 'PERMANENT', hint, hint);

/** Invite links, join requests and admin checks on Telegram (the bot must be an admin of the group). */
export function createTelegramAdmin(api: () => Api, admins: AdminCache): PlatformAdmin {
  const call = async <T>(chatId: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (err) {
      throw toAdminError(err, chatId);
    }
  };
  return {
    async createInvite(chatId: string, options: InviteOptions): Promise<InviteLink> {
      if (options.approval && options.memberLimit !== undefined) {
        throw invalid(
          'Telegram cannot combine a member limit with join approval on one invite link: drop the limit or the approval.',
        );
      }
      if (options.memberLimit !== undefined && (options.memberLimit < 1 || options.memberLimit > 99_999)) {
        throw invalid('A Telegram invite link member limit must be between 1 and 99999.');
      }
      const link = await call(chatId, () =>
        api().createChatInviteLink(chatId, {
          name: options.name.slice(0, 32),
          ...(options.expiresAt ? { expire_date: Math.floor(options.expiresAt.getTime() / 1000) } : {}),
          ...(options.memberLimit !== undefined ? { member_limit: options.memberLimit } : {}),
          ...(options.approval ? { creates_join_request: true } : {}),
        }),
      );
      return {
        name: link.name ?? options.name,
        url: link.invite_link,
        ...(link.expire_date ? { expiresAt: new Date(link.expire_date * 1000) } : {}),
        ...(link.member_limit ? { memberLimit: link.member_limit } : {}),
        ...(link.creates_join_request ? { approval: true } : {}),
      };
    },
    async revokeInvite(chatId, link) {
      await call(chatId, () => api().revokeChatInviteLink(chatId, link.url));
    },
    async approveJoinRequest(chatId, userId) {
      await call(chatId, () => api().approveChatJoinRequest(chatId, Number(userId)));
    },
    async declineJoinRequest(chatId, userId) {
      await call(chatId, () => api().declineChatJoinRequest(chatId, Number(userId)));
    },
    isChatAdmin: (chatId, userId) => admins.isAdmin(chatId, userId),
  };
}

/** chat_member and the service message both report one join: this answers "first report?" once. */
export class JoinDedup {
  private readonly recent = new Map<string, number>();

  constructor(
    private readonly windowMs: number,
    private readonly clock: () => number = Date.now,
  ) {}

  first(chatId: string, userId: string): boolean {
    const now = this.clock();
    if (this.recent.size > 1_000) {
      for (const [k, at] of this.recent) if (now - at > this.windowMs) this.recent.delete(k);
    }
    const key = `${chatId}:${userId}`;
    const seen = this.recent.get(key);
    if (seen !== undefined && now - seen <= this.windowMs) return false;
    this.recent.set(key, now);
    return true;
  }
}

export interface MembershipDeps {
  readonly router: Router;
  readonly logger: TelegramLogger;
  readonly identity: () => BotIdentity;
  readonly admins: AdminCache;
  readonly joins: JoinDedup;
  readonly outbound: TelegramOutbound;
}

/**
 * Installs the handlers for joins (service messages and `chat_member`), admin changes, the
 * bot's own membership and join requests. Install it before the conversation handlers: it
 * takes the join service messages, which are not conversation.
 */
export function installMembership(updates: Composer<Context>, deps: MembershipDeps): void {
  const { router, logger, identity, admins, joins, outbound } = deps;

  updates.on('message:new_chat_members', (ctx) => onServiceJoin(ctx, ctx.message));

  async function onServiceJoin(ctx: Context, msg: Message): Promise<void> {
    const chatId = String(msg.chat.id);
    const members = (msg.new_chat_members ?? [])
      .filter((u) => !u.is_bot && u.id !== identity().id)
      .filter((u) => joins.first(chatId, String(u.id)));
    if (members.length === 0) return;
    const sender = messageSender(msg);
    const replies = await router.handle({
      kind: 'member_joined',
      chat: chatRef(msg.chat),
      sender: sender ?? senderOf(msg.new_chat_members![0]!),
      members: members.map(joinedMember),
      raw: msg,
    });
    if (replies.length > 0) sendLater(ctx, outbound.deliver(ctx.api, { chatId }, replies));
  }

  updates.on('chat_member', async (ctx) => {
    const update = ctx.chatMember;
    const chatId = String(update.chat.id);
    if (changesAdmin(update.old_chat_member, update.new_chat_member)) admins.invalidate(chatId);
    if (!isJoin(update.old_chat_member, update.new_chat_member)) return;
    const user = update.new_chat_member.user;
    if (user.is_bot || user.id === identity().id || !joins.first(chatId, String(user.id))) return;
    const inviteLink = inviteLinkName(update.invite_link);
    const replies = await router.handle({
      kind: 'member_joined',
      chat: chatRef(update.chat),
      sender: senderOf(update.from),
      members: [joinedMember(user)],
      ...(inviteLink ? { inviteLink } : {}),
      raw: update,
    });
    if (replies.length > 0) sendLater(ctx, outbound.deliver(ctx.api, { chatId }, replies));
  });

  updates.on('my_chat_member', (ctx) => {
    const update = ctx.myChatMember;
    admins.invalidate(String(update.chat.id));
    logger.info(
      { chatId: update.chat.id, from: update.old_chat_member.status, to: update.new_chat_member.status },
      'telegram: the bot membership changed',
    );
  });

  updates.on('chat_join_request', async (ctx) => {
    const request = ctx.chatJoinRequest;
    const inviteLink = inviteLinkName(request.invite_link);
    const replies = await router.handle({
      kind: 'join_request',
      chat: chatRef(request.chat),
      sender: senderOf(request.from),
      ...(inviteLink ? { inviteLink } : {}),
      raw: request,
    });
    // The group must not see a requester's conversation: answers go to the requester privately.
    if (replies.length > 0)
      sendLater(ctx, outbound.deliver(ctx.api, { chatId: String(request.user_chat_id) }, replies));
  });
}
