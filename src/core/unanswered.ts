/** Sorting the questions the bot could not answer: health questions apart from chatter. */
import { MAX_QUESTION_CHARS } from './answer.js';
import type { Content } from './content.js';
import { createPhraseFinder } from './phrases.js';
import type { QuestionOutcome } from './ports.js';

/** Below this coverage an unanswered message reads as chatter ("who won the football last night?" is 0.18). */
const CHATTER_BELOW = 0.3;

/**
 * `not_covered` (names a topic the article does not cover), `unanswered` (on the subject, but
 * nothing answers it) or `chatter`. The topic finder is built once per content version.
 */
export function createUnansweredClassifier(): (
  content: Content,
  text: string,
  coverage: number,
) => QuestionOutcome {
  let notCovered = { topics: null as unknown, find: (_: string): string | undefined => undefined };
  return (content, text, coverage) => {
    if (notCovered.topics !== content.notCovered) {
      notCovered = {
        topics: content.notCovered,
        find: createPhraseFinder(content.notCovered, (w) => (w.length >= 7 ? 1 : 0)),
      };
    }
    if (notCovered.find(text.slice(0, MAX_QUESTION_CHARS))) return 'not_covered';
    // Less than about a third of its topic words on the content's subject: talk, not a health question.
    return coverage >= CHATTER_BELOW ? 'unanswered' : 'chatter';
  };
}
