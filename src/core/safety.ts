import { normalizeText, withinEdits, words } from './normalize.js';

/**
 * Recognises emergencies from the community's list of phrases. Recall comes first:
 * each word of a phrase may carry a typo ("sucidal", "chest pian"), and a phrase may
 * appear anywhere in a long message.
 */
export function createSafetyCheck(patterns: readonly string[]): (text: string) => boolean {
  const phrases = patterns.map((p) => words(normalizeText(p))).filter((p) => p.length > 0);
  return (text: string) => {
    const tokens = words(normalizeText(text));
    for (const phrase of phrases) {
      for (let i = 0; i + phrase.length <= tokens.length; i++) {
        if (phrase.every((w, k) => sameWord(tokens[i + k]!, w))) return true;
      }
    }
    return false;
  };
}

/** One slip per word (two in long words): "analysis" must not read as "paralysis". */
const sameWord = (token: string, word: string): boolean =>
  token === word || (word.length >= 4 && withinEdits(token, word, word.length >= 10 ? 2 : 1));
