/**
 * A small multinomial logistic-regression classifier over hashed text features: which of a few
 * dozen intents (FAQ entries, or "none") a message is about. Features are the message's words,
 * its word pairs and the letter groups (3 to 5 letters) inside each word, so "fybro" and
 * "fibromialgia" still share most features with "fibromyalgia". Each feature is hashed into one of
 * 2^bits buckets; the weights are one dense Float32Array (bucket-major, a row of class weights per
 * bucket), so scoring a message is a few hundred row additions and allocates nothing.
 *
 * Like the emergency classifier (safety-model.ts), it is trained deterministically offline on the
 * community's own labelled messages (`npm run faq:train`) and shipped as JSON under content/.
 */
import { seededShuffle } from './shuffle.js';

/** A trained model as stored in JSON: int8 weights (base64) with one scale. */
export interface IntentModelFile {
  /** Class labels, e.g. `faq:b12-treatment`, `none`. */
  readonly labels: readonly string[];
  /** log2 of the number of hash buckets. */
  readonly bits: number;
  /** One bias per class. */
  readonly bias: readonly number[];
  /** The weight of int8 value 1. */
  readonly scale: number;
  /** Base64 of an Int8Array of length 2^bits × labels (bucket-major). */
  readonly weights: string;
  /** How much the question part of a longer message counts beside the whole message. */
  readonly questionWeight: number;
  /** What it was trained on, so a stale model file is caught by the tests. */
  readonly trainedOn?: string;
}

