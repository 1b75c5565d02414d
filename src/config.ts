import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseEnv } from 'node:util';
import { CronExpressionParser } from 'cron-parser';
import { z } from 'zod';

/**
 * The bot's settings, read from the environment once at start-up. This is the only
 * module that reads `process.env`; everything else gets its settings passed in.
 * A bad value stops start-up with every problem listed (see {@link ConfigError}).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''], { message: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const optionalString = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .optional();
const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url({ message: 'must be a full URL such as https://example.org/path' }).optional())
  .optional();
const int = (min: number, max: number, why = '') => {
  const message = `must be a whole number from ${min} to ${max}${why}`;
  return z.coerce.number({ message }).int({ message }).min(min, { message }).max(max, { message });
};
/** BullMQ reads TIPS_CRON with cron-parser: check it the same way, so a typo stops start-up in words. */
const isCron = (pattern: string, tz: string) => {
  try {
    CronExpressionParser.parse(pattern, { tz });
    return true;
  } catch {
    return false;
  }
};
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** A comma-separated setting: its items trimmed, empty ones dropped, each checked against `pattern`. */
const commaList = (pattern: RegExp, message: string) =>
  z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.string().regex(pattern, message)));

export const configSchema = z.object({
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'must be one of fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  /** Where the community's content lives; edit files there, not code. */
  CONTENT_DIR: z.string().default('content'),
  /** The bot's own data: the embedded Redis's append-only file, the WhatsApp pairing QR. */
  DATA_DIR: z.string().default('data'),
  /** Platform-qualified ids who moderate everywhere, comma separated: telegram:123,whatsapp:15551234567. */
  MODERATORS: commaList(
    /^(telegram|whatsapp|console):[^\s:]+$/,
    'write each moderator as platform:id, e.g. telegram:123456 or whatsapp:15551234567',
  ),
  /**
   * The community's groups, comma separated (telegram:-1001234567890,whatsapp:120363...@g.us): their
   * admins manage their own group. Moderators can add more with /register in the group.
   */
  COMMUNITY_CHATS: commaList(
    /^(telegram|whatsapp|console):\S+$/,
    'each chat is platform:chatId, e.g. telegram:-1001234567890',
  ),
  /** Addresses the seed does not give for the community's links. */
  /** The community's own group chat (an invite link): first in /links and the ?start=join onboarding. */
  COMMUNITY_GROUP_URL: optionalUrl,
  WHATSAPP_COMMUNITY_URL: optionalUrl,
  BLOG_URL: optionalUrl,

  TELEGRAM_BOT_TOKEN: optionalString,
  /** A self-hosted or local Bot API server (tests use an emulator). No trailing slash. */
  TELEGRAM_API_ROOT: optionalUrl,
  /** When set, Telegram delivers updates to this public HTTPS URL instead of long polling. */
  TELEGRAM_WEBHOOK_URL: optionalUrl,
  /** Telegram sends it back in a header so the webhook knows the request is Telegram's. */
  TELEGRAM_WEBHOOK_SECRET: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,256}$/, 'use 1-256 characters A-Z, a-z, 0-9, _ and -')
    .optional()
    .or(z.literal('').transform(() => undefined)),

  WHATSAPP_ENABLED: bool.default(false),
  /** Phone number with country code, digits only: link by pairing code instead of a QR code. */
  WHATSAPP_PAIRING_NUMBER: z
    .string()
    .regex(/^\d{8,15}$/, 'digits only, with the country code, e.g. 15551234567')
    .optional()
    .or(z.literal('').transform(() => undefined)),
  /** Minimum gap between two messages to one WhatsApp chat, and between any two messages. */
  WHATSAPP_CHAT_GAP_MS: int(0, 600_000).default(1_500),
  WHATSAPP_GLOBAL_GAP_MS: int(0, 600_000).default(1_000),
  /** Bulk sends (tips, broadcasts) per minute over all WhatsApp chats. */
  WHATSAPP_BULK_PER_MINUTE: int(1, 600).default(20),
  /** Approve WhatsApp join requests automatically (with a welcome), or leave them to admins. */
  WHATSAPP_AUTO_APPROVE: bool.default(false),
  /** Joins WhatsApp redelivers later than this after downtime get no welcome (a stale welcome confuses). */
  WHATSAPP_WELCOME_WINDOW_HOURS: int(1, 24 * 30).default(24),

  /** Unset: the bot starts its own redis-server if one is installed, else runs without scheduling. */
  REDIS_URL: z
    .string()
    .trim()
    .transform((v) => (v === '' ? undefined : v))
    .pipe(
      z
        .string()
        .regex(/^rediss?:\/\/\S+$/, 'must start with redis:// or rediss://, e.g. redis://localhost:6379')
        .pipe(z.url({ message: 'must be a full URL such as redis://localhost:6379' }))
        .optional(),
    )
    .optional(),
  /** When the community tip goes out: 6-field cron (with seconds) in COMMUNITY_TIMEZONE. */
  TIPS_CRON: z.string().trim().default('0 0 10 * * *'),
  COMMUNITY_TIMEZONE: z
    .string()
    .default('UTC')
    .refine(isTimeZone, 'must be an IANA time zone such as Europe/London'),
  TELEGRAM_GLOBAL_PER_SECOND: int(1, 30).default(25),
  TELEGRAM_GROUP_PER_MINUTE: int(1, 20).default(18),
  TELEGRAM_CHAT_GAP_MS: int(0, 60_000).default(1_100),
  /** Join requests left unanswered this long are declined. */
  JOIN_REQUEST_TIMEOUT_MINUTES: int(1, 60 * 24 * 7).default(60 * 24),
  /** Flood control: more than FLOOD_MAX messages to the bot within FLOOD_WINDOW_SECONDS gets one slow-down note. */
  FLOOD_MAX: int(1, 1000).default(6),
  FLOOD_WINDOW_SECONDS: int(1, 3600).default(30),

  /** The operations HTTP server (health, metrics, Telegram webhook, queue dashboard). 0 turns it off. */
  PORT: int(0, 65535, ' (0 turns the operations server off)').default(8080),
  /** Loopback by default: the dashboard and webhook are not for the whole network. Containers set 0.0.0.0. */
  HOST: z.string().default('127.0.0.1'),
  /**
   * Where people reach the ops server from outside (https://bot.example.org), for the moderators'
   * console sign-in links. Unset: the server's own address (http://127.0.0.1:PORT on a laptop).
   */
  PUBLIC_URL: optionalUrl,
  ADMIN_USER: optionalString,
  ADMIN_PASSWORD: optionalString,
});

