import { pino } from 'pino';

/** Paths whose values never reach a log line: tokens, secrets, passwords, auth headers. */
export const REDACT_PATHS = [
  'token',
  '*.token',
  'config.TELEGRAM_BOT_TOKEN',
  'config.TELEGRAM_WEBHOOK_SECRET',
  'config.ADMIN_PASSWORD',
  'config.REDIS_URL',
  'TELEGRAM_BOT_TOKEN',
  'TELEGRAM_WEBHOOK_SECRET',
  'ADMIN_PASSWORD',
  'password',
  '*.password',
  'req.headers.authorization',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'headers.authorization',
];

/**
 * JSON logs on stderr: stdout belongs to the console chat's JSONL contract.
 * `secrets` are values (the bot token, passwords) scrubbed from every line wherever they appear,
 * for example inside an error message or a URL that `REDACT_PATHS` cannot name.
 */
export function createLogger(
  level: string,
  destination: pino.DestinationStream = pino.destination(2),
  secrets: readonly (string | undefined)[] = [],
) {
  return pino(
    { level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'fibro-bot' } },
    scrubbing(destination, secrets),
  );
}

/** Wraps a destination so that no secret value reaches it, raw or JSON-escaped. */
function scrubbing(
  destination: pino.DestinationStream,
  secrets: readonly (string | undefined)[],
): pino.DestinationStream {
  // Short values would redact ordinary words; real secrets are longer.
  const forms = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length >= 6))]
    .flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])
    .sort((a, b) => b.length - a.length);
  if (forms.length === 0) return destination;
  return {
    write(line: string) {
      let out = line;
      for (const f of forms) out = out.split(f).join('[redacted]');
      return destination.write(out);
    },
  };
}

/** The secret values in a configuration, for {@link createLogger}'s `secrets`. */
export function secretValues(config: {
  TELEGRAM_BOT_TOKEN?: string | undefined;
  TELEGRAM_WEBHOOK_SECRET?: string | undefined;
  ADMIN_PASSWORD?: string | undefined;
  REDIS_URL?: string | undefined;
}): string[] {
  const values = [config.TELEGRAM_BOT_TOKEN, config.TELEGRAM_WEBHOOK_SECRET, config.ADMIN_PASSWORD];
  if (config.REDIS_URL) {
    try {
      const password = decodeURIComponent(new URL(config.REDIS_URL).password);
      if (password) values.push(password);
    } catch {}
  }
  return values.filter((v): v is string => Boolean(v));
}

export type Logger = ReturnType<typeof createLogger>;
