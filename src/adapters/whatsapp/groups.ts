import { type BaileysEventMap, type GroupParticipant, WAMessageStubType } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { AdminError, DeliveryError, type PlatformAdmin } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import type { ChatRef, Incoming, Reply } from '../../core/types.js';
import { bounded } from './bounded.js';
import type { GroupCache } from './group-cache.js';
import type { Identity } from './identity.js';
import { choiceKey } from './inbound.js';
import type { Connection } from './lifecycle.js';
import type { Outbound } from './outbound.js';
import type { PacerClock } from './pacer.js';
import { isMe, personIds } from './to-incoming.js';
import type { ILogger, WhatsAppSocket } from './types.js';

export interface GroupsOptions {
  readonly router: Router;
  readonly redis: Redis;
  readonly prefix: string;
  readonly connection: Connection;
  readonly outbound: Outbound;
  readonly identity: Identity;
  readonly cache: GroupCache;
  readonly clock: PacerClock;
  readonly logger: ILogger;
  readonly redisTimeoutMs: number;
  /** Joins older than this (redelivered after downtime) are not welcomed; default a day. */
  readonly welcomeWindowMs: number;
  /** Sends replies in the adapter's way (pacing, priorities); false when a passing failure kept them. */
  readonly reply: (chatId: string, replies: readonly Reply[], choicesKey: string) => Promise<boolean>;
}

const ADD_STUBS = new Set<number>([
  WAMessageStubType.GROUP_PARTICIPANT_ADD,
  WAMessageStubType.GROUP_PARTICIPANT_INVITE,
  WAMessageStubType.GROUP_PARTICIPANT_ADD_REQUEST_JOIN,
]);

/**
 * Groups: joins (welcomes), join requests, invite links and admin checks. WhatsApp says when
 * someone joined only on the stub message that precedes `group-participants.update` (Baileys
 * `Utils/process-message.js`), so the stubs' times are noted to skip joins redelivered late.
 */
export class Groups {
  private readonly joinedAt = new Map<string, number>();

  constructor(private readonly o: GroupsOptions) {}

  /** Notes when participant stubs say people joined (from `messages.upsert`, before the join event). */
  noteStubs(messages: BaileysEventMap['messages.upsert']['messages']): void {
    for (const m of messages) {
      const group = m.key.remoteJid;
      if (!group || m.messageStubType == null || !ADD_STUBS.has(m.messageStubType)) continue;
      const at = Number(m.messageTimestamp ?? 0) * 1000;
      for (const raw of m.messageStubParameters ?? []) {
        try {
          const p = JSON.parse(raw) as { id?: string; lid?: string; phoneNumber?: string };
          for (const id of [p.id, p.lid, p.phoneNumber]) if (id) this.joinedAt.set(`${group}|${id}`, at);
        } catch {}
      }
      if (this.joinedAt.size > 10_000) this.joinedAt.delete(this.joinedAt.keys().next().value!);
    }
  }

  async onJoin(update: BaileysEventMap['group-participants.update']): Promise<void> {
    const participants = update.participants.map((p) =>
      typeof p === 'string' ? ({ id: p } as GroupParticipant) : p,
    );
    const self = this.o.connection.me();
    const fresh = participants.filter(
      (p) =>
        !isMe(self, p.id) && !isMe(self, p.lid) && !isMe(self, p.phoneNumber) && !this.isOld(update.id, p),
    );
    const members: { id: string; name?: string }[] = [];
    for (const p of fresh) {
      const ids = personIds(p.lid ?? p.id, p.phoneNumber ?? (p.lid ? p.id : undefined));
      const id = ids?.id ?? p.id;
      if (!(await this.firstWelcome(update.id, id))) continue;
      const name = p.notify ?? p.name;
      members.push({ id, ...(name ? { name } : {}) });
    }
    if (members.length === 0) return;
    const chat: ChatRef = { platform: 'whatsapp', chatId: update.id, chatType: 'group' };
    const author = personIds(update.author, update.authorPn) ?? { id: members[0]!.id };
    const incoming: Incoming = { kind: 'member_joined', chat, sender: author, members, raw: update };
    const replies = await this.o.router.handle(incoming);
    if (replies.length > 0) await this.o.reply(update.id, replies, choiceKey(chat));
  }

  private isOld(group: string, p: GroupParticipant): boolean {
    const at = [p.id, p.lid, p.phoneNumber]
      .map((id) => (id ? this.joinedAt.get(`${group}|${id}`) : undefined))
      .find((t) => t !== undefined);
    if (at === undefined || at === 0) return false;
    const old = this.o.clock.now() - at > this.o.welcomeWindowMs;
    if (old)
      this.o.logger.info(
        { group, member: p.id },
        'whatsapp: join older than the welcome window; not welcomed',
      );
    return old;
  }

