/**
 * `npx tsx tests/eval/tune.ts`: chooses the matcher's answer thresholds from data.
 *
 * For each setting of the query weighting it searches every labelled message of the tuning sets
 * (dev.jsonl and own.jsonl, never holdout or blind), then grid-searches the two thresholds that
 * turn a ranking into an outright answer (`minCoverage`, `margin`). The objective counts a right
 * outright answer +1 and a wrong one (or a health answer to an off-topic message) -WRONG_COST:
 * a wrong answer misleads, a "did you mean" only costs a tap. Five-fold cross-validation reports
 * how the choice generalises; the printed final choice is the best on all tuning data.
 */
import path from 'node:path';
import { loadContent } from '../../src/content/load.js';
import { createMatcher, defaultMatcherOptions, type MatcherOptions } from '../../src/content/matcher.js';
import type { Content } from '../../src/core/content.js';
import type { MatchTarget } from '../../src/core/ports.js';
import { type EvalItem, readEvalSet } from './evaluate.js';

const WRONG_COST = Number(process.argv.find((a) => a.startsWith('--cost='))?.slice(7) ?? 6);
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/\s+/g, ' ');

interface Row {
  readonly answerable: boolean;
  /** Whether the top candidate is right (answerable) — an off-topic message has no right one. */
  readonly right: boolean;
  /** Whether the matcher would answer at all (evidence, not-covered topics). */
  readonly eligible: boolean;
  readonly coverage: number;
  readonly ratio: number;
}

function targetText(content: Content, t: MatchTarget): string {
  if (t.type === 'faq') {
    const e = content.faq.find((x) => x.id === t.id);
    return fold(`${e?.question ?? ''} ${e?.answer ?? ''}`);
  }
  return fold(content.sections[t.section - 1]?.texts[t.paragraph] ?? '');
}

function isRight(content: Content, item: EvalItem, t: MatchTarget | undefined): boolean {
  if (!t) return false;
  const labels = (Array.isArray(item.expect) ? item.expect : [item.expect]) as string[];
  if (t.type === 'faq' && labels.includes(`faq:${t.id}`)) return true;
  const quotes = item.quote === undefined ? [] : Array.isArray(item.quote) ? item.quote : [item.quote];
  const text = targetText(content, t);
  return quotes.some((q: string) => q !== '' && text.includes(fold(q)));
}

function rows(content: Content, items: readonly EvalItem[], options: MatcherOptions): Row[] {
  const matcher = createMatcher(content, { ...options, minCoverage: 0, margin: 0 });
  return items
    .filter((i) => i.expect !== 'safety' && i.tag !== 'alarming' && i.expect !== 'greeting')
    .map((item) => {
      const r = matcher.search(item.text);
      const answerable = String(Array.isArray(item.expect) ? item.expect[0] : item.expect).startsWith('faq:');
      return {
        answerable,
        right: answerable && isRight(content, item, r.candidates[0]?.target),
        eligible: r.decision === 'answer',
        coverage: r.coverage ?? 0,
        ratio: r.ratio ?? 0,
      };
    });
}

interface Score {
  gain: number;
  right: number;
  wrong: number;
  answerable: number;
}

function score(data: readonly Row[], minCoverage: number, margin: number): Score {
  let right = 0;
  let wrong = 0;
  let answerable = 0;
  for (const r of data) {
    if (r.answerable) answerable++;
    if (!r.eligible || r.coverage < minCoverage || r.ratio < margin) continue;
    if (r.right) right++;
    else wrong++;
  }
  return { gain: right - WRONG_COST * wrong, right, wrong, answerable };
}

const COVERAGES = Array.from({ length: 17 }, (_, i) => 0.2 + i * 0.05);
const MARGINS = Array.from({ length: 31 }, (_, i) => 1 + i * 0.025);

function best(data: readonly Row[]): { minCoverage: number; margin: number; s: Score } {
  let out = { minCoverage: 0.6, margin: 1.1, s: score(data, 0.6, 1.1) };
  for (const c of COVERAGES)
    for (const m of MARGINS) {
      const s = score(data, c, m);
      // Ties go to the stricter setting: fewer outright answers on thin evidence.
      if (s.gain > out.s.gain) out = { minCoverage: c, margin: m, s };
    }
  return out;
}

const content = await loadContent(path.resolve(import.meta.dirname, '../../content'));
const items = [...readEvalSet('dev'), ...readEvalSet('own')];
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
for (const questionWeight of [0, 1, 2, 3, 4]) {
  const data = rows(content, items, { ...defaultMatcherOptions, questionWeight });
  // Five folds, every fifth message in each.
  let right = 0;
  let wrong = 0;
  let answerable = 0;
  for (let k = 0; k < 5; k++) {
    const train = data.filter((_, i) => i % 5 !== k);
    const test = data.filter((_, i) => i % 5 === k);
    const chosen = best(train);
    const s = score(test, chosen.minCoverage, chosen.margin);
    right += s.right;
    wrong += s.wrong;
    answerable += s.answerable;
  }
  const all = best(data);
  const top1 = data.filter((r) => r.answerable && r.right).length;
  console.log(
    `questionWeight ${questionWeight}: top-1 ${pct(top1, all.s.answerable)}; cross-validated answered ${pct(right, answerable)}, wrong ${pct(wrong, answerable)} (of ${answerable});` +
      ` on all: minCoverage ${all.minCoverage.toFixed(2)}, margin ${all.margin.toFixed(3)} -> answered ${pct(all.s.right, all.s.answerable)}, wrong ${all.s.wrong}`,
  );
}
if (process.argv.includes('--misses')) {
  const matcher = createMatcher(content, { ...defaultMatcherOptions, minCoverage: 0, margin: 0 });
  for (const item of items) {
    if (!String(item.expect).startsWith('faq:')) continue;
    const r = matcher.search(item.text);
    if (isRight(content, item, r.candidates[0]?.target)) continue;
    const show = (t: MatchTarget) => (t.type === 'faq' ? t.id : `psg:${t.section}:${t.paragraph}`);
    console.log(
      `${item.text.slice(0, 90)} -> ${r.candidates.map((c) => `${show(c.target)} ${c.score.toFixed(1)}`).join(', ')} (want ${item.expect})`,
    );
  }
}
