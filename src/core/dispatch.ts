/**
 * Reply dispatch: one message, once the safety check and the guards let it through, to the
 * command, the button handler (callbacks), the answer to free text, or the welcome.
 */
import { answerFreeText, readsAsQuestion } from './answer.js';
import type { Content } from './content.js';
import { type Action, type Actor, can, requiredRole } from './permissions.js';
import type {
  Command,
  CommandContext,
  Matcher,
  PressHandler,
  QuestionOutcome,
  ReadingPositionStore,
  Stats,
  UnansweredLog,
} from './ports.js';
import { simple, welcome } from './replies.js';
import type { Incoming, Reply } from './types.js';

/** What dispatching needs from the router: its commands and presses, and where bookkeeping goes. */
export interface DispatchDeps {
  /** Commands by name and alias. */
  readonly byName: ReadonlyMap<string, Command>;
  readonly presses: readonly PressHandler[];
  readonly clock: () => Date;
  readonly positions?: ReadingPositionStore;
  readonly unanswered?: UnansweredLog;
  readonly stats?: Stats;
  readonly onJoin?: (incoming: Extract<Incoming, { kind: 'member_joined' }>) => Promise<Reply[]> | Reply[];
  readonly onJoinRequest?: (
    incoming: Extract<Incoming, { kind: 'join_request' }>,
  ) => Promise<Reply[]> | Reply[];
  /** Runs bookkeeping in the background, never before a reply. */
  readonly record: (what: string, task: () => Promise<void> | undefined) => void;
  readonly classifyUnanswered: (content: Content, text: string, coverage: number) => QuestionOutcome;
}

/** One message being handled: who sent it, the content it is answered from, and whether it is an emergency. */
export interface Turn {
  readonly incoming: Incoming;
  readonly actor: Actor;
  readonly content: Content;
  readonly matcher: Matcher;
  readonly emergency: boolean;
}

const commandContext = (d: DispatchDeps, t: Turn, args: string): CommandContext => ({
  incoming: t.incoming,
  content: t.content,
  matcher: t.matcher,
  args,
  actor: t.actor,
  now: d.clock(),
  ...(d.positions ? { positions: d.positions } : {}),
});

/** The replies to one message, by its kind. */
export async function dispatch(d: DispatchDeps, t: Turn): Promise<Reply[]> {
  const { incoming } = t;
  switch (incoming.kind) {
    case 'command':
      return runCommand(d, t, incoming);
    case 'press':
      return runPress(d, t, incoming);
    case 'text':
      return answerText(d, t, incoming);
    case 'member_joined':
      if (d.onJoin) return d.onJoin(incoming);
      return [
        welcome(
          t.content,
          incoming.members
            .map((m) => m.name)
            .filter(Boolean)
            .join(', ') || undefined,
        ),
      ];
    case 'join_request':
      // Handled by community management when it is wired; alone, the router leaves it to admins.
      return d.onJoinRequest ? d.onJoinRequest(incoming) : [];
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

/** A slash command: unknown ones are named, ones above the actor's role refused. */
async function runCommand(
  d: DispatchDeps,
  t: Turn,
  incoming: Extract<Incoming, { kind: 'command' }>,
): Promise<Reply[]> {
  const command = d.byName.get(incoming.command);
  if (!command) {
    return [
      simple(
        'command',
        `I don't know the command /${incoming.command.slice(0, 40)}. Send /help to see what I can do.`,
      ),
    ];
  }
  const action = command.action ?? 'ask';
  if (!can(t.actor, action)) return [refused(incoming.command, action)];
  return command.handle(commandContext(d, t, incoming.args));
}

/** A button press (callback): to the handler whose prefix its data carries. */
async function runPress(
  d: DispatchDeps,
  t: Turn,
  incoming: Extract<Incoming, { kind: 'press' }>,
): Promise<Reply[]> {
  const handler = d.presses.find(
    (p) => incoming.data === p.prefix || incoming.data.startsWith(`${p.prefix}:`),
  );
  if (!handler) return [simple('error', 'That choice is no longer available. Send /help to start again.')];
  const action = handler.action ?? 'ask';
  if (!can(t.actor, action)) return [refused('that', action)];
  // Which "did you mean" choice the member took: what moderators teach the bot from.
  if (/^(faq|psg):/.test(incoming.data)) {
    const at = d.clock();
    d.record('recording a choice', () =>
      d.unanswered?.pressed({
        chat: incoming.chat,
        senderId: incoming.sender.id,
        data: incoming.data,
        at,
      }),
    );
  }
  return handler.handle({ ...commandContext(d, t, ''), data: incoming.data });
}

/** Free text: an answer, "did you mean" choices or the fallback; in a group only what was asked of the bot. */
async function answerText(
  d: DispatchDeps,
  t: Turn,
  msg: Extract<Incoming, { kind: 'text' }>,
): Promise<Reply[]> {
  const { content, matcher, emergency } = t;
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
        : d.classifyUnanswered(content, msg.text, outcome.coverage)) as QuestionOutcome,
      choices: (outcome.reply.buttons ?? []).map((b) => ({ label: b.label, data: b.data })),
      at: d.clock(),
    };
    d.record('recording an unanswered question', () => d.unanswered?.record(question));
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
    d.record('counting an answer', () => d.stats?.recordAnswer(kind, r.meta?.faqId, msg.chat));
  }
  return [outcome.reply];
}

const refused = (what: string, action: Action): Reply =>
  simple(
    'refused',
    requiredRole(action) === 'moderator'
      ? `Sorry, /${what.replace(/^\//, '')} is for the community's moderators.`
      : `Sorry, /${what.replace(/^\//, '')} is for the community's moderators and the admins of the community's groups.`,
  );
