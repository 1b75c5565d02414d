/**
 * Builds the console's ports from the bot's running parts (main.ts calls it): the same content
 * store, scheduling service, community stores and router as the chat commands.
 */
import type { Redis } from 'ioredis';
import type { Community } from '../../community/index.js';
import { ContentError } from '../../content/errors.js';
import type { ContentStore } from '../../content/store.js';
import { describeContent } from '../../content/summary.js';
import type { Router as CoreRouter } from '../../core/router.js';
import { plainText } from '../../core/text.js';
import type { ChatRef, Platform, Reply } from '../../core/types.js';
import type { PostBoard, Scheduling } from '../../scheduling/index.js';
import type { ContentReloader } from '../reload.js';
import type { ConsolePorts, QuestionsPort } from './ports.js';
import { chatKey, type Viewer } from './viewer.js';

export interface ConsoleWiring {
  readonly redis: Redis;
  readonly router: () => CoreRouter;
  readonly store: ContentStore;
  readonly reloader: ContentReloader;
  readonly community: Community;
  readonly scheduling?: Scheduling;
  readonly postBoard?: PostBoard;
  readonly previews: ConsolePorts['previews'];
  readonly timeZone: string;
}

/** The viewer as the sender of a command typed in `chat`: the router's own checks then apply. */
const asSender = (viewer: Viewer) => ({
  id: viewer.id.slice(viewer.id.indexOf(':') + 1),
  name: viewer.name,
  ...(viewer.role === 'moderator' ? { isLocalOperator: true } : { isChatAdmin: true }),
});

export function consolePorts(w: ConsoleWiring): ConsolePorts {
  const { community, scheduling } = w;
  const insight = community.internals.insight;

  const command = async (viewer: Viewer, chat: ChatRef, text: string): Promise<string> => {
    const m = /^\/([a-z0-9_]+)\s*([\s\S]*)$/i.exec(text.trim());
    if (!m) return 'Not a command.';
    const replies: Reply[] = await w.router().handle({
      kind: 'command',
      chat,
      sender: asSender(viewer),
      addressed: true,
      command: m[1]!.toLowerCase(),
      args: m[2]!.trim(),
    });
    return replies.map((r) => plainText(r)).join('\n\n');
  };

  const questions: QuestionsPort = {
    async list(query) {
      // The unanswered log keeps wordings without their chat: only the whole community may read it.
      if (query.chats) return [];
      const top = await community.unanswered.top(query.since, query.limit);
      return top.map((q) => ({ id: q.question, text: q.question, count: q.count, lastAsked: q.lastAsked }));
    },
  };

  return {
    content: {
      current: () => w.store.current(),
      status: () => {
        const s = w.reloader.status();
        return {
          ok: s.ok,
          ...(s.at ? { at: s.at } : {}),
          lines: s.ok ? [describeContent(w.store.current().content)] : s.problems,
        };
      },
    },
    teach: {
      async teach(text, target, by) {
        try {
          await w.store.teach({ text, target, by, at: new Date() });
        } catch (err) {
          if (err instanceof ContentError)
            return { ok: false, problems: err.problems.map((p) => `${p.file}:${p.line}: ${p.message}`) };
          throw err;
        }
        const used = await w.reloader.reload('a moderator taught a phrasing');
        return used ? { ok: true } : { ok: false, problems: w.reloader.status().problems.slice() };
      },
    },
    questions,
    numbers: {
      // Per-chat numbers need the per-chat statistics; until then a chat admin sees none rather than the community's.
      daily: async (since, chat) => (chat ? [] : insight.daily(since)),
      topFaq: async (since, limit, chat) => (chat ? [] : insight.topFaq(since, limit)),
      joins: (chat) => community.internals.joins.counts(chat),
      subscribers: async () => (scheduling ? scheduling.subscriptions.count() : {}),
      async deliveries() {
        if (!scheduling) return { sent: 0, failed: 0, waiting: 0 };
        const c = await scheduling.deliveries.getJobCounts(
          'completed',
          'failed',
          'waiting',
          'delayed',
          'active',
          'prioritized',
        );
        return {
          sent: c.completed ?? 0,
          failed: c.failed ?? 0,
          waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0),
        };
      },
    },
    command,
    ...(community.internals.invites
      ? {
          invites: {
            async groups(viewer) {
              if (viewer.role !== 'moderator') return viewer.chat ? [viewer.chat as ChatRef] : [];
              const seen = new Map<string, ChatRef>();
              if (scheduling)
                for await (const batch of scheduling.subscriptions.batches())
                  for (const s of batch) if (s.chatType === 'group') seen.set(chatKey(s), { ...s });
              for (const j of await community.internals.joins.counts()) {
                const cut = j.chat.indexOf(':');
                const chat = {
                  platform: j.chat.slice(0, cut) as Platform,
                  chatId: j.chat.slice(cut + 1),
                  chatType: 'group' as const,
                };
                seen.set(j.chat, chat);
              }
              return [...seen.values()];
            },
            list: (chat) => community.internals.invites!.list(chat),
          },
        }
      : {}),
    ...(scheduling && w.postBoard
      ? {
          posts: {
            timeZone: w.timeZone,
            pending: () => w.postBoard!.pending(),
            past: (limit) => w.postBoard!.past(limit),
            tips: (until) => w.postBoard!.tips(until),
            chats: (limit) => w.postBoard!.chats(limit),
            // The form's request id: a double submit (or a resent form) schedules one post.
            schedule: async (at, text, audience, by, request) =>
              (
                await scheduling.schedulePostTo(
                  at,
                  text,
                  audience,
                  by,
                  request ? [{ id: `console-${request}`, ttlSeconds: 24 * 3600 }] : [],
                )
              ).id,
            edit: (id, at, text) => scheduling.editPost(id, at, text),
            cancel: (id) => scheduling.cancel(id),
          },
        }
      : {}),
    previews: w.previews,
    timeZone: w.timeZone,
  };
}
