/**
 * A small logistic-regression text classifier for emergencies, in plain TypeScript so the core
 * needs no library: features are the message's words, its word pairs and the letter groups
 * (3 and 4 letters) inside each word, so a typo ("sucidal", "overdozed") still shares most
 * features with the word it misspells. Trained deterministically on the community's own
 * labelled messages (content/safety/) by `npm run safety:train`, stored as content/safety/model.json.
 */
import { seededShuffle } from './shuffle.js';

/** A trained model: a weight per feature name, and the thresholds chosen on held-out folds. */
export interface SafetyModel {
  readonly bias: number;
  readonly weights: Readonly<Record<string, number>>;
  /** At or above this probability (with no pattern hit) the message is an emergency. */
  readonly emergencyAt: number;
  /** At or above this probability (and below `emergencyAt`) the message gets a caution line. */
  readonly cautionAt: number;
  /** What it was trained on, so a stale model file is caught by the tests. */
  readonly trainedOn?: string;
}

/** Feature names of one word: the word itself and its letter groups. */
export function wordFeatures(token: string): string[] {
  const out = [`w:${token}`];
  // No word is longer: a 4,000-letter "word" would only cost time. No start and end marks: with
  // them, endings such as "nd>" ("and", "friend") and "ng>" weighed more than the words, and
  // held-out false alarms were 43/983 instead of 31/983 at equal recall (docs/evaluation.md).
  const letters = token.slice(0, MAX_WORD);
  for (let n = 3; n <= 4; n++) {
    for (let i = 0; i + n <= letters.length; i++) out.push(`c:${letters.slice(i, i + n)}`);
  }
  return out;
}

/** Every feature of a message (normalised words), repeated as often as it occurs. */
export function messageFeatures(tokens: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    for (const f of wordFeatures(tokens[i]!)) out.push(f);
    if (i > 0) out.push(`b:${tokens[i - 1]} ${tokens[i]}`);
  }
  return out;
}

const MAX_WORD = 40;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** What the classifier says about a message, with the features that weighed most for it. */
export interface ModelScore {
  readonly probability: number;
  /** The features that pushed hardest towards "emergency", strongest first (for the log line). */
  readonly top: readonly string[];
}

/**
 * A scorer for one model. A word's own features add up to one number, remembered per word,
 * so a message costs a map lookup per word and per word pair.
 */
export function createModelScorer(model: SafetyModel): {
  probability(tokens: readonly string[]): number;
  explain(tokens: readonly string[]): ModelScore;
} {
  const weights = new Map(Object.entries(model.weights));
  const byWord = new Map<string, number>();
  const wordWeight = (token: string): number => {
    let w = byWord.get(token);
    if (w === undefined) {
      w = 0;
      for (const f of wordFeatures(token)) w += weights.get(f) ?? 0;
      if (byWord.size >= 50_000) byWord.clear();
      byWord.set(token, w);
    }
    return w;
  };
  // Word pairs by their first word, then their second: two lookups on the message's own words
  // instead of a new "b:first second" string per pair.
  const pairs = new Map<string, Map<string, number>>();
  for (const [f, w] of weights) {
    if (!f.startsWith('b:')) continue;
    const space = f.indexOf(' ', 2);
    if (space < 0) continue;
    const first = f.slice(2, space);
    let next = pairs.get(first);
    if (!next) {
      next = new Map();
      pairs.set(first, next);
    }
    next.set(f.slice(space + 1), w);
  }
  const probability = (tokens: readonly string[]): number => {
    let z = model.bias;
    for (let i = 0; i < tokens.length; i++) {
      z += wordWeight(tokens[i]!);
      if (i > 0) z += pairs.get(tokens[i - 1]!)?.get(tokens[i]!) ?? 0;
    }
    return sigmoid(z);
  };
  const explain = (tokens: readonly string[]): ModelScore => {
    const sums = new Map<string, number>();
    for (const f of messageFeatures(tokens)) {
      const w = weights.get(f);
      if (w !== undefined) sums.set(f, (sums.get(f) ?? 0) + w);
    }
    const top = [...sums]
      .filter(([, w]) => w > 0)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, 4)
      .map(([f, w]) => `${f}(${w.toFixed(2)})`);
    return { probability: probability(tokens), top };
  };
  return { probability, explain };
}

export interface TrainOptions {
  readonly epochs?: number;
  /** L2 penalty per step: keeps rare features from carrying the decision alone. */
  readonly l2?: number;
  readonly learningRate?: number;
}

/**
 * Trains logistic regression by stochastic gradient descent in a fixed, seeded order:
 * the same data always gives the same weights. Returns bias and weights (thresholds are
 * chosen by the caller on held-out folds).
 */
export function trainLogistic(
  examples: readonly { readonly tokens: readonly string[]; readonly label: 0 | 1 }[],
  options: TrainOptions = {},
): { bias: number; weights: Map<string, number> } {
  const epochs = options.epochs ?? 30;
  const l2 = options.l2 ?? 1e-4;
  const rate = options.learningRate ?? 0.05;
  const ids = new Map<string, number>();
  const rows = examples.map((e) => {
    const counts = new Map<number, number>();
    for (const f of messageFeatures(e.tokens)) {
      let id = ids.get(f);
      if (id === undefined) {
        id = ids.size;
        ids.set(f, id);
      }
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return { x: [...counts], y: e.label };
  });
  const w = new Float64Array(ids.size);
  let bias = 0;
  const order = rows.map((_, i) => i);
  const shuffle = seededShuffle(12345);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order);
    const lr = rate / (1 + epoch * 0.2);
    for (const r of order) {
      const { x, y } = rows[r]!;
      let z = bias;
      for (const [id, c] of x) z += w[id]! * c;
      const g = sigmoid(z) - y;
      bias -= lr * g;
      for (const [id, c] of x) w[id] = w[id]! - lr * (g * c + l2 * w[id]!);
    }
  }
  const weights = new Map<string, number>();
  for (const [f, id] of ids) weights.set(f, w[id]!);
  return { bias, weights };
}
