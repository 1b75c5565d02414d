import { normalizeText, readable, words } from './normalize.js';
import { createPhraseFinder } from './phrases.js';
import { notNowRule } from './safety-context.js';
import { createModelScorer, type SafetyModel } from './safety-model.js';

/**
 * How alarming a message is:
 * - `emergency`: happening now; the safety message goes first (reply kind `safety`);
 * - `caution`: a mention, a past event or a question about a serious symptom; the bot answers
 *   as usual and adds a one-line caution (reply kind `caution`);
 * - `none`.
 */
export type SafetyGrade = 'emergency' | 'caution' | 'none';

export interface SafetyVerdict {
  readonly grade: SafetyGrade;
  /** What decided, in words for the log line: the pattern, the context rule, the classifier's features. */
  readonly reason: string;
  readonly pattern?: string;
  readonly rule?: string;
  /** The classifier's probability that this is an emergency, when a model is loaded. */
  readonly probability?: number;
}

const NONE: SafetyVerdict = { grade: 'none', reason: 'no pattern, classifier below threshold' };

/**
 * Grades messages with the community's phrase patterns, a trained classifier beside them
 * (optional) and context rules for precision:
 * 1. a pattern hit is an emergency, unless a context rule says "not now" (past event, question
 *    about a condition, risk asked about, an animal, a doctor's diagnosis) and the classifier is
 *    not sure it is one: then it is a caution;
 * 2. no pattern, but the classifier at or above its emergency threshold: an emergency, or a
 *    caution when a context rule says "not now";
 * 3. the classifier between its caution and emergency thresholds: a caution.
 *
 * Recall comes first: each word of a phrase may carry a typo ("sucidal", "chest pian"), and a
 * phrase may appear anywhere in a long message. One slip per word (two in long words), so that
 * "analysis" does not read as "paralysis". Reads the part of a message `readable` keeps
 * (its first 3,000 and last 1,000 characters).
 */
export function createSafetyGrader(
  patterns: readonly string[],
  model?: SafetyModel,
): (text: string) => SafetyVerdict {
  const find = createPhraseFinder(patterns, (w) => (w.length >= 10 ? 2 : w.length >= 4 ? 1 : 0));
  const scorer = model && createModelScorer(model);
  // Above this the classifier overrides a context rule: it has seen such wording as emergencies.
  const sure = model ? Math.max(model.emergencyAt, 0.97) : 1;
  /**
   * The context rule that speaks for the message, unless the alarm comes back after a "but"
   * with no context of its own: "the doc said it was anxiety but my chest is crushing and my arm
   * is numb" is happening now, whatever the doctor said before.
   */
  const contextRule = (normalized: string, tokens: readonly string[], asks: boolean) => {
    const rule = notNowRule(normalized, asks);
    if (rule === undefined) return undefined;
    const turn = tokens.lastIndexOf('but');
    if (turn < 0) return rule;
    const after = tokens.slice(turn + 1);
    const alarmAgain = find.inWords(after) !== undefined;
    return alarmAgain && notNowRule(after.join(' '), asks) === undefined ? undefined : rule;
  };
  return (text: string): SafetyVerdict => {
    const normalized = normalizeText(readable(text));
    if (normalized === '') return NONE;
    const tokens = words(normalized);
    const pattern = find.inWords(tokens);
    const p = scorer?.probability(tokens);
    const probability = p === undefined ? {} : { probability: round(p) };
    const features = () => (scorer ? scorer.explain(tokens).top.join(', ') : '');
    if (pattern === undefined && (p === undefined || p < Math.min(model!.cautionAt, model!.emergencyAt))) {
      return NONE;
    }
    const rule = contextRule(normalized, tokens, text.includes('?'));
    if (pattern !== undefined) {
      if (rule && (p === undefined || p < sure)) {
        return {
          grade: 'caution',
          reason: `pattern "${pattern}", but ${rule}`,
          pattern,
          rule,
          ...probability,
        };
      }
      return { grade: 'emergency', reason: `pattern "${pattern}"`, pattern, ...probability };
    }
    const score = `classifier ${round(p!)} [${features()}]`;
    if (p! >= model!.emergencyAt) {
      if (rule && p! < sure)
        return { grade: 'caution', reason: `${score}, but ${rule}`, rule, ...probability };
      return { grade: 'emergency', reason: score, ...probability };
    }
    return { grade: 'caution', reason: score, ...probability };
  };
}

const round = (p: number) => Math.round(p * 1000) / 1000;

/** Whether a message is an emergency now (grade `emergency`). */
export function createSafetyCheck(
  patterns: readonly string[],
  model?: SafetyModel,
): (text: string) => boolean {
  const grade = createSafetyGrader(patterns, model);
  return (text: string) => grade(text).grade === 'emergency';
}
