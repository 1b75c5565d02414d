import { normalizeText } from './normalize.js';
import { chatKeyOf } from './permissions.js';
import type { QuestionEvent, QuestionQuery, QuestionRecord, UnansweredLog } from './ports.js';

/** A record as stored: everything but `similar`, which a query counts. */
export type StoredQuestion = Omit<QuestionRecord, 'similar'>;

/** The key similar wordings share. */
export const wordingKey = (text: string): string => normalizeText(text).slice(0, 300);

/**
 * What a query shows from stored records (newest first in, any order is fine): the visible ones,
 * grouped by wording, each group shown by its most recent ask, most asked first.
 */
export function selectQuestions(records: Iterable<StoredQuestion>, query: QuestionQuery): QuestionRecord[] {
  const chats = query.chats ? new Set(query.chats) : undefined;
  const outcomes = query.outcomes ? new Set(query.outcomes) : undefined;
  const groups = new Map<string, { latest: StoredQuestion; count: number }>();
  for (const r of records) {
    if (r.at < query.since) continue;
    if (chats && !chats.has(chatKeyOf(r.chat))) continue;
    if (query.groupsOnly && r.chat.chatType !== 'group') continue;
    if (outcomes && !outcomes.has(r.outcome)) continue;
    const key = `${r.outcome}\u0000${wordingKey(r.text)}`;
    const g = groups.get(key);
    if (!g) groups.set(key, { latest: r, count: 1 });
    else {
      g.count += 1;
      if (r.at > g.latest.at) g.latest = r;
    }
  }
  return [...groups.values()]
    .sort((a, b) => b.count - a.count || b.latest.at.getTime() - a.latest.at.getTime())
    .slice(0, query.limit)
    .map((g) => ({ ...g.latest, similar: g.count }));
}

/**
 * Questions kept in memory, for when Redis is not available. Bounded: the oldest go first.
 * Lost on restart.
 */
/** Without Redis: questions kept in memory at most (lost on restart). */
export const MEMORY_MAX_QUESTIONS = 2_000;

export function createMemoryUnansweredLog(max = MEMORY_MAX_QUESTIONS): UnansweredLog {
  const records = new Map<string, StoredQuestion>();
  const offers = new Map<string, string>();
  let seq = 0;
  const offerKey = (chat: QuestionEvent['chat'], senderId: string) => `${chatKeyOf(chat)}\u0000${senderId}`;
  return {
    async record(q) {
      if (!wordingKey(q.text)) return;
      const id = String(++seq);
      records.set(id, { ...q, text: q.text.trim().slice(0, 500), choices: q.choices ?? [], id });
      if (records.size > max) records.delete(records.keys().next().value!);
      if (q.senderId && (q.choices?.length ?? 0) > 0) {
        offers.delete(offerKey(q.chat, q.senderId));
        offers.set(offerKey(q.chat, q.senderId), id);
        if (offers.size > max) offers.delete(offers.keys().next().value!);
      }
    },
    async pressed({ chat, senderId, data }) {
      const id = offers.get(offerKey(chat, senderId));
      const r = id ? records.get(id) : undefined;
      if (!r || r.pressed || !r.choices.some((c) => c.data === data)) return;
      records.set(r.id, { ...r, pressed: data });
    },
    async list(query) {
      return selectQuestions(records.values(), query);
    },
    async get(id) {
      const r = records.get(id);
      return r && { ...r, similar: 1 };
    },
    async markAnswered(id, by, at) {
      const r = records.get(id);
      if (r) records.set(id, { ...r, answered: { at, by } });
    },
  };
}
