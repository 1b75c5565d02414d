import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Content } from '../../src/core/content.js';
import type { Router } from '../../src/core/router.js';
import type { Reply } from '../../src/core/types.js';

/** One labelled message of tests/eval/*.jsonl. */
export interface EvalItem {
  readonly text: string;
  readonly expect: string | readonly string[];
  readonly tag?: string;
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
  readonly misses: readonly string[];
}

export function readEvalSet(name: 'dev' | 'holdout'): EvalItem[] {
  const file = path.join(import.meta.dirname, `${name}.jsonl`);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as EvalItem);
}

const expected = (item: EvalItem) => (Array.isArray(item.expect) ? item.expect : [item.expect]) as string[];

/** What a system says about a message: its replies in the router's terms. */
export type System = (text: string) => Promise<readonly Pick<Reply, 'kind' | 'meta' | 'buttons'>[]>;

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

/**
 * The approach community bots use today (Rose-style filters): each FAQ entry's keywords
 * as case-insensitive word-boundary patterns, checked in FAQ order; the first hit answers.
 */
export function keywordFilterSystem(content: Content): System {
  const filters = content.faq.map((e) => ({
    id: e.id,
    patterns: e.keywords.map((k) => new RegExp(`\\b${k.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`, 'i')),
  }));
  return async (text) => {
    const hit = filters.find((f) => f.patterns.some((p) => p.test(text)));
    return hit ? [{ kind: 'faq', meta: { faqId: hit.id } }] : [];
  };
}

export async function evaluate(system: System, items: readonly EvalItem[]): Promise<EvalScores> {
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
    if (first?.kind === 'safety') falseAlarms++;
    if (labels[0]?.startsWith('faq:')) {
      answerable++;
      const ids = labels.map((l) => l.slice(4));
      const answered = health?.meta?.faqId;
      const offered = replies.flatMap((r) =>
        r.kind === 'suggestions' ? (r.buttons ?? []).map((b) => b.data.slice(4)) : [],
      );
      if (answered && ids.includes(answered)) {
        top1++;
        answeredRight++;
        reachable++;
      } else {
        if (health) answeredWrong++;
        else if (offered[0] !== undefined && ids.includes(offered[0])) top1++;
        if (offered.some((o) => ids.includes(o))) reachable++;
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
    misses,
  };
}
