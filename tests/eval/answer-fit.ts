/**
 * Answer-or-ask decisions fitted on held-out searches (tests/eval/tune.ts), scored as right answers
 * minus `cost` times wrong ones (a health answer to an off-topic message counts as wrong):
 * - the matcher's gates (`minCoverage`, `margin`, `minProbability`, `maxNoneProbability`), grid-searched;
 * - a learned alternative: a logistic regression over the search's signals ({@link answerFeatures})
 *   that predicts whether the best candidate is right, its bias then moved to the best cut. Measured
 *   beside the gates; on 2026-11-30 it did not earn more under cross-validation, so the matcher
 *   keeps the gates.
 */
import type { AnswerSignals } from '../../src/core/ports.js';

/** A linear answer decision: answer outright when `bias + weights . answerFeatures(signals) >= 0`. */
export interface AnswerModel {
  readonly weights: readonly number[];
  readonly bias: number;
}

/** The numbers the learned decision weighs, in a fixed order. */
export function answerFeatures(s: AnswerSignals): number[] {
  const log = (x: number) => Math.log(Math.min(10, Math.max(1e-3, x)));
  return [
    s.probability,
    s.probability - s.runnerUp,
    s.none,
    log(s.ratio),
    log(s.searchRatio),
    s.coverage,
    s.searchAgrees ? 1 : 0,
    s.classifierAgrees ? 1 : 0,
    s.passage ? 1 : 0,
    Math.log(1 + s.words),
  ];
}

export function answerScore(model: AnswerModel, s: AnswerSignals): number {
  const x = answerFeatures(s);
  let z = model.bias;
  for (let i = 0; i < x.length; i++) z += (model.weights[i] ?? 0) * x[i]!;
  return z;
}

/** The matcher's gates. */
export interface Gates {
  readonly minCoverage: number;
  readonly margin: number;
  readonly minProbability: number;
  readonly maxNoneProbability: number;
}

export const passes = (t: Gates) => (r: DecisionRow) =>
  r.signals.coverage >= t.minCoverage &&
  r.signals.ratio >= t.margin &&
  r.signals.probability >= t.minProbability &&
  r.signals.none <= t.maxNoneProbability;

const COVERAGES = Array.from({ length: 15 }, (_, i) => 0.2 + i * 0.05);
const MARGINS = Array.from({ length: 21 }, (_, i) => 1 + i * 0.025);
const PROBABILITIES = Array.from({ length: 19 }, (_, i) => i * 0.05);
const GATE_NONES = [0.01, 0.02, 0.03, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1];

/** The gates that earn most on `rows` (ties: the first, that is the most lenient coverage and margin found). */
export function fitGates(rows: readonly DecisionRow[], cost: number, withClassifier: boolean): Gates {
  let out: { t: Gates; gain: number } | undefined;
  for (const maxNoneProbability of withClassifier ? GATE_NONES : [1])
    for (const minProbability of withClassifier ? PROBABILITIES : [0])
      for (const minCoverage of COVERAGES)
        for (const margin of MARGINS) {
          const t = { minCoverage, margin, minProbability, maxNoneProbability };
          const { gain } = gainOf(rows, passes(t), cost);
          if (!out || gain > out.gain) out = { t, gain };
        }
  return out!.t;
}

/** One held-out search: its signals and whether its best candidate is right. */
export interface DecisionRow {
  readonly signals: AnswerSignals;
  /** The message has a right answer (not off-topic or not covered). */
  readonly answerable: boolean;
  /** The best candidate is a right answer. */
  readonly right: boolean;
  /** The matcher could answer it at all (evidence, not a not-covered topic). */
  readonly eligible: boolean;
}

export interface Gain {
  gain: number;
  right: number;
  wrong: number;
  answerable: number;
  offTopicAnswered: number;
  offTopic: number;
}

export const emptyGain = (): Gain => ({
  gain: 0,
  right: 0,
  wrong: 0,
  answerable: 0,
  offTopicAnswered: 0,
  offTopic: 0,
});

export function addGain(into: Gain, s: Gain): void {
  for (const key of Object.keys(into) as (keyof Gain)[]) into[key] += s[key];
}

