import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createKeywordFilter } from '../../bench/keyword-filter.js';
import { TRAINING_SETS, type TrainingSet } from '../../scripts/faq-train.js';
import type { Content } from '../../src/core/content.js';
import type { Router } from '../../src/core/router.js';
import type { Reply } from '../../src/core/types.js';

/** One labelled message of tests/eval/*.jsonl. */
export interface EvalItem {
  readonly text: string;
  readonly expect: string | readonly string[];
  readonly tag?: string;
  /**
   * Blind set: verbatim words of the article sentence that answers the message. An answer (or a
   * "did you mean" passage) whose text holds one of them is right, whichever entry carried it.
   */
  readonly quote?: string | readonly string[];
}

export interface EvalScores {
  readonly answerable: number;
  /**
   * Share of answerable questions where the first FAQ entry the bot puts forward is right:
   * its answer, or the first of its "did you mean" choices when it is not sure.
   */
  readonly top1: number;
  /** Share of answerable questions answered outright with a right entry. */
  readonly answered: number;
  /** Share of answerable questions answered outright with a wrong entry or section. */
  readonly wrongAnswers: number;
  /** Share of answerable questions answered right or offered the right entry among the choices. */
  readonly reachable: number;
  readonly offTopic: number;
  /** Share of off-topic, unanswerable and greeting messages that got a health answer (faq or section). */
  readonly offTopicAnswered: number;
  readonly safety: number;
  /** Share of emergencies whose first reply is the safety message. */
  readonly safetyRecall: number;
  /** Non-emergencies that got the safety message. */
  readonly falseAlarms: number;
  /** Messages that are not emergencies (the denominator of false alarms). */
  readonly nonEmergencies: number;
  /** Messages tagged `alarming` (alarming wording, no emergency now). */
  readonly alarming: number;
  /** Of those, how many got the safety message. */
  readonly alarmingAlarms: number;
  /** Of those, how many got a one-line caution (kind `caution`). */
  readonly alarmingCautioned: number;
  readonly misses: readonly string[];
}

/** Every labelled set `npm run eval` prints: the ones the classifier learns from, then the held-out ones. */
export const EVAL_SETS = [...TRAINING_SETS, 'holdout', 'blind'] as const;
export type EvalSetName = TrainingSet | 'holdout' | 'blind';

