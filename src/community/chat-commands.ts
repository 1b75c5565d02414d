/** `/register` and `/unregister`: which groups are the community's chats (their admins manage them). */
import type { Command } from '../core/ports.js';
import { simple } from '../core/replies.js';
import type { ChatRegistry } from './chats.js';
import { needsGroup } from './invite-commands.js';

export function chatCommands(chats: ChatRegistry): Command[] {
  return [
    {
      name: 'register',
      description: "make this group one of the community's chats (its admins then manage it)",
      action: 'register',
      handle: async (ctx) => {
        const chat = ctx.incoming.chat;
        if (chat.chatType !== 'group') return [needsGroup('/register')];
        const added = await chats.register(chat, `${chat.platform}:${ctx.incoming.sender.id}`, ctx.now);
        return [
          simple(
            'command',
            added
              ? "Done: this group is one of the community's chats. Its admins can now manage it: invite links, tips, and its own /unanswered and /stats."
              : `This group is already one of the community's chats${chats.isConfigured(chat) ? ' (configured in COMMUNITY_CHATS)' : ''}.`,
          ),
        ];
      },
    },
    {
      name: 'unregister',
      description: "stop treating this group as one of the community's chats",
      action: 'register',
      handle: async (ctx) => {
        const chat = ctx.incoming.chat;
        if (chat.chatType !== 'group') return [needsGroup('/unregister')];
        if (chats.isConfigured(chat)) {
          return [
            simple('error', 'This group is configured in COMMUNITY_CHATS: remove it there to unregister it.'),
          ];
        }
        return [
          simple(
            'command',
            (await chats.unregister(chat))
              ? "Done: this group is no longer one of the community's chats; its admins act as members."
              : "This group was not registered. /register makes it one of the community's chats.",
          ),
        ];
      },
    },
  ];
}
