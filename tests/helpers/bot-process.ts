import { type ChildProcessByStdio, spawn } from 'node:child_process';
import path from 'node:path';
import type { Readable, Writable } from 'node:stream';

/** The repository root: where `src/main.ts`, `content/` and `package.json` are. */
export const root = path.resolve(import.meta.dirname, '../..');

/** Node arguments that run the bot from source, as `npm run chat` does. */
export const TSX_MAIN = ['--import', 'tsx', 'src/main.ts'] as const;

/** A spawned bot: its process, its exit code, and everything it wrote so far. */
export interface BotProcess {
  readonly child: ChildProcessByStdio<Writable, Readable, Readable>;
  /** The exit code (null after a signal). */
  readonly exited: Promise<number | null>;
  out(): string;
  err(): string;
}

export interface SpawnBotOptions {
  /** The whole environment of the child (nothing is inherited). */
  readonly env: NodeJS.ProcessEnv;
  /** Default: the repository root. */
  readonly cwd?: string;
  /** Written to stdin, which is then closed; without it stdin stays open for the test to write. */
  readonly input?: string;
}

/**
 * Starts the bot (or a wrapper around it: `npm`, `script`) with piped stdio and collects its
 * output. `spawnBot(process.execPath, [...TSX_MAIN, '--jsonl'], { env })` runs it from source.
 */
export function spawnBot(command: string, args: readonly string[], options: SpawnBotOptions): BotProcess {
  const child = spawn(command, [...args], {
    cwd: options.cwd ?? root,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (c) => {
    out += c;
  });
  child.stderr.on('data', (c) => {
    err += c;
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, exited, out: () => out, err: () => err };
}

/**
 * Polls `probe` every 50 ms until it holds; throws naming `what`, with `log()` (the bot's stderr),
 * after `tries` polls. Generous by default: a loaded CI machine can take a while to start tsx and
 * redis-server.
 */
export async function until(
  probe: () => boolean | Promise<boolean>,
  what: string,
  log: () => string,
  tries = 1_800,
): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}; stderr:\n${log()}`);
}