  /** True the first time a member is welcomed to a group (kept in Redis: a restart does not welcome again). */
  private async firstWelcome(group: string, member: string): Promise<boolean> {
    const key = `${this.o.prefix}welcomed:${group}:${member}`;
    try {
      const ttlSeconds = Math.max(60, Math.ceil(this.o.welcomeWindowMs / 1000));
      const set = await bounded(
        this.o.redis.set(key, '1', 'EX', ttlSeconds, 'NX'),
        this.o.redisTimeoutMs,
        'a welcome',
      );
      return set === 'OK';
    } catch (err) {
      this.o.logger.warn({ err }, 'whatsapp: welcome not de-duplicated (Redis?)');
      return true;
    }
  }

  async onJoinRequest(update: BaileysEventMap['group.join-request']): Promise<void> {
    const person = personIds(update.participant, update.participantPn);
    if (!person) return;
    const sender = await this.o.identity.person(person);
    const chat: ChatRef = { platform: 'whatsapp', chatId: update.id, chatType: 'group' };
    const incoming: Incoming = { kind: 'join_request', chat, sender, raw: update };
    const replies = await this.o.router.handle(incoming);
    // The welcome is said in the group when the join arrives ('add'): saying it here too would
    // say it twice. Anything else goes privately, and only to someone who already wrote to the
    // bot: a first message to a stranger risks a 463 refusal and counts against the new-chat cap.
    const said = replies.filter((r) => r.kind !== 'welcome');
    if (said.length === 0) return;
    const to = sender.id;
    if (!(await this.o.outbound.isKnown(to))) {
      this.o.logger.info(
        { group: update.id, requester: to },
        'whatsapp: join request: no private message to someone who never wrote to the bot',
      );
      return;
    }
    await this.o.reply(to, said, to);
  }

  private async adminCall<T>(what: string, call: (s: WhatsAppSocket) => Promise<T>): Promise<T> {
    const s = this.o.connection.socket();
    try {
      return await call(s);
    } catch (err) {
      const e = this.o.outbound.classify(err);
      if (e.code === 'PERMANENT') {
        throw new AdminError(
          'needs_admin',
          'PERMANENT',
          `${what}: WhatsApp refused (is the bot an admin of the group?)`,
          undefined,
          err,
        );
      }
      throw new DeliveryError(e.code, `${what}: ${e.message}`, e.retryAfterMs, err);
    }
  }

  private async answer(chatId: string, userId: string, action: 'approve' | 'reject'): Promise<void> {
    const result = await this.adminCall(`${action} join request`, (s) =>
      s.groupRequestParticipantsUpdate(chatId, [userId], action),
    );
    const entry = result.find((r) => r.jid === userId) ?? (result.length === 1 ? result[0] : undefined);
    // Baileys answers [] when the query timed out: that is not a success.
    if (!entry)
      throw new DeliveryError(
        'TRANSIENT',
        `${action} join request: WhatsApp gave no answer for ${userId} (timed out?)`,
      );
    if (entry.status !== '200')
      throw new DeliveryError(
        'PERMANENT',
        `${action} join request: WhatsApp answered ${entry.status} for ${userId}`,
      );
  }

  readonly admin: PlatformAdmin = {
    createInvite: async (chatId, inviteOptions) => {
      const code = await this.adminCall('create invite link', (s) => s.groupInviteCode(chatId));
      // No code without an error: the query timed out (an admin check fails with an error instead).
      if (!code)
        throw new DeliveryError('TRANSIENT', 'create invite link: WhatsApp gave no answer (timed out?)');
      if (inviteOptions.expiresAt || inviteOptions.memberLimit || inviteOptions.approval !== undefined) {
        this.o.logger.info(
          { chat: chatId },
          'whatsapp: a group has one invite link: expiry, member limit and approval are not settable per link and were ignored',
        );
      }
      const meta = this.o.cache.peek(chatId);
      // No expiresAt / memberLimit: WhatsApp has no such settings per link. Approval is the group's setting.
      return {
        name: inviteOptions.name,
        url: `https://chat.whatsapp.com/${code}`,
        ...(meta?.joinApprovalMode !== undefined ? { approval: meta.joinApprovalMode } : {}),
      };
    },
    revokeInvite: async (chatId) => {
      await this.adminCall('revoke invite link', (s) => s.groupRevokeInvite(chatId));
    },
    approveJoinRequest: (chatId, userId) => this.answer(chatId, userId, 'approve'),
    declineJoinRequest: (chatId, userId) => this.answer(chatId, userId, 'reject'),
    isChatAdmin: (chatId, userId) => this.o.cache.isAdmin(chatId, userId),
  };
}
