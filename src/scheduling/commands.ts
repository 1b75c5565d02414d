/**
 * The chat commands for tips and moderator posts. With scheduling off (no Redis), every one of
 * them answers why, instead of the router's "unknown command".
 */
import { createHash } from 'node:crypto';
import { can } from '../core/permissions.js';
import type { Command, CommandContext, PressHandler } from '../core/ports.js';
import { simple } from '../core/replies.js';
import { bold, para } from '../core/text.js';
import type { ChatRef, Reply } from '../core/types.js';
import { BROADCAST_PRESS, broadcastFlow } from './broadcast.js';
import { describePattern, type RequestKey, type Scheduling } from './service.js';
import { formatWhen, parseRecurring, parseWhen, WHEN_EXAMPLES } from './when.js';

const SPECS = {
  subscribe: { description: 'get the community tip and announcements in this chat' },
  unsubscribe: { description: 'stop tips and announcements in this chat' },
  tips: { description: 'whether this chat gets tips, and when the next one is' },
  schedule: {
    usage: '<when> <text>',
    description: 'post to all subscribed chats later',
    action: 'schedule',
  },
  scheduled: { description: 'posts waiting to go out', action: 'scheduled' },
  unschedule: { usage: '<id>', description: 'cancel a waiting post', action: 'unschedule' },
  broadcast: { usage: '<text>', description: 'post to all subscribed chats now', action: 'broadcast' },
} as const;

type Name = keyof typeof SPECS;

const command = (name: Name, handle: Command['handle']): Command => ({ name, ...SPECS[name], handle });

/**
 * Every scheduling command answering that scheduling is off. Moderators read why (what to set or
 * install); a member is not shown an operator's reason (it may hold a redis-server message).
 */
export function schedulingOffCommands(reason: string): Command[] {
  const answer: Command['handle'] = (ctx) => [
    simple(
      'command',
      can(ctx.actor, 'schedule')
        ? `Scheduled tips and posts are off on this bot: ${reason}\n\nQuestions still work as usual.`
        : 'Tips and announcements are off on this bot just now. Questions still work as usual.',
    ),
  ];
  return (Object.keys(SPECS) as Name[]).map((name) => command(name, answer));
}

const unavailable = (): Reply[] => [
  simple(
    'error',
    'Scheduling cannot reach its store right now (Redis is not answering), so nothing was changed. Answers still work; please try again in a minute.',
  ),
];

export interface SchedulingCommandsOptions {
  /**
   * Sends a later message into a chat: how a command that was not confirmed in time reports how it
   * ended (main.ts passes the adapters' `send`). Without it the moderator checks with /scheduled.
   */
  readonly notify?: (chat: ChatRef, replies: readonly Reply[]) => Promise<void>;
  /** How long a command waits for Redis before answering "not confirmed yet" (default 5 s). */
  readonly commandTimeoutMs?: number;
  readonly logger?: { warn(obj: object, msg?: string): void };
}

/** How long a platform's message id keeps its command from running twice. */
const MESSAGE_TTL_S = 7 * 24 * 3600;
/** How long the same post sent again by the same moderator counts as a repeat. */
const REPEAT_TTL_S = 10 * 60;

const digest = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 22);

/**
 * What names this request: the platform's message (a redelivery is the same request) and what
 * was asked (a moderator sending the same post again while the first was unconfirmed).
 */
export function requestKeys(ctx: CommandContext, what: string): RequestKey[] {
  const { chat, messageId, sender } = ctx.incoming;
  return [
    ...(messageId
      ? [{ id: `m-${digest(`${chat.platform}:${chat.chatId}:${messageId}`)}`, ttlSeconds: MESSAGE_TTL_S }]
      : []),
    { id: `r-${digest(`${chat.platform}:${sender.id}:${what}`)}`, ttlSeconds: REPEAT_TTL_S },
  ];
}

type Guarded = (
  fn: (ctx: CommandContext) => Promise<Reply[]>,
  changes?: boolean,
) => (ctx: CommandContext) => Promise<Reply[]>;

