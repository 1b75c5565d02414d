import { actorOf, isModerator } from './actors.js';
import { type Background, createBackground } from './background.js';
import { builtinCommands, builtinPresses, helpReply } from './commands.js';
import type { Content } from './content.js';
import { type DispatchDeps, dispatch, type Turn } from './dispatch.js';
import type { Actor, CommunityChats } from './permissions.js';
import type {
  Command,
  ContentSource,
  CoreLogger,
  PressHandler,
  ReadingPositionStore,
  Stats,
  UnansweredLog,
} from './ports.js';
import { cautionReply, safetyReply, simple } from './replies.js';
import { createSafetyGrader, type SafetyVerdict } from './safety.js';
import type { Incoming, Reply } from './types.js';
import { createUnansweredClassifier } from './unanswered.js';

export type { CoreLogger } from './ports.js';

/**
 * Runs before the router's own handling; returning replies stops there.
 * Community management adds flood control this way.
 */
export type Guard = (incoming: Incoming, actor: Actor) => Promise<Reply[] | undefined> | Reply[] | undefined;

export interface RouterOptions {
  readonly content: ContentSource;
  /** Platform-qualified ids (`telegram:123`, `whatsapp:15551234567`) who moderate everywhere. */
  readonly moderators?: ReadonlySet<string>;
  /**
   * The community's chats (configured or registered): a chat admin counts as one only there.
   * Without it, no chat admin has rights beyond a member's.
   */
  readonly chats?: CommunityChats;
  readonly unanswered?: UnansweredLog;
  readonly stats?: Stats;
  /** More commands (scheduling, community management); a name here replaces a built-in. */
  readonly commands?: readonly Command[];
  readonly presses?: readonly PressHandler[];
  readonly guards?: readonly Guard[];
  /** Replaces the default welcome for joins (community management batches bursts). */
  readonly onJoin?: (incoming: Extract<Incoming, { kind: 'member_joined' }>) => Promise<Reply[]> | Reply[];
  /** Handles approval-link join requests (community management). */
  readonly onJoinRequest?: (
    incoming: Extract<Incoming, { kind: 'join_request' }>,
  ) => Promise<Reply[]> | Reply[];
  readonly logger?: CoreLogger;
  readonly clock?: () => Date;
  /** Reading positions for /next and /prev, shared across replicas (community management gives Redis). */
  readonly positions?: ReadingPositionStore;
  /**
   * Where bookkeeping (answer counts, the unanswered log) runs: in the background, never before
   * a reply. Default: up to 1,000 records in flight, then dropped (and `onDropped` called).
   */
  readonly background?: Background;
  /** How long an emergency's safety reply waits for the message's other replies (default 1 s). */
  readonly emergencyWaitMs?: number;
}

/** What a caller may ask of one {@link Router.handle} call. */
export interface HandleOptions {
  /**
   * Takes the safety reply the moment a message reads as an emergency, before anything that
   * may be slow (bookkeeping, guards, the answer itself); it is then left out of what `handle`
   * returns. Adapters send it ahead of everything queued for the chat.
   */
  readonly urgent?: (replies: Reply[]) => void;
}

/** The platform-neutral router every adapter calls. */
export interface Router {
  /** Never throws: a failure becomes an `error` reply and a log line. */
  handle(incoming: Incoming, options?: HandleOptions): Promise<Reply[]>;
  /** Every command, for help texts and the platforms' command menus. */
  readonly commands: readonly Command[];
  /** A configured moderator (MODERATORS, or the console's local operator); a chat admin is not one. */
  isModerator(incoming: Incoming): boolean;
  /** Who is acting, with the role the permission table knows (looks up the community's chats). */
  actorOf(incoming: Incoming): Promise<Actor>;
}

/** What routing one message needs beyond dispatching it: guards, the safety check, the actor. */
interface Routing extends DispatchDeps {
  readonly content: ContentSource;
  readonly guards: readonly Guard[];
  readonly actorOf: (incoming: Incoming) => Promise<Actor>;
  readonly gradeSafety: (community: Content['community'], text: string) => SafetyVerdict;
  readonly logger?: CoreLogger;
  readonly emergencyWaitMs: number;
}

/** Every article section served, however it was reached (an answer, /section, a button, paging). */
function countSections(r: Routing, replies: readonly Reply[], incoming: Incoming): void {
  for (const x of replies) {
    const section = x.kind === 'section' ? x.meta?.section : undefined;
    if (section !== undefined)
      r.record('counting a section served', () => r.stats?.recordSection?.(section, incoming.chat));
  }
}

