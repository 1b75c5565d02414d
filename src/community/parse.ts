/** Argument parsing for the community commands: forgiving about order, clear about mistakes. */

const MINUTE = 60_000;
const UNITS: Record<string, number> = {
  m: MINUTE,
  min: MINUTE,
  mins: MINUTE,
  minute: MINUTE,
  minutes: MINUTE,
  h: 60 * MINUTE,
  hr: 60 * MINUTE,
  hrs: 60 * MINUTE,
  hour: 60 * MINUTE,
  hours: 60 * MINUTE,
  d: 24 * 60 * MINUTE,
  day: 24 * 60 * MINUTE,
  days: 24 * 60 * MINUTE,
  w: 7 * 24 * 60 * MINUTE,
  week: 7 * 24 * 60 * MINUTE,
  weeks: 7 * 24 * 60 * MINUTE,
};
/** Telegram accepts far-future expiry dates, but a link older than a year is forgotten, not planned. */
const MAX_EXPIRY_MS = 366 * 24 * 60 * MINUTE;
/** Telegram's member_limit range. */
export const MAX_MEMBER_LIMIT = 99_999;
/** Telegram keeps at most 32 characters of a link's name. */
const NAME = /^[a-z][a-z0-9_-]{0,31}$/;

export const INVITE_EXAMPLES = [
  '/invite spring 7d',
  '/invite flyer 30d limit 100',
  '/invite newcomers approval',
  '/invite revoke spring',
].join('\n');

export type InviteArgs =
  | {
      readonly type: 'create';
      readonly name?: string;
      readonly expiresInMs?: number;
      readonly memberLimit?: number;
      readonly approval?: boolean;
    }
  | { readonly type: 'revoke'; readonly name: string }
  | { readonly type: 'error'; readonly message: string };

/** Reads a duration such as `7d`, `12h`, `2w`, `90min`; undefined when the token is not one. */
export function parseDuration(token: string): number | undefined {
  const m = /^(\d{1,6})\s*([a-z]+)$/.exec(token.trim().toLowerCase());
  if (!m) return undefined;
  const unit = UNITS[m[2]!];
  return unit === undefined ? undefined : Number(m[1]) * unit;
}

/**
 * `/invite [name] [expiry] [limit N | approval]` in any order, or `/invite revoke <name>`.
 * Names start with a letter (a token starting with a digit is read as an expiry).
 */
export function parseInviteArgs(args: string): InviteArgs {
  const tokens = args.trim().toLowerCase().split(/\s+/).filter(Boolean);
  const error = (message: string): InviteArgs => ({
    type: 'error',
    message: `${message}\n\nExamples:\n${INVITE_EXAMPLES}`,
  });
  if (tokens[0] === 'revoke' || tokens[0] === 'delete') {
    const name = tokens[1];
    if (!name || tokens.length > 2)
      return error('Say which link to revoke, e.g. /invite revoke spring (see /invites).');
    return { type: 'revoke', name };
  }
  let name: string | undefined;
  let expiresInMs: number | undefined;
  let memberLimit: number | undefined;
  let approval = false;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token === 'approval' || token === 'approve' || token === 'request' || token === 'requests') {
      approval = true;
      continue;
    }
    const limit = /^(?:limit|max)(?:=(.*))?$/.exec(token);
    if (limit) {
      const value = limit[1] ?? tokens[++i];
      const n = value !== undefined && /^\d+$/.test(value) ? Number(value) : Number.NaN;
      if (!(n >= 1 && n <= MAX_MEMBER_LIMIT)) {
        return error(
          `"limit" needs a number of people from 1 to ${MAX_MEMBER_LIMIT}, e.g. /invite flyer 30d limit 100.`,
        );
      }
      memberLimit = n;
      continue;
    }
    if (/^\d/.test(token)) {
      const ms = parseDuration(token);
      if (ms === undefined) {
        return error(
          `I can't read "${token}" as an expiry. Give a number and a unit: 90min, 12h, 7d or 2w, e.g. /invite spring 7d.`,
        );
      }
      if (expiresInMs !== undefined) return error('Give one expiry only, e.g. /invite spring 7d.');
      if (ms < 5 * MINUTE || ms > MAX_EXPIRY_MS) {
        return error(
          `An expiry must be between 5 minutes and 366 days ("${token}" is not), e.g. /invite spring 7d.`,
        );
      }
      expiresInMs = ms;
      continue;
    }
    if (token === 'never') continue;
    if (!NAME.test(token)) {
      return error(
        `"${token.slice(0, 40)}" is not a usable link name: start with a letter, then letters, digits, - or _ (at most 32).`,
      );
    }
    if (name !== undefined) return error(`One name per link, please: I read both "${name}" and "${token}".`);
    name = token;
  }
  // Telegram cannot combine a member limit with join requests.
  if (approval && memberLimit !== undefined) {
    return error('A link can have a member limit or need approval, not both.');
  }
  return {
    type: 'create',
    ...(name === undefined ? {} : { name }),
    ...(expiresInMs === undefined ? {} : { expiresInMs }),
    ...(memberLimit === undefined ? {} : { memberLimit }),
    ...(approval ? { approval } : {}),
  };
}

/** `[days]` for /unanswered and /stats: `7`, `7d`, `2w`; the default when empty. */
export function parseDays(args: string, fallback: number, max: number): number | { error: string } {
  const a = args.trim().toLowerCase();
  if (!a) return fallback;
  const n = /^\d+$/.test(a) ? Number(a) : (parseDuration(a) ?? Number.NaN) / (24 * 60 * MINUTE);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    return { error: `Give a number of days from 1 to ${max}, e.g. ${fallback} or ${fallback}d.` };
  }
  return n;
}