function makeGuard(scheduling: Scheduling, options: SchedulingCommandsOptions): Guarded {
  const timeoutMs = options.commandTimeoutMs ?? 5_000;
  /**
   * Refuses at once when Redis is down (then nothing was tried, so "nothing was changed" is true).
   * Work that has started cannot be taken back: when it is slow, the answer is "not confirmed yet",
   * and the outcome follows in the chat when it is known. Read-only commands just say unavailable.
   */
  const guarded =
    (fn: (ctx: CommandContext) => Promise<Reply[]>, changes = false) =>
    async (ctx: CommandContext): Promise<Reply[]> => {
      if (!(await scheduling.ready())) return unavailable();
      const work = fn(ctx);
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<undefined>((resolve) => {
        timer = setTimeout(() => resolve(undefined), timeoutMs);
      });
      const settled = work.then(
        (replies) => ({ replies }),
        (error: unknown) => ({ error }),
      );
      const first = await Promise.race([settled, late]).finally(() => clearTimeout(timer));
      if (first && 'replies' in first) return first.replies;
      if (first) throw first.error;
      if (!changes) return unavailable();
      void settled.then((outcome) => reportLater(ctx, outcome));
      return [
        simple(
          'command',
          `Not confirmed yet: the store is slow to answer. Your /${ctx.incoming.kind === 'command' ? ctx.incoming.command : 'request'} is still being handled and I will tell you here how it ended. ` +
            'Sending it again is safe: it will not be done twice.',
        ),
      ];
    };

  const reportLater = async (ctx: CommandContext, outcome: { replies: Reply[] } | { error: unknown }) => {
    const what = ctx.incoming.kind === 'command' ? `/${ctx.incoming.command}` : 'request';
    if ('error' in outcome) {
      options.logger?.warn({ err: outcome.error, chat: ctx.incoming.chat }, `a slow ${what} failed`);
    }
    const replies =
      'replies' in outcome
        ? outcome.replies.map((r) => ({
            ...r,
            paragraphs: [para(`About your ${what} a moment ago:`), ...r.paragraphs],
          }))
        : [
            simple(
              'error',
              `About your ${what} a moment ago: it did not go through (the store did not confirm it). Please send it again; it will not be done twice.`,
            ),
          ];
    try {
      await options.notify?.(ctx.incoming.chat, replies);
    } catch (err) {
      options.logger?.warn({ err, chat: ctx.incoming.chat }, 'could not report how a slow command ended');
    }
  };

  return guarded;
}

