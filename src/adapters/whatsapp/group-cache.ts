import { areJidsSameUser, type GroupMetadata, type GroupParticipant } from '@whiskeysockets/baileys';

/**
 * Group metadata cached with an expiry: admin checks on every group message must not cost a
 * WhatsApp query each (that is slow and counts against the number). Baileys also uses it, through
 * `cachedGroupMetadata`, when sending to a group.
 */
export class GroupCache {
  private readonly entries = new Map<string, { meta: GroupMetadata; expiresAt: number }>();
  private readonly inflight = new Map<string, Promise<GroupMetadata>>();

  constructor(
    private readonly fetch: (jid: string) => Promise<GroupMetadata>,
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached metadata if still fresh, without asking WhatsApp. */
  peek(jid: string): GroupMetadata | undefined {
    const e = this.entries.get(jid);
    return e && this.now() < e.expiresAt ? e.meta : undefined;
  }

  /** Fresh metadata, from the cache or from WhatsApp (one query per group at a time). */
  async get(jid: string): Promise<GroupMetadata> {
    const cached = this.peek(jid);
    if (cached) return cached;
    let pending = this.inflight.get(jid);
    if (!pending) {
      pending = this.fetch(jid)
        .then((meta) => {
          this.entries.set(jid, { meta, expiresAt: this.now() + this.ttlMs });
          return meta;
        })
        .finally(() => this.inflight.delete(jid));
      this.inflight.set(jid, pending);
    }
    return pending;
  }

  invalidate(jid: string): void {
    this.entries.delete(jid);
  }

  /** Applies a participants update to the cached copy (promote/demote/add/remove). */
  applyParticipants(jid: string, action: string, participants: readonly GroupParticipant[]): void {
    const e = this.entries.get(jid);
    if (!e) return;
    const same = (p: GroupParticipant, q: GroupParticipant) =>
      [p.id, p.lid, p.phoneNumber].some(
        (a) => !!a && [q.id, q.lid, q.phoneNumber].some((b) => !!b && areJidsSameUser(a, b)),
      );
    let list = e.meta.participants;
    switch (action) {
      case 'promote':
      case 'demote':
        list = list.map((p) =>
          participants.some((q) => same(p, q)) ? { ...p, admin: action === 'promote' ? 'admin' : null } : p,
        );
        break;
      case 'add':
        list = [...list, ...participants.filter((q) => !list.some((p) => same(p, q)))];
        break;
      case 'remove':
        list = list.filter((p) => !participants.some((q) => same(p, q)));
        break;
      default:
        this.invalidate(jid);
        return;
    }
    this.entries.set(jid, { ...e, meta: { ...e.meta, participants: list } });
  }

  /** Whether `userId` (LID or phone JID) administers the group, by its cached metadata. */
  async isAdmin(jid: string, userId: string, altId?: string): Promise<boolean> {
    const meta = await this.get(jid);
    const ids = [userId, altId].filter((x): x is string => !!x);
    const p = meta.participants.find((q) =>
      [q.id, q.lid, q.phoneNumber].some((a) => !!a && ids.some((b) => areJidsSameUser(a, b))),
    );
    return p?.admin === 'admin' || p?.admin === 'superadmin';
  }
}
