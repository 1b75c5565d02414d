import type { Request, Response } from 'express';
import type { AuditLog } from './audit.js';
import type { ConsoleSession } from './auth.js';
import type { Flash } from './layout.js';
import type { ConsolePorts } from './ports.js';
import type { ReviewState } from './review-state.js';
import { chatKey, type Viewer } from './viewer.js';

/** What every page handler gets: the signed-in session and the bot's parts. */
export interface PageContext {
  readonly req: Request;
  readonly res: Response;
  readonly session: ConsoleSession;
  readonly viewer: Viewer;
  readonly ports: ConsolePorts;
  readonly audit: AuditLog;
  readonly review: ReviewState;
  readonly flash?: Flash;
  /** Remembers a message for the next page the viewer sees (after a redirect). */
  setFlash(flash: Flash): Promise<void>;
  now(): Date;
}

export type PageHandler = (ctx: PageContext) => Promise<void>;

/** A form field as a trimmed string (express gives strings or arrays). */
export const field = (req: Request, name: string, max = 4_000): string => {
  const v = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v.trim().slice(0, max) : '';
};

/** Records what the viewer did. */
export const record = (
  ctx: PageContext,
  action: string,
  detail: string,
  chat?: { platform: string; chatId: string },
) =>
  ctx.audit.add({
    at: ctx.now(),
    who: `${ctx.viewer.name} [${ctx.viewer.id}]`,
    action,
    detail,
    ...(chat ? { chat: chatKey(chat as Parameters<typeof chatKey>[0]) } : {}),
  });

/** A page the viewer's rights do not reach. */
export function forbidden(res: Response, what: string): void {
  res.status(403).type('text/plain').send(`Your sign-in does not allow ${what}.\n`);
}
