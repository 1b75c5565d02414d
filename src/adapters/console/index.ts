import type { Readable, Writable } from 'node:stream';
import type { Adapter } from '../../core/adapter.js';
import type { Router } from '../../core/router.js';
import { plainText } from '../../core/text.js';
import type { Button, Reply } from '../../core/types.js';
import {
  parseScriptLine,
  type ScriptLine,
  toIncoming,
  toJsonReply,
  toTerminal,
  wrapLines,
} from './format.js';
import { readLines } from './lines.js';

export interface ConsoleAdapterOptions {
  readonly router: Router;
  /**
   * `jsonl`: the scripted contract (one JSON line out per line in);
   * `interactive`: a terminal chat with a prompt and numbered choices.
   */
  readonly mode: 'jsonl' | 'interactive';
  readonly input: Readable;
  readonly output: Writable;
  /**
   * Whether deliveries to console chats are due within `withinMs` (any time when omitted). The
   * scripted mode waits, after its input ends, for those due within `waitForPostsMs`; the
   * interactive chat quits at once and says that later posts stay in Redis.
   */
  readonly hasPending?: (withinMs?: number) => Promise<boolean>;
  readonly pendingPollMs?: number;
  /** Scripted mode: how far ahead a post may be due and still be waited for (default 60 s). */
  readonly waitForPostsMs?: number;
  readonly botName?: string;
  /** Removes secrets from an error before it is printed (the logger's scrubber). */
  readonly scrub?: (text: string) => string;
  /** Interactive: where the log lines go instead of the terminal (said in the banner). */
  readonly logFile?: string;
}

export interface ConsoleAdapter extends Adapter {
  /** Settles when input has ended (scripted mode: and posts due soon are out), or on stop(). */
  readonly finished: Promise<void>;
  /** Interactive: a sentence for the person (a warning from the log), then the prompt again. */
  notice(sentence: string): void;
}

/** A chat in the terminal on the same router as the platforms: for local use and scripted tests. */
export function createConsoleAdapter(options: ConsoleAdapterOptions): ConsoleAdapter {
  const { router, mode, output } = options;
  // A terminal's width (it changes when the window is resized); scripts and pipes get no wrapping.
  const width = () => {
    const tty = output as Writable & { isTTY?: boolean; columns?: number };
    return mode === 'interactive' && tty.isTTY ? (tty.columns ?? 0) - 1 : 0;
  };
  const write = (line: string) => output.write(`${wrapLines(line, width())}\n`);
  let lastButtons: readonly Button[] = [];
  let stopped = false;
  let resolveFinished!: () => void;
  const finished = new Promise<void>((r) => {
    resolveFinished = r;
  });

  const show = (replies: readonly Reply[]) => {
    const buttons: Button[] = [];
    for (const r of replies) {
      write(toTerminal(r, buttons.length));
      write('');
      buttons.push(...(r.buttons ?? []));
    }
    if (buttons.length > 0) lastButtons = buttons;
  };

  async function handleLine(raw: string): Promise<void> {
    if (mode === 'jsonl') {
      const parsed = parseScriptLine(raw);
      if ('error' in parsed) {
        write(
          JSON.stringify({
            input: parsed.label,
            replies: [{ kind: 'error', text: parsed.error, buttons: [] }],
          }),
        );
        return;
      }
      const replies = await router.handle(toIncoming(parsed.line));
      write(JSON.stringify({ input: parsed.label, replies: replies.map(toJsonReply) }));
      return;
    }
    // Interactive: a number picks one of the choices shown last.
    const choice = /^\s*(\d{1,2})\s*$/.exec(raw);
    const picked = choice ? lastButtons[Number(choice[1]) - 1] : undefined;
    const line: ScriptLine = picked ? { press: picked.data } : { text: raw };
    show(await router.handle(toIncoming(line)));
    prompt();
  }

  const prompt = () => {
    if (mode === 'interactive' && !stopped) output.write('you> ');
  };

  async function run(): Promise<void> {
    if (mode === 'interactive') {
      write(
        `${options.botName ?? 'Community bot'}: console chat. Ask a question, or try /help, /faq, /article.`,
      );
      write('Numbers pick a choice. Ctrl+D (or Ctrl+C) quits.');
      if (options.logFile) write(`The bot's log is written to ${options.logFile}.`);
      write('');
      show(await router.handle(toIncoming({ text: '/start' })));
      prompt();
    }
    for await (const raw of readLines(options.input)) {
      if (stopped) break;
      await handleLine(raw);
    }
    if (mode === 'interactive') {
      await sayPostsStay();
      resolveFinished();
      return;
    }
    // Scripted mode: posts to console chats due soon keep it open until they are out; posts due
    // later stay in Redis (a session scheduled for tomorrow must not hang every later script).
    const within = options.waitForPostsMs ?? 60_000;
    while (!stopped && options.hasPending && (await options.hasPending(within))) {
      await new Promise((r) => setTimeout(r, options.pendingPollMs ?? 250));
    }
    resolveFinished();
  }

  let told = false;
  /** Quitting never waits for scheduled posts; the person is told where they are. */
  async function sayPostsStay(): Promise<void> {
    if (mode !== 'interactive' || told || !options.hasPending) return;
    told = true;
    const pending = await Promise.race([
      options.hasPending().catch(() => false),
      new Promise<boolean>((r) => setTimeout(() => r(false), 1_000)),
    ]);
    if (pending)
      write('\nBye. Scheduled posts stay saved in Redis and are shown the next time you start the chat.');
  }
  // A closed terminal: writing fails (EIO, EPIPE); stop rather than crash or linger.
  output.on('error', () => {
    stopped = true;
    resolveFinished();
  });

  return {
    platform: 'console',
    finished,
    async start() {
      void run().catch((err) => {
        const text = (options.scrub ?? ((t: string) => t))(String(err));
        write(mode === 'jsonl' ? JSON.stringify({ error: text }) : `error: ${text}`);
        resolveFinished();
      });
    },
    async stop() {
      if (!stopped) await sayPostsStay().catch(() => {});
      stopped = true;
      resolveFinished();
    },
    async send(chatId, replies) {
      for (const r of replies) {
        if (mode === 'jsonl')
          write(
            JSON.stringify({
              delivery: {
                chatId,
                kind: r.kind,
                text: plainText(r),
                // A reply to a member's message (a moderator's /reply) names that message.
                ...(r.quote ? { replyTo: r.quote.messageId } : {}),
              },
            }),
          );
        else {
          write(`\n[post to ${chatId}]\n${toTerminal(r)}\n`);
          prompt();
        }
      }
    },
    notice(sentence) {
      if (mode !== 'interactive' || stopped) return;
      output.write('\n');
      write(sentence);
      prompt();
    },
    status: () => ({ connected: true }),
  };
}
