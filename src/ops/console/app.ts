/**
 * The moderators' web console under `/console`: sign-in by one-time link (or the operator's
 * ADMIN_USER/ADMIN_PASSWORD), sessions in Redis, CSRF on every form, a strict CSP, and the pages.
 *
 * @example
 * const console = createConsole({ redis, ports, publicUrl: () => 'http://127.0.0.1:8080', logger });
 * app.use('/console', console.router);
 * const link = await console.signInLink({ id: 'telegram:42', name: 'Ann', role: 'moderator' });
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Redis } from 'ioredis';
import { CSS, chartJs, SCRIPT } from './assets.js';
import { createAuditLog } from './audit.js';
import { type ConsoleSession, createConsoleAuth, csrfMatches, SESSION_TTL_S } from './auth.js';
import type { PageContext, PageHandler } from './context.js';
import { html } from './html.js';
import { BASE, type Flash, page } from './layout.js';
import { auditPage } from './pages/audit.js';
import { contentPage } from './pages/content.js';
import { invitesPages } from './pages/invites.js';
import { overviewPage } from './pages/overview.js';
import { postsPages } from './pages/posts.js';
import { reviewPages } from './pages/review.js';
import type { ConsolePorts } from './ports.js';
import { createReviewState } from './review-state.js';
import type { Viewer } from './viewer.js';

export interface ConsoleLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export interface ConsoleOptions {
  readonly redis: Redis;
  /** Prefix of the console's Redis keys (sessions, links, audit log, flash messages). */
  readonly prefix?: string;
  readonly ports: ConsolePorts;
  /** Where members' phones reach the console (PUBLIC_URL, else the ops server's own address). */
  readonly publicUrl: () => string;
  /** ADMIN_USER / ADMIN_PASSWORD: operators sign in with them at /console/login. */
  readonly operator?: { readonly user: string; readonly password: string };
  readonly logger: ConsoleLogger;
  readonly now?: () => number;
}

export interface BotConsole {
  readonly router: Router;
  /** A full sign-in URL for `viewer`: one use, 10 minutes. */
  signInLink(viewer: Viewer): Promise<string>;
}

const COOKIE = 'console_session';
/** Strict: no script or style but ours, no framing, forms post only to us. */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; frame-ancestors 'none'; base-uri 'none'";
const LOGIN_FAILURES = 10;
const LOGIN_WINDOW_S = 15 * 60;

const cookieOf = (req: Request, name: string): string | undefined => {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
};

