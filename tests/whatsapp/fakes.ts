import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { BaileysEventMap, GroupMetadata, UserFacingSocketConfig } from '@whiskeysockets/baileys';
import type { PacerClock } from '../../src/adapters/whatsapp/pacer.js';
import type { WhatsAppSocket } from '../../src/adapters/whatsapp/types.js';

export const BOT_PN = '15550009999@s.whatsapp.net';
export const BOT_LID = '200000000009999@lid';
export const GROUP = '120363041234567890@g.us';

/** A recorded fixture from tests/whatsapp/fixtures. */
export function fixture<T = BaileysEventMap['messages.upsert']>(name: string): T {
  return JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', `${name}.json`), 'utf8')) as T;
}

type AnyListener = (arg: unknown) => void;

/** Just the socket surface the adapter uses; records what it was asked to do. */
export class FakeSocket implements WhatsAppSocket {
  private readonly listeners = new Map<string, Set<AnyListener>>();
  readonly sent: { jid: string; text: string; quoted: boolean }[] = [];
  /** The message keys replies quoted. */
  readonly quotedKeys: unknown[] = [];
  readonly pairingRequests: string[] = [];
  readonly joinAnswers: { jid: string; participants: string[]; action: string }[] = [];
  metadataCalls = 0;
  ended = false;
  sendError: unknown;
  groups = new Map<string, GroupMetadata>([[GROUP, fixture<GroupMetadata>('group-metadata')]]);
  user: { id: string; lid: string; name: string } | undefined = {
    id: '15550009999:7@s.whatsapp.net',
    lid: '200000000009999:7@lid',
    name: 'Fibro B12 Helper',
  };
  authState = { creds: { registered: true } };

  constructor(readonly config: UserFacingSocketConfig) {}

  readonly ev = {
    on: (event: string, fn: AnyListener) => {
      const set = this.listeners.get(event) ?? new Set<AnyListener>();
      this.listeners.set(event, set);
      set.add(fn);
    },
    off: (event: string, fn: AnyListener) => {
      this.listeners.get(event)?.delete(fn);
    },
  } as unknown as WhatsAppSocket['ev'];

  emit<K extends keyof BaileysEventMap>(event: K, arg: BaileysEventMap[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) fn(arg);
  }

  listenerCount(): number {
    let n = 0;
    for (const set of this.listeners.values()) n += set.size;
    return n;
  }

  open(): void {
    this.emit('connection.update', { connection: 'open' });
  }

  close(statusCode: number | undefined): void {
    const error = Object.assign(new Error(`closed ${statusCode}`), { output: { statusCode } });
    this.emit('connection.update', {
      connection: 'close',
      lastDisconnect: { error: error as never, date: new Date() },
    });
  }

  async sendMessage(jid: string, content: unknown, options?: { quoted?: unknown }) {
    if (this.sendError) throw this.sendError;
    this.sent.push({ jid, text: (content as { text: string }).text, quoted: !!options?.quoted });
    if (options?.quoted) this.quotedKeys.push((options.quoted as { key: unknown }).key);
    return undefined;
  }

  async groupMetadata(jid: string): Promise<GroupMetadata> {
    this.metadataCalls++;
    const meta = this.groups.get(jid);
    if (!meta) throw Object.assign(new Error('item-not-found'), { data: 404 });
    return structuredClone(meta);
  }

  async groupInviteCode(_jid: string) {
    return 'HxYz12AbCdEf34';
  }

  async groupRevokeInvite(_jid: string) {
    return 'NewCode5678';
  }

  async groupRequestParticipantsUpdate(jid: string, participants: string[], action: 'approve' | 'reject') {
    this.joinAnswers.push({ jid, participants, action });
    return participants.map((p) => ({ status: '200', jid: p }));
  }

  async requestPairingCode(phoneNumber: string) {
    this.pairingRequests.push(phoneNumber);
    return 'ABCD1234';
  }

  end(_error: Error | undefined) {
    this.ended = true;
  }
}

/** Builds fake sockets and remembers each one, newest last. */
export function fakeSocketFactory() {
  const sockets: FakeSocket[] = [];
  return {
    sockets,
    get current(): FakeSocket {
      const s = sockets[sockets.length - 1];
      if (!s) throw new Error('no socket was made');
      return s;
    },
    make: (config: UserFacingSocketConfig) => {
      const s = new FakeSocket(config);
      sockets.push(s);
      return s;
    },
  };
}

/** Time that moves only when told to; timers fire in order as it moves. */
export class FakeClock implements PacerClock {
  private timers: { at: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  constructor(public current = Date.UTC(2026, 0, 1, 10, 0, 5)) {}

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ at: this.current + Math.max(0, ms), fn, id });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((t) => t.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** The delay until the next timer, if any. */
  nextDelay(): number | undefined {
    const next = [...this.timers].sort((a, b) => a.at - b.at)[0];
    return next ? next.at - this.current : undefined;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting promises settle between them. */
  async advance(ms: number): Promise<void> {
    const end = this.current + ms;
    for (;;) {
      await settle();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = end;
    await settle();
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((r) => setImmediate(r));
}