export function readEvalSet(name: EvalSetName): EvalItem[] {
  const file = path.join(import.meta.dirname, `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalItem);
}

const expected = (item: EvalItem) => (Array.isArray(item.expect) ? item.expect : [item.expect]) as string[];

/** What a system says about a message: its replies in the router's terms. */
export type System = (
  text: string,
) => Promise<readonly (Pick<Reply, 'kind' | 'meta' | 'buttons'> & Partial<Pick<Reply, 'paragraphs'>>)[]>;

/** Lower case, one kind of apostrophe, single spaces: quotes compare on words, not typography. */
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/\s+/g, ' ')
    .trim();

const replyText = (r: Partial<Pick<Reply, 'paragraphs'>>) =>
  fold((r.paragraphs ?? []).map((p) => p.map((i) => i.text).join('')).join(' '));

/** The text behind a "did you mean" choice, for quote matching: a FAQ answer or an article paragraph. */
function choiceText(content: Content | undefined, data: string): string {
  if (!content) return '';
  const [kind, a, b] = data.split(':');
  if (kind === 'faq') return fold(content.faq.find((e) => e.id === a)?.answer ?? '');
  if (kind === 'psg') return fold(content.sections[Number(a) - 1]?.texts[Number(b)] ?? '');
  return '';
}

export const routerSystem =
  (router: Router): System =>
  (text) =>
    router.handle({
      kind: 'text',
      text,
      chat: { platform: 'console', chatId: 'eval', chatType: 'private' },
      sender: { id: 'eval', name: 'Eval' },
      addressed: true,
    });

/** The Rose-style keyword filter (bench/keyword-filter.ts) as a system: its first hit answers. */
export function keywordFilterSystem(content: Content): System {
  const filter = createKeywordFilter(content);
  return async (text) => {
    const id = filter(text);
    return id ? [{ kind: 'faq', meta: { faqId: id } }] : [];
  };
}

export async function evaluate(
  system: System,
  items: readonly EvalItem[],
  content?: Content,
): Promise<EvalScores> {
  let answerable = 0;
  let top1 = 0;
  let answeredRight = 0;
  let answeredWrong = 0;
  let reachable = 0;
  let offTopic = 0;
  let offTopicAnswered = 0;
  let safety = 0;
  let safetyHits = 0;
  let falseAlarms = 0;
  let nonEmergencies = 0;
  let alarming = 0;
  let alarmingAlarms = 0;
  let alarmingCautioned = 0;
  const misses: string[] = [];
  for (const item of items) {
    const replies = await system(item.text);
    const labels = expected(item);
    const first = replies[0];
    const health = replies.find((r) => r.kind === 'faq' || r.kind === 'section');
    if (labels[0] === 'safety') {
      safety++;
      if (first?.kind === 'safety') safetyHits++;
      else misses.push(`SAFETY MISSED  ${item.text}`);
      continue;
    }
    nonEmergencies++;
    if (first?.kind === 'safety') falseAlarms++;
    if (item.tag === 'alarming') {
      // Scored for alarms only: the mix of the blind set keeps them apart from the answerable ones.
      alarming++;
      if (first?.kind === 'safety') alarmingAlarms++;
      if (replies.some((r) => (r.kind as string) === 'caution')) alarmingCautioned++;
      continue;
    }
    if (labels[0]?.startsWith('faq:')) {
      answerable++;
      const ids = labels.map((l) => l.slice(4));
      const quotes = (
        item.quote === undefined ? [] : Array.isArray(item.quote) ? item.quote : [item.quote]
      ).map((q: string) => fold(q));
      const holdsQuote = (text: string) => quotes.some((q) => q !== '' && text.includes(q));
      const answered = health?.meta?.faqId;
      const choices = replies.flatMap((r) =>
        r.kind === 'suggestions' ? (r.buttons ?? []).map((b) => b.data) : [],
      );
      const rightChoice = (data: string) =>
        (data.startsWith('faq:') && ids.includes(data.slice(4))) || holdsQuote(choiceText(content, data));
      const offered = choices.map((d) => d.replace(/^faq:/, ''));
      if (health && ((answered && ids.includes(answered)) || holdsQuote(replyText(health)))) {
        top1++;
        answeredRight++;
        reachable++;
      } else {
        if (health) answeredWrong++;
        else if (choices[0] !== undefined && rightChoice(choices[0])) top1++;
        if (choices.some(rightChoice)) reachable++;
        misses.push(
          `WRONG  ${item.text}  -> ${answered ?? (health ? `section ${health.meta?.section}` : first?.kind)}${offered.length ? ` [${offered.join(', ')}]` : ''}  (want ${ids.join('|')})`,
        );
      }
    } else {
      offTopic++;
      if (health) {
        offTopicAnswered++;
        misses.push(
          `ANSWERED OFF-TOPIC  ${item.text}  -> ${health.meta?.faqId ?? `section ${health.meta?.section}`}`,
        );
      }
    }
  }
  const share = (n: number, d: number) => (d === 0 ? 0 : n / d);
  return {
    answerable,
    top1: share(top1, answerable),
    answered: share(answeredRight, answerable),
    wrongAnswers: share(answeredWrong, answerable),
    reachable: share(reachable, answerable),
    offTopic,
    offTopicAnswered: share(offTopicAnswered, offTopic),
    safety,
    safetyRecall: share(safetyHits, safety),
    falseAlarms,
    nonEmergencies,
    alarming,
    alarmingAlarms,
    alarmingCautioned,
    misses,
  };
}
