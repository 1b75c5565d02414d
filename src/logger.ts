import { mkdirSync } from 'node:fs';
import path from 'node:path';
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
  if (!secrets.some(Boolean)) return destination;
  const scrub = createScrubber(secrets);
  return { write: (line: string) => destination.write(scrub(line)) };
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that replaces every secret value in a text, raw, JSON-escaped or URL-encoded, with
 * `[redacted]`. Secrets of any length: a long one wherever it appears; a short one (under 6
 * characters, which could be part of an ordinary word) wherever it stands as a word of its own.
 */
export function createScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const values = [...new Set(secrets.filter((s): s is string => typeof s === 'string' && s.length > 0))];
  const forms = [
    ...new Set(values.flatMap((s) => [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)])),
  ].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(
    forms
      .map((f) => (f.length >= 6 ? escapeRegExp(f) : `(?<![A-Za-z0-9])${escapeRegExp(f)}(?![A-Za-z0-9])`))
      .join('|'),
    'g',
  );
  return (text) => text.replace(pattern, '[redacted]');
}

/** The line printed when start-up fails outside the logger: scrubbed like every log line. */
export function fatalLine(err: unknown, scrub: (text: string) => string = (t) => t): string {
  return scrub(`Fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
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

/** Where log lines go once the bot knows whether a person is chatting in this terminal. */
export interface LogSink extends pino.DestinationStream {
  /** Not a terminal chat: JSON lines on stderr, as always (the JSONL contract, services). */
  toStderr(): void;
  /**
   * A terminal chat: JSON lines are appended to `file`; warnings and errors reach the person as
   * plain sentences through `say` ("Note: the console chat carries on without ...").
   */
  toFile(file: string, say: (sentence: string) => void): void;
}

const MAX_HELD_LINES = 1_000;

/**
 * A log destination that holds its lines until {@link LogSink.toStderr} or {@link LogSink.toFile}
 * says where they go, so that no JSON line lands on a terminal chat's prompt. A process that
 * exits before deciding writes what it held to stderr, so nothing is lost.
 */
export function createLogSink(stderr: pino.DestinationStream = pino.destination(2)): LogSink {
  let held: string[] | undefined = [];
  let write = (line: string) => {
    held!.push(line);
    if (held!.length > MAX_HELD_LINES) held!.shift();
  };
  const release = (to: (line: string) => void) => {
    const lines = held ?? [];
    held = undefined;
    write = to;
    for (const line of lines) to(line);
  };
  const flushOnExit = () => {
    if (held) for (const line of held.splice(0)) process.stderr.write(line);
  };
  process.once('exit', flushOnExit);
  return {
    write: (line: string) => write(line),
    toStderr: () => release((line) => stderr.write(line)),
    toFile(file, say) {
      mkdirSync(path.dirname(file), { recursive: true });
      const out = pino.destination({ dest: file, append: true, mkdir: true, sync: true });
      release((line) => {
        out.write(line);
        const sentence = plainWarning(line);
        if (sentence) say(sentence);
      });
    },
  };
}

/** A warning or error log line as one sentence for a person; undefined for other levels. */
export function plainWarning(line: string): string | undefined {
  let entry: { level?: number; msg?: string };
  try {
    entry = JSON.parse(line) as { level?: number; msg?: string };
  } catch {
    return undefined;
  }
  if ((entry.level ?? 0) < 40 || !entry.msg) return undefined;
  const text = entry.msg.trim().replace(/^\w/, (c) => c.toUpperCase());
  return `${(entry.level ?? 0) >= 50 ? 'Problem' : 'Note'}: ${/[.!?)]$/.test(text) ? text : `${text}.`}`;
}