/** What a decision earns on rows (`answers(row)`: would it answer outright). */
export function gainOf(
  rows: readonly DecisionRow[],
  answers: (r: DecisionRow) => boolean,
  cost: number,
): Gain {
  const s = emptyGain();
  for (const r of rows) {
    if (r.answerable) s.answerable++;
    else s.offTopic++;
    if (!r.eligible || !answers(r)) continue;
    if (r.right) s.right++;
    else if (r.answerable) s.wrong++;
    else s.offTopicAnswered++;
  }
  s.gain = s.right - cost * (s.wrong + s.offTopicAnswered);
  return s;
}

/** The fitted decision: the model and the hard "none" gate beside it. */
export interface Decision {
  readonly model: AnswerModel;
  readonly maxNoneProbability: number;
}

export const decides = (d: Decision) => (r: DecisionRow) =>
  r.signals.none <= d.maxNoneProbability && answerScore(d.model, r.signals) >= 0;

/** Logistic regression by full-batch gradient descent on standardised features; weights in raw units. */
function logistic(rows: readonly DecisionRow[], l2: number): AnswerModel {
  const xs = rows.map((r) => answerFeatures(r.signals));
  const dims = xs[0]?.length ?? 0;
  const mean: number[] = new Array<number>(dims).fill(0);
  const sd: number[] = new Array<number>(dims).fill(0);
  for (const x of xs) for (let j = 0; j < dims; j++) mean[j]! += x[j]! / xs.length;
  for (const x of xs) for (let j = 0; j < dims; j++) sd[j]! += (x[j]! - mean[j]!) ** 2 / xs.length;
  for (let j = 0; j < dims; j++) sd[j] = Math.sqrt(sd[j]!) || 1;
  const zs = xs.map((x) => x.map((v, j) => (v - mean[j]!) / sd[j]!));
  const w: number[] = new Array<number>(dims).fill(0);
  let b = 0;
  for (let step = 0; step < 2000; step++) {
    const g: number[] = new Array<number>(dims).fill(0);
    let gb = 0;
    zs.forEach((z, i) => {
      let s = b;
      for (let j = 0; j < dims; j++) s += w[j]! * z[j]!;
      const e = 1 / (1 + Math.exp(-s)) - (rows[i]!.right ? 1 : 0);
      for (let j = 0; j < dims; j++) g[j]! += e * z[j]!;
      gb += e;
    });
    for (let j = 0; j < dims; j++) w[j]! -= 0.5 * (g[j]! / zs.length + l2 * w[j]!);
    b -= (0.5 * gb) / zs.length;
  }
  const weights = w.map((v, j) => v / sd[j]!);
  return { weights, bias: b - weights.reduce((sum, v, j) => sum + v * mean[j]!, 0) };
}

/** Moves the bias to the cut that earns most on `rows` (ties: the stricter cut). */
function placeCut(model: AnswerModel, rows: readonly DecisionRow[], cost: number): AnswerModel {
  const scored = rows
    .filter((r) => r.eligible)
    .map((r) => ({ z: answerScore(model, r.signals), r }))
    .sort((a, b) => b.z - a.z);
  let gain = 0;
  let bestGain = 0;
  let cut = (scored[0]?.z ?? 0) + 1;
  scored.forEach(({ z, r }, i) => {
    gain += r.right ? 1 : -cost;
    const next = scored[i + 1]?.z;
    if (gain > bestGain && next !== z) {
      bestGain = gain;
      cut = next === undefined ? z - 1e-6 : (z + next) / 2;
    }
  });
  return { weights: model.weights, bias: model.bias - cut };
}

const NONES = [0.1, 0.15, 0.2, 0.3, 0.5, 1];

/** The decision that earns most on `rows`: for each "none" gate, a fitted model and its cut. */
export function fitDecision(rows: readonly DecisionRow[], cost: number, l2 = 0.01): Decision {
  let out: { d: Decision; gain: number } | undefined;
  for (const maxNoneProbability of NONES) {
    const kept = rows.filter((r) => r.eligible && r.signals.none <= maxNoneProbability);
    if (kept.length === 0) continue;
    const d = { model: placeCut(logistic(kept, l2), kept, cost), maxNoneProbability };
    const gain = gainOf(rows, decides(d), cost).gain;
    if (!out || gain > out.gain) out = { d, gain };
  }
  return out?.d ?? { model: { weights: [], bias: -1 }, maxNoneProbability: 0 };
}
