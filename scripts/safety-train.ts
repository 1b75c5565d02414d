/**
 * `npm run safety:train`: trains the emergency classifier on content/safety/*.txt and writes
 * content/safety/model.json. Deterministic: the same files always give the same model.
 *
 * Files named `emergencies*.txt` hold emergencies, `not-emergencies*.txt` ordinary or
 * alarming-but-safe messages; one message a line, `#` starts a comment.
 * Thresholds are chosen on 5 held-out folds: each message is scored by a model that never saw
 * it, and the decision (patterns, rules and classifier together) is measured on those scores.
 * `--report` prints the held-out figures without writing the model.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../src/content/load.js';
import { normalizeText, words } from '../src/core/normalize.js';
import { createSafetyGrader } from '../src/core/safety.js';
import { type SafetyModel, type TrainOptions, trainLogistic } from '../src/core/safety-model.js';

export const SAFETY_DIR = path.resolve('content/safety');

export const messageLines = (text: string): string[] =>
  text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

/** The labelled messages under `dir`, and a hash of the files they came from. */
export function readTrainingSet(dir = SAFETY_DIR): {
  examples: { text: string; label: 0 | 1 }[];
  hash: string;
} {
  const files = readdirSync(dir)
    .filter((f) => /^(not-)?emergencies.*\.txt$/.test(f))
    .sort();
  const hash = createHash('sha256');
  const examples: { text: string; label: 0 | 1 }[] = [];
  for (const f of files) {
    const text = readFileSync(path.join(dir, f), 'utf8');
    hash.update(`${f}\n${text}`);
    const label = f.startsWith('not-') ? 0 : 1;
    for (const line of messageLines(text)) examples.push({ text: line, label });
  }
  return { examples, hash: hash.digest('hex').slice(0, 16) };
}

const PRUNE = 0.002;

/** Trains on every example; weights under {@link PRUNE} are dropped, the rest rounded. */
export function trainModel(
  examples: readonly { text: string; label: 0 | 1 }[],
  thresholds: { emergencyAt: number; cautionAt: number },
  trainedOn?: string,
  options?: TrainOptions,
): SafetyModel {
  const { bias, weights } = trainLogistic(
    examples.map((e) => ({ tokens: words(normalizeText(e.text)), label: e.label })),
    options,
  );
  const kept: Record<string, number> = {};
  for (const [f, w] of [...weights].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    if (Math.abs(w) >= PRUNE) kept[f] = Math.round(w * 1000) / 1000;
  }
  return {
    bias: Math.round(bias * 1000) / 1000,
    ...thresholds,
    ...(trainedOn ? { trainedOn } : {}),
    weights: kept,
  };
}

export interface Figures {
  readonly emergencies: number;
  readonly caught: number;
  readonly others: number;
  readonly alarms: number;
  readonly cautions: number;
}

/** Held-out figures for the whole grader, with a model per fold that never saw its fold. */
export function crossValidate(
  patterns: readonly string[],
  examples: readonly { text: string; label: 0 | 1 }[],
  thresholds: { emergencyAt: number; cautionAt: number },
  folds = 5,
): Figures {
  let caught = 0;
  let alarms = 0;
  let cautions = 0;
  for (let k = 0; k < folds; k++) {
    const train = examples.filter((_, i) => i % folds !== k);
    const model = trainModel(train, thresholds);
    const grade = createSafetyGrader(patterns, model);
    examples.forEach((e, i) => {
      if (i % folds !== k) return;
      const g = grade(e.text).grade;
      if (e.label === 1 && g === 'emergency') caught++;
      if (e.label === 0 && g === 'emergency') alarms++;
      if (e.label === 0 && g === 'caution') cautions++;
    });
  }
  const emergencies = examples.filter((e) => e.label === 1).length;
  return { emergencies, caught, others: examples.length - emergencies, alarms, cautions };
}

export const describeFigures = (f: Figures) =>
  `emergencies ${f.caught}/${f.emergencies} (${pct(f.caught, f.emergencies)}), ` +
  `false alarms ${f.alarms}/${f.others} (${pct(f.alarms, f.others)}), cautions on non-emergencies ${f.cautions}`;
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;

/**
 * The thresholds the committed model uses (chosen with `--report` on held-out folds). No caution band
 * of its own for the classifier: below its emergency threshold it flagged greetings and thanks.
 */
export const THRESHOLDS = { emergencyAt: 0.9, cautionAt: 0.9 };

if (import.meta.url === `file://${process.argv[1]}`) {
  const content = await loadContent(path.resolve('content'));
  const { examples, hash } = readTrainingSet();
  if (process.argv.includes('--report')) {
    for (const emergencyAt of [0.8, 0.9, 0.95]) {
      const f = crossValidate(content.community.safetyPatterns, examples, { emergencyAt, cautionAt: emergencyAt });
      console.log(`emergencyAt ${emergencyAt}: ${describeFigures(f)}`);
    }
  } else {
    const model = trainModel(examples, THRESHOLDS, hash);
    writeFileSync(path.join(SAFETY_DIR, 'model.json'), `${JSON.stringify(model, null, 0)}\n`);
    console.log(
      `content/safety/model.json: ${Object.keys(model.weights).length} weights from ${examples.length} messages (${hash})`,
    );
  }
}
