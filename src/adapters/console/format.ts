import { plainText } from '../../core/text.js';
import type { Incoming, Reply } from '../../core/types.js';

/** One reply in the console's JSONL contract. */
export interface JsonReply {
  kind: Reply['kind'];
  text: string;
  buttons: { label: string; data: string }[];
}

export const toJsonReply = (r: Reply): JsonReply => ({
  kind: r.kind,
  text: plainText(r),
  buttons: (r.buttons ?? []).map((b) => ({ label: b.label, data: b.data })),
});

/**
 * How a reply reads in the interactive terminal chat: text, then numbered choices. A reply whose
 * text already lists its choices under the same numbers (contents, "did you mean") gets only the
 * prompt, so each choice is printed once.
 */
export function toTerminal(r: Reply, choiceOffset = 0): string {
  const text = plainText(r);
  const buttons = r.buttons ?? [];
  const lines = new Set(text.split('\n').map((l) => l.trim()));
  const numbered = (label: string, i: number) =>
    label.startsWith(`${i + 1}. `) ? label : `${i + 1}. ${label}`;
  if (buttons.length > 0 && choiceOffset === 0 && buttons.every((b, i) => lines.has(numbered(b.label, i)))) {
    return `${text}\n  (type a number, 1-${buttons.length})`;
  }
  const choices = buttons.map((b, i) => `  [${choiceOffset + i + 1}] ${b.label}`);
  return [text, ...choices].join('\n');
}

/**
 * Wraps each line at word boundaries to `width` columns; continuation lines keep the line's
 * indent ("  [2] ..." choices, "• " items). A word longer than the width (a URL) stays whole.
 */
export function wrapLines(text: string, width: number): string {
  if (!(width >= 20)) return text;
  return text
    .split('\n')
    .flatMap((line) => {
      if (line.length <= width) return [line];
      const indent = ' '.repeat((/^\s*(?:\[\d+\]\s+|[•-]\s+|\d+\.\s+)?/.exec(line)?.[0] ?? '').length);
      const out: string[] = [];
      let current = '';
      for (const word of line.split(/ +/)) {
        const next = current === '' ? word : `${current} ${word}`;
        if (next.length <= width || current.trim() === '') current = next;
        else {
          out.push(current);
          current = `${indent}${word}`;
        }
      }
      out.push(current);
      return out;
    })
    .join('\n');
}

/** A scripted input line: plain text or a JSON object. */
export interface ScriptLine {
  text?: string;
  press?: string;
  chatId?: string;
  userId?: string;
  chatType?: 'private' | 'group';
  /** A configured moderator (the local operator is one unless this says false). */
  moderator?: boolean;
  /** The sender administers this chat but is not a configured moderator (counts in community chats only). */
  chatAdmin?: boolean;
  name?: string;
  /** In a group: the line mentions the bot or replies to it. */
  addressed?: boolean;
  /** The message's id in its chat: a moderator's `/reply` to it names it in its delivery line. */
  messageId?: string;
}

const COMMAND = /^[/!]([A-Za-z0-9_]{1,64})(?:@(\S+))?(?:\s+([\s\S]*))?$/;

/** Turns a scripted or typed line into the core's incoming event. */
export function toIncoming(line: ScriptLine): Incoming {
  const chatType = line.chatType ?? 'private';
  const base = {
    chat: { platform: 'console' as const, chatId: line.chatId ?? 'local', chatType },
    sender: {
      id: line.userId ?? 'operator',
      name: line.name ?? 'Operator',
      isLocalOperator: line.moderator ?? true,
      ...(line.chatAdmin === undefined ? {} : { isChatAdmin: line.chatAdmin }),
    },
    addressed: line.addressed ?? chatType === 'private',
    ...(line.messageId === undefined ? {} : { messageId: line.messageId }),
  };
  if (line.press !== undefined) return { ...base, kind: 'press', data: line.press };
  const text = line.text ?? '';
  const command = COMMAND.exec(text.trim());
  if (command) {
    return { ...base, kind: 'command', command: command[1]!.toLowerCase(), args: (command[3] ?? '').trim() };
  }
  return { ...base, kind: 'text', text };
}

/** Reads one input line of the scripted mode; a line that is not a JSON object is plain text. */
export function parseScriptLine(
  raw: string,
): { line: ScriptLine; label: string } | { error: string; label: string } {
  const trimmed = raw.trim();
  if (!trimmed.startsWith('{')) return { line: { text: raw }, label: raw };
  let value: unknown;
  try {
    value = JSON.parse(trimmed);
  } catch (err) {
    return { error: `This line is not valid JSON: ${(err as Error).message}`, label: raw };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { error: 'A JSON line must be an object such as {"text": "hello"}.', label: raw };
  }
  const v = value as Record<string, unknown>;
  const problems: string[] = [];
  const str = (k: string) => {
    if (v[k] !== undefined && typeof v[k] !== 'string') problems.push(`"${k}" must be a string`);
  };
  for (const k of ['text', 'press', 'chatId', 'userId', 'name', 'messageId']) str(k);
  if (v.chatType !== undefined && v.chatType !== 'private' && v.chatType !== 'group') {
    problems.push('"chatType" must be "private" or "group"');
  }
  for (const k of ['moderator', 'chatAdmin', 'addressed']) {
    if (v[k] !== undefined && typeof v[k] !== 'boolean') problems.push(`"${k}" must be true or false`);
  }
  if (v.text === undefined && v.press === undefined) problems.push('give "text" or "press"');
  const label = typeof v.text === 'string' ? v.text : typeof v.press === 'string' ? v.press : raw;
  if (problems.length > 0) return { error: `Cannot read this line: ${problems.join('; ')}.`, label };
  return { line: v as ScriptLine, label };
}
