import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  type AuthenticationCreds,
  type BaileysEventMap,
  type GroupMetadata,
  proto,
  type UserFacingSocketConfig,
  type WAMessage,
} from '@whiskeysockets/baileys';
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

/** The bot's own ids, as a linked session's `creds.me` holds them (phone JID and LID with device). */
export const BOT_ME = {
  id: '15550009999:7@s.whatsapp.net',
  lid: '200000000009999:7@lid',
  name: 'Fibro B12 Helper',
};

/**
 * Just the socket surface the adapter uses; records what it was asked to do. Behaves like
 * Baileys 7.0.0-rc14 where the adapter's correctness depends on it:
 * - `authState.creds` is the creds object handed in through `config.auth`, and `user` is `creds.me`;
 * - `end()` emits one close (Baileys `Socket/socket.js` end), then drops `connection.update` listeners;
 * - `requestPairingCode` writes `creds.me` and `creds.pairingCode` and emits `creds.update`;
 * - a QR link (`pairSuccess`) writes `me` and `account` but never `registered`, then closes with 515;
 * - with `queryTimeout`, group queries answer `[]` / `undefined` as Baileys does when the node has none;
 * - `sendMessage` returns the message with its id; `refuse(id, code)` emits `messages.update` ERROR.
 */
export class FakeSocket implements WhatsAppSocket {
  private readonly listeners = new Map<string, Set<AnyListener>>();
  readonly sent: { jid: string; text: string; quoted: boolean }[] = [];
  /** Every send with its id and the options given (ephemeralExpiration ...). */
  readonly sentFull: {
    id: string;
    jid: string;
    content: Record<string, unknown>;
    options: Record<string, unknown>;
  }[] = [];
  readonly pairingRequests: string[] = [];
  readonly joinAnswers: { jid: string; participants: string[]; action: string }[] = [];
  metadataCalls = 0;
  ended = false;
  sendError: unknown;
  /** Group queries time out: Baileys then hands back `[]` or `undefined`. */
  queryTimeout = false;
  /** Thrown by invite-link queries, as Baileys throws the server's error node (bot not an admin). */
  inviteRefusal: unknown;
  groups = new Map<string, GroupMetadata>([[GROUP, fixture<GroupMetadata>('group-metadata')]]);
  /** Baileys' LID store: phone JID -> LID. */
  readonly lidMap = new Map<string, string>();
  readonly authState: { creds: AuthenticationCreds };
  private closed = false;
  private nextId = 1;

  constructor(readonly config: UserFacingSocketConfig) {
    this.authState = { creds: config.auth.creds };
  }

  get user() {
    return this.authState.creds.me;
  }

  readonly signalRepository = {
    lidMapping: {
      getLIDForPN: async (pn: string) => this.lidMap.get(pn.replace(/:\d+@/, '@')) ?? null,
      getPNForLID: async (lid: string) => {
        for (const [pn, l] of this.lidMap) if (l === lid.replace(/:\d+@/, '@')) return pn;
        return null;
      },
    },
  };

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

  /** A session linked earlier logs in (Baileys' `CB:success`): `me` gets its LID, the connection opens. */
  open(): void {
    const creds = this.authState.creds;
    if (!creds.me?.id || !creds.account) {
      creds.me = { ...BOT_ME };
      creds.account = { details: Buffer.from([1]) } as AuthenticationCreds['account'];
    }
    creds.me = { ...creds.me, lid: creds.me.lid ?? BOT_ME.lid };
    this.emit('creds.update', { me: creds.me });
    this.emit('connection.update', { connection: 'open' });
  }

  /** The phone scanned the QR code (Baileys `CB:iq,,pair-success`): linked, then 515 restart. */
  pairSuccess(): void {
    const creds = this.authState.creds;
    creds.me = { id: BOT_ME.id, name: BOT_ME.name };
    creds.account = { details: Buffer.from([1]) } as AuthenticationCreds['account'];
    creds.platform = 'android';
    this.emit('creds.update', creds);
    this.emit('connection.update', { isNewLogin: true, qr: undefined });
    this.close(515);
  }

  /** The server closes the connection with a status code (and the failure node's attributes as data). */
  close(statusCode: number | undefined, data?: unknown): void {
    const error = Object.assign(new Error(`closed ${statusCode}`), { output: { statusCode }, data });
    void this.end(error);
  }

  async sendMessage(jid: string, content: unknown, options?: { quoted?: unknown }) {
    if (this.sendError) throw this.sendError;
    const text = (content as { text: string }).text;
    const id = `3EB0FAKE${String(this.nextId++).padStart(8, '0')}`;
    this.sent.push({ jid, text, quoted: !!options?.quoted });
    this.sentFull.push({
      id,
      jid,
      content: content as Record<string, unknown>,
      options: (options ?? {}) as Record<string, unknown>,
    });
    return {
      key: { remoteJid: jid, fromMe: true, id },
      message: { extendedTextMessage: { text } },
      messageTimestamp: Math.floor(Date.now() / 1000),
    } as WAMessage;
  }

  /** WhatsApp refuses a relayed message later (Baileys handleBadAck). */
  refuse(id: string, code: string): void {
    const sent = this.sentFull.find((s) => s.id === id);
    this.emit('messages.update', [
      {
        key: { remoteJid: sent?.jid ?? null, fromMe: true, id },
        update: { status: proto.WebMessageInfo.Status.ERROR, messageStubParameters: [code] },
      },
    ]);
  }

  async groupMetadata(jid: string): Promise<GroupMetadata> {
    this.metadataCalls++;
    const meta = this.groups.get(jid);
    if (!meta) throw Object.assign(new Error('item-not-found'), { data: 404 });
    return structuredClone(meta);
  }

  async groupInviteCode(_jid: string) {
    if (this.inviteRefusal) throw this.inviteRefusal;
    return this.queryTimeout ? undefined : 'HxYz12AbCdEf34';
  }

  async groupRevokeInvite(_jid: string) {
    if (this.inviteRefusal) throw this.inviteRefusal;
    return this.queryTimeout ? undefined : 'NewCode5678';
  }

  async groupRequestParticipantsUpdate(jid: string, participants: string[], action: 'approve' | 'reject') {
    this.joinAnswers.push({ jid, participants, action });
    if (this.queryTimeout) return [];
    return participants.map((p) => ({ status: '200', jid: p }));
  }

  async requestPairingCode(phoneNumber: string) {
    this.pairingRequests.push(phoneNumber);
    const creds = this.authState.creds;
    creds.pairingCode = 'ABCD1234';
    creds.me = { id: `${phoneNumber}@s.whatsapp.net`, name: '~' };
    this.emit('creds.update', creds);
    return 'ABCD1234';
  }

  async end(error: Error | undefined) {
    if (this.closed) return;
    this.closed = true;
    this.ended = true;
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date() } });
    this.listeners.delete('connection.update');
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
