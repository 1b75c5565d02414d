import type { GroupCache } from './group-cache.js';
import type { Groups } from './groups.js';
import type { Identity } from './identity.js';
import type { Inbound } from './inbound.js';
import type { On } from './lifecycle.js';
import type { Outbound } from './outbound.js';

/** The parts a socket's events go to. */
export interface EventTargets {
  readonly inbound: Inbound;
  readonly outbound: Outbound;
  readonly groups: Groups;
  readonly cache: GroupCache;
  readonly identity: Identity;
  /** Runs a task after earlier work for the same chat. */
  readonly serial: (key: string, task: () => Promise<void>) => void;
}

/** Which Baileys event goes to which part; called for every new socket. */
export function attachListeners(on: On, t: EventTargets): void {
  on('messages.upsert', (upsert) => {
    t.groups.noteStubs(upsert.messages);
    t.inbound.onUpsert(upsert);
  });
  on('messages.update', (updates) => t.outbound.onMessagesUpdate(updates));
  on('lid-mapping.update', ({ lid, pn }) => t.identity.learn(lid, pn));
  on('group-participants.update', (update) => {
    t.cache.applyParticipants(update.id, update.action, update.participants);
    if (update.action === 'add') t.serial(update.id, () => t.groups.onJoin(update));
  });
  on('groups.update', (updates) => {
    for (const u of updates) {
      if (!u.id) continue;
      t.cache.invalidate(u.id);
      if (u.ephemeralDuration !== undefined) t.outbound.setEphemeral(u.id, u.ephemeralDuration);
    }
  });
  on('group.join-request', (update) => {
    if (update.action === 'created') t.serial(update.id, () => t.groups.onJoinRequest(update));
  });
}
