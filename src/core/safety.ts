import type { MAX_READ_CHARS } from './normalize.js';
import { createPhraseFinder } from './phrases.js';

/**
 * Recognises emergencies from the community's list of phrases. Recall comes first:
 * each word of a phrase may carry a typo ("sucidal", "chest pian"), and a phrase may
 * appear anywhere in a long message. One slip per word (two in long words), so that
 * "analysis" does not read as "paralysis". Reads the first {@link MAX_READ_CHARS} of a message.
 */
export function createSafetyCheck(patterns: readonly string[]): (text: string) => boolean {
  const find = createPhraseFinder(patterns, (w) => (w.length >= 10 ? 2 : w.length >= 4 ? 1 : 0));
  return (text: string) => find(text) !== undefined;
}
