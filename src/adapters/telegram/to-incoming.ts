import type { Chat, ChatMember, Message, MessageEntity, User } from 'grammy/types';
import type { ChatRef, Incoming, JoinedMember, Sender } from '../../core/types.js';

/** Who the bot is: from `getMe`. */
export interface BotIdentity {
  readonly id: number;
  readonly username: string;
}

/** Telegram's stand-in sender for a group's anonymous admins. */
const ANONYMOUS_ADMIN_ID = 1087968824;

export const chatRef = (chat: Chat): ChatRef => ({
  platform: 'telegram',
  chatId: String(chat.id),
  chatType: chat.type === 'private' ? 'private' : 'group',
  ...('title' in chat && chat.title ? { title: chat.title } : {}),
});

export const displayName = (user: Pick<User, 'first_name' | 'last_name'>): string =>
  [user.first_name, user.last_name].filter(Boolean).join(' ').trim();

export function senderOf(user: User, isChatAdmin?: boolean): Sender {
  return {
    id: String(user.id),
    name: displayName(user) || user.username || String(user.id),
    isBot: user.is_bot,
    ...(isChatAdmin === undefined ? {} : { isChatAdmin }),
  };
}

/**
 * The sender of a message. A group's anonymous admin posts as the group itself
 * (`sender_chat` is the chat): that person is an admin, not a bot.
 */
export function messageSender(msg: Message, isChatAdmin?: boolean): Sender | undefined {
  if (msg.sender_chat && msg.sender_chat.id === msg.chat.id) {
    return {
      id: String(msg.sender_chat.id),
      name: msg.sender_chat.title ?? 'Group admin',
      isChatAdmin: true,
    };
  }
  if (msg.from?.id === ANONYMOUS_ADMIN_ID) return undefined;
  return msg.from ? senderOf(msg.from, isChatAdmin) : undefined;
}

const COMMAND = /^\/([A-Za-z0-9_]{1,64})(?:@([A-Za-z0-9_]{1,64}))?(?:\s+([\s\S]*))?$/;

export interface ParsedCommand {
  readonly command: string;
  readonly args: string;
  /** The bot the command names (`/faq@ThatBot`), if any. */
  readonly target?: string;
}

/** Reads `/faq@Bot 3` as command `faq`, args `3`, target `Bot`. Undefined for anything else. */
export function parseCommand(text: string): ParsedCommand | undefined {
  const m = COMMAND.exec(text.trim());
  if (!m) return undefined;
  return { command: m[1]!.toLowerCase(), args: (m[3] ?? '').trim(), ...(m[2] ? { target: m[2] } : {}) };
}

