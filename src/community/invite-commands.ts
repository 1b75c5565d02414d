/**
 * `/invite` and `/invites`: named invite links for a group, made by the platform, remembered in
 * Redis (so joins through them are counted after a restart).
 */
import type { PlatformAdmin } from '../core/adapter.js';
import type { Command, CommandContext } from '../core/ports.js';
import { simple } from '../core/replies.js';
import { bold, italic, para } from '../core/text.js';
import type { Paragraph, Platform, Reply } from '../core/types.js';
import { adminFailure, PLATFORM_NAMES } from './failures.js';
import {
  type ChatKey,
  type InviteStore,
  type JoinCounter,
  NO_LINK,
  type StoredInvite,
} from './invite-store.js';
import { INVITE_EXAMPLES, parseInviteArgs } from './parse.js';

export interface InviteCommandDeps {
  /** Where refusals are logged in full (the chat gets a sentence for people). */
  readonly logger?: { warn(obj: object, msg?: string): void };
  readonly admin: (platform: Platform) => PlatformAdmin | undefined;
  /** Undefined without Redis: invite links must outlive a restart, so they need it. */
  readonly invites?: InviteStore;
  readonly joins: JoinCounter;
  readonly when: (d: Date) => string;
}

/** What a moderator gets when a group command is sent in a private chat. */
export const needsGroup = (what: string): Reply =>
  simple(
    'command',
    `${what} works in a group: send it in the group you moderate (I must be an admin there). In a private chat, people can be onboarded with the link t.me/<bot>?start=join.`,
  );
const needsRedis = (): Reply =>
  simple(
    'error',
    'Invite links need Redis so that I remember them after a restart, and it is not configured (set REDIS_URL, or install redis-server).',
  );

export function inviteCommands(deps: InviteCommandDeps): Command[] {
  const { when } = deps;
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
    invites: InviteStore,
    args: Extract<ReturnType<typeof parseInviteArgs>, { type: 'create' }>,
  ) {
    const chat = ctx.incoming.chat;
    const key: ChatKey = chat;
    const admin = deps.admin(chat.platform);
    if (!admin) return [simple('error', `I can't make invite links on ${PLATFORM_NAMES[chat.platform]}.`)];
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
      deps.logger?.warn({ err, chat: key }, 'invite link not created');
      return [simple('error', adminFailure(err, chat.platform, 'create an invite link'))];
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

  async function revokeInvite(ctx: CommandContext, invites: InviteStore, name: string) {
    const chat = ctx.incoming.chat;
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
      deps.logger?.warn(
        { err, chat: { platform: chat.platform, chatId: chat.chatId } },
        'invite link not revoked',
      );
      return [simple('error', adminFailure(err, chat.platform, `revoke "${name}" (it still works for now)`))];
    }
    await invites.remove(chat, name);
    return [simple('command', `The link "${name}" is revoked: nobody can join through it any more.`)];
  }

  return [
    {
      name: 'invite',
      usage: '[name] [7d] [limit N | approval] | revoke <name>',
      description: 'create (or revoke) a named invite link for this group',
      action: 'invite',
      handle: async (ctx) => {
        if (ctx.incoming.chat.chatType !== 'group') return [needsGroup('/invite')];
        const args = parseInviteArgs(ctx.args);
        if (args.type === 'error') return [simple('error', args.message)];
        if (!deps.invites) return [needsRedis()];
        return args.type === 'revoke'
          ? revokeInvite(ctx, deps.invites, args.name)
          : createInvite(ctx, deps.invites, args);
      },
    },
    {
      name: 'invites',
      description: "this group's invite links and how many joined through each",
      action: 'invite',
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
  ];
}
