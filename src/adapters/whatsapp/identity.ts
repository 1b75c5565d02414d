import { isLidUser, isPnUser, jidNormalizedUser } from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { bounded } from './bounded.js';
import type { ILogger, LidLookup } from './types.js';

export interface IdentityOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly logger: ILogger;
  readonly redisTimeoutMs: number;
  /** The socket's LID store, when a socket exists. */
  readonly lookup: () => LidLookup | undefined;
  /**
   * The router's moderator set (`whatsapp:<digits>` entries). LID aliases (`whatsapp:<lid>`) are
   * added to it, so a moderator is recognised where WhatsApp hides the number.
   */
  readonly moderators?: Set<string>;
  /** A private chat got its stable id: move what is stored under the old one (subscriptions ...). */
  readonly onChatMoved?: (from: string, to: string) => Promise<void> | void;
}

const norm = (jid: string) => jidNormalizedUser(jid) || jid;

/**
 * People in the LID era. WhatsApp names a person by phone JID or by LID, and says the other only
 * sometimes (`key.participantAlt` / `remoteJidAlt`). This keeps one id per person (the LID when
 * known), fills in the phone number from Baileys' LID store, and keeps moderators recognisable.
 */
export class Identity {
  /** LID -> phone JID and back, as learnt from messages and `lid-mapping.update`. */
  private readonly pnOf = new Map<string, string>();
  private readonly lidOf = new Map<string, string>();

  constructor(private readonly o: IdentityOptions) {}

  /** A pair seen together (an alt id on a message, `lid-mapping.update`). */
  learn(a: string | null | undefined, b: string | null | undefined): void {
    if (!a || !b) return;
    const [lid, pn] = isLidUser(a) ? [norm(a), norm(b)] : [norm(b), norm(a)];
    if (!isLidUser(lid) || !isPnUser(pn)) return;
    if (this.pnOf.size > 50_000) {
      this.pnOf.clear();
      this.lidOf.clear();
    }
    this.pnOf.set(lid, pn);
    this.lidOf.set(pn, lid);
    this.addModeratorAlias(pn, lid);
  }

  private async lidFor(pn: string): Promise<string | undefined> {
    const known = this.lidOf.get(pn);
    if (known) return known;
    const found = await this.o
      .lookup()
      ?.getLIDForPN(pn)
      .catch(() => null);
    if (found) this.learn(found, pn);
    return found ? norm(found) : undefined;
  }

  private async pnFor(lid: string): Promise<string | undefined> {
    const known = this.pnOf.get(lid);
    if (known) return known;
    const found = await this.o
      .lookup()
      ?.getPNForLID(lid)
      .catch(() => null);
    if (found) this.learn(lid, found);
    return found ? norm(found) : undefined;
  }

  /** A person's ids, LID first with the phone JID beside it, filling in what the message left out. */
  async person(who: { id: string; altId?: string }): Promise<{ id: string; altId?: string }> {
    if (who.altId) {
      this.learn(who.id, who.altId);
      return who;
    }
    if (isLidUser(who.id)) {
      const pn = await this.pnFor(who.id);
      return pn ? { id: who.id, altId: pn } : who;
    }
    if (isPnUser(who.id)) {
      const lid = await this.lidFor(who.id);
      return lid ? { id: lid, altId: who.id } : who;
    }
    return who;
  }

  /**
   * The stable id of a private chat: the LID when known, else the phone JID. The first time a
   * phone-JID chat is seen with its LID, what was stored under the phone JID is moved.
   */
  async privateChatId(person: { id: string; altId?: string }): Promise<string> {
    const id = person.id;
    if (!isLidUser(id) || !person.altId || !isPnUser(person.altId)) return id;
    const pn = person.altId;
    try {
      const moved = await bounded(
        this.o.redis.hsetnx(`${this.o.prefix}chat-ids`, pn, id),
        this.o.redisTimeoutMs,
        'recording a chat id',
      );
      if (moved === 1) await this.o.onChatMoved?.(pn, id);
    } catch (err) {
      this.o.logger.warn({ err, from: pn, to: id }, 'whatsapp: could not move a chat to its stable id');
    }
    return id;
  }

  /** On open: find each moderator's LID, so messages that carry only a LID still match. */
  async resolveModerators(): Promise<void> {
    const moderators = this.o.moderators;
    if (!moderators) return;
    const numbers = [...moderators].flatMap((m) => {
      const d = /^whatsapp:(\d+)$/.exec(m);
      return d ? [`${d[1]}@s.whatsapp.net`] : [];
    });
    for (const pn of numbers) {
      try {
        await this.lidFor(pn);
      } catch (err) {
        this.o.logger.warn({ err, pn }, 'whatsapp: could not look up a moderator by number');
      }
    }
  }

  private addModeratorAlias(pn: string, lid: string): void {
    const moderators = this.o.moderators;
    const digits = pn.replace(/@s\.whatsapp\.net$/, '');
    if (!moderators?.has(`whatsapp:${digits}`) || moderators.has(`whatsapp:${lid}`)) return;
    moderators.add(`whatsapp:${lid}`);
    this.o.logger.info({ moderator: digits, lid }, 'whatsapp: moderator known by LID too');
  }
}
