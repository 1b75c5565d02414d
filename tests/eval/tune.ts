/**
 * `npx tsx tests/eval/tune.ts`: chooses the matcher's answer thresholds from data, and reports
 * cross-validated figures for them.
 *
 * The data are the labelled messages the FAQ classifier learns from (scripts/faq-train.ts:
 * dev, own and the training sets; never holdout or blind). Each message is scored by a matcher
 * whose classifier never saw it (k folds; `--by-file` keeps each file, that is each writer,
 * together in one fold). On those held-out scores the thresholds that turn a ranking into an
 * outright answer (`minCoverage`, `margin`, `minProbability`) are grid-searched, counting a right
 * outright answer +1 and a wrong one (or a health answer to an off-topic message) -WRONG_COST: a
 * wrong answer misleads, a "did you mean" only costs a tap. A second cross-validation over the
 * messages reports how the threshold choice generalises; the printed choice is the best on all.
 */
import path from 'node:path';
import {
  classOf,
  type LabelledMessage,
  readTrainingMessages,
  trainFaqModel,
} from '../../scripts/faq-train.js';
import { loadContent } from '../../src/content/load.js';
import { createMatcher, defaultMatcherOptions } from '../../src/content/matcher.js';
import type { Content } from '../../src/core/content.js';
import { loadIntentModel } from '../../src/core/intent-classifier.js';
import type { MatchTarget } from '../../src/core/ports.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const WRONG_COST = Number(arg('cost') ?? 6);
/** A health answer to an off-topic or not-covered message: the target is none at all. */
const OFFTOPIC_COST = Number(arg('offtopic-cost') ?? WRONG_COST);
const FOLDS = Number(arg('folds') ?? 5);
const BY_FILE = process.argv.includes('--by-file');
const SHARES = (arg('shares') ?? '0,0.4,0.6,0.8').split(',').map(Number);
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/\s+/g, ' ');

interface Row {
  readonly file: string;
  readonly answerable: boolean;
  /** Whether the top candidate is right (answerable); an off-topic message has no right one. */
  readonly right: boolean;
  /** Whether a right candidate is among the choices. */
  readonly reach: boolean;
  /** Whether the matcher would answer at all (evidence, not-covered topics). */
  readonly eligible: boolean;
  readonly coverage: number;
  readonly ratio: number;
  readonly probability: number;
  readonly none: number;
}

function targetText(content: Content, t: MatchTarget): string {
  if (t.type === 'faq') {
    const e = content.faq.find((x) => x.id === t.id);
    return fold(`${e?.question ?? ''} ${e?.answer ?? ''}`);
  }
  return fold(content.sections[t.section - 1]?.texts[t.paragraph] ?? '');
}

function isRight(content: Content, item: LabelledMessage, t: MatchTarget | undefined): boolean {
  if (!t) return false;
  const labels = (Array.isArray(item.expect) ? item.expect : [item.expect]) as string[];
  if (t.type === 'faq' && labels.includes(`faq:${t.id}`)) return true;
  const quotes = item.quote === undefined ? [] : Array.isArray(item.quote) ? item.quote : [item.quote];
  const text = targetText(content, t);
  return quotes.some((q: string) => q !== '' && text.includes(fold(q)));
}

const open = { minCoverage: 0, margin: 0, minProbability: 0, maxNoneProbability: 1 };

/** Held-out rows: each message scored by a matcher whose classifier was trained without its fold. */
function heldOutRows(content: Content, messages: readonly LabelledMessage[], share: number): Row[] {
  const scored = messages.filter((m) => classOf(m) !== undefined && m.expect !== 'greeting');
  const files = [...new Set(scored.map((m) => m.file))];
  const foldOf = (m: LabelledMessage, i: number) => (BY_FILE ? files.indexOf(m.file) : i % FOLDS);
  const folds = BY_FILE ? files.length : FOLDS;
  const rows: Row[] = [];
  for (let k = 0; k < folds; k++) {
    const train = messages.filter((m) => !scored.includes(m) || foldOf(m, scored.indexOf(m)) !== k);
    const model = share > 0 ? loadIntentModel(trainFaqModel(content, train)) : undefined;
    const matcher = createMatcher(model ? { ...content, faqModel: model } : content, {
      ...defaultMatcherOptions,
      ...open,
      classifierShare: share,
    });
    scored.forEach((item, i) => {
      if (foldOf(item, i) !== k) return;
      const r = matcher.search(item.text);
      const answerable = classOf(item) !== 'none';
      rows.push({
        file: item.file,
        answerable,
        right: answerable && isRight(content, item, r.candidates[0]?.target),
        reach: answerable && r.candidates.some((c) => isRight(content, item, c.target)),
        eligible: r.decision === 'answer',
        coverage: r.coverage ?? 0,
        ratio: r.ratio ?? 0,
        probability: r.probability ?? (share > 0 ? 0 : 1),
        none: r.noneProbability ?? 0,
      });
    });
  }
  return rows;
}

