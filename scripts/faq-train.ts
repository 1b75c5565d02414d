/**
 * `npm run faq:train`: trains the FAQ classifier (src/core/intent-classifier.ts) and writes
 * content/faq-model.json. Deterministic: the same files always give the same model.
 *
 * What it learns from: each FAQ entry's question, paraphrases, keywords and answer
 * (content/faq.yaml), the topics the article does not cover (content/not-covered.yaml, as "none"),
 * and the labelled member messages of the tuning and training sets in tests/eval/ (never the
 * holdout or blind sets). Thresholds are not chosen here: tests/eval/tune.ts chooses them on
 * cross-validated scores.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../src/content/load.js';
import { readMessage } from '../src/content/matcher.js';
import type { Content } from '../src/core/content.js';
import {
  type IntentExample,
  type IntentModelFile,
  type IntentTrainOptions,
  trainIntentClassifier,
} from '../src/core/intent-classifier.js';

/** The labelled message sets the classifier learns from, `tests/eval/<name>.jsonl` (missing ones are skipped). */
export const TRAINING_SETS = [
  'dev',
  'own',
  'train-stories',
  'train-short',
  'train-pairs',
  'train-group',
  'train-passages',
  'train-voices',
  'train-implied',
  'train-worries',
  'train-topics',
  'train-stories2',
  'train-pairs2',
  'train-newmember',
  'train-wording',
] as const;
export type TrainingSet = (typeof TRAINING_SETS)[number];
const EVAL_DIR = path.resolve(import.meta.dirname, '../tests/eval');
const CONTENT_DIR = path.resolve(import.meta.dirname, '../content');
/** Content files whose text the model learns from. */
const CONTENT_FILES = ['faq.yaml', 'not-covered.yaml'];

/** A labelled member message as the sets hold it. */
export interface LabelledMessage {
  readonly text: string;
  readonly expect: string | readonly string[];
  readonly tag?: string;
  readonly quote?: string | readonly string[];
  /** Which file it came from (a writer's lines stay together in cross-validation). */
  readonly file: string;
}

/** The labelled messages of the training files, and a hash of them and the content files. */
export function readTrainingMessages(
  evalDir = EVAL_DIR,
  contentDir = CONTENT_DIR,
): { messages: LabelledMessage[]; hash: string } {
  const hash = createHash('sha256');
  for (const f of CONTENT_FILES) hash.update(`${f}\n${readFileSync(path.join(contentDir, f), 'utf8')}`);
  const messages: LabelledMessage[] = [];
  for (const file of TRAINING_SETS.map((set) => `${set}.jsonl`)) {
    const full = path.join(evalDir, file);
    if (!existsSync(full)) continue;
    const text = readFileSync(full, 'utf8');
    hash.update(`${file}\n${text}`);
    for (const line of text.split('\n')) {
      if (line.trim() === '') continue;
      messages.push({ ...(JSON.parse(line) as Omit<LabelledMessage, 'file'>), file });
    }
  }
  return { messages, hash: hash.digest('hex').slice(0, 16) };
}

/** The class a labelled message teaches: an FAQ entry, `none`, or nothing (emergencies). */
export function classOf(m: Pick<LabelledMessage, 'expect' | 'tag'>): string | undefined {
  const first = String(Array.isArray(m.expect) ? m.expect[0] : m.expect);
  if (first.startsWith('faq:')) return first;
  if (first === 'safety' || m.tag === 'alarming') return undefined;
  return 'none';
}

/** The model's classes for this content: one per FAQ entry, and `none`. */
export const labelsOf = (content: Content): string[] => [...content.faq.map((e) => `faq:${e.id}`), 'none'];

/** Training examples from the content itself and from labelled messages. */
export function examplesFor(content: Content, messages: readonly LabelledMessage[]): IntentExample[] {
  const labels = labelsOf(content);
  const at = new Map(labels.map((l, i) => [l, i]));
  const out: IntentExample[] = [];
  const add = (text: string, label: string) => {
    const i = at.get(label);
    if (i === undefined) return;
    const { tokens, questionTokens } = readMessage(text);
    if (tokens.length > 0) out.push({ tokens, questionTokens, label: i });
  };
  for (const e of content.faq) {
    for (const q of [e.question, ...e.paraphrases]) add(q, `faq:${e.id}`);
    add(e.keywords.join(' '), `faq:${e.id}`);
    add(e.answer, `faq:${e.id}`);
  }
  for (const topic of content.notCovered) add(topic, 'none');
  for (const m of messages) {
    const c = classOf(m);
    if (c) add(m.text, c);
  }
  return out;
}

/** The options the committed model is trained with (chosen by tests/eval/tune.ts). */
export const TRAIN_OPTIONS: IntentTrainOptions = { bits: 15, epochs: 20, learningRate: 2, l2: 1e-4, questionWeight: 1 };

export function trainFaqModel(
  content: Content,
  messages: readonly LabelledMessage[],
  trainedOn?: string,
  options: IntentTrainOptions = TRAIN_OPTIONS,
): IntentModelFile {
  const model = trainIntentClassifier(labelsOf(content), examplesFor(content, messages), options);
  return trainedOn ? { ...model, trainedOn } : model;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The files as written, without a model: the model must not learn from itself.
  const content = await loadContent(CONTENT_DIR);
  const { messages, hash } = readTrainingMessages();
  const model = trainFaqModel(content, messages, hash);
  const { weights, ...rest } = model;
  writeFileSync(path.join(CONTENT_DIR, 'faq-model.json'), `${JSON.stringify({ ...rest, weights })}\n`);
  console.log(
    `content/faq-model.json: ${model.labels.length} classes, 2^${model.bits} buckets, from ${messages.length} labelled messages and the FAQ (${hash})`,
  );
}
