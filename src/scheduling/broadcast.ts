/**
 * `/broadcast`: nothing is queued until the moderator has seen how many chats it reaches and
 * confirmed (a button, or `/broadcast confirm`). A confirmation names its draft, so pressing
 * twice, or a redelivered confirmation, posts once.
 */
import type { CommandContext } from '../core/ports.js';
import { simple } from '../core/replies.js';
import type { Platform, Reply } from '../core/types.js';
import { type BroadcastDraft, DRAFT_TTL_S } from './drafts.js';
import type { Scheduling } from './service.js';

/** Button data: `bcast:<draft id>` sends, `bcast:no:<draft id>` drops the draft. */
export const BROADCAST_PRESS = 'bcast';

const NAMES: Record<Platform, string> = { telegram: 'Telegram', whatsapp: 'WhatsApp', console: 'console' };
/** A confirmed draft's post is remembered as long as its delivery records are. */
const CONFIRMED_TTL_S = 30 * 24 * 3600;

/** "12 chats (Telegram 10, WhatsApp 2)". */
export function audience(counts: Record<Platform, number>): { total: number; words: string } {
  const parts = (Object.keys(NAMES) as Platform[])
    .filter((p) => counts[p] > 0)
    .map((p) => `${NAMES[p]} ${counts[p]}`);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return {
    total,
    words: `${total} chat${total === 1 ? '' : 's'}${parts.length ? ` (${parts.join(', ')})` : ''}`,
  };
}

export function broadcastFlow(scheduling: Scheduling, by: (ctx: CommandContext) => string) {
  const preview = (text: string) => (text.length > 300 ? `${text.slice(0, 300)} ...` : text);

  async function send(draft: BroadcastDraft): Promise<Reply[]> {
    const { id, fresh } = await scheduling.broadcastNow(draft.text, draft.by, [
      { id: `draft-${draft.id}`, ttlSeconds: CONFIRMED_TTL_S },
    ]);
    const { words } = audience(await scheduling.subscriptions.count());
    return [
      simple(
        'command',
        fresh
          ? `Posting #${id} now to ${words}.`
          : `Post #${id} was already confirmed: it goes out once, to ${words}. Nothing was added.`,
      ),
    ];
  }

  return {
    async command(ctx: CommandContext): Promise<Reply[]> {
      const args = ctx.args.trim();
      const word = args.toLowerCase();
      if (word === 'confirm' || word === 'yes') {
        const draft = await scheduling.drafts.last(by(ctx));
        if (!draft)
          return [
            simple(
              'error',
              'Nothing is waiting for your confirmation (drafts wait 30 minutes). Send /broadcast <text> first.',
            ),
          ];
        return send(draft);
      }
      if (word === 'cancel' || word === 'no') {
        const draft = await scheduling.drafts.last(by(ctx));
        if (draft) await scheduling.drafts.drop(draft);
        return [
          simple('command', draft ? 'Dropped: nothing was posted.' : 'Nothing was waiting to be posted.'),
        ];
      }
      if (args === '')
        return [simple('error', 'What should I post? For example: /broadcast The meetup moved to 7pm.')];
      const { total, words } = audience(await scheduling.subscriptions.count());
      if (total === 0)
        return [
          simple(
            'command',
            'No chat is subscribed yet, so nobody would get this. Chats join with /subscribe. Nothing was posted.',
          ),
        ];
      const { chat, messageId } = ctx.incoming;
      const draft = await scheduling.drafts.save(
        args,
        by(ctx),
        messageId ? `${chat.platform}:${chat.chatId}:${messageId}` : undefined,
      );
      return [
        simple(
          'command',
          `This goes to ${words} at once:\n\n"${preview(draft.text)}"\n\n` +
            `Send it? Press the button, or send /broadcast confirm (/broadcast cancel drops it). ` +
            `The draft waits ${DRAFT_TTL_S / 60} minutes; nothing is posted until you confirm.`,
          [
            {
              label: `Send to ${total} chat${total === 1 ? '' : 's'}`,
              data: `${BROADCAST_PRESS}:${draft.id}`,
            },
            { label: 'Cancel', data: `${BROADCAST_PRESS}:no:${draft.id}` },
          ],
        ),
      ];
    },

    /** `data` is what follows `bcast:`. */
    async press(data: string, _ctx: CommandContext): Promise<Reply[]> {
      const cancel = data.startsWith('no:');
      const draft = await scheduling.drafts.get(cancel ? data.slice(3) : data);
      if (cancel) {
        if (draft) await scheduling.drafts.drop(draft);
        return [simple('command', draft ? 'Dropped: nothing was posted.' : 'That draft is gone already.')];
      }
      if (!draft)
        return [
          simple(
            'error',
            'That draft has expired or was dropped (drafts wait 30 minutes). Send /broadcast <text> again.',
          ),
        ];
      return send(draft);
    },
  };
}