interface Thresholds {
  readonly minCoverage: number;
  readonly margin: number;
  readonly minProbability: number;
  readonly maxNoneProbability: number;
}
interface Score {
  gain: number;
  right: number;
  wrong: number;
  answerable: number;
  offTopicAnswered: number;
  offTopic: number;
}

function score(data: readonly Row[], t: Thresholds): Score {
  const s: Score = { gain: 0, right: 0, wrong: 0, answerable: 0, offTopicAnswered: 0, offTopic: 0 };
  for (const r of data) {
    if (r.answerable) s.answerable++;
    else s.offTopic++;
    if (
      !r.eligible ||
      r.coverage < t.minCoverage ||
      r.ratio < t.margin ||
      r.probability < t.minProbability ||
      r.none > t.maxNoneProbability
    )
      continue;
    if (r.right) s.right++;
    else if (r.answerable) s.wrong++;
    else s.offTopicAnswered++;
  }
  s.gain = s.right - WRONG_COST * s.wrong - OFFTOPIC_COST * s.offTopicAnswered;
  return s;
}

const COVERAGES = Array.from({ length: 15 }, (_, i) => 0.2 + i * 0.05);
const MARGINS = Array.from({ length: 21 }, (_, i) => 1 + i * 0.025);
const PROBABILITIES = Array.from({ length: 19 }, (_, i) => i * 0.05);
const NONES = [0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1];

function best(data: readonly Row[], withProbability: boolean): { t: Thresholds; s: Score } {
  let out: { t: Thresholds; s: Score } | undefined;
  for (const maxNoneProbability of withProbability ? NONES : [1])
    for (const minProbability of withProbability ? PROBABILITIES : [0])
      for (const minCoverage of COVERAGES)
        for (const margin of MARGINS) {
          const t = { minCoverage, margin, minProbability, maxNoneProbability };
          const s = score(data, t);
          // Ties go to the stricter setting: fewer outright answers on thin evidence.
          if (!out || s.gain > out.s.gain) out = { t, s };
        }
  return out!;
}

const content = await loadContent(path.resolve(import.meta.dirname, '../../content'));
const { messages } = readTrainingMessages();
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
const files = [...new Set(messages.map((m) => m.file))];
console.log(
  `${messages.length} labelled messages (${files.join(', ')}); classifier folds: ${BY_FILE ? 'one per file' : FOLDS}; wrong costs ${WRONG_COST}, off-topic answer costs ${OFFTOPIC_COST}`,
);
for (const share of SHARES) {
  const data = heldOutRows(content, messages, share);
  // Threshold choice cross-validated over the held-out rows: every fifth row in each fold.
  const cv: Score = { gain: 0, right: 0, wrong: 0, answerable: 0, offTopicAnswered: 0, offTopic: 0 };
  for (let k = 0; k < 5; k++) {
    const chosen = best(
      data.filter((_, i) => i % 5 !== k),
      share > 0,
    );
    const s = score(
      data.filter((_, i) => i % 5 === k),
      chosen.t,
    );
    for (const key of Object.keys(cv) as (keyof Score)[]) cv[key] += s[key];
  }
  const all = best(data, share > 0);
  const answerable = data.filter((r) => r.answerable);
  const byFile = files
    .map((f) => {
      const rows = data.filter((r) => r.file === f);
      const s = score(rows, all.t);
      const a = rows.filter((r) => r.answerable);
      return `${f} top-1 ${pct(
        a.filter((r) => r.right).length,
        a.length,
      )} answered ${pct(s.right, s.answerable)} wrong ${pct(s.wrong, s.answerable)} off-topic answered ${s.offTopicAnswered}/${s.offTopic}`;
    })
    .join('\n    ');
  console.log(
    `classifierShare ${share}: held-out top-1 ${pct(answerable.filter((r) => r.right).length, answerable.length)}, in reach ${pct(answerable.filter((r) => r.reach).length, answerable.length)}; ` +
      `cross-validated answered ${pct(cv.right, cv.answerable)}, wrong ${pct(cv.wrong, cv.answerable)}, off-topic answered ${cv.offTopicAnswered}/${cv.offTopic}\n` +
      `  chosen on all: minCoverage ${all.t.minCoverage.toFixed(2)}, margin ${all.t.margin.toFixed(3)}, minProbability ${all.t.minProbability.toFixed(2)}, maxNoneProbability ${all.t.maxNoneProbability.toFixed(2)} -> answered ${pct(all.s.right, all.s.answerable)}, wrong ${all.s.wrong}, off-topic answered ${all.s.offTopicAnswered}\n    ${byFile}`,
  );
}