/** Safety first, then the guards, then dispatch; an emergency's safety reply never waits long. */
async function route(r: Routing, incoming: Incoming, urgent?: HandleOptions['urgent']): Promise<Reply[]> {
  const { content, matcher } = r.content.current();
  const actor = await r.actorOf(incoming);

  // An emergency is answered first, whatever else the message is.
  const text = incoming.kind === 'text' ? incoming.text : incoming.kind === 'command' ? incoming.args : '';
  const verdict = text === '' ? undefined : r.gradeSafety(content.community, text);
  const emergency = verdict?.grade === 'emergency';
  // Nothing is awaited before the safety reply leaves: a caller that can send it at once does.
  let safetyFirst = emergency ? [safetyReply(content)] : [];
  if (emergency && urgent) {
    try {
      urgent(safetyFirst);
      safetyFirst = [];
    } catch (err) {
      r.logger?.error({ err, chat: incoming.chat }, 'sending the safety reply early failed');
    }
  }
  if (verdict && verdict.grade !== 'none' && (emergency || incoming.kind === 'text')) {
    // Says which pattern, context rule or classifier features decided; never the message itself.
    r.logger?.info?.(
      { safety: verdict.grade, reason: verdict.reason, chat: incoming.chat },
      verdict.grade === 'emergency' ? 'emergency message' : 'caution added',
    );
    if (emergency)
      r.record('counting a safety reply', () => r.stats?.recordAnswer('safety', undefined, incoming.chat));
  }

  const turn: Turn = { incoming, actor, content, matcher, emergency };
  const rest = (async (): Promise<{ replies: Reply[]; stopped: boolean }> => {
    for (const guard of r.guards) {
      const stop = await guard(incoming, actor);
      if (stop) return { replies: stop, stopped: true };
    }
    const replies = await dispatch(r, turn);
    countSections(r, replies, incoming);
    return { replies, stopped: false };
  })();
  if (!emergency) {
    const { replies, stopped } = await rest;
    // A caution rides beside a reply; chatter the bot leaves alone in a group stays unanswered.
    // Only beside an answer to free text: a command's argument (`/start faq-...`) is no story.
    if (!stopped && verdict?.grade === 'caution' && incoming.kind === 'text' && replies.length > 0) {
      r.record('counting a caution', () => r.stats?.recordAnswer('caution', undefined, incoming.chat));
      return [...replies, cautionReply(content)];
    }
    return replies;
  }
  // The safety reply never waits for a slow guard or command: past a short wait it goes alone.
  const others = await within(rest, r.emergencyWaitMs);
  if (!others) {
    rest.catch(() => {});
    r.logger?.warn(
      { chat: incoming.chat, kind: incoming.kind },
      'emergency: the other replies were slow; the safety reply went alone',
    );
    return safetyFirst;
  }
  return [...safetyFirst, ...others.replies.filter((x) => x.kind !== 'fallback')];
}

/**
 * The router: who is acting (`actors.ts`), the safety check and guards (`route` here), and reply
 * dispatch to commands, button presses and answers (`dispatch.ts`).
 */
export function createRouter(options: RouterOptions): Router {
  const clock = options.clock ?? (() => new Date());
  const moderators = options.moderators ?? new Set<string>();
  const byName = new Map<string, Command>();
  const help: Command = {
    name: 'help',
    description: 'what I can do',
    handle: (ctx) => [helpReply(commands, ctx.actor)],
  };
  for (const c of [...builtinCommands, help, ...(options.commands ?? [])]) {
    for (const name of [c.name, ...(c.aliases ?? [])]) byName.set(name, c);
  }
  const commands = [...new Set(byName.values())];
  const background = options.background ?? createBackground();
  let safety: { community: unknown; grade: (text: string) => SafetyVerdict } = {
    community: null,
    grade: () => ({ grade: 'none', reason: '' }),
  };
  const moderator = (incoming: Incoming) => isModerator(moderators, incoming);
  const actor = (incoming: Incoming) => actorOf(incoming, moderator(incoming), options.chats, options.logger);

  const routing: Routing = {
    byName,
    presses: [...(options.presses ?? []), ...builtinPresses],
    clock,
    ...(options.positions ? { positions: options.positions } : {}),
    ...(options.unanswered ? { unanswered: options.unanswered } : {}),
    ...(options.stats ? { stats: options.stats } : {}),
    ...(options.onJoin ? { onJoin: options.onJoin } : {}),
    ...(options.onJoinRequest ? { onJoinRequest: options.onJoinRequest } : {}),
    record: (what, task) =>
      background.run(what, async () => {
        await task();
      }),
    classifyUnanswered: createUnansweredClassifier(),
    content: options.content,
    guards: options.guards ?? [],
    actorOf: actor,
    // Compiled once per content version (a reload brings new patterns and a new model).
    gradeSafety: (community, text) => {
      if (safety.community !== community) {
        safety = { community, grade: createSafetyGrader(community.safetyPatterns, community.safetyModel) };
      }
      return safety.grade(text);
    },
    ...(options.logger ? { logger: options.logger } : {}),
    emergencyWaitMs: options.emergencyWaitMs ?? 1_000,
  };

  return {
    commands,
    isModerator: moderator,
    actorOf: actor,
    async handle(incoming, handleOptions) {
      if (incoming.sender.isBot) return [];
      try {
        return await route(routing, incoming, handleOptions?.urgent);
      } catch (err) {
        options.logger?.error({ err, chat: incoming.chat, kind: incoming.kind }, 'handler failed');
        return [simple('error', 'Sorry, something went wrong on my side. Please try again in a moment.')];
      }
    },
  };
}

/** `work`'s value, or undefined when it takes longer than `ms` (a rejection still throws). */
async function within<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
