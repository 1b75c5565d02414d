import { z } from 'zod';

/**
 * The bot's settings, read from the environment once at start-up. This is the only
 * module that reads `process.env`; everything else gets its settings passed in.
 * A bad value stops start-up with every problem listed (see {@link ConfigError}).
 */

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
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
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

export const configSchema = z.object({
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** Where the community's content lives; edit files there, not code. */
  CONTENT_DIR: z.string().default('content'),
  /** The bot's own data: the embedded Redis's append-only file, the WhatsApp pairing QR. */
  DATA_DIR: z.string().default('data'),
  /** Platform-qualified ids who moderate everywhere, comma separated: telegram:123,whatsapp:15551234567. */
  MODERATORS: z
    .string()
    .default('')
    .transform((v) =>
      v
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    )
    .pipe(
      z.array(
        z
          .string()
          .regex(
            /^(telegram|whatsapp|console):[^\s:]+$/,
            'each moderator is platform:id, e.g. telegram:123456',
          ),
      ),
    ),
  /** Addresses the seed does not give for the community's links. */
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
  REDIS_URL: optionalUrl,
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
  PORT: int(0, 65535).default(8080),
  HOST: z.string().default('0.0.0.0'),
  /**
   * Where people reach the ops server from outside (https://bot.example.org), for the moderators'
   * console sign-in links. Unset: the server's own address (http://127.0.0.1:PORT on a laptop).
   */
  PUBLIC_URL: optionalUrl,
  ADMIN_USER: optionalString,
  ADMIN_PASSWORD: optionalString,
});

export type Config = z.infer<typeof configSchema>;

/** Start-up stops with this when the environment has bad values; lists every one. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(readonly problems: readonly string[]) {
    super(`Configuration has ${problems.length} problem(s):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an environment (by default `process.env`). */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => `${i.path.join('.') || '(environment)'}: ${i.message}`),
    );
  }
  const config = parsed.data;
  const problems: string[] = [];
  if (config.TELEGRAM_WEBHOOK_URL && !config.TELEGRAM_BOT_TOKEN) {
    problems.push('TELEGRAM_WEBHOOK_URL: set TELEGRAM_BOT_TOKEN too, or remove the webhook URL');
  }
  if (Boolean(config.ADMIN_USER) !== Boolean(config.ADMIN_PASSWORD)) {
    problems.push('ADMIN_USER / ADMIN_PASSWORD: set both to turn the queue dashboard on, or neither');
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}