export type Config = z.infer<typeof configSchema> & {
  /** Whether PORT was set (a console-only run opens no ops server unless asked to). */
  readonly PORT_EXPLICIT: boolean;
};

/** Start-up stops with this when the environment has bad values; lists every one. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** `MODERATORS, item 2: ...` rather than `MODERATORS.1: ...`. */
const where = (issuePath: readonly PropertyKey[]): string => {
  const [name, ...rest] = issuePath.map(String);
  if (!name) return '(environment)';
  const index = rest.find((p) => /^\d+$/.test(p));
  return index === undefined ? name : `${name}, item ${Number(index) + 1}`;
};

/** Validates an environment (by default `process.env`); every problem is listed at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${where(i.path)}: ${i.message}`);
  // Checked on the raw values too, so they are listed beside the other problems.
  const cron = (env.TIPS_CRON ?? '0 0 10 * * *').trim();
  const tz = (env.COMMUNITY_TIMEZONE ?? 'UTC').trim();
  if (cron && !isCron(cron, isTimeZone(tz) ? tz : 'UTC')) {
    problems.push(
      `TIPS_CRON: "${cron}" is not a schedule; write 6 fields, seconds first, ` +
        'e.g. "0 0 10 * * *" for 10:00 every day, or leave it empty to send no tips',
    );
  }
  if (parsed.success) {
    const config = parsed.data;
    if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_BOT_TOKEN) {
      problems.push('TELEGRAM_WEBHOOK_URL: set TELEGRAM_BOT_TOKEN too, or remove the webhook URL');
    }
    if (Boolean(config.ADMIN_USER) !== Boolean(config.ADMIN_PASSWORD)) {
      problems.push('ADMIN_USER / ADMIN_PASSWORD: set both to turn the queue dashboard on, or neither');
    }
  }
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  return { ...parsed.data, PORT_EXPLICIT: (env.PORT ?? '').trim() !== '' };
}

/** The environment the bot runs with, and where its values came from. */
export interface Environment {
  readonly env: Record<string, string | undefined>;
  /** The settings file that was read (absolute path), if any. */
  readonly file?: string;
}

/**
 * The real environment plus a settings file (`.env` in the working directory, or `ENV_FILE`;
 * `ENV_FILE=` empty reads none). Real environment variables win over the file, so a one-off
 * `PORT=3000 npm start` still works. A file named by ENV_FILE that cannot be read, or a `.env`
 * that cannot be parsed, is a configuration problem like any other.
 */
export function readEnvironment(
  real: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Environment {
  const named = real.ENV_FILE;
  if (named !== undefined && named.trim() === '') return { env: real };
  const file = path.resolve(cwd, named?.trim() || '.env');
  if (!existsSync(file)) {
    if (named) throw new ConfigError([`ENV_FILE: there is no file ${file}`]);
    return { env: real };
  }
  let fromFile: Record<string, string>;
  try {
    fromFile = parseEnv(readFileSync(file, 'utf8')) as Record<string, string>;
  } catch (err) {
    throw new ConfigError([
      `${named ? 'ENV_FILE' : '.env'}: could not read ${file}: ${(err as Error).message}`,
    ]);
  }
  const env: Record<string, string | undefined> = { ...fromFile };
  for (const [k, v] of Object.entries(real)) if (v !== undefined) env[k] = v;
  return { env, file };
}
