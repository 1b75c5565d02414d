import { can } from '../core/permissions.js';
import { simple } from '../core/replies.js';
import type { Guard } from '../core/router.js';
import type { Incoming } from '../core/types.js';
import { type Clock, systemClock } from './clock.js';

export interface FloodOptions {
  /** More than this many messages to the bot within the window gets the slow-down note. */
  readonly max: number;
  readonly windowMs: number;
  readonly clock?: Clock;
  /** People tracked at once (per process); the least recently active are forgotten first. */
  readonly maxTracked?: number;
}

/** Whether the member spoke to the bot: commands, button presses, anything in a private chat or addressed to it. */
const toTheBot = (incoming: Incoming): boolean => {
  switch (incoming.kind) {
    case 'command':
    case 'press':
      return true;
    case 'text':
    case 'media':
      return incoming.chat.chatType === 'private' || incoming.addressed === true;
    case 'member_joined':
    case 'join_request':
      return false;
  }
};

/**
 * Flood control as a router guard. A member who sends more than `max` messages to the bot
 * within `windowMs` gets one gentle note, then nothing until the window has room again.
 * Each chat counts separately (a group and the private chat with the bot are two counters);
 * moderators are never slowed down. In memory, per process: a restart forgives everyone.
 */
export function createFloodGuard(options: FloodOptions): Guard {
  const clock = options.clock ?? systemClock;
  const maxTracked = options.maxTracked ?? 10_000;
  const seen = new Map<string, { times: number[]; warned: boolean }>();
  const note = () =>
    simple(
      'command',
      `You're sending me messages faster than I can keep up with. Please take a short break and try again in ${seconds(options.windowMs)}; I'll answer again then.`,
    );

  return (incoming, actor) => {
    if (can(actor, 'flood.exempt') || !toTheBot(incoming)) return undefined;
    const key = `${incoming.chat.platform}:${incoming.chat.chatId}:${incoming.sender.id}`;
    const now = clock.now();
    const entry = seen.get(key) ?? { times: [], warned: false };
    seen.delete(key);
    seen.set(key, entry);
    if (seen.size > maxTracked) seen.delete(seen.keys().next().value!);

    entry.times = entry.times.filter((t) => now - t < options.windowMs);
    const flooding = entry.times.length >= options.max;
    entry.times.push(now);
    // Keep only what the decision needs: the newest max + 1 messages.
    if (entry.times.length > options.max + 1) entry.times.splice(0, entry.times.length - options.max - 1);
    if (!flooding) {
      entry.warned = false;
      return undefined;
    }
    if (entry.warned) return [];
    entry.warned = true;
    return [note()];
  };
}

const seconds = (ms: number) => {
  const s = Math.ceil(ms / 1000);
  return s >= 120 ? `${Math.ceil(s / 60)} minutes` : `${s} seconds`;
};