export function createConsole(options: ConsoleOptions): BotConsole {
  const { redis, ports, logger } = options;
  const prefix = options.prefix ?? 'bot:console:';
  const now = options.now ?? Date.now;
  const auth = createConsoleAuth({ redis, prefix, now });
  const audit = createAuditLog(redis, prefix);
  const review = createReviewState(redis, prefix);
  const secure = () => options.publicUrl().startsWith('https://');
  const flashKey = (s: ConsoleSession) => `${prefix}flash:${s.id}`;
  let chartSource: string | undefined;

  const router = express.Router();
  router.use((_req, res, next) => {
    res.set({
      'Content-Security-Policy': CONSOLE_CSP,
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
      'Cache-Control': 'no-store',
    });
    next();
  });
  router.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 50 }));

  const asset = (type: string, body: () => string) => (_req: Request, res: Response) => {
    res.set('Cache-Control', 'public, max-age=3600').type(type).send(body());
  };
  router.get(
    '/static/console.css',
    asset('text/css', () => CSS),
  );
  router.get(
    '/static/console.js',
    asset('text/javascript', () => SCRIPT),
  );
  router.get(
    '/static/chart.umd.min.js',
    asset('text/javascript', () => {
      chartSource ??= chartJs();
      return chartSource;
    }),
  );

  const setCookie = (res: Response, value: string, maxAge: number) =>
    res.append(
      'Set-Cookie',
      `${COOKIE}=${value}; Path=${BASE}; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure() ? '; Secure' : ''}`,
    );
  const startSession = async (res: Response, viewer: Viewer) => {
    const session = await auth.createSession(viewer);
    setCookie(res, session.id, SESSION_TTL_S);
    await audit.add({
      at: new Date(now()),
      who: `${viewer.name} [${viewer.id}]`,
      action: 'sign-in',
      detail:
        viewer.role === 'moderator'
          ? 'as a moderator'
          : `as admin of ${viewer.chat?.title ?? viewer.chat?.chatId}`,
      ...(viewer.chat ? { chat: `${viewer.chat.platform}:${viewer.chat.chatId}` } : {}),
    });
    res.redirect(303, `${BASE}/`);
  };
  const refusedLink = (res: Response, reason: 'invalid' | 'expired' | 'used') => {
    const why = {
      invalid: 'This sign-in link is not valid.',
      expired: 'This sign-in link has expired (links last 10 minutes).',
      used: 'This sign-in link was already used (each link works once).',
    }[reason];
    res
      .status(reason === 'invalid' ? 400 : 410)
      .type('html')
      .send(
        page({
          title: 'Sign in',
          flash: { text: why, error: true },
          body: html`<p>Send <strong>/console</strong> to the bot in a private chat for a new link.</p>`,
        }),
      );
  };

  // The link opens a confirmation: chat apps fetch links for previews, which must not use them up.
  router.get('/signin', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : '';
    const check = await auth.peekLink(token);
    if (!check.ok) return refusedLink(res, check.reason);
    res.type('html').send(
      page({
        title: 'Sign in',
        body: html`<p>Sign in as <strong>${check.viewer.name}</strong>${
          check.viewer.role === 'moderator'
            ? ' (moderator)'
            : html` (admin of ${check.viewer.chat?.title ?? check.viewer.chat?.chatId})`
        }.</p>
<form method="post" action="${BASE}/signin"><input type="hidden" name="token" value="${token}">
<button type="submit">Sign in</button></form>`,
      }),
    );
  });
  router.post('/signin', async (req, res) => {
    const token = typeof req.body?.token === 'string' ? req.body.token : '';
    const check = await auth.useLink(token);
    if (!check.ok) return refusedLink(res, check.reason);
    await startSession(res, check.viewer);
  });

  const loginForm = (error?: string) =>
    page({
      title: 'Sign in',
      ...(error ? { flash: { text: error, error: true } } : {}),
      body: html`<p>Moderators: send <strong>/console</strong> to the bot in a private chat (Telegram, WhatsApp or the console chat) and open the link it sends.</p>
${
  options.operator
    ? html`<h2>Operators</h2><form method="post" action="${BASE}/login">
<label for="user">User name</label><input id="user" name="user" autocomplete="username" required>
<label for="password">Password</label><input id="password" name="password" type="password" autocomplete="current-password" required>
<p><button type="submit">Sign in</button></p></form>`
    : ''
}`,
    });
  router.get('/login', (_req, res) => {
    res.type('html').send(loginForm());
  });
  router.post('/login', async (req, res) => {
    if (!options.operator) return res.status(404).type('html').send(loginForm());
    const failKey = `${prefix}login-failures:${req.ip ?? 'unknown'}`;
    if (Number(await redis.get(failKey)) >= LOGIN_FAILURES) {
      return res
        .status(429)
        .type('html')
        .send(loginForm('Too many failed sign-ins. Try again in 15 minutes.'));
    }
    const given = Buffer.from(`${req.body?.user ?? ''}:${req.body?.password ?? ''}`);
    const expected = Buffer.from(`${options.operator.user}:${options.operator.password}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      await redis.multi().incr(failKey).expire(failKey, LOGIN_WINDOW_S).exec();
      logger.warn({ ip: req.ip }, 'console: operator sign-in refused');
      return res.status(401).type('html').send(loginForm('Wrong user name or password.'));
    }
    await startSession(res, {
      id: `operator:${options.operator.user}`,
      name: options.operator.user,
      role: 'moderator',
    });
  });

  // Everything below needs a session; every form post needs its CSRF token.
  router.use(async (req, res, next) => {
    const session = await auth.getSession(cookieOf(req, COOKIE));
    if (!session) {
      if (req.method === 'GET') return res.redirect(303, `${BASE}/login`);
      return res.status(401).type('text/plain').send('Signed out: sign in again.\n');
    }
    if (req.method === 'POST' && !csrfMatches(session, req.body?._csrf)) {
      logger.warn(
        { path: req.path, viewer: session.viewer.id },
        'console: form refused (CSRF token missing or wrong)',
      );
      return res
        .status(403)
        .type('text/plain')
        .send('This form is not from the console (CSRF check failed). Reload the page and try again.\n');
    }
    res.locals.session = session;
    next();
  });

  router.post('/signout', async (_req, res) => {
    const session = res.locals.session as ConsoleSession;
    await auth.endSession(session.id);
    await audit.add({
      at: new Date(now()),
      who: `${session.viewer.name} [${session.viewer.id}]`,
      action: 'sign-out',
      detail: '',
    });
    setCookie(res, '', 0);
    res.redirect(303, `${BASE}/login`);
  });

  const handle = (handler: PageHandler) => async (req: Request, res: Response, next: NextFunction) => {
    try {
      const session = res.locals.session as ConsoleSession;
      const flashRaw = await redis.getdel(flashKey(session));
      const ctx: PageContext = {
        req,
        res,
        session,
        viewer: session.viewer,
        ports,
        audit,
        review,
        ...(flashRaw ? { flash: JSON.parse(flashRaw) as Flash } : {}),
        setFlash: async (flash) => {
          await redis.set(flashKey(session), JSON.stringify(flash), 'EX', 120);
        },
        now: () => new Date(now()),
      };
      await handler(ctx);
    } catch (err) {
      next(err);
    }
  };

  router.get('/', handle(overviewPage));
  for (const [method, path, handler] of [
    ...reviewPages,
    ...postsPages,
    ...invitesPages,
    ['get', '/content', contentPage],
    ['get', '/audit', auditPage],
  ] as const) {
    router[method](path, handle(handler));
  }

  return {
    router,
    async signInLink(viewer) {
      const token = await auth.issueLink(viewer);
      return `${options.publicUrl().replace(/\/+$/, '')}${BASE}/signin?token=${token}`;
    },
  };
}