/** Does the message mention the bot (by @username or a text mention) or reply to one of its messages? */
export function mentionsBot(msg: Message, bot: BotIdentity): boolean {
  if (msg.reply_to_message?.from?.id === bot.id) return true;
  const text = msg.text ?? msg.caption ?? '';
  const entities: readonly MessageEntity[] = msg.entities ?? msg.caption_entities ?? [];
  const handle = `@${bot.username}`.toLowerCase();
  for (const e of entities) {
    if (e.type === 'text_mention' && e.user.id === bot.id) return true;
    if (e.type === 'mention' && text.slice(e.offset, e.offset + e.length).toLowerCase() === handle)
      return true;
  }
  // Clients always send the entity; a bare "@Bot" in text is a fallback for hand-made updates.
  return new RegExp(`(^|\\s)${escapeRegExp(handle)}\\b`, 'i').test(text);
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Removes the bot's @username from a question ("@FibroBot can b12 cure fibro?"). */
const withoutMention = (text: string, bot: BotIdentity) =>
  text.replace(new RegExp(`(^|\\s)@${escapeRegExp(bot.username)}\\b[,:]?`, 'gi'), '$1').trim();

/** What a message without text is, in words a member would use ("I can't read a sticker"). */
export function mediaKind(msg: Message): string | undefined {
  if (msg.sticker) return 'sticker';
  if (msg.voice) return 'voice note';
  if (msg.video_note) return 'video message';
  if (msg.audio) return 'audio file';
  if (msg.animation) return 'GIF';
  if (msg.photo) return 'photo';
  if (msg.video) return 'video';
  if (msg.document) return 'file';
  if (msg.location || msg.venue) return 'location';
  if (msg.contact) return 'contact';
  if (msg.poll) return 'poll';
  if (msg.dice) return 'dice';
  return undefined;
}

export type MessageOutcome =
  | { readonly type: 'incoming'; readonly incoming: Incoming }
  | { readonly type: 'ignore'; readonly reason: string };

/**
 * Turns a new message into the core's event, or says why it is ignored.
 * - text and captions -> `text` (or `command` when it starts with a command for this bot);
 * - a command for another bot (`/faq@OtherBot`) -> ignored;
 * - media without caption -> `media`;
 * - forwarded messages: answered in private chats (a member passing on a question),
 *   ignored in groups (someone sharing a post is not asking the bot);
 * - service messages (joins are handled elsewhere, pins, title changes) -> ignored.
 */
export function messageToIncoming(msg: Message, bot: BotIdentity, isChatAdmin?: boolean): MessageOutcome {
  const chat = chatRef(msg.chat);
  const sender = messageSender(msg, isChatAdmin);
  if (!sender) return { type: 'ignore', reason: 'no sender' };
  if (msg.chat.type === 'channel') return { type: 'ignore', reason: 'channel post' };
  if (msg.is_automatic_forward)
    return { type: 'ignore', reason: 'channel post copied into its discussion group' };
  const isPrivate = chat.chatType === 'private';
  const forwarded = msg.forward_origin !== undefined;
  if (forwarded && !isPrivate) return { type: 'ignore', reason: 'forwarded into a group' };
  const base = {
    chat,
    sender,
    raw: msg,
    messageId: String(msg.message_id),
    addressed: isPrivate || mentionsBot(msg, bot),
  };

  const text = msg.text ?? msg.caption;
  if (text !== undefined) {
    const parsed = forwarded ? undefined : parseCommand(text);
    if (parsed) {
      if (parsed.target && parsed.target.toLowerCase() !== bot.username.toLowerCase()) {
        return { type: 'ignore', reason: 'command for another bot' };
      }
      return {
        type: 'incoming',
        incoming: {
          ...base,
          addressed: base.addressed || parsed.target !== undefined,
          kind: 'command',
          command: parsed.command,
          args: parsed.args,
        },
      };
    }
    const question = base.addressed && !isPrivate ? withoutMention(text, bot) : text;
    return { type: 'incoming', incoming: { ...base, kind: 'text', text: question } };
  }
  const media = mediaKind(msg);
  if (media) return { type: 'incoming', incoming: { ...base, kind: 'media', media } };
  return { type: 'ignore', reason: 'service message' };
}

const PRESENT = new Set<ChatMember['status']>(['member', 'administrator', 'creator']);
const isPresent = (m: ChatMember) => PRESENT.has(m.status) || (m.status === 'restricted' && m.is_member);
const ADMIN = new Set<ChatMember['status']>(['administrator', 'creator']);

/** A `chat_member` update in which someone went from outside the chat to inside it. */
export function isJoin(oldMember: ChatMember, newMember: ChatMember): boolean {
  return !isPresent(oldMember) && isPresent(newMember);
}

/** Whether a member update changed who administers the chat. */
export const changesAdmin = (oldMember: ChatMember, newMember: ChatMember) =>
  ADMIN.has(oldMember.status) !== ADMIN.has(newMember.status);

export const joinedMember = (user: User): JoinedMember => ({
  id: String(user.id),
  name: displayName(user) || user.username || String(user.id),
});

/** The name of an invite link when it has one, else its URL (Telegram hides part of it for non-creators). */
export const inviteLinkName = (link?: { name?: string; invite_link: string }) =>
  link?.name ?? link?.invite_link;
