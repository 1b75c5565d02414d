/**
 * Who may act for the community: one table, action -> required role -> scope. Every command,
 * button (and later web page) names the action it performs; the router refuses what the actor's
 * role does not reach, and commands ask {@link can} where their answer depends on the role
 * (a chat admin's `/unanswered` shows that chat alone). The moderators' guide prints
 * {@link permissionTable}, so the documentation and the code cannot drift apart.
 *
 * @example
 * const command: Command = { name: 'broadcast', action: 'broadcast', handle: ... };
 * if (can(ctx.actor, 'unanswered.all')) showEveryChat(); else showThisChat();
 */
import type { ChatRef } from './types.js';

/**
 * - `moderator`: named in MODERATORS (and the console's local operator): acts for the whole community;
 * - `chat_admin`: administers a group the community knows (configured in COMMUNITY_CHATS, or
 *   registered by a moderator with /register): manages that chat only;
 * - `member`: everyone else, including admins of groups the community does not know.
 */
export type Role = 'member' | 'chat_admin' | 'moderator';

/** Where an action reaches. */
export type Scope = 'own' | 'this_chat' | 'community';

interface Permission {
  readonly role: Role;
  readonly scope: Scope;
  /** For the moderators' guide: what the action is, in a moderator's words. */
  readonly what: string;
}

/** The table. The order is the order of the moderators' guide. */
export const PERMISSIONS = {
  ask: { role: 'member', scope: 'own', what: 'ask questions, read the article, the FAQ, links and rules' },
  'subscribe.private': {
    role: 'member',
    scope: 'own',
    what: 'turn tips on or off in their own private chat (/subscribe, /unsubscribe)',
  },
  'subscribe.group': {
    role: 'chat_admin',
    scope: 'this_chat',
    what: 'turn tips on or off in a group (/subscribe, /unsubscribe)',
  },
  invite: {
    role: 'chat_admin',
    scope: 'this_chat',
    what: "create, list and revoke the group's invite links (/invite, /invites)",
  },
  'flood.exempt': {
    role: 'chat_admin',
    scope: 'this_chat',
    what: 'never slowed down by flood control',
  },
  'unanswered.chat': {
    role: 'chat_admin',
    scope: 'this_chat',
    what: "read this group's unanswered and unsure questions (/unanswered)",
  },
  'reply.chat': {
    role: 'chat_admin',
    scope: 'this_chat',
    what: "answer this group's questions in the group, as a reply to the member (/reply)",
  },
  console: {
    role: 'chat_admin',
    scope: 'this_chat',
    what: "a sign-in link to the moderators' web console, which shows what the role allows (/console)",
  },
  'stats.chat': { role: 'chat_admin', scope: 'this_chat', what: "this group's statistics (/stats)" },
  'unanswered.all': {
    role: 'moderator',
    scope: 'community',
    what: 'read unanswered questions from every chat, private chats included (/unanswered)',
  },
  'reply.all': { role: 'moderator', scope: 'community', what: 'answer a question from any chat (/reply)' },
  'stats.all': { role: 'moderator', scope: 'community', what: "the whole community's statistics (/stats)" },
  'tips.counts': {
    role: 'moderator',
    scope: 'community',
    what: 'see how many chats get tips (/tips)',
  },
  schedule: {
    role: 'moderator',
    scope: 'community',
    what: 'schedule a post to all subscribed chats (/schedule)',
  },
  scheduled: { role: 'moderator', scope: 'community', what: 'list the posts waiting to go out (/scheduled)' },
  unschedule: { role: 'moderator', scope: 'community', what: 'cancel a waiting post (/unschedule)' },
  broadcast: { role: 'moderator', scope: 'community', what: 'post to all subscribed chats now (/broadcast)' },
  register: {
    role: 'moderator',
    scope: 'community',
    what: "make a group one of the community's chats, or stop (/register, /unregister), which gives its admins the rights above",
  },
} as const satisfies Record<string, Permission>;

export type Action = keyof typeof PERMISSIONS;

/** Who is acting, as the router works it out for each incoming event. */
export interface Actor {
  readonly role: Role;
  /** The chat the actor acts from: a chat admin's rights reach this chat only. */
  readonly chat: ChatRef;
}

const RANK: Record<Role, number> = { member: 0, chat_admin: 1, moderator: 2 };

/** Whether the actor's role reaches the action (a chat admin's always means: in this chat). */
export function can(actor: Actor, action: Action): boolean {
  return RANK[actor.role] >= RANK[PERMISSIONS[action].role];
}

/** The role an action needs. */
export const requiredRole = (action: Action): Role => PERMISSIONS[action].role;

/** Knows which chats belong to the community (configured, or registered by a moderator). */
export interface CommunityChats {
  isCommunityChat(chat: ChatRef): Promise<boolean>;
}

/** `platform:chatId`, the way MODERATORS and COMMUNITY_CHATS name things. */
export const chatKeyOf = (chat: Pick<ChatRef, 'platform' | 'chatId'>): string =>
  `${chat.platform}:${chat.chatId}`;

const ROLE_NAMES: Record<Role, string> = {
  member: 'everyone',
  chat_admin: 'admins of a community chat, and moderators',
  moderator: 'configured moderators only',
};
const SCOPE_NAMES: Record<Scope, string> = {
  own: 'their own chat',
  this_chat: 'that chat only (moderators: any chat)',
  community: 'the whole community',
};

/** The table as Markdown, for the moderators' guide (a test checks the guide holds it verbatim). */
export function permissionTable(): string {
  const rows = (Object.entries(PERMISSIONS) as [Action, Permission][]).map(
    ([action, p]) => `| ${p.what} | ${ROLE_NAMES[p.role]} | ${SCOPE_NAMES[p.scope]} | \`${action}\` |`,
  );
  return ['| What | Who may | Where | Action |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
