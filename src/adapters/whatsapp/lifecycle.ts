import {
  type BaileysEventMap,
  jidNormalizedUser,
  makeCacheableSignalKeyStore,
  type UserFacingSocketConfig,
} from '@whiskeysockets/baileys';
import type { Redis } from 'ioredis';
import { type AdapterHooks, DeliveryError } from '../../core/adapter.js';
import { createRedisAuthStore, type RedisAuthStore } from './auth-state.js';
import type { PacerClock } from './pacer.js';
import { forgetUnfinishedPairing, isLinked, Linking } from './pairing.js';
import { type BackoffOptions, decideOnClose, ReconnectTimer } from './reconnect.js';
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

type Listener = [keyof BaileysEventMap, (arg: never) => void];

/**
 * The WhatsApp connection: owns the socket and the session store, reconnects with backoff, stops
 * for good where retrying cannot help. `start()` after `stop()` is a fresh start (the socket lock
 * can be lost and regained), whatever the last close was. Linking a device (QR or pairing code)
 * is `pairing.ts`; the reconnect timer and its backoff are `reconnect.ts`.
 */
export class Connection {
  private auth: RedisAuthStore | undefined;
  private sock: WhatsAppSocket | undefined;
  private listeners: Listener[] = [];
  private isConnected = false;
  private detail = 'not started';
  private stopping = false;
  private halted = false;
  private version: [number, number, number] | undefined;
  private readonly reconnect: ReconnectTimer;
  private readonly linking: Linking;

  constructor(private readonly o: ConnectionOptions) {
    this.reconnect = new ReconnectTimer({
      clock: o.clock,
      random: o.random,
      ...(o.backoff ? { backoff: o.backoff } : {}),
      connect: () => this.connect(),
    });
    this.linking = new Linking({
      ...(o.pairingNumber ? { pairingNumber: o.pairingNumber } : {}),
      onQr: o.onQr,
      onPairingCode: o.onPairingCode,
      logger: o.logger,
      setDetail: (detail) => {
        this.detail = detail;
      },
      isCurrent: (s) => s === this.sock,
    });
  }

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
    this.reconnect.attempt = 0;
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
    this.reconnect.cancel();
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
    this.linking.reset();
    const attempt = this.reconnect.attempt;
    this.detail = attempt > 0 ? `connecting (attempt ${attempt + 1})` : 'connecting';
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
    if (update.qr) this.linking.onQr(s, update.qr);
    if (update.connection === 'open') {
      this.reconnect.attempt = 0;
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

  /** An unfinished link starts over (see {@link forgetUnfinishedPairing}). */
  private forgetUnfinishedPairing(): void {
    const auth = this.auth;
    // The next socket reads the creds object itself; the store catches up in the background.
    if (auth && forgetUnfinishedPairing(auth.state.creds, this.o.logger)) this.save(auth);
  }

  private scheduleRetry(reason: string, statusCode?: number): void {
    const delay = this.reconnect.nextDelay();
    const attempt = this.reconnect.attempt;
    this.detail = `reconnecting in ${Math.max(1, Math.round(delay / 1000))}s (attempt ${attempt})`;
    this.o.logger.warn(
      { statusCode, reason, attempt, delayMs: delay },
      `whatsapp: connection closed (${reason}); ${this.detail}`,
    );
    this.schedule(delay);
  }

  /** One reconnect timer at most (see {@link ReconnectTimer}); none once stopping. */
  private schedule(ms: number): void {
    if (this.stopping) return;
    this.reconnect.schedule(ms);
  }
}
