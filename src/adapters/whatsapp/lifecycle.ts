import {
  type AuthenticationCreds,
  type BaileysEventMap,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  type UserFacingSocketConfig,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { type AdapterHooks, DeliveryError } from '../../core/adapter.js';
import { createRedisAuthStore, type RedisAuthStore } from './auth-state.js';
import type { PacerClock } from './pacer.js';
import { type BackoffOptions, backoffDelay, decideOnClose } from './reconnect.js';
import type { ILogger, MakeSocket, Me, WhatsAppSocket } from './types.js';

/** Registers a listener on the current socket; the connection removes it when the socket goes. */
export type On = <K extends keyof BaileysEventMap>(event: K, fn: (arg: BaileysEventMap[K]) => void) => void;

export interface ConnectionOptions {
  readonly redis: Redis;
  readonly prefix: string;
  readonly logger: ILogger;
  readonly baileysLogger: ILogger;
  readonly makeSocket: MakeSocket;
  readonly clock: PacerClock;
  readonly random: () => number;
  readonly backoff?: BackoffOptions;
  readonly hooks: AdapterHooks;
  readonly pairingNumber?: string;
  readonly onQr: (qr: string) => void;
  readonly onPairingCode: (code: string) => void;
  /** Bounds every Redis wait of the session store. */
  readonly redisTimeoutMs: number;
  /** The WhatsApp Web version to announce; resolved once per start (latest, or Baileys' bundled one). */
  readonly resolveVersion?: () => Promise<[number, number, number] | undefined>;
  /** Socket options the other modules own (getMessage, caches, shouldIgnoreJid ...). */
  readonly socketConfig: () => Partial<UserFacingSocketConfig>;
  /** Counts work in flight (credential saves), for `whenIdle()`. */
  readonly track: (work: Promise<unknown>) => void;
  /** Called for every new socket, so inbound, outbound and groups attach their listeners. */
  readonly attach: (on: On, socket: WhatsAppSocket) => void;
  /** The connection opened (after login). */
  readonly onOpen?: (socket: WhatsAppSocket) => void;
  /** WhatsApp reported a reachout timelock (or lifted it). */
  readonly onTimelock?: (lock: NonNullable<BaileysEventMap['connection.update']['reachoutTimeLock']>) => void;
}

/**
 * A session counts as linked once WhatsApp completed a login for it: `me.id` is set and the
 * pairing was confirmed (`account` is written by Baileys' `configureSuccessfulPairing`).
 * `registered` is no guide: QR links never set it, and a pairing code request writes `me` early.
 */
export const isLinked = (creds: AuthenticationCreds): boolean => !!creds.me?.id && !!creds.account;

type Listener = [keyof BaileysEventMap, (arg: never) => void];

/**
 * The WhatsApp connection: owns the socket and the session store, reconnects with backoff, stops
 * for good where retrying cannot help. `start()` after `stop()` is a fresh start (the socket lock
 * can be lost and regained), whatever the last close was.
 */
export class Connection {
  private auth: RedisAuthStore | undefined;
  private sock: WhatsAppSocket | undefined;
  private listeners: Listener[] = [];
  private isConnected = false;
  private detail = 'not started';
  private attempt = 0;
  private reconnectTimer: unknown;
  private stopping = false;
  private halted = false;
  private pairingRequested = false;
  private version: [number, number, number] | undefined;

  constructor(private readonly o: ConnectionOptions) {}

  get connected(): boolean {
    return this.isConnected;
  }

  status(): { connected: boolean; detail: string } {
    return { connected: this.isConnected, detail: this.detail };
  }

  /** The connected socket; TRANSIENT {@link DeliveryError} when there is none. */
  socket(): WhatsAppSocket {
    if (!this.sock || !this.isConnected)
      throw new DeliveryError('TRANSIENT', `WhatsApp is not connected (${this.detail})`);
    return this.sock;
  }

  /** The socket, connected or not (for lookups that work offline, like the LID store). */
  current(): WhatsAppSocket | undefined {
    return this.sock;
  }

  me(): Me {
    const user = this.sock?.user ?? this.auth?.state.creds.me;
    return {
      ...(user?.id ? { id: jidNormalizedUser(user.id) } : {}),
      ...(user?.lid ? { lid: jidNormalizedUser(user.lid) } : {}),
    };
  }

  async start(): Promise<void> {
    // A fresh start: nothing from an earlier run (a halt on 440, a backoff count) carries over.
    this.stopping = false;
    this.halted = false;
    this.attempt = 0;
    this.isConnected = false;
    this.detail = 'starting';
    try {
      this.auth = await createRedisAuthStore(this.o.redis, this.o.prefix, {
        timeoutMs: this.o.redisTimeoutMs,
      });
    } catch (err) {
      this.halted = true;
      this.detail = 'session store unavailable: WhatsApp needs Redis for its session';
      this.o.logger.error({ err }, `whatsapp: ${this.detail}`);
      return;
    }
    if (!this.version && this.o.resolveVersion) this.version = await this.o.resolveVersion();
    if (!isLinked(this.auth.state.creds)) {
      this.o.logger.info(
        this.o.pairingNumber
          ? 'whatsapp: not linked yet; a pairing code will be printed once connected'
          : 'whatsapp: not linked yet; a QR code will be printed once connected',
      );
    }
    this.connect();
  }

  async stop(beforeEnd?: () => Promise<void>): Promise<void> {
    this.stopping = true;
    if (this.reconnectTimer !== undefined) this.o.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
    await beforeEnd?.();
    const s = this.sock;
    if (s) {
      this.detach(s);
      try {
        await s.end(undefined);
      } catch (err) {
        this.o.logger.debug({ err }, 'whatsapp: ending the socket failed');
      }
    }
    this.setConnected(false);
    this.detail = 'stopped';
  }

  private setConnected(value: boolean): void {
    if (this.isConnected === value) return;
    this.isConnected = value;
    this.o.hooks.onConnectionChange?.('whatsapp', value);
  }

  private connect(): void {
    const auth = this.auth;
    if (this.stopping || this.halted || this.sock || !auth) return;
    this.pairingRequested = false;
    this.detail = this.attempt > 0 ? `connecting (attempt ${this.attempt + 1})` : 'connecting';
    let s: WhatsAppSocket;
    try {
      s = this.o.makeSocket({
        auth: {
          creds: auth.state.creds,
          keys: makeCacheableSignalKeyStore(auth.state.keys, this.o.baileysLogger),
        },
        logger: this.o.baileysLogger,
        markOnlineOnConnect: false,
        syncFullHistory: false,
        ...(this.version ? { version: this.version } : {}),
        ...this.o.socketConfig(),
      });
    } catch (err) {
      this.o.logger.error({ err }, 'whatsapp: could not create the socket');
      this.scheduleRetry('socket creation failed');
      return;
    }
    this.sock = s;
    const on: On = (event, fn) => {
      s.ev.on(event, fn);
      this.listeners.push([event, fn as (arg: never) => void]);
    };
    on('creds.update', () => this.save(auth));
    on('connection.update', (update) => this.onUpdate(s, update));
    this.o.attach(on, s);
  }

  private save(auth: RedisAuthStore): void {
    this.o.track(
      auth.saveCreds().catch((err) => this.o.logger.error({ err }, 'whatsapp: saving credentials failed')),
    );
  }

  private detach(s: WhatsAppSocket): void {
    for (const [event, fn] of this.listeners) s.ev.off(event, fn as never);
    this.listeners = [];
    if (this.sock === s) this.sock = undefined;
  }

  private onUpdate(s: WhatsAppSocket, update: BaileysEventMap['connection.update']): void {
    if (s !== this.sock) return; // a late event from a socket already replaced
    if (update.reachoutTimeLock) this.o.onTimelock?.(update.reachoutTimeLock);
    if (update.qr) this.onQr(s, update.qr);
    if (update.connection === 'open') {
      this.attempt = 0;
      this.detail = 'connected';
      this.setConnected(true);
      this.o.logger.info({ me: this.me() }, 'whatsapp: connected');
      this.o.onOpen?.(s);
    } else if (update.connection === 'close') {
      this.detach(s);
      this.setConnected(false);
      if (this.stopping) return;
      const error = update.lastDisconnect?.error as
        | { output?: { statusCode?: number }; data?: unknown }
        | undefined;
      this.onClose(error?.output?.statusCode, error?.data);
    }
  }

  private onClose(statusCode: number | undefined, data: unknown): void {
    const decision = decideOnClose(statusCode, data, this.o.clock.now());
    if (decision.action === 'stop') {
      this.halted = true;
      this.detail = decision.detail;
      this.o.logger.error(
        { statusCode, reason: decision.reason, data },
        `whatsapp: stopped: ${decision.detail}`,
      );
      return;
    }
    this.forgetUnfinishedPairing();
    this.o.hooks.onReconnect?.('whatsapp', decision.reason);
    if (decision.action === 'restart') {
      this.o.logger.info({ statusCode }, 'whatsapp: restart required, reconnecting now');
      this.detail = 'reconnecting now (restart required)';
      this.schedule(0);
    } else {
      this.scheduleRetry(decision.reason, statusCode);
    }
  }

  /**
   * A pairing code that was not entered in time leaves `me` (and `pairingCode`) written by
   * `requestPairingCode`: reconnecting with them logs in as a device that was never linked and
   * ends in 401. An unlinked session starts its next attempt clean.
   */
  private forgetUnfinishedPairing(): void {
    const auth = this.auth;
    if (!auth || isLinked(auth.state.creds)) return;
    const creds = auth.state.creds;
    if (!creds.me && !creds.pairingCode) return;
    creds.me = undefined;
    creds.pairingCode = undefined;
    creds.registered = false;
    this.o.logger.info('whatsapp: the device was not linked in time; starting the link again');
    // The next socket reads the creds object itself; the store catches up in the background.
    this.save(auth);
  }

  private scheduleRetry(reason: string, statusCode?: number): void {
    this.attempt++;
    const delay = backoffDelay(this.attempt, { random: this.o.random, ...this.o.backoff });
    this.detail = `reconnecting in ${Math.max(1, Math.round(delay / 1000))}s (attempt ${this.attempt})`;
    this.o.logger.warn(
      { statusCode, reason, attempt: this.attempt, delayMs: delay },
      `whatsapp: connection closed (${reason}); ${this.detail}`,
    );
    this.schedule(delay);
  }

  /** One reconnect timer at most: a burst of closes never leads to overlapping sockets. */
  private schedule(ms: number): void {
    if (this.reconnectTimer !== undefined || this.stopping) return;
    this.reconnectTimer = this.o.clock.setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connect();
    }, ms);
  }

  private onQr(s: WhatsAppSocket, qr: string): void {
    const number = this.o.pairingNumber;
    if (number && !isLinked(s.authState.creds)) {
      if (this.pairingRequested) return;
      this.pairingRequested = true;
      this.detail = 'requesting a pairing code';
      s.requestPairingCode(number).then(
        (code) => {
          if (s !== this.sock) return;
          const shown = code.length === 8 ? `${code.slice(0, 4)}-${code.slice(4)}` : code;
          this.detail = `waiting for pairing code ${shown} to be entered on the phone`;
          this.o.onPairingCode(shown);
        },
        (err) => this.o.logger.error({ err }, 'whatsapp: requesting a pairing code failed'),
      );
      return;
    }
    this.detail = 'waiting for QR scan';
    this.o.onQr(qr);
  }
}
