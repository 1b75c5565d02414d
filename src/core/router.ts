import { answerFreeText, MAX_QUESTION_CHARS, readsAsQuestion } from './answer.js';
import { type Background, createBackground } from './background.js';
import { builtinCommands, builtinPresses, helpReply } from './commands.js';
import type { Content } from './content.js';
import { type Action, type Actor, type CommunityChats, can, chatKeyOf, requiredRole } from './permissions.js';
import { createPhraseFinder } from './phrases.js';
import type {
  Command,
  CommandContext,
  ContentSource,
  PressHandler,
  QuestionOutcome,
  ReadingPositionStore,
  Stats,
  UnansweredLog,
} from './ports.js';
import { cautionReply, safetyReply, simple, welcome } from './replies.js';
import { createSafetyGrader, type SafetyVerdict } from './safety.js';
import type { Incoming, Reply } from './types.js';

/** The few logging calls the core makes; pino's logger fits. */
export interface CoreLogger {
  /** Optional: what the safety check decided and why (pino's `info`). */
  info?(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

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
  const presses = [...(options.presses ?? []), ...builtinPresses];
  const background = options.background ?? createBackground();
  const emergencyWaitMs = options.emergencyWaitMs ?? 1_000;
  const record = (what: string, task: () => Promise<void> | undefined) =>
    background.run(what, async () => {
      await task();
    });
  let safety: { community: unknown; grade: (text: string) => SafetyVerdict } = {
    community: null,
    grade: () => ({ grade: 'none', reason: '' }),
  };

  const isModerator = (incoming: Incoming): boolean => {
    const s = incoming.sender;
    if (s.isLocalOperator) return true;
    const platform = incoming.chat.platform;
    // MODERATORS names people by phone number (`whatsapp:15551234567`); WhatsApp gives phone JIDs
    // (`15551234567@s.whatsapp.net`, `...:3@...` per device). LIDs (`@lid`) must match in full.
    const bare = (id: string) => id.replace(/(?::\d+)?@s\.whatsapp\.net$/, '');
    return [s.id, s.altId].some(
      (id) =>
        id !== undefined &&
        (moderators.has(`${platform}:${id}`) || moderators.has(`${platform}:${bare(id)}`)),
    );
  };

  // Compiled once per content version (a reload brings new patterns and a new model).
  const gradeSafety = (community: Content['community'], text: string): SafetyVerdict => {
    if (safety.community !== community) {
      safety = { community, grade: createSafetyGrader(community.safetyPatterns, community.safetyModel) };
    }
    return safety.grade(text);
  };

  // A chat admin is trusted only in a group the community knows; anyone can make a group and add the bot.
  const actorOf = async (incoming: Incoming): Promise<Actor> => {
    const chat = incoming.chat;
    if (isModerator(incoming)) return { role: 'moderator', chat };
    if (!incoming.sender.isChatAdmin || chat.chatType !== 'group' || !options.chats) {
      return { role: 'member', chat };
    }
    try {
      return { role: (await options.chats.isCommunityChat(chat)) ? 'chat_admin' : 'member', chat };
    } catch (err) {
      // When the register cannot be read, the admin acts as a member until it can.
      options.logger?.warn({ err, chat: chatKeyOf(chat) }, 'community chats: lookup failed');
      return { role: 'member', chat };
    }
  };

  // Questions the bot could not answer: health questions apart from chatter.
  let notCovered = { topics: null as unknown, find: (_: string): string | undefined => undefined };
  const classifyUnanswered = (content: Content, text: string, coverage: number): QuestionOutcome => {
    if (notCovered.topics !== content.notCovered) {
      notCovered = {
        topics: content.notCovered,
        find: createPhraseFinder(content.notCovered, (w) => (w.length >= 7 ? 1 : 0)),
      };
    }
    if (notCovered.find(text.slice(0, MAX_QUESTION_CHARS))) return 'not_covered';
    // Less than about a third of its topic words on the content's subject: talk, not a health question.
    return coverage >= CHATTER_BELOW ? 'unanswered' : 'chatter';
  };

  // Every section served, however it was reached (an answer, /read, a button, paging).
  const countSections = (replies: readonly Reply[], chat: Incoming['chat']) => {
    for (const r of replies) {
      const section = r.kind === 'section' ? r.meta?.section : undefined;
      if (section !== undefined)
        record('counting a section served', () => options.stats?.recordSection?.(section, chat));
    }
  };

  async function route(incoming: Incoming, urgent?: HandleOptions['urgent']): Promise<Reply[]> {
    const { content, matcher } = options.content.current();
    const actor = await actorOf(incoming);
    const context = (args: string): CommandContext => ({
      incoming,
      content,
      matcher,
      args,
      actor,
      now: clock(),
      ...(options.positions ? { positions: options.positions } : {}),
    });

    // An emergency is answered first, whatever else the message is.
    const text = incoming.kind === 'text' ? incoming.text : incoming.kind === 'command' ? incoming.args : '';
    const verdict = text === '' ? undefined : gradeSafety(content.community, text);
    const emergency = verdict?.grade === 'emergency';
    // Nothing is awaited before the safety reply leaves: a caller that can send it at once does.
    let safetyFirst = emergency ? [safetyReply(content)] : [];
    if (emergency && urgent) {
      try {
        urgent(safetyFirst);
        safetyFirst = [];
      } catch (err) {
        options.logger?.error({ err, chat: incoming.chat }, 'sending the safety reply early failed');
      }
    }
    if (verdict && verdict.grade !== 'none' && (emergency || incoming.kind === 'text')) {
      // Says which pattern, context rule or classifier features decided; never the message itself.
      options.logger?.info?.(
        { safety: verdict.grade, reason: verdict.reason, chat: incoming.chat },
        verdict.grade === 'emergency' ? 'emergency message' : 'caution added',
      );
      if (emergency)
        record('counting a safety reply', () =>
          options.stats?.recordAnswer('safety', undefined, incoming.chat),
        );
    }

    const rest = (async (): Promise<{ replies: Reply[]; stopped: boolean }> => {
      for (const guard of options.guards ?? []) {
        const stop = await guard(incoming, actor);
        if (stop) return { replies: stop, stopped: true };
      }
      const replies = await dispatch();
      countSections(replies, incoming.chat);
      return { replies, stopped: false };
    })();
    if (!emergency) {
      const { replies, stopped } = await rest;
      // A caution rides beside a reply; chatter the bot leaves alone in a group stays unanswered.
      // Only beside an answer to free text: a command's argument (`/start faq-...`) is no story.
      if (!stopped && verdict?.grade === 'caution' && incoming.kind === 'text' && replies.length > 0) {
        record('counting a caution', () => options.stats?.recordAnswer('caution', undefined, incoming.chat));
        return [...replies, cautionReply(content)];
      }
      return replies;
    }
    // The safety reply never waits for a slow guard or command: past a short wait it goes alone.
    const others = await within(rest, emergencyWaitMs);
    if (!others) {
      rest.catch(() => {});
      options.logger?.warn(
        { chat: incoming.chat, kind: incoming.kind },
        'emergency: the other replies were slow; the safety reply went alone',
      );
      return safetyFirst;
    }
    return [...safetyFirst, ...others.replies.filter((r) => r.kind !== 'fallback')];

    async function dispatch(): Promise<Reply[]> {
      switch (incoming.kind) {
        case 'command': {
          const command = byName.get(incoming.command);
          if (!command) {
            return [
              simple(
                'command',
                `I don't know the command /${incoming.command.slice(0, 40)}. Send /help to see what I can do.`,
              ),
            ];
          }
          const action = command.action ?? 'ask';
          if (!can(actor, action)) return [refused(incoming.command, action)];
          return command.handle(context(incoming.args));
        }
        case 'press': {
          const handler = presses.find(
            (p) => incoming.data === p.prefix || incoming.data.startsWith(`${p.prefix}:`),
          );
          if (!handler)
            return [simple('error', 'That choice is no longer available. Send /help to start again.')];
          const action = handler.action ?? 'ask';
          if (!can(actor, action)) return [refused('that', action)];
          // Which "did you mean" choice the member took: what moderators teach the bot from.
          if (/^(faq|psg):/.test(incoming.data)) {
            const at = clock();
            record('recording a choice', () =>
              options.unanswered?.pressed({
                chat: incoming.chat,
                senderId: incoming.sender.id,
                data: incoming.data,
                at,
              }),
            );
          }
          return handler.handle({ ...context(''), data: incoming.data });
        }
        case 'text':
          return answerText(incoming);
        case 'member_joined':
          if (options.onJoin) return options.onJoin(incoming);
          return [
            welcome(
              content,
              incoming.members
                .map((m) => m.name)
                .filter(Boolean)
                .join(', ') || undefined,
            ),
          ];
        case 'join_request':
          // Handled by community management when it is wired; alone, the router leaves it to admins.
          return options.onJoinRequest ? options.onJoinRequest(incoming) : [];
        case 'media':
          // In a group a sticker is conversation, not a request; in private say what works.
          if (incoming.chat.chatType === 'group' && !incoming.addressed) return [];
          return [
            simple(
              'fallback',
              `I can't read a ${incoming.media}. Please type your question in words, or send /help.`,
            ),
          ];
      }
    }

    async function answerText(msg: Extract<Incoming, { kind: 'text' }>): Promise<Reply[]> {
      const inGroup = msg.chat.chatType === 'group';
      if (inGroup && !msg.addressed && (emergency || !readsAsQuestion(msg.text))) return [];
      const outcome = answerFreeText(content, matcher, msg.text);
      // In a group, only a confident answer to a question nobody addressed to the bot.
      if (inGroup && !msg.addressed && outcome.type !== 'answer') return [];
      if (emergency && outcome.type !== 'answer') return [];
      if (outcome.type === 'none' || outcome.type === 'suggest') {
        const question = {
          text: msg.text.slice(0, 500),
          chat: msg.chat,
          ...(msg.messageId ? { messageId: msg.messageId } : {}),
          senderId: msg.sender.id,
          outcome: (outcome.type === 'suggest'
            ? 'unsure'
            : classifyUnanswered(content, msg.text, outcome.coverage)) as QuestionOutcome,
          choices: (outcome.reply.buttons ?? []).map((b) => ({ label: b.label, data: b.data })),
          at: clock(),
        };
        record('recording an unanswered question', () => options.unanswered?.record(question));
      }
      if (outcome.type === 'answer' || outcome.type === 'suggest' || outcome.type === 'none') {
        const r = outcome.reply;
        const kind =
          outcome.type === 'none'
            ? 'fallback'
            : outcome.type === 'suggest'
              ? 'suggestions'
              : r.kind === 'faq'
                ? 'faq'
                : 'section';
        record('counting an answer', () => options.stats?.recordAnswer(kind, r.meta?.faqId, msg.chat));
      }
      return [outcome.reply];
    }
  }

  return {
    commands,
    isModerator,
    actorOf,
    async handle(incoming, handleOptions) {
      if (incoming.sender.isBot) return [];
      try {
        return await route(incoming, handleOptions?.urgent);
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

/** Below this coverage an unanswered message reads as chatter ("who won the football last night?" is 0.18). */
const CHATTER_BELOW = 0.3;

const refused = (what: string, action: Action): Reply =>
  simple(
    'refused',
    requiredRole(action) === 'moderator'
      ? `Sorry, /${what.replace(/^\//, '')} is for the community's moderators.`
      : `Sorry, /${what.replace(/^\//, '')} is for the community's moderators and the admins of the community's groups.`,
  );
