/**
 * `/console` (alias `/dashboard`): a moderator or a community group's admin gets a one-time
 * sign-in link to the web console, always in a private chat. Sent in a group, the link goes to
 * the sender privately and the group only hears that it was sent.
 */
import type { Command, CommandContext } from '../../core/ports.js';
import { simple } from '../../core/replies.js';
import type { Incoming, Platform, Reply } from '../../core/types.js';
import type { Viewer } from './viewer.js';

export interface ConsoleCommandOptions {
  /** A full one-time sign-in URL for the viewer. */
  signInLink(viewer: Viewer): Promise<string>;
  /** The sender's role as the permission model sees it. */
  roleOf(
    incoming: Incoming,
  ): Promise<'moderator' | 'chat_admin' | 'member'> | 'moderator' | 'chat_admin' | 'member';
  /** Sends to a person's private chat with the bot (their id is that chat's id on every platform). */
  sendPrivately(platform: Platform, userId: string, replies: readonly Reply[]): Promise<void>;
}

const linkReply = (url: string, viewer: Viewer): Reply =>
  simple(
    'command',
    `Your sign-in link for the moderators' console (${viewer.role === 'moderator' ? 'the whole community' : `the group ${viewer.chat?.title ?? viewer.chat?.chatId}`}). It works once, for 10 minutes; do not share it:\n${url}`,
  );

export function consoleCommands(options: ConsoleCommandOptions): Command[] {
  async function handle(ctx: CommandContext): Promise<Reply[]> {
    const { incoming } = ctx;
    const role = await options.roleOf(incoming);
    const sender = incoming.sender;
    const name = sender.name ?? sender.id;
    const identity = `${incoming.chat.platform}:${sender.id}`;
    if (role === 'member') {
      return [
        simple('refused', "Sorry, /console is for the community's moderators and the admins of its groups."),
      ];
    }
    const viewer: Viewer =
      role === 'moderator' || incoming.chat.chatType === 'private'
        ? { id: identity, name, role: 'moderator', platform: incoming.chat.platform }
        : {
            id: identity,
            name,
            role: 'chat_admin',
            platform: incoming.chat.platform,
            chat: {
              platform: incoming.chat.platform,
              chatId: incoming.chat.chatId,
              chatType: incoming.chat.chatType,
              ...(incoming.chat.title ? { title: incoming.chat.title } : {}),
            },
          };
    const reply = linkReply(await options.signInLink(viewer), viewer);
    if (incoming.chat.chatType === 'private') return [reply];
    // Never in the group: anyone there could open it first.
    try {
      await options.sendPrivately(incoming.chat.platform, sender.id, [reply]);
    } catch {
      return [
        simple(
          'command',
          'I could not write to you privately. Open a private chat with me (send /start there), then send /console in this group again.',
        ),
      ];
    }
    return [simple('command', `${name}, I sent you a sign-in link in a private message.`)];
  }
  return [
    {
      name: 'console',
      aliases: ['dashboard'],
      description: "a sign-in link to the moderators' web console",
      moderatorOnly: true,
      handle,
    },
  ];
}
