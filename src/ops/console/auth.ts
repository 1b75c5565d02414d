/**
 * Console sign-in and sessions, in Redis so every bot process shares them:
 * - a sign-in link carries a random id and an HMAC over it and its expiry; the link's record
 *   (the viewer it signs in) lives 10 minutes and is deleted when used, so a link works once;
 * - a session is a random id in an HttpOnly, SameSite=Strict cookie; its record holds the viewer and
 *   the CSRF token every form must send back.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Viewer } from './viewer.js';

export const LINK_TTL_MS = 10 * 60 * 1000;
export const SESSION_TTL_S = 12 * 60 * 60;

export type LinkCheck =
  | { readonly ok: true; readonly viewer: Viewer }
  | { readonly ok: false; readonly reason: 'invalid' | 'expired' | 'used' };

export interface ConsoleSession {
  readonly id: string;
  readonly viewer: Viewer;
  readonly csrf: string;
}

const b64 = (buf: Buffer) => buf.toString('base64url');

export interface ConsoleAuth {
  /** A one-time sign-in token bound to `viewer`, valid for 10 minutes. */
  issueLink(viewer: Viewer): Promise<string>;
  /** Reads a token without using it (the confirmation page: link previews must not use it up). */
  peekLink(token: string): Promise<LinkCheck>;
  /** Uses a token: the first call signs in, every later one is refused. */
  useLink(token: string): Promise<LinkCheck>;
  createSession(viewer: Viewer): Promise<ConsoleSession>;
  getSession(id: string | undefined): Promise<ConsoleSession | undefined>;
  endSession(id: string): Promise<void>;
}

export function createConsoleAuth(options: {
  readonly redis: Redis;
  readonly prefix: string;
  readonly now?: () => number;
}): ConsoleAuth {
  const { redis, prefix } = options;
  const now = options.now ?? Date.now;
  const k = {
    secret: `${prefix}secret`,
    link: (id: string) => `${prefix}link:${id}`,
    used: (id: string) => `${prefix}link-used:${id}`,
    session: (id: string) => `${prefix}session:${id}`,
  };
  let secret: Buffer | undefined;
  // One secret for every process: the first one to start makes it.
  const key = async () => {
    if (secret) return secret;
    await redis.set(k.secret, b64(randomBytes(32)), 'NX');
    secret = Buffer.from((await redis.get(k.secret)) ?? '', 'base64url');
    return secret;
  };
  const sign = async (body: string) =>
    b64(
      createHmac('sha256', await key())
        .update(body)
        .digest(),
    );

  const parse = async (token: string): Promise<{ id: string; exp: number } | undefined> => {
    const m = /^([A-Za-z0-9_-]{24})\.(\d{10,16})\.([A-Za-z0-9_-]{43})$/.exec(token);
    if (!m) return undefined;
    const [, id, exp, mac] = m as unknown as [string, string, string, string];
    const expected = Buffer.from(await sign(`${id}.${exp}`));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    return { id, exp: Number(exp) };
  };

  const check = async (token: string, use: boolean): Promise<LinkCheck> => {
    const parsed = await parse(token);
    if (!parsed) return { ok: false, reason: 'invalid' };
    if (parsed.exp <= now()) return { ok: false, reason: 'expired' };
    const raw = use ? await redis.getdel(k.link(parsed.id)) : await redis.get(k.link(parsed.id));
    if (!raw) {
      return { ok: false, reason: (await redis.exists(k.used(parsed.id))) ? 'used' : 'expired' };
    }
    if (use) await redis.set(k.used(parsed.id), '1', 'PX', LINK_TTL_MS);
    return { ok: true, viewer: JSON.parse(raw) as Viewer };
  };

  return {
    async issueLink(viewer) {
      const id = b64(randomBytes(18));
      const exp = now() + LINK_TTL_MS;
      await redis.set(k.link(id), JSON.stringify(viewer), 'PX', LINK_TTL_MS);
      return `${id}.${exp}.${await sign(`${id}.${exp}`)}`;
    },
    peekLink: (token) => check(token, false),
    useLink: (token) => check(token, true),
    async createSession(viewer) {
      const session: ConsoleSession = { id: b64(randomBytes(24)), viewer, csrf: b64(randomBytes(24)) };
      await redis.set(k.session(session.id), JSON.stringify(session), 'EX', SESSION_TTL_S);
      return session;
    },
    async getSession(id) {
      if (!id || !/^[A-Za-z0-9_-]{32}$/.test(id)) return undefined;
      const raw = await redis.get(k.session(id));
      return raw ? (JSON.parse(raw) as ConsoleSession) : undefined;
    },
    async endSession(id) {
      await redis.del(k.session(id));
    },
  };
}

/** Constant-time comparison of a form's CSRF token with the session's. */
export function csrfMatches(session: ConsoleSession, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const a = Buffer.from(session.csrf);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
