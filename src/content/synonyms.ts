/**
 * The community's synonyms (content/synonyms.yaml): member words or phrases, each followed in a
 * query by the article's words for it. Phrases compare by stem ("foods" meets "food").
 *
 * Prepared once per content load and indexed by their first stem, so a query looks up each of
 * its words once instead of testing every synonym against the whole query.
 */
import { normalizeText, words } from '../core/normalize.js';

interface Synonym {
  /** The member phrase's stems, in order. */
  readonly stems: readonly string[];
  /** The article's words (normalised) added when the phrase occurs. */
  readonly to: string;
}

/** Synonyms ready for queries. */
export interface Synonyms {
  /** In the order their words are added: the longest member phrases first. */
  readonly list: readonly Synonym[];
  /** First stem of a member phrase -> the synonyms starting with it (positions in `list`, ascending). */
  readonly byFirst: ReadonlyMap<string, readonly number[]>;
  readonly stem: (word: string) => string;
}

/** Normalises, stems and indexes the synonyms; leaves out those that would only repeat a word. */
export function prepareSynonyms(map: ReadonlyMap<string, string>, stem: (word: string) => string): Synonyms {
  const list = [...map.entries()]
    .map(([from, to]) => [normalizeText(from), normalizeText(to)] as const)
    .sort((a, b) => b[0].length - a[0].length)
    .map(([from, to]) => ({ stems: words(from).map(stem), to }))
    // "b-12" -> "b12" reads "b12" -> "b12" once normalised: it would only count the word again.
    .filter((s) => !words(s.to).every((w) => s.stems.includes(stem(w))));
  const byFirst = new Map<string, number[]>();
  list.forEach((s, i) => {
    const first = s.stems[0];
    // A phrase with no words never occurs in a query with words (and adds nothing to one without).
    if (first === undefined) return;
    const at = byFirst.get(first);
    if (at) at.push(i);
    else byFirst.set(first, [i]);
  });
  return { list, byFirst, stem };
}

const found: number[] = [];

/** The normalised text with the article's words for every member word or phrase found in it. */
export function expandSynonyms(normalized: string, synonyms: Synonyms): string {
  const tokens = words(normalized);
  if (tokens.length === 0) return normalized;
  const stems = tokens.map(synonyms.stem);
  found.length = 0;
  for (let i = 0; i < stems.length; i++) {
    const starting = synonyms.byFirst.get(stems[i]!);
    if (!starting) continue;
    for (const s of starting) {
      const phrase = synonyms.list[s]!.stems;
      if (i + phrase.length > stems.length) continue;
      let k = 1;
      while (k < phrase.length && phrase[k] === stems[i + k]) k++;
      if (k === phrase.length) found.push(s);
    }
  }
  if (found.length === 0) return normalized;
  found.sort((a, b) => a - b);
  let extra = '';
  for (let i = 0; i < found.length; i++) {
    if (i > 0 && found[i] === found[i - 1]) continue;
    extra += ` ${synonyms.list[found[i]!]!.to}`;
  }
  return normalized + extra;
}
