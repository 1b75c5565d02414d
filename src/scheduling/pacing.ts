/**
 * Delivery pacing kept in Redis, so every worker process shares one budget per platform.
 * Each limit is a "next allowed send time": a whole platform (its overall rate), one chat
 * (the gap between two messages to it), one group (messages per minute). A delivery reserves
 * the earliest time all apply, and moves the pointers on; it then waits in the worker for a
 * near slot, or sleeps in BullMQ's delayed set for a far one. Nothing else is held in memory.
 */
import type { Redis } from 'ioredis';
import type { ChatType, Platform } from '../core/types.js';

/** Minimum gaps in milliseconds; 0 turns a limit off. */
export interface PlatformPacing {
  /** Between any two sends on the platform (1000 / messages per second). */
  readonly globalGapMs: number;
  /** Between two sends to one chat. */
  readonly chatGapMs: number;
  /** Between two sends to one group chat (60000 / messages per minute). */
  readonly groupGapMs: number;
}

export type PacingTable = Readonly<Partial<Record<Platform, PlatformPacing>>>;

export const NO_PACING: PlatformPacing = { globalGapMs: 0, chatGapMs: 0, groupGapMs: 0 };

/**
 * Gaps are stretched by this much: a send that a busy event loop starts a few ms late must not
 * put one send too many into a window of a platform that counts strictly.
 */
export const PACING_HEADROOM = 1.03;

/** Telegram's published limits: ~30/s overall, 20/min per group, ~1/s per chat. */
export function telegramPacing(perSecond: number, groupPerMinute: number, chatGapMs: number): PlatformPacing {
  // Fractional gaps on purpose: 1000/30 rounded up to 34 ms would waste 2% of the budget.
  return {
    globalGapMs: (1000 / perSecond) * PACING_HEADROOM,
    chatGapMs: chatGapMs * PACING_HEADROOM,
    groupGapMs: (60_000 / groupPerMinute) * PACING_HEADROOM,
  };
}

/** WhatsApp: the gentler of "a gap between any two messages" and "bulk messages per minute". */
export function whatsappPacing(
  globalGapMs: number,
  bulkPerMinute: number,
  chatGapMs: number,
): PlatformPacing {
  return {
    globalGapMs: Math.max(globalGapMs, 60_000 / bulkPerMinute) * PACING_HEADROOM,
    chatGapMs: chatGapMs * PACING_HEADROOM,
    groupGapMs: 0,
  };
}

// KEYS: 1 platform, 2 chat, 3 group. ARGV: now, globalGap, chatGap, groupGap, maxAhead, chatReservedAt.
// Returns { at, globalReserved }: when the chat/group limits keep the send further off than
// maxAhead, only the chat is reserved (the platform's budget stays free for other chats).
const RESERVE = `
local now = tonumber(ARGV[1])
local ggap, cgap, grgap, ahead = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local chatAt = tonumber(ARGV[6])
local function get(k) return tonumber(redis.call('GET', k) or '0') end
local function put(k, v, gap)
  if gap > 0 and v > get(k) then redis.call('SET', k, tostring(v), 'PX', math.ceil(math.max(1, v - now)) + 60000) end
end
local t = now
if chatAt < 0 then
  t = math.max(t, get(KEYS[2]), get(KEYS[3]))
  if t - now > ahead then
    put(KEYS[2], t + cgap, cgap)
    put(KEYS[3], t + grgap, grgap)
    return { tostring(t), 0 }
  end
else
  t = math.max(t, chatAt)
end
t = math.max(t, get(KEYS[1]))
put(KEYS[1], t + ggap, ggap)
put(KEYS[2], t + cgap, cgap)
put(KEYS[3], t + grgap, grgap)
return { tostring(t), 1 }
`;

export interface Reservation {
  /** Send at this time (ms since epoch). */
  readonly at: number;
  /** False: only the chat's turn is reserved; come back at `at` for the platform's. */
  readonly globalReserved: boolean;
}

export class Pacer {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly table: PacingTable,
  ) {}

  private keys(platform: Platform, chatId: string, chatType: ChatType): [string, string, string] {
    const base = `${this.prefix}:pace:${platform}`;
    // A private chat has no group limit: point it at a key that is never set.
    return [
      `${base}:all`,
      `${base}:chat:${chatId}`,
      chatType === 'group' ? `${base}:group:${chatId}` : `${base}:none`,
    ];
  }

  /** Reserves the earliest allowed send time for one message to a chat. */
  async reserve(
    platform: Platform,
    chatId: string,
    chatType: ChatType,
    now: number,
    maxAheadMs: number,
    chatReservedAt?: number,
  ): Promise<Reservation> {
    const p = this.table[platform] ?? NO_PACING;
    const [at, global] = (await this.client.eval(
      RESERVE,
      3,
      ...this.keys(platform, chatId, chatType),
      now,
      p.globalGapMs,
      p.chatGapMs,
      chatType === 'group' ? p.groupGapMs : 0,
      maxAheadMs,
      chatReservedAt ?? -1,
    )) as [string, number];
    return { at: Number(at), globalReserved: global === 1 };
  }

  /** The platform said "too many requests" for this chat: nothing goes there before `until`. */
  async holdChat(platform: Platform, chatId: string, until: number): Promise<void> {
    const key = `${this.prefix}:pace:${platform}:chat:${chatId}`;
    const current = Number((await this.client.get(key)) ?? 0);
    if (until > current)
      await this.client.set(key, String(until), 'PX', Math.ceil(Math.max(1, until - Date.now())) + 60_000);
  }
}
