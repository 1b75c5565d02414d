/**
 * The chat commands for tips and moderator posts. With scheduling off (no Redis), every one of
 * them answers why, instead of the router's "unknown command".
 */
import { can } from '../core/permissions.js';
import type { Command, CommandContext } from '../core/ports.js';
import { simple } from '../core/replies.js';
import { bold, para } from '../core/text.js';
import type { Reply } from '../core/types.js';
import { describePattern, type Scheduling } from './service.js';
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

/** Every scheduling command answering that scheduling is off, and why. */
export function schedulingOffCommands(reason: string): Command[] {
  const answer = () => [
    simple(
      'command',
      `Scheduled tips and posts are off on this bot: ${reason}\n\nQuestions still work as usual.`,
    ),
  ];
  return (Object.keys(SPECS) as Name[]).map((name) => command(name, answer));
}

const unavailable = (): Reply[] => [
  simple(
    'error',
    'Scheduling cannot reach its store right now (Redis is not answering). Answers still work; please try again in a minute.',
  ),
];

/** How long a command waits for Redis before saying it is unavailable. */
const COMMAND_TIMEOUT_MS = 5_000;

export function schedulingCommands(scheduling: Scheduling): Command[] {
  const tz = scheduling.timeZone;
  // Refuse at once when Redis is down rather than keep the member waiting (replies must not hang).
  const guarded =
    (fn: (ctx: CommandContext) => Promise<Reply[]>) =>
    async (ctx: CommandContext): Promise<Reply[]> => {
      if (!(await scheduling.ready())) return unavailable();
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<Reply[]>((resolve) => {
        timer = setTimeout(() => resolve(unavailable()), COMMAND_TIMEOUT_MS);
      });
      try {
        return await Promise.race([fn(ctx), timeout]);
      } finally {
        clearTimeout(timer);
      }
    };

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
      }),
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
      }),
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
        const every = /^every\s+/i.exec(args);
        if (every) {
          const r = parseRecurring(args.slice(every[0].length), { now: ctx.now, timeZone: tz });
          if (!r.ok) return [simple('error', r.message)];
          const { id, next } = await scheduling.scheduleWeekly(r.pattern, r.rest, by(ctx));
          return [
            confirm(
              id,
              `${describePattern(r.pattern)} (${tz})${next ? `, first on ${formatWhen(next, tz)}` : ''}`,
              r.rest,
            ),
          ];
        }
        const r = parseWhen(args, { now: ctx.now, timeZone: tz });
        if (!r.ok) return [simple('error', r.message)];
        const id = await scheduling.schedulePost(r.at, r.rest, by(ctx));
        return [confirm(id, formatWhen(r.at, tz), r.rest)];
      }),
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
      }),
    ),
    command(
      'broadcast',
      guarded(async (ctx) => {
        const text = ctx.args.trim();
        if (text === '')
          return [simple('error', 'What should I post? For example: /broadcast The meetup moved to 7pm.')];
        const id = await scheduling.broadcastNow(text, by(ctx));
        return [simple('command', `Posting #${id} to all subscribed chats now: "${firstWords(text)}"`)];
      }),
    ),
  ];
}

const confirm = (id: number, when: string, text: string): Reply =>
  simple(
    'command',
    `Scheduled post #${id} for ${when}, to all subscribed chats: "${firstWords(text)}"\n\nCancel it with /unschedule ${id}.`,
  );

function firstWords(text: string, max = 8): string {
  const words = text.trim().split(/\s+/);
  return words.length > max ? `${words.slice(0, max).join(' ')} ...` : text.trim();
}
