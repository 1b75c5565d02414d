import {
  areJidsSameUser,
  isJidBroadcast,
  isJidGroup,
  isJidNewsletter,
  isJidStatusBroadcast,
  isLidUser,
  jidDecode,
  jidNormalizedUser,
  normalizeMessageContent,
  type proto,
  type WAMessage,
} from '@whiskeysockets/baileys';
import type { ChatRef, Incoming, Sender } from '../../core/types.js';
import type { Me } from './types.js';

/** Same grammar as the console: `/faq 3`, `!faq 3`, `/faq@Bot 3`. */
const COMMAND = /^[/!]([A-Za-z0-9_]{1,64})(?:@(\S+))?(?:\s+([\s\S]*))?$/;
/** A bare number answers the numbered choices offered last ("2", "2.", " 2 "). */
const CHOICE = /^\s*(\d{1,3})\s*[.)]?\s*$/;

/** A person's ids, LID first: v7 sessions are LID-first; the phone JID rides along as `altId`. */
export function personIds(
  jid: string | null | undefined,
  alt: string | null | undefined,
): { id: string; altId?: string } | undefined {
  const a = jid ? jidNormalizedUser(jid) || jid : undefined;
  const b = alt ? jidNormalizedUser(alt) || alt : undefined;
  if (!a) return b ? { id: b } : undefined;
  if (b && b !== a && isLidUser(b) && !isLidUser(a)) return { id: b, altId: a };
  return b && b !== a ? { id: a, altId: b } : { id: a };
}

/** Whether `jid` is the bot itself (by phone JID or LID). */
export const isMe = (me: Me, jid: string | null | undefined): boolean =>
  !!jid && ((!!me.id && areJidsSameUser(jid, me.id)) || (!!me.lid && areJidsSameUser(jid, me.lid)));

/** A Baileys message read into what the adapter needs; `undefined` from {@link readMessage} means skip. */
export interface ReadMessage {
  readonly id: string;
  readonly chat: ChatRef;
  readonly sender: Sender;
  /** The text (or caption), with mentions of the bot removed. */
  readonly text?: string;
  /** What arrived without text. */
  readonly media?: string;
  readonly mentionsMe: boolean;
  readonly repliesToMe: boolean;
  /** The Baileys message, as the core's `raw` escape hatch. */
  readonly raw: WAMessage;
}

const MEDIA: readonly [keyof proto.IMessage, string][] = [
  ['stickerMessage', 'sticker'],
  ['imageMessage', 'photo'],
  ['videoMessage', 'video'],
  ['ptvMessage', 'video note'],
  ['documentMessage', 'document'],
  ['locationMessage', 'location'],
  ['liveLocationMessage', 'location'],
  ['contactMessage', 'contact card'],
  ['contactsArrayMessage', 'contact card'],
];

/** The first contextInfo the message carries (text, captioned media ...). */
function contextInfoOf(content: proto.IMessage): proto.IContextInfo | undefined {
  for (const value of Object.values(content)) {
    if (value && typeof value === 'object' && 'contextInfo' in value && value.contextInfo) {
      return value.contextInfo as proto.IContextInfo;
    }
  }
  return undefined;
}

/**
 * Reads a Baileys `WAMessage`. Skips the bot's own messages, status broadcasts, newsletters and
 * broadcast lists, and messages with nothing a member wrote (reactions, protocol messages, stubs).
 */
export function readMessage(msg: WAMessage, me: Me): ReadMessage | undefined {
  const key = msg.key;
  const remoteJid = key.remoteJid;
  if (!remoteJid || !key.id || key.fromMe) return undefined;
  if (isJidStatusBroadcast(remoteJid) || isJidNewsletter(remoteJid) || isJidBroadcast(remoteJid))
    return undefined;
  const content = normalizeMessageContent(msg.message);
  if (!content) return undefined;

  const group = !!isJidGroup(remoteJid);
  const who = group ? personIds(key.participant, key.participantAlt) : personIds(remoteJid, key.remoteJidAlt);
  if (!who) return undefined;
  if (isMe(me, who.id) || isMe(me, who.altId)) return undefined;

  const text =
    content.conversation ??
    content.extendedTextMessage?.text ??
    content.imageMessage?.caption ??
    content.videoMessage?.caption ??
    content.documentMessage?.caption ??
    undefined;
  let media: string | undefined;
  if (!text) {
    if (content.audioMessage) media = content.audioMessage.ptt ? 'voice note' : 'audio message';
    else media = MEDIA.find(([k]) => content[k])?.[1];
    if (!media) return undefined;
  }

  const context = contextInfoOf(content);
  const mentionsMe = (context?.mentionedJid ?? []).some((j) => isMe(me, j));
  const repliesToMe = !!context?.stanzaId && isMe(me, context.participant);

  const chatId = group ? remoteJid : jidNormalizedUser(remoteJid) || remoteJid;
  return {
    id: key.id,
    chat: { platform: 'whatsapp', chatId, chatType: group ? 'group' : 'private' },
    sender: { ...who, ...(msg.pushName ? { name: msg.pushName } : {}) },
    ...(text ? { text: mentionsMe ? stripMentions(text, me) : text } : {}),
    ...(media ? { media } : {}),
    mentionsMe,
    repliesToMe,
    raw: msg,
  };
}

/** Removes "@<bot number>" tokens so "@15550001 can b12 cure fibro?" reads as the question. */
function stripMentions(text: string, me: Me): string {
  let out = text;
  for (const jid of [me.id, me.lid]) {
    const user = jid ? jidDecode(jid)?.user : undefined;
    if (user) out = out.replaceAll(`@${user}`, ' ');
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** The number in a bare numeric reply, if that is all the message says. */
export function choiceNumber(text: string | undefined): number | undefined {
  const m = text === undefined ? null : CHOICE.exec(text);
  return m ? Number(m[1]) : undefined;
}

/**
 * The core's incoming event for a read message. `choice` is the press a numeric reply stands
 * for (resolved by the adapter from the choices it offered); `isChatAdmin` comes from group metadata.
 */
export function toIncoming(
  read: ReadMessage,
  extra: { choice?: string; isChatAdmin?: boolean } = {},
): Incoming {
  const base = {
    chat: read.chat,
    sender: extra.isChatAdmin ? { ...read.sender, isChatAdmin: true } : read.sender,
    messageId: read.id,
    raw: read.raw,
  };
  const direct = read.chat.chatType === 'private' || read.mentionsMe || read.repliesToMe;
  if (extra.choice !== undefined) return { ...base, addressed: true, kind: 'press', data: extra.choice };
  if (read.text === undefined)
    return { ...base, addressed: direct, kind: 'media', media: read.media ?? 'message' };
  const command = COMMAND.exec(read.text.trim());
  if (command) {
    return {
      ...base,
      addressed: true,
      kind: 'command',
      command: command[1]!.toLowerCase(),
      args: (command[3] ?? '').trim(),
    };
  }
  return { ...base, addressed: direct, kind: 'text', text: read.text };
}