export function schedulingCommands(
  scheduling: Scheduling,
  options: SchedulingCommandsOptions = {},
): Command[] {
  const tz = scheduling.timeZone;
  const guarded = makeGuard(scheduling, options);
  const by = (ctx: CommandContext) => `${ctx.incoming.chat.platform}:${ctx.incoming.sender.id}`;
  const groupNeedsModerator = (ctx: CommandContext): Reply[] | undefined =>
    ctx.incoming.chat.chatType === 'group' && !can(ctx.actor, 'subscribe.group')
      ? [
          simple(
            'refused',
            "In a group, the community's moderators or the group's admins turn tips on or off. You can /subscribe in a private chat with me.",
          ),
        ]
      : undefined;

  const broadcast = broadcastFlow(scheduling, by);

  return [
    command(
      'subscribe',
      guarded(async (ctx) => {
        const refused = groupNeedsModerator(ctx);
        if (refused) return refused;
        const added = await scheduling.subscriptions.add(ctx.incoming.chat);
        const next = await scheduling.nextTip();
        return [
          simple(
            'command',
            `${added ? 'Done: this chat now gets' : 'This chat already gets'} the community tip and announcements.` +
              `${next ? ` The next tip: ${formatWhen(next, tz)}.` : ''} Send /unsubscribe to stop.`,
          ),
        ];
      }, true),
    ),
    command(
      'unsubscribe',
      guarded(async (ctx) => {
        const refused = groupNeedsModerator(ctx);
        if (refused) return refused;
        const removed = await scheduling.subscriptions.remove(ctx.incoming.chat);
        return [
          simple(
            'command',
            removed
              ? 'Done: no more tips or announcements in this chat. Send /subscribe to have them again.'
              : 'This chat does not get tips or announcements. Send /subscribe to start.',
          ),
        ];
      }, true),
    ),
    command(
      'tips',
      guarded(async (ctx) => {
        const on = await scheduling.subscriptions.has(ctx.incoming.chat);
        const next = await scheduling.nextTip();
        const lines = [
          on
            ? 'This chat gets the community tip and announcements (/unsubscribe to stop).'
            : 'This chat does not get tips (/subscribe to start).',
          next ? `Next tip: ${formatWhen(next, tz)}.` : 'Community tips are not scheduled on this bot.',
        ];
        if (can(ctx.actor, 'tips.counts')) {
          const c = await scheduling.subscriptions.count();
          lines.push(
            `Subscribed chats: Telegram ${c.telegram}, WhatsApp ${c.whatsapp}, console ${c.console}.`,
          );
        }
        return [simple('command', lines.join('\n'))];
      }),
    ),
    command(
      'schedule',
      guarded(async (ctx) => {
        const args = ctx.args.trim();
        if (args === '') return [simple('error', `Tell me when and what to post. ${WHEN_EXAMPLES}`)];
        const requests = requestKeys(ctx, `schedule ${args}`);
        const every = /^every\s+/i.exec(args);
        if (every) {
          const r = parseRecurring(args.slice(every[0].length), { now: ctx.now, timeZone: tz });
          if (!r.ok) return [simple('error', r.message)];
          const { id, fresh, next } = await scheduling.scheduleWeekly(r.pattern, r.rest, by(ctx), requests);
          return [
            confirm(
              id,
              `${describePattern(r.pattern)} (${tz})${next ? `, first on ${formatWhen(next, tz)}` : ''}`,
              r.rest,
              fresh,
            ),
          ];
        }
        const r = parseWhen(args, { now: ctx.now, timeZone: tz });
        if (!r.ok) return [simple('error', r.message)];
        const { id, fresh } = await scheduling.schedulePost(r.at, r.rest, by(ctx), requests);
        return [confirm(id, formatWhen(r.at, tz), r.rest, fresh)];
      }, true),
    ),
    command(
      'scheduled',
      guarded(async () => {
        const pending = await scheduling.listPending();
        if (pending.length === 0)
          return [simple('command', 'No posts are waiting. Schedule one with /schedule <when> <text>.')];
        return [
          {
            kind: 'command',
            paragraphs: [
              para(bold('Posts waiting to go out')),
              para(
                pending
                  .map(
                    (p) =>
                      `#${p.id}: ${p.every ? `${describePattern(p.every)}, next ` : ''}${formatWhen(p.at, tz)}, ` +
                      `to all subscribed chats: "${firstWords(p.text)}"`,
                  )
                  .join('\n'),
              ),
              para('Cancel one with /unschedule <id>.'),
            ],
          },
        ];
      }),
    ),
    command(
      'unschedule',
      guarded(async (ctx) => {
        const id = /^#?(\d{1,9})$/.exec(ctx.args.trim())?.[1];
        if (!id)
          return [
            simple(
              'error',
              'Which post? Send /unschedule <id>, for example /unschedule 3. /scheduled lists the ids.',
            ),
          ];
        return (await scheduling.cancel(Number(id)))
          ? [simple('command', `Cancelled post #${id}: it will not go out.`)]
          : [
              simple(
                'error',
                `There is no waiting post #${id} (it may have gone out already). /scheduled lists the waiting ones.`,
              ),
            ];
      }, true),
    ),
    command(
      'broadcast',
      guarded((ctx) => broadcast.command(ctx), true),
    ),
  ];
}

/** The confirmation button of `/broadcast`. */
export function schedulingPresses(
  scheduling: Scheduling,
  options: SchedulingCommandsOptions = {},
): PressHandler[] {
  const guarded = makeGuard(scheduling, options);
  const flow = broadcastFlow(scheduling, (ctx) => `${ctx.incoming.chat.platform}:${ctx.incoming.sender.id}`);
  return [
    {
      prefix: BROADCAST_PRESS,
      action: 'broadcast',
      handle: (ctx) => guarded(() => flow.press(ctx.data.slice(BROADCAST_PRESS.length + 1), ctx), true)(ctx),
    },
  ];
}

const confirm = (id: number, when: string, text: string, fresh = true): Reply =>
  simple(
    'command',
    `${fresh ? 'Scheduled' : 'Already scheduled (this request was made before; nothing was added twice):'} post #${id} for ${when}, to all subscribed chats: "${firstWords(text)}"\n\nCancel it with /unschedule ${id}.`,
  );

export function firstWords(text: string, max = 8): string {
  const words = text.trim().split(/\s+/);
  return words.length > max ? `${words.slice(0, max).join(' ')} ...` : text.trim();
}
