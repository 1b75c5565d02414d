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

/** JSON logs on stderr: stdout belongs to the console chat's JSONL contract. */
export function createLogger(level: string, destination: pino.DestinationStream = pino.destination(2)) {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { app: 'fibro-bot' } }, destination);
}

export type Logger = ReturnType<typeof createLogger>;