/** A loaded model: weights ready for scoring. */
export interface IntentModel {
  readonly labels: readonly string[];
  readonly bits: number;
  readonly bias: Float32Array;
  readonly weights: Float32Array;
  readonly questionWeight: number;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const SEED_WORD = 0x3c6ef372;
const SEED_CHARS = 0x2545f491;
const MAX_WORD = 40;
const LEFT = 60; // '<'
const RIGHT = 62; // '>'

/** Murmur3's finaliser: spreads a hash's bits before it is cut to a bucket. */
function mix(h: number): number {
  let x = h;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

function wordHash(word: string): number {
  let h = FNV_OFFSET ^ SEED_WORD;
  const end = Math.min(word.length, MAX_WORD);
  for (let i = 0; i < end; i++) h = Math.imul(h ^ word.charCodeAt(i), FNV_PRIME);
  return h >>> 0;
}

/**
 * Hashed features of a list of words, appended to `into` (buckets) with value `value`: each
 * word, each pair of neighbouring words, and the 3-5 letter groups of each word padded as
 * `<word>`. Returns the new length. `into` must hold {@link featureCount} more entries.
 */
export function appendFeatures(
  tokens: readonly string[],
  mask: number,
  into: Int32Array,
  values: Float32Array,
  start: number,
  value: number,
): number {
  let n = start;
  let previous = 0;
  for (let t = 0; t < tokens.length; t++) {
    const word = tokens[t]!;
    const wh = wordHash(word);
    into[n] = mix(wh) & mask;
    values[n++] = value;
    if (t > 0) {
      into[n] = mix(Math.imul(previous ^ 0x9e3779b9, FNV_PRIME) ^ wh) & mask;
      values[n++] = value;
    }
    previous = wh;
    const end = appendGrams(word, mask, into, n);
    values.fill(value, n, end);
    n = end;
  }
  return n;
}

/** The buckets of a word's 3-5 letter groups (padded as `<word>`) into `into` from `n`; returns the new length. */
function appendGrams(word: string, mask: number, into: Int32Array, start: number): number {
  let n = start;
  const len = Math.min(word.length, MAX_WORD);
  // Padded positions -1 .. len: '<' before, '>' after.
  for (let size = 3; size <= 5; size++) {
    for (let i = -1; i + size <= len + 1; i++) {
      let h = FNV_OFFSET ^ SEED_CHARS ^ size;
      for (let j = i; j < i + size; j++) {
        const c = j < 0 ? LEFT : j >= len ? RIGHT : word.charCodeAt(j);
        h = Math.imul(h ^ c, FNV_PRIME);
      }
      into[n++] = mix(h) & mask;
    }
  }
  return n;
}

/** A word's own features, computed once per word and model: its hash, its bucket, then its letter groups' buckets. */
interface WordFeatures {
  readonly hash: number;
  readonly buckets: Int32Array;
}

/** Appends a message's features with one value (the signature of {@link appendFeatures} once a model's mask is fixed). */
type Append = (
  tokens: readonly string[],
  into: Int32Array,
  values: Float32Array,
  start: number,
  value: number,
) => number;

/**
 * {@link appendFeatures} with each word's features remembered (words repeat across messages):
 * the same buckets in the same order.
 */
function createCachedFeatures(mask: number): Append {
  const cache = new Map<string, WordFeatures>();
  let scratch = new Int32Array(256);
  const featuresOf = (word: string): WordFeatures => {
    let f = cache.get(word);
    if (f) return f;
    const hash = wordHash(word);
    const need = 1 + 3 * (Math.min(word.length, MAX_WORD) + 1);
    if (scratch.length < need) scratch = new Int32Array(need);
    scratch[0] = mix(hash) & mask;
    f = { hash, buckets: scratch.slice(0, appendGrams(word, mask, scratch, 1)) };
    // Members write an open-ended vocabulary: forget it all now and then rather than grow forever.
    if (cache.size >= 20_000) cache.clear();
    cache.set(word, f);
    return f;
  };
  return (tokens, into, values, start, value) => {
    let n = start;
    let previous = 0;
    for (let t = 0; t < tokens.length; t++) {
      const { hash, buckets } = featuresOf(tokens[t]!);
      into[n] = buckets[0]!;
      values[n++] = value;
      if (t > 0) {
        into[n] = mix(Math.imul(previous ^ 0x9e3779b9, FNV_PRIME) ^ hash) & mask;
        values[n++] = value;
      }
      previous = hash;
      into.set(buckets.subarray(1), n);
      values.fill(value, n, n + buckets.length - 1);
      n += buckets.length - 1;
    }
    return n;
  };
}

/** How many features {@link appendFeatures} makes at most for these words. */
export function featureCount(tokens: readonly string[]): number {
  let n = 0;
  for (const w of tokens) n += 2 + 3 * (Math.min(w.length, MAX_WORD) + 1);
  return n;
}

/** Reads a stored model. */
export function loadIntentModel(file: IntentModelFile): IntentModel {
  const bytes = Buffer.from(file.weights, 'base64');
  const size = (1 << file.bits) * file.labels.length;
  if (bytes.length !== size) throw new Error(`intent model: ${bytes.length} weights, expected ${size}`);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset, bytes.length);
  const weights = new Float32Array(size);
  for (let i = 0; i < size; i++) weights[i] = q[i]! * file.scale;
  return {
    labels: file.labels,
    bits: file.bits,
    bias: Float32Array.from(file.bias),
    weights,
    questionWeight: file.questionWeight,
  };
}

/** Scores messages against one model, reusing its buffers (one message at a time). */
export interface IntentScorer {
  /**
   * Class probabilities for a message's words (and its question part's, which count
   * `questionWeight` more). The returned array is reused by the next call.
   */
  probabilities(tokens: readonly string[], questionTokens?: readonly string[]): Float32Array;
  readonly labels: readonly string[];
}

export function createIntentScorer(model: IntentModel): IntentScorer {
  const classes = model.labels.length;
  const mask = (1 << model.bits) - 1;
  const out = new Float32Array(classes);
  let buckets = new Int32Array(1024);
  let values = new Float32Array(1024);
  const append = createCachedFeatures(mask);
  return {
    labels: model.labels,
    probabilities(tokens, questionTokens = []) {
      const need = featureCount(tokens) + featureCount(questionTokens);
      if (need > buckets.length) {
        buckets = new Int32Array(need * 2);
        values = new Float32Array(need * 2);
      }
      const n = encode(tokens, questionTokens, model.questionWeight, append, buckets, values);
      logits(model.weights, model.bias, classes, buckets, values, n, out);
      softmax(out);
      return out;
    },
  };
}

/** Features of a message into the buffers, scaled to unit length; returns how many. */
function encode(
  tokens: readonly string[],
  questionTokens: readonly string[],
  questionWeight: number,
  append: Append,
  buckets: Int32Array,
  values: Float32Array,
): number {
  let n = append(tokens, buckets, values, 0, 1);
  const whole = n;
  if (questionWeight > 0 && questionTokens.length > 0)
    n = append(questionTokens, buckets, values, n, questionWeight);
  // Unit length, so a long story is not more sure of itself than a short question.
  const norm = 1 / Math.sqrt(Math.max(1, whole + (n - whole) * questionWeight * questionWeight));
  for (let i = 0; i < n; i++) values[i]! *= norm;
  return n;
}

function logits(
  weights: Float32Array,
  bias: ArrayLike<number>,
  classes: number,
  buckets: Int32Array,
  values: Float32Array,
  n: number,
  out: Float32Array | Float64Array,
): void {
  for (let c = 0; c < classes; c++) out[c] = bias[c]!;
  for (let i = 0; i < n; i++) {
    const row = buckets[i]! * classes;
    const v = values[i]!;
    for (let c = 0; c < classes; c++) out[c]! += v * weights[row + c]!;
  }
}

function softmax(z: Float32Array | Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (let c = 0; c < z.length; c++) if (z[c]! > max) max = z[c]!;
  let sum = 0;
  for (let c = 0; c < z.length; c++) {
    z[c] = Math.exp(z[c]! - max);
    sum += z[c]!;
  }
  for (let c = 0; c < z.length; c++) z[c]! /= sum;
}

export interface IntentExample {
  readonly tokens: readonly string[];
  readonly questionTokens?: readonly string[];
  /** Index into the labels. */
  readonly label: number;
}

export interface IntentTrainOptions {
  readonly bits?: number;
  readonly epochs?: number;
  readonly learningRate?: number;
  /** L2 penalty per step on the rows a message touches. */
  readonly l2?: number;
  readonly questionWeight?: number;
}

/**
 * Trains by stochastic gradient descent in a fixed, seeded order: the same examples always give
 * the same model. Returns the stored form (int8 weights).
 */
export function trainIntentClassifier(
  labels: readonly string[],
  examples: readonly IntentExample[],
  options: IntentTrainOptions = {},
): IntentModelFile {
  const bits = options.bits ?? 15;
  const epochs = options.epochs ?? 20;
  const rate = options.learningRate ?? 0.5;
  const l2 = options.l2 ?? 1e-5;
  const questionWeight = options.questionWeight ?? 1;
  const classes = labels.length;
  const mask = (1 << bits) - 1;
  const w = new Float32Array((1 << bits) * classes);
  const bias = new Float64Array(classes);
  const append: Append = (tokens, into, values, start, value) =>
    appendFeatures(tokens, mask, into, values, start, value);
  const rows = examples.map((e) => {
    const q = e.questionTokens ?? [];
    const size = featureCount(e.tokens) + featureCount(q);
    const buckets = new Int32Array(size);
    const values = new Float32Array(size);
    const n = encode(e.tokens, q, questionWeight, append, buckets, values);
    return { buckets: buckets.subarray(0, n), values: values.subarray(0, n), label: e.label };
  });
  const z = new Float64Array(classes);
  const order = rows.map((_, i) => i);
  const shuffle = seededShuffle(2463534242);
  for (let epoch = 0; epoch < epochs; epoch++) {
    shuffle(order);
    const lr = rate / (1 + epoch * 0.3);
    for (const r of order) {
      const { buckets, values, label } = rows[r]!;
      logits(w, bias, classes, buckets, values, buckets.length, z);
      softmax(z);
      z[label]! -= 1;
      for (let c = 0; c < classes; c++) bias[c]! -= lr * 0.1 * z[c]!;
      for (let i = 0; i < buckets.length; i++) {
        const row = buckets[i]! * classes;
        const v = values[i]!;
        for (let c = 0; c < classes; c++) w[row + c] = w[row + c]! - lr * (v * z[c]! + l2 * w[row + c]!);
      }
    }
  }
  let max = 0;
  for (let i = 0; i < w.length; i++) max = Math.max(max, Math.abs(w[i]!));
  const scale = max === 0 ? 1 : max / 127;
  const q = new Int8Array(w.length);
  for (let i = 0; i < w.length; i++) q[i] = Math.round(w[i]! / scale);
  return {
    labels,
    bits,
    bias: Array.from(bias, (b) => Math.round(b * 1e4) / 1e4),
    scale,
    weights: Buffer.from(q.buffer).toString('base64'),
    questionWeight,
  };
}
