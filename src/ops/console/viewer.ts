import type { ChatRef, Platform } from '../../core/types.js';

/**
 * Who is signed in to the console, with the rights the sign-in link was bound to. A moderator acts
 * for the whole community; a chat admin for the one community group they administer.
 */
export interface Viewer {
  /** `platform:userId` for a chat sign-in, `operator:<ADMIN_USER>` for an operator. */
  readonly id: string;
  readonly name: string;
  readonly role: 'moderator' | 'chat_admin';
  /** A chat admin's group: everything they see and do is limited to it. */
  readonly chat?: Pick<ChatRef, 'platform' | 'chatId' | 'chatType' | 'title'>;
  /** The platform the person signed in from (their identity there). */
  readonly platform?: Platform;
}

export const chatKey = (c: Pick<ChatRef, 'platform' | 'chatId'>): string => `${c.platform}:${c.chatId}`;

/** Whether the viewer may see this chat's questions, invites and numbers. */
export function seesChat(viewer: Viewer, chat: Pick<ChatRef, 'platform' | 'chatId' | 'chatType'>): boolean {
  if (viewer.role === 'moderator') return true;
  return viewer.chat !== undefined && chatKey(viewer.chat) === chatKey(chat);
}

/** The chats a viewer is limited to, or undefined for the whole community. */
export const viewerChats = (viewer: Viewer): string[] | undefined =>
  viewer.role === 'moderator' ? undefined : viewer.chat ? [chatKey(viewer.chat)] : [];

export const describeViewer = (v: Viewer): string =>
  v.role === 'moderator'
    ? `${v.name} (moderator)`
    : `${v.name} (admin of ${v.chat?.title ?? v.chat?.chatId ?? '?'})`;
