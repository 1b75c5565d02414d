/** Who is acting: a configured moderator, a chat admin of a community group, or a member. */
import { type Actor, type CommunityChats, chatKeyOf } from './permissions.js';
import type { CoreLogger } from './ports.js';
import type { Incoming } from './types.js';

/** A configured moderator (MODERATORS, or the console's local operator); a chat admin is not one. */
export function isModerator(moderators: ReadonlySet<string>, incoming: Incoming): boolean {
  const s = incoming.sender;
  if (s.isLocalOperator) return true;
  const platform = incoming.chat.platform;
  // MODERATORS names people by phone number (`whatsapp:15551234567`); WhatsApp gives phone JIDs
  // (`15551234567@s.whatsapp.net`, `...:3@...` per device). LIDs (`@lid`) must match in full.
  const bare = (id: string) => id.replace(/(?::\d+)?@s\.whatsapp\.net$/, '');
  return [s.id, s.altId].some(
    (id) =>
      id !== undefined && (moderators.has(`${platform}:${id}`) || moderators.has(`${platform}:${bare(id)}`)),
  );
}

/**
 * The actor with the role the permission table knows. A chat admin is trusted only in a group the
 * community knows; anyone can make a group and add the bot.
 */
export async function actorOf(
  incoming: Incoming,
  moderator: boolean,
  chats: CommunityChats | undefined,
  logger: CoreLogger | undefined,
): Promise<Actor> {
  const chat = incoming.chat;
  if (moderator) return { role: 'moderator', chat };
  if (!incoming.sender.isChatAdmin || chat.chatType !== 'group' || !chats) {
    return { role: 'member', chat };
  }
  try {
    return { role: (await chats.isCommunityChat(chat)) ? 'chat_admin' : 'member', chat };
  } catch (err) {
    // When the register cannot be read, the admin acts as a member until it can.
    logger?.warn({ err, chat: chatKeyOf(chat) }, 'community chats: lookup failed');
    return { role: 'member', chat };
  }
}
