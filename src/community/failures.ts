/**
 * What a chat is told when the platform refused or did not answer: what failed and what to try,
 * in words for people. Never the platform's own error text, ids or stack (those go to the log).
 */
import { AdminError, DeliveryError } from '../core/adapter.js';
import type { Platform } from '../core/types.js';

/** How chats name a platform ("Telegram", "the console"). */
export const PLATFORM_NAMES: Record<Platform, string> = {
  telegram: 'Telegram',
  whatsapp: 'WhatsApp',
  console: 'the console',
};

/** The admin right invite links and join requests need, as the platform's own settings name it. */
const RIGHT: Record<Platform, string> = {
  telegram: ' with the "Invite users via link" right',
  whatsapp: '',
  console: '',
};

const inSeconds = (ms: number | undefined): string => {
  const s = Math.ceil((ms ?? 60_000) / 1000);
  return s <= 60 ? `${s} second${s === 1 ? '' : 's'}` : `${Math.ceil(s / 60)} minutes`;
};

/**
 * "I could not create an invite link: I need to be an admin of this group with the "Invite
 * users via link" right. Make me one, then try again." `what` is the action, lower case.
 */
export function adminFailure(err: unknown, platform: Platform, what: string): string {
  const name = PLATFORM_NAMES[platform];
  const admin = `an admin of this group${RIGHT[platform]}`;
  if (err instanceof AdminError) {
    return err.refusal === 'invalid' && err.hint
      ? `I could not ${what}: ${err.hint}`
      : `I could not ${what}: I need to be ${admin}. Make me one (in the group's settings), then try again.`;
  }
  if (err instanceof DeliveryError && err.code === 'RATE_LIMITED') {
    return `I could not ${what}: ${name} asked me to slow down. Please try again in ${inSeconds(err.retryAfterMs)}.`;
  }
  if (err instanceof DeliveryError) {
    return `I could not ${what}: ${name} did not answer properly just now. Please try again in a minute; if it keeps failing, check that I am ${admin}.`;
  }
  return `I could not ${what}: something went wrong on my side. Please try again in a minute.`;
}

/** Why a message could not be sent into a chat (`where`: "Telegram group "Fibro friends""). */
export function sendFailure(err: unknown, platform: Platform, where: string): string {
  const name = PLATFORM_NAMES[platform];
  if (err instanceof DeliveryError && err.code === 'PERMANENT') {
    return `I could not send it to ${where}: I can no longer write there (I was removed or blocked).`;
  }
  if (err instanceof DeliveryError && err.code === 'RATE_LIMITED') {
    return `I could not send it to ${where} yet: ${name} asked me to slow down. Please try again in ${inSeconds(err.retryAfterMs)}.`;
  }
  return `I could not send it to ${where}: ${name} did not take the message just now. Please try again in a minute.`;
}
