/**
 * The community's commands, one family per module: onboarding (`/start join`, here), invite links
 * (invite-commands.ts), the community's chats (chat-commands.ts) and what moderators learn from
 * members (insight-commands.ts). Staff commands get a time bound here.
 */
import type { PlatformAdmin } from '../core/adapter.js';
import { builtinCommands, isStaffCommand } from '../core/commands.js';
import type { Command, CommandContext } from '../core/ports.js';
import { simple } from '../core/replies.js';
import type { ChatRef, Platform, Reply } from '../core/types.js';
import { aboutCommand } from './about.js';
import { TimeoutError, withTimeout } from './bounded.js';
import { chatCommands } from './chat-commands.js';
import type { ChatRegistry } from './chats.js';
import { PLATFORM_NAMES } from './failures.js';
import { insightCommands } from './insight-commands.js';
import type { Insight } from './insight-store.js';
import { inviteCommands } from './invite-commands.js';
import type { InviteStore, JoinCounter } from './invite-store.js';
import type { CommunityLogger } from './logger.js';
import { onboarding } from './replies.js';

export interface CommandDeps {
  /** Refusals and failed sends are logged in full here; chats get a sentence for people. */
  readonly logger?: CommunityLogger;
  readonly admin: (platform: Platform) => PlatformAdmin | undefined;
  readonly chats: ChatRegistry;
  /** Sends into a chat through its platform's adapter (a moderator's `/reply`). */
  readonly send: (chat: ChatRef, replies: readonly Reply[]) => Promise<void>;
  /** Undefined without Redis: invite links must outlive a restart, so they need it. */
  readonly invites?: InviteStore;
  readonly joins: JoinCounter;
  readonly insight: Insight;
  readonly subscribers?: () => Promise<Partial<Record<Platform, number>>>;
  readonly timeZone?: string;
  readonly retentionDays: number;
  /** FLOOD_WINDOW_SECONDS in milliseconds, for what /disclaimer says is kept. */
  readonly floodWindowMs: number;
}

/** Deep-link payloads (`t.me/<bot>?start=join`) that open the onboarding. */
const ONBOARDING = /^(join|welcome|onboard|start)([-_][a-z0-9_-]{1,40})?$/;

/** `/start`: the onboarding for a join deep link, the ordinary welcome (or a payload) otherwise. */
function onboardingStart(): Command {
  const builtinStart = builtinCommands.find((c) => c.name === 'start')!;
  return {
    name: 'start',
    description: 'welcome and menu',
    handle: (ctx) =>
      ONBOARDING.test(ctx.args.trim().toLowerCase())
        ? onboarding(ctx.content, ctx.incoming.sender.name)
        : builtinStart.handle(ctx),
  };
}

/** Moderators get a clear answer, not silence, when Redis or the platform is slow. */
const timeBound = (c: Command): Command => ({
  ...c,
  handle: async (ctx: CommandContext) => {
    try {
      return await withTimeout(Promise.resolve(c.handle(ctx)), 10_000, `/${c.name}`);
    } catch (err) {
      if (!(err instanceof TimeoutError)) throw err;
      return [
        simple(
          'error',
          `/${c.name} is taking too long (Redis or ${PLATFORM_NAMES[ctx.incoming.chat.platform]} is not answering). Please try again in a minute.`,
        ),
      ];
    }
  },
});

export function communityCommands(deps: CommandDeps): Command[] {
  const format = new Intl.DateTimeFormat('en-GB', {
    dateStyle: 'medium',
    timeStyle: 'short',
    timeZone: deps.timeZone ?? 'UTC',
  });
  const when = (d: Date) => `${format.format(d)}${deps.timeZone && deps.timeZone !== 'UTC' ? '' : ' UTC'}`;
  const commands: Command[] = [
    onboardingStart(),
    aboutCommand({
      durable: deps.insight.durable,
      retentionDays: deps.retentionDays,
      floodWindowMs: deps.floodWindowMs,
    }),
    ...inviteCommands({
      ...(deps.logger ? { logger: deps.logger } : {}),
      admin: deps.admin,
      ...(deps.invites ? { invites: deps.invites } : {}),
      joins: deps.joins,
      when,
    }),
    ...chatCommands(deps.chats),
    ...insightCommands({
      ...(deps.logger ? { logger: deps.logger } : {}),
      insight: deps.insight,
      joins: deps.joins,
      send: deps.send,
      ...(deps.subscribers ? { subscribers: deps.subscribers } : {}),
      when,
      retentionDays: deps.retentionDays,
    }),
  ];
  return commands.map((c) => (isStaffCommand(c) ? timeBound(c) : c));
}
