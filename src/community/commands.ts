import type { PlatformAdmin } from '../core/adapter.js';
import { builtinCommands } from '../core/commands.js';
import type { Command, CommandContext } from '../core/ports.js';
import { simple } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { Paragraph, Platform, Reply } from '../core/types.js';
import { TimeoutError, withTimeout } from './bounded.js';
import type { Insight } from './insight-store.js';
import {
  type ChatKey,
  type InviteStore,
  type JoinCounter,
  NO_LINK,
  type StoredInvite,
} from './invite-store.js';
import { INVITE_EXAMPLES, parseDays, parseInviteArgs } from './parse.js';
import { onboarding } from './replies.js';

export interface CommandDeps {
  readonly admin: (platform: Platform) => PlatformAdmin | undefined;
  /** Undefined without Redis: invite links must outlive a restart, so they need it. */
  readonly invites?: InviteStore;
  readonly joins: JoinCounter;
  readonly insight: Insight;
  readonly subscribers?: () => Promise<Partial<Record<Platform, number>>>;
  readonly timeZone?: string;
  readonly retentionDays: number;
}

const PLATFORM_NAMES: Record<Platform, string> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  console: 'the console',
};
const DAY = 24 * 60 * 60 * 1000;
/** Deep-link payloads (`t.me/<bot>?start=join`) that open the onboarding. */
const ONBOARDING = /^(join|welcome|onboard|start)([-_][a-z0-9_-]{1,40})?$/;

const needsGroup = (what: string): Reply =>
  simple(
    'command',
    `${what} works in a group: send it in the group you moderate (I must be an admin there). In a private chat, people can be onboarded with the link t.me/<bot>?start=join.`,
  );
const needsRedis = (): Reply =>
  simple(
    'error',
    'Invite links need Redis so that I remember them after a restart, and it is not configured (set REDIS_URL, or install redis-server).',
  );

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 200);

