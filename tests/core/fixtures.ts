/** Shared helpers for the foundation tests: the real content, a router on it, and incoming events. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createContentStore } from '../../src/content/store.js';
import type { Content } from '../../src/core/content.js';
import type { RouterOptions } from '../../src/core/router.js';
import { createRouter } from '../../src/core/router.js';
import { plainText } from '../../src/core/text.js';
import type { ChatType, Incoming, Reply, Sender } from '../../src/core/types.js';

export const CONTENT_DIR = path.resolve('content');

/** The real content, loaded once per test file. */
export async function realStore() {
  return createContentStore(CONTENT_DIR);
}

/** A router on the real content. */
export async function realRouter(options: Omit<RouterOptions, 'content'> = {}) {
  const store = await realStore();
  return {
    router: createRouter({ content: store, ...options }),
    content: store.current().content as Content,
  };
}

let chatCounter = 0;
/** A chat id nobody else uses: reading positions are kept per chat for the whole process. */
export const freshChat = (prefix = 'chat') => `${prefix}-${process.pid}-${++chatCounter}`;

export interface Where {
  chatId?: string;
  chatType?: ChatType;
  addressed?: boolean;
  sender?: Partial<Sender>;
}

const base = (w: Where = {}) => {
  const chatType = w.chatType ?? 'private';
  return {
    chat: { platform: 'console' as const, chatId: w.chatId ?? freshChat(), chatType },
    sender: { id: 'u1', name: 'Ana', ...w.sender },
    addressed: w.addressed ?? chatType === 'private',
  };
};

export const text = (t: string, w?: Where): Incoming => ({ ...base(w), kind: 'text', text: t });
export const command = (name: string, args = '', w?: Where): Incoming => ({
  ...base(w),
  kind: 'command',
  command: name,
  args,
});
export const press = (data: string, w?: Where): Incoming => ({ ...base(w), kind: 'press', data });
export const media = (what: string, w?: Where): Incoming => ({ ...base(w), kind: 'media', media: what });

/** Everything a member reads in a batch of replies. */
export const allText = (replies: readonly Reply[]) => replies.map(plainText).join('\n\n');

/** Counts of what the content files hold, read independently of the loader. */
export function countInFiles() {
  const faq = readFileSync(path.join(CONTENT_DIR, 'faq.yaml'), 'utf8');
  const article = readFileSync(path.join(CONTENT_DIR, 'article.md'), 'utf8');
  return {
    faqEntries: (faq.match(/^ {4}question: /gm) ?? []).length,
    sections: (article.match(/^## /gm) ?? []).length,
  };
}

/** What a stack trace or raw error leaks into text: "at fn (file.ts:1:2)", "Error:", file paths. */
export const STACK_LIKE = /(\bat \S+ \(|\.ts:\d+|\.js:\d+|\bError:|node:internal)/;
