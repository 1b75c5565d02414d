/**
 * What each console page and button needs, named by the permission table's actions
 * (src/core/permissions.ts): the console asks the same table as the chat commands.
 */
import type { Viewer } from './viewer.js';

/** Console things -> the action of the permission table that governs them. */
export const CONSOLE_ACTIONS = {
  overview: 'stats.chat',
  'overview.all': 'stats.all',
  review: 'unanswered.chat',
  'review.private': 'unanswered.all',
  reply: 'reply.chat',
  dismiss: 'unanswered.chat',
  teach: 'teach',
  posts: 'schedule',
  invites: 'invite',
  content: 'stats.chat',
  audit: 'stats.chat',
} as const;

export type ConsoleThing = keyof typeof CONSOLE_ACTIONS;

// Until the permission table lands on main: the same ranks (a chat admin's actions end in `.chat`
// or are `invite`; the rest need a moderator).
const CHAT_ADMIN_ACTIONS = new Set(['stats.chat', 'unanswered.chat', 'reply.chat', 'invite']);

/** Whether the viewer's sign-in reaches this. */
export function allows(viewer: Viewer, thing: ConsoleThing): boolean {
  if (viewer.role === 'moderator') return true;
  return CHAT_ADMIN_ACTIONS.has(CONSOLE_ACTIONS[thing]);
}
