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

  /** The router's replies to a command typed by the viewer in `chat`. */
  const run = async (viewer: Viewer, chat: ChatRef, text: string): Promise<Reply[]> => {
    const m = /^\/([a-z0-9_]+)\s*([\s\S]*)$/i.exec(text.trim());
    if (!m) return [];
    return w.router().handle({
      kind: 'command',
      chat,
      sender: asSender(viewer),
      addressed: true,
      command: m[1]!.toLowerCase(),
      args: m[2]!.trim(),
    });
  };
  const command = async (viewer: Viewer, chat: ChatRef, text: string): Promise<string> => {
    const replies = await run(viewer, chat, text);
    return replies.length === 0 ? 'Not a command.' : replies.map((r) => plainText(r)).join('\n\n');
  };

  const questions: QuestionsPort = {
    async list(query) {
      const items = await community.unanswered.list({
        since: query.since,
        limit: query.limit,
        ...(query.chats ? { chats: query.chats } : {}),
        ...(query.groupsOnly ? { groupsOnly: true } : {}),
      });
      return items.map((q) => ({
        id: q.id,
        text: q.text,
        count: q.similar,
        lastAsked: q.at,
        chat: q.chat,
        outcome: q.outcome,
        ...(q.pressed ? { pressed: q.pressed } : {}),
        ...(q.answered ? { answered: q.answered } : {}),
      }));
    },
    // The `/reply` command itself, typed by the viewer: a chat admin in their group (the command
    // then finds the question only there), a moderator in the question's own chat.
    async reply(viewer, question, text) {
      const chat = viewer.role === 'moderator' ? question.chat : (viewer.chat as ChatRef | undefined);
      if (!chat) return { ok: false, text: 'That question has no chat to answer in.' };
      const replies = await run(viewer, chat, `/reply ${question.id} ${text}`);
      const ok = replies.length > 0 && replies.every((r) => r.kind === 'command');
      return { ok, text: replies.map((r) => plainText(r)).join(' ') };
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
      // A chat admin's numbers are their group's own (counted per chat as well as in total).
      daily: (since, chat) => insight.daily(since, chat),
      topFaq: (since, limit, chat) => insight.topFaq(since, limit, chat),
      topSections: (since, limit, chat) => insight.topSections(since, limit, chat),
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
