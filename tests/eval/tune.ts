/**
 * `npx tsx tests/eval/tune.ts --by-file`: chooses how the matcher decides between an outright
 * answer and "did you mean", and reports cross-validated figures for the choice.
 *
 * The data are the labelled messages the FAQ classifier learns from (scripts/faq-train.ts:
 * dev, own and the training sets; never holdout or blind). Each message is scored by a matcher
 * whose classifier never saw it (k folds; `--by-file` keeps each file, that is each writer,
 * together in one fold). On those held-out searches the answer decision is fitted
 * (tests/eval/answer-fit.ts: a logistic regression over the search's signals, cut where a right
 * outright answer counts +1 and a wrong one, or a health answer to an off-topic message,
 * -WRONG_COST: a wrong answer misleads, a "did you mean" only costs a tap). The decision is then
 * cross-validated again, one file's searches held out at a time, so the reported figures come from
 * messages that neither the classifier nor the decision saw. The printed model is the fit on all;
 * paste it into `defaultMatcherOptions` (src/content/matcher.ts).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  classOf,
  type LabelledMessage,
  readTrainingMessages,
  TRAIN_OPTIONS,
  trainFaqModel,
} from '../../scripts/faq-train.js';
import { loadContent } from '../../src/content/load.js';
import { createMatcher, defaultMatcherOptions } from '../../src/content/matcher.js';
import type { Content } from '../../src/core/content.js';
import { loadIntentModel } from '../../src/core/intent-classifier.js';
import type { MatchDecision, MatchTarget } from '../../src/core/ports.js';
import {
  addGain,
  type DecisionRow,
  decides,
  emptyGain,
  fitDecision,
  fitGates,
  type Gain,
  gainOf,
  passes,
} from './answer-fit.js';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
const WRONG_COST = Number(arg('cost') ?? 6);
const FOLDS = Number(arg('folds') ?? 5);
const BY_FILE = process.argv.includes('--by-file');
/** `--train={"epochs":30}`: classifier options to try instead of the committed ones. */
const TRAIN = { ...TRAIN_OPTIONS, ...JSON.parse(arg('train') ?? '{}') };
const SHARES = (arg('shares') ?? '0.5').split(',').map(Number);
const fold = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\u2018\u2019`]/g, "'")
    .replace(/\s+/g, ' ');

interface Row extends DecisionRow {
  readonly file: string;
  readonly text: string;
  /** The decision with every gate open ("answer": the gates decide). */
  readonly decision: MatchDecision;
  readonly best?: MatchTarget;
  /** Whether a right candidate is among the choices. */
  readonly reach: boolean;
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

/** Every gate open: `decision` is "answer" whenever the matcher could answer at all. */
const open = {
  minCoverage: 0,
  margin: 0,
  minProbability: 0,
  maxNoneProbability: 1,
  plainNoneProbability: 1,
  // Never "sure": the messages the coverage floor or a not-covered topic stops stay "none" here,
  // so the choice of the sure thresholds below can see them.
  sureProbability: 2,
};

/** Against a right entry offered first: an off-topic message shown choices, or choices led by a wrong entry. */
const CHOICE_COST = 3;

/** Held-out rows: each message scored by a matcher whose classifier was trained without its fold. */
function heldOutRows(content: Content, messages: readonly LabelledMessage[], share: number): Row[] {
  const scored = messages.filter((m) => classOf(m) !== undefined && m.expect !== 'greeting');
  const files = [...new Set(scored.map((m) => m.file))];
  const foldOf = (m: LabelledMessage, i: number) => (BY_FILE ? files.indexOf(m.file) : i % FOLDS);
  const folds = BY_FILE ? files.length : FOLDS;
  const rows: Row[] = [];
  for (let k = 0; k < folds; k++) {
    const train = messages.filter((m) => !scored.includes(m) || foldOf(m, scored.indexOf(m)) !== k);
    const model = share > 0 ? loadIntentModel(trainFaqModel(content, train, undefined, TRAIN)) : undefined;
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
        text: item.text,
        decision: r.decision,
        ...(r.candidates[0] ? { best: r.candidates[0].target } : {}),
        answerable,
        right: answerable && isRight(content, item, r.candidates[0]?.target),
        reach: answerable && r.candidates.some((c) => isRight(content, item, c.target)),
        eligible: r.decision === 'answer' && r.signals !== undefined,
        signals: r.signals ?? {
          probability: 0,
          runnerUp: 0,
          none: 1,
          ratio: 0,
          searchRatio: 0,
          coverage: 0,
          searchAgrees: false,
          classifierAgrees: false,
          passage: false,
          words: 0,
        },
      });
    });
  }
  return rows;
}

const content = await loadContent(path.resolve(import.meta.dirname, '../../content'));
const { messages } = readTrainingMessages();
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
const files = [...new Set(messages.map((m) => m.file))];
const figures = (s: Gain) =>
  `answered ${pct(s.right, s.answerable)}, wrong ${pct(s.wrong, s.answerable)}, off-topic answered ${s.offTopicAnswered}/${s.offTopic}`;
console.log(
  `${messages.length} labelled messages (${files.join(', ')}); classifier folds: ${BY_FILE ? 'one per file' : FOLDS}; a wrong or off-topic answer costs ${WRONG_COST}`,
);
for (const share of SHARES) {
  const data = heldOutRows(content, messages, share);
  // --dump=file.json: the held-out searches, to read the misses of the training sets.
  if (arg('dump')) writeFileSync(arg('dump')!, JSON.stringify(data));
  const answerable = data.filter((r) => r.answerable);
  // What a member sees: no choices at all when the matcher says "none" (unless the classifier is
  // sure), or when it is plainly not covered; the rows above have every gate open.
  const o = defaultMatcherOptions;
  const shown = (r: Row) =>
    r.decision === 'none'
      ? r.signals.probability >= o.sureProbability && r.signals.none <= o.sureNoneProbability
      : r.signals.none <= o.plainNoneProbability;
  console.log(
    `classifierShare ${share}: held-out top-1 ${pct(answerable.filter((r) => r.right).length, answerable.length)}, in reach ${pct(answerable.filter((r) => r.reach).length, answerable.length)}; shown to the member: top-1 ${pct(answerable.filter((r) => r.right && shown(r)).length, answerable.length)}, in reach ${pct(answerable.filter((r) => r.reach && shown(r)).length, answerable.length)}`,
  );
  const ways: [string, (rows: readonly Row[]) => (r: DecisionRow) => boolean][] = [
    ['gates', (rows) => passes(fitGates(rows, WRONG_COST, share > 0))],
  ];
  if (share > 0) ways.push(['learned', (rows) => decides(fitDecision(rows, WRONG_COST))]);
  for (const [name, fitted] of ways) {
    // The decision cross-validated by file: fitted on the other files' searches, scored on this one's.
    const cv = emptyGain();
    const byFile = files.map((f) => {
      const s = gainOf(
        data.filter((r) => r.file === f),
        fitted(data.filter((r) => r.file !== f)),
        WRONG_COST,
      );
      addGain(cv, s);
      return `${f}: ${figures(s)}`;
    });
    console.log(
      `  ${name}, cross-validated by file: ${figures(cv)} (gain ${cv.gain})\n    ${byFile.join('\n    ')}`,
    );
  }
  const t = fitGates(data, WRONG_COST, share > 0);
  if (share > 0) {
    // The plain "not covered" cut: off-topic messages spared loosely related choices, against
    // answerable ones that lose theirs (those the gates do not answer anyway).
    const unsure = (r: Row) => r.decision === 'suggest' || (r.decision === 'answer' && !passes(t)(r));
    for (const cut of [0.7, 0.8, 0.9, 0.95]) {
      const plain = data.filter((r) => r.signals.none > cut && r.eligible && unsure(r));
      console.log(
        `  plainNoneProbability ${cut}: ${plain.filter((r) => !r.answerable).length} off-topic told plainly instead of choices; ${plain.filter((r) => r.reach).length} answerable lose choices holding the right entry (${plain.filter((r) => r.right).length} with it first)`,
      );
    }
    // "Did you mean" instead of "none" where the words fall short but the classifier is sure.
    const stopped = data.filter((r) => r.decision === 'none');
    let chosen: { p: number; n: number; score: number } | undefined;
    for (const p of [0.5, 0.6, 0.7, 0.8, 0.9])
      for (const n of [0.05, 0.1, 0.2, 0.3]) {
        const sure = stopped.filter((r) => r.signals.probability >= p && r.signals.none <= n);
        const first = sure.filter((r) => r.right).length;
        const cost = sure.filter((r) => !r.right).length;
        const score = first - CHOICE_COST * cost;
        if (!chosen || score > chosen.score) chosen = { p, n, score };
        console.log(
          `  sureProbability ${p}, sureNoneProbability ${n}: ${first} answerable get choices with the right entry first instead of "none"; ${sure.filter((r) => r.answerable && !r.right).length} answerable choices led by a wrong entry; ${sure.filter((r) => !r.answerable).length} off-topic shown choices`,
        );
      }
    if (chosen)
      console.log(`  sure thresholds chosen: sureProbability ${chosen.p}, sureNoneProbability ${chosen.n}`);
  }
  console.log(
    `  gates fitted on all (${figures(gainOf(data, passes(t), WRONG_COST))}): minCoverage ${t.minCoverage.toFixed(2)}, margin ${t.margin.toFixed(3)}, minProbability ${t.minProbability.toFixed(2)}, maxNoneProbability ${t.maxNoneProbability.toFixed(2)}`,
  );
}