export function communityCommands(deps: CommandDeps): Command[] {
  const format = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: deps.timeZone ?? 'UTC',
  });
  const when = (d: Date) => `${format.format(d)}${deps.timeZone && deps.timeZone !== 'UTC' ? '' : ' UTC'}`;
  const builtinStart = builtinCommands.find((c) => c.name === 'start')!;

  const terms = (link: StoredInvite, now: Date): string[] => {
    const parts: string[] = [];
    if (link.expiresAt) parts.push(link.expiresAt <= now ? 'expired' : `expires ${when(link.expiresAt)}`);
    if (link.memberLimit !== undefined) parts.push(`up to ${link.memberLimit} people`);
    if (link.approval) parts.push('needs approval');
    return parts;
  };
  const describe = (link: StoredInvite, now: Date, joined: number): string =>
    [`${link.name}: ${link.url}`, `${joined} joined`, ...terms(link, now)].join(' · ');

  async function createInvite(
    ctx: CommandContext,
    args: Extract<ReturnType<typeof parseInviteArgs>, { type: 'create' }>,
  ) {
    const chat = ctx.incoming.chat;
    const key: ChatKey = chat;
    const admin = deps.admin(chat.platform);
    if (!admin) return [simple('error', `I can't make invite links on ${PLATFORM_NAMES[chat.platform]}.`)];
    const invites = deps.invites!;
    const existing = await invites.list(key);
    let name = args.name;
    if (name === undefined) {
      for (let n = existing.length + 1; ; n++) {
        if (!existing.some((l) => l.name === `link${n}`)) {
          name = `link${n}`;
          break;
        }
      }
    } else if (existing.some((l) => l.name === name)) {
      return [
        simple(
          'error',
          `There is already a link called "${name}". Choose another name, or revoke it first: /invite revoke ${name}`,
        ),
      ];
    }
    const wanted = {
      name,
      ...(args.expiresInMs === undefined
        ? {}
        : { expiresAt: new Date(ctx.now.getTime() + args.expiresInMs) }),
      ...(args.memberLimit === undefined ? {} : { memberLimit: args.memberLimit }),
      ...(args.approval ? { approval: true } : {}),
    };
    let link: Awaited<ReturnType<PlatformAdmin['createInvite']>>;
    try {
      link = await admin.createInvite(chat.chatId, wanted);
    } catch (err) {
      return [
        simple(
          'error',
          `${PLATFORM_NAMES[chat.platform]} did not give me an invite link: ${errorText(err)}. I need to be an admin of this group with the right to invite people.`,
        ),
      ];
    }
    // Joins are attributed by the name we chose, whatever the platform echoes back.
    const stored: StoredInvite = { ...link, name, createdAt: ctx.now, createdBy: ctx.incoming.sender.id };
    await invites.add(key, stored);
    const ignored: string[] = [];
    if (wanted.expiresAt && !link.expiresAt) ignored.push('an expiry');
    if (wanted.memberLimit !== undefined && link.memberLimit === undefined) ignored.push('a member limit');
    if (wanted.approval && !link.approval) ignored.push('approval');
    const paragraphs: Paragraph[] = [
      para(bold(`Invite link "${name}"`)),
      para(link.url),
      para(terms(stored, ctx.now).join(' · ') || 'No expiry, no member limit.'),
      para(`Joins through it are counted in /invites. Revoke it with /invite revoke ${name}`),
    ];
    if (ignored.length > 0) {
      paragraphs.push(
        para(
          italic(
            `${PLATFORM_NAMES[chat.platform]} links cannot have ${ignored.join(' or ')}: revoke the link when you no longer want it used.`,
          ),
        ),
      );
    }
    return [{ kind: 'command', paragraphs } satisfies Reply];
  }

  async function revokeInvite(ctx: CommandContext, name: string) {
    const chat = ctx.incoming.chat;
    const invites = deps.invites!;
    const link = await invites.get(chat, name);
    if (!link) {
      const names = (await invites.list(chat)).map((l) => l.name);
      return [
        simple(
          'error',
          `There is no link called "${name.slice(0, 40)}" here.${names.length ? ` The links are: ${names.join(', ')}.` : ' Create one with /invite spring 7d.'}`,
        ),
      ];
    }
    const admin = deps.admin(chat.platform);
    try {
      if (!admin) throw new Error(`no ${chat.platform} adapter`);
      await admin.revokeInvite(chat.chatId, link);
    } catch (err) {
      return [
        simple(
          'error',
          `I could not revoke "${name}": ${errorText(err)}. The link still works; try again later.`,
        ),
      ];
    }
    await invites.remove(chat, name);
    return [simple('command', `The link "${name}" is revoked: nobody can join through it any more.`)];
  }

  const commands: Command[] = [
    {
      name: 'start',
      description: 'welcome and menu',
      handle: (ctx) =>
        ONBOARDING.test(ctx.args.trim().toLowerCase())
          ? onboarding(ctx.content, ctx.incoming.sender.name)
          : builtinStart.handle(ctx),
    },
    {
      name: 'invite',
      usage: '[name] [7d] [limit N | approval] | revoke <name>',
      description: 'create (or revoke) a named invite link for this group',
      moderatorOnly: true,
      handle: async (ctx) => {
        if (ctx.incoming.chat.chatType !== 'group') return [needsGroup('/invite')];
        const args = parseInviteArgs(ctx.args);
        if (args.type === 'error') return [simple('error', args.message)];
        if (!deps.invites) return [needsRedis()];
        return args.type === 'revoke' ? revokeInvite(ctx, args.name) : createInvite(ctx, args);
      },
    },
    {
      name: 'invites',
      description: "this group's invite links and how many joined through each",
      moderatorOnly: true,
      handle: async (ctx) => {
        const chat = ctx.incoming.chat;
        if (chat.chatType !== 'group') return [needsGroup('/invites')];
        if (!deps.invites) return [needsRedis()];
        const links = await deps.invites.list(chat);
        const counts = new Map((await deps.joins.counts(chat)).map((r) => [r.link, r.count]));
        const lines = links.map((l) => describe(l, ctx.now, counts.get(l.name) ?? 0));
        const known = new Set(links.map((l) => l.name));
        const other = [...counts.entries()].filter(([link]) => !known.has(link));
        if (lines.length === 0 && other.length === 0) {
          return [simple('command', `No invite links yet. Create one:\n${INVITE_EXAMPLES}`)];
        }
        return [
          {
            kind: 'command',
            paragraphs: [
              para(bold('Invite links')),
              para(lines.length ? lines.join('\n') : 'None made by me yet: /invite spring 7d'),
              ...(other.length
                ? [
                    para(
                      `Other joins: ${other.map(([link, n]) => `${link === NO_LINK ? 'without a named link' : link}: ${n}`).join(', ')}`,
                    ),
                  ]
                : []),
            ],
          },
        ];
      },
    },
    {
      name: 'unanswered',
      usage: '[days]',
      description: 'the questions I could not answer, most asked first',
      moderatorOnly: true,
      handle: async (ctx) => {
        const days = parseDays(ctx.args, 7, deps.retentionDays);
        if (typeof days !== 'number') return [simple('error', `${days.error} For example: /unanswered 7`)];
        const top = await deps.insight.unanswered.top(new Date(ctx.now.getTime() - days * DAY), 15);
        const span = days === 1 ? 'the last day' : `the last ${days} days`;
        if (top.length === 0) return [simple('command', `No unanswered questions in ${span}.`)];
        return [
          {
            kind: 'command',
            paragraphs: [
              para(bold(`Questions I could not answer, ${span}`)),
              para(
                top
                  .map((q, i) => `${i + 1}. "${q.question}" (${q.count}×, last ${when(q.lastAsked)})`)
                  .join('\n'),
              ),
              para(
                italic(
                  'Similar wordings are counted together. Consider adding an FAQ entry for the frequent ones.',
                ),
              ),
              ...(deps.insight.durable
                ? []
                : [para(italic('Kept in memory only: the list starts again when I restart.'))]),
            ],
          },
        ];
      },
    },
    {
      name: 'stats',
      usage: '[days]',
      description: 'questions answered and not, top FAQ entries, joins, subscribers',
      moderatorOnly: true,
      handle: async (ctx) => {
        const days = parseDays(ctx.args, 30, deps.retentionDays);
        if (typeof days !== 'number') return [simple('error', `${days.error} For example: /stats 30`)];
        const since = new Date(ctx.now.getTime() - days * DAY);
        const counts = await deps.insight.answerCounts(since);
        const top = await deps.insight.topFaq(since, 5);
        const chat = ctx.incoming.chat;
        const joins = await deps.joins.counts(chat.chatType === 'group' ? chat : undefined);
        const questions = new Map(ctx.content.faq.map((e) => [e.id, e.question]));
        const paragraphs: Paragraph[] = [
          para(bold(`Statistics, ${days === 1 ? 'the last day' : `the last ${days} days`}`)),
          para(
            [
              `Answered: ${counts.faq + counts.section} (FAQ ${counts.faq}, article passages ${counts.section})`,
              `Offered "did you mean" choices: ${counts.suggestions}`,
              `Not answered: ${counts.fallback} (see /unanswered)`,
              `Emergency messages: ${counts.safety}`,
              `Cautions (alarming words, no emergency now): ${counts.caution}`,
            ].join('\n'),
          ),
          para(bold('Top FAQ entries')),
          para(
            top.length
              ? top.map((t, i) => `${i + 1}. ${questions.get(t.faqId) ?? t.faqId} (${t.count})`).join('\n')
              : 'None asked yet.',
          ),
          para(
            bold(
              chat.chatType === 'group'
                ? 'Joins per invite link (this group, all time)'
                : 'Joins per invite link (all groups, all time)',
            ),
          ),
          para(
            joins.length
              ? joins
                  .slice(0, 15)
                  .map(
                    (j) =>
                      `${j.link === NO_LINK ? 'without a named link' : j.link}${chat.chatType === 'group' ? '' : ` (${j.chat.split(':')[0]})`}: ${j.count}`,
                  )
                  .join('\n')
              : 'No joins recorded yet.',
          ),
        ];
        if (deps.subscribers) {
          try {
            const subs = await deps.subscribers();
            const line = (Object.entries(subs) as [Platform, number][])
              .map(([p, n]) => `${PLATFORM_NAMES[p]} ${n}`)
              .join(', ');
            paragraphs.push(para(`Tip subscribers: ${line || 'none yet'}`));
          } catch {
            paragraphs.push(para('Tip subscribers: not available right now.'));
          }
        }
        if (!deps.insight.durable) {
          paragraphs.push(
            para(italic('Kept in memory only: these numbers start again from zero when I restart.')),
          );
        }
        return [{ kind: 'command', paragraphs }];
      },
    },
  ];
  // Moderators get a clear answer, not silence, when Redis or the platform is slow.
  return commands.map((c) =>
    c.moderatorOnly
      ? {
          ...c,
          handle: async (ctx: CommandContext) => {
            try {
              return await withTimeout(Promise.resolve(c.handle(ctx)), 10_000, `/${c.name}`);
            } catch (err) {
              if (!(err instanceof TimeoutError)) throw err;
              return [
                simple(
                  'error',
                  `/${c.name} is taking too long (Redis or ${PLATFORM_NAMES[ctx.incoming.chat.platform]} is not answering). Please try again in a minute.`,
                ),
              ];
            }
          },
        }
      : c,
  );
}
