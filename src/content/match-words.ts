/**
 * The matcher's word handling: stop words and everyday words, stemming, the community's
 * synonyms, and how much of a question's topic the best candidate covers.
 */
import { stemmer as porter } from 'stemmer';
import { allowedEdits, normalizeText, withinEdits, words } from '../core/normalize.js';

/**
 * Words that carry no topic. Question words stay out of this list where they tell
 * questions apart ("how long", "who", "which foods").
 */
export const STOPWORDS = new Set(
  `a an the and or but if of to in on at by for from with about as into than then so too very just also
  i me my mine we our you your he she it its they them their this that these those there here
  is am are was were be been being do does did doing have has had having will would shall should can could may might must
  what whats when where why which whom whose how
  not no yes ok okay please thanks thank hi hello hey guys everyone anyone someone all any some
  get got go going know think really much many lot lots thing things stuff like want need
  im ive id dont doesnt didnt cant isnt arent wasnt u ur pls plz`.split(/\s+/),
);

/**
 * Everyday words that may rank answers but never justify one alone: "tell me a joke"
 * or "what time is it in New York" share a word or two with the FAQ, but no topic.
 */
export const GENERIC = new Set(
  `who time times day days week year years today tonight tomorrow yesterday morning night evening new old good bad best worse
  better great little big small long short high low right left first last next many more most less least few own other
  same different sure safe true real actual actually still even ever never always sometimes often usually
  tell say said ask asked give take took make made come came see look looking find found use used try tried keep kept
  let put seem seems work works working help helps helped feel feeling felt start started stop mean means show call
  people person man woman guy friend friends family mum mom dad son daughter partner husband wife home house place
  thing way part kind type sort lot bit end point case fact number world life hand word question answer problem
  idea reason example story news game match film movie series show book music song weather phone iphone computer
  car money price shop buy sell pay job school class homework maths math joke jokes fun funny nice cool happy sad
  love hate watch play read write send post group chat message recommend recommendation anyone someone everyone`.split(
    /\s+/,
  ),
);

const stems = new Map<string, string>();

/** Porter's stemmer, so "deficient" meets "deficiency" and "tested" meets "testing"; memoised. */
export function stem(word: string): string {
  if (word.length <= 3) return word;
  let s = stems.get(word);
  if (s === undefined) {
    s = /\d/.test(word) ? word : porter(word);
    if (stems.size >= 50_000) stems.clear();
    stems.set(word, s);
  }
  return s;
}

/** A phrasing's topic words in order, stemmed, "vitamin b12" read as "b12": how it is asked, minus filler. */
export function phrasingKey(normalized: string): string {
  return words(normalized.replace(/\bvitamin b12\b/g, 'b12'))
    .filter((w) => !STOPWORDS.has(w))
    .map(stem)
    .join(' ');
}

/** A synonym with its member phrase already stemmed (` foo bar `), so a query only compares strings. */
export interface Synonym {
  readonly stems: string;
  readonly to: string;
}

export function prepareSynonyms(map: ReadonlyMap<string, string>): Synonym[] {
  return (
    [...map.entries()]
      .map(([from, to]) => [normalizeText(from), normalizeText(to)] as const)
      .sort((a, b) => b[0].length - a[0].length)
      .map(([from, to]) => ({ stems: ` ${words(from).map(stem).join(' ')} `, to }))
      // "b-12" -> "b12" reads "b12" -> "b12" once normalised: it would only count the word again.
      .filter((s) => !words(s.to).every((w) => s.stems.includes(` ${stem(w)} `)))
  );
}

/** Adds the article's words for every member word or phrase found; words compare by stem ("foods" meets "food"). */
export function expand(normalized: string, synonyms: readonly Synonym[]): string {
  const stems = words(normalized).map(stem);
  const stemmed = ` ${stems.join(' ')} `;
  // Only the synonyms whose first word the message holds can match: a lookup per word instead of
  // a scan of every synonym. Appended in the list's order (longest phrase first), as a scan would.
  const { byFirst, always } = firstWords(synonyms);
  const found: number[] = [...always];
  for (const w of new Set(stems))
    for (const i of byFirst.get(w) ?? []) if (stemmed.includes(synonyms[i]!.stems)) found.push(i);
  if (found.length === 0) return normalized;
  found.sort((a, b) => a - b);
  let extra = '';
  for (const i of found) extra += ` ${synonyms[i]!.to}`;
  return normalized + extra;
}

interface FirstWordIndex {
  readonly byFirst: ReadonlyMap<string, readonly number[]>;
  /** Synonyms with no word of their own (they match every message). */
  readonly always: readonly number[];
}

const firstWordIndexes = new WeakMap<readonly Synonym[], FirstWordIndex>();

/** Synonym positions by the first stemmed word of their phrase, built once per synonym list. */
function firstWords(synonyms: readonly Synonym[]): FirstWordIndex {
  const known = firstWordIndexes.get(synonyms);
  if (known) return known;
  const byFirst = new Map<string, number[]>();
  const always: number[] = [];
  synonyms.forEach((s, i) => {
    const first = s.stems.trim().split(' ')[0] ?? '';
    if (first === '') always.push(i);
    else byFirst.set(first, [...(byFirst.get(first) ?? []), i]);
  });
  const index = { byFirst, always };
  firstWordIndexes.set(synonyms, index);
  return index;
}

function someClose(a: string, set: ReadonlySet<string>): boolean {
  for (const m of set) if (closeEnough(a, m)) return true;
  return false;
}

function closeEnough(a: string, b: string): boolean {
  if (a === b) return true;
  if (a.length >= 5 && b.length >= 5 && (a.startsWith(b) || b.startsWith(a))) return true;
  return withinEdits(a, b, Math.min(allowedEdits(a), allowedEdits(b)));
}

/** How much of a question's topic a candidate covers. */
export interface Coverage {
  /** Weighted share of the topic words the candidate matched (0-1). */
  readonly share: number;
  /** Whether a matched word is more than an everyday word. */
  readonly evidence: boolean;
}

/**
 * Measures topic coverage against the content's vocabulary: each stemmed word's document
 * frequency says how specific it is; a member's word is read as itself, a typo-corrected
 * vocabulary word or its synonyms.
 */
export function createCoverage(
  texts: readonly string[],
  synonyms: readonly Synonym[],
  unknownShare: number,
): (topicWords: readonly string[], matchedTerms: readonly string[]) => Coverage {
  const docFreq = new Map<string, number>();
  for (const text of texts) {
    const seen = new Set(
      words(normalizeText(text))
        .filter((w) => !STOPWORDS.has(w))
        .map(stem),
    );
    for (const w of seen) docFreq.set(w, (docFreq.get(w) ?? 0) + 1);
  }
  const vocabulary = [...docFreq.keys()];
  const idf = (df: number) => Math.log(1 + texts.length / df);
  const maxIdf = idf(1);

  const readingsCache = new Map<string, string[]>();
  const computeReadings = (word: string): string[] => {
    const own = stem(word);
    const out = new Set<string>([
      own,
      ...words(expand(word, synonyms))
        .filter((w) => w !== word)
        .map(stem),
    ]);
    if (!docFreq.has(own)) for (const v of vocabulary) if (closeEnough(own, v)) out.add(v);
    return [...out];
  };
  /** The stems a member's word may stand for: itself, a typo-corrected vocabulary word, its synonyms. */
  const readings = (word: string): string[] => {
    const cached = readingsCache.get(word);
    if (cached) return cached;
    const result = computeReadings(word);
    if (readingsCache.size >= 5_000) readingsCache.clear();
    readingsCache.set(word, result);
    return result;
  };

  return (topicWords, matchedTerms) => {
    // A word the content never uses ("pregabalin", "acupuncture") weighs heavily: the question is
    // about something the article does not cover. Long messages carry context ("my gp said...")
    // that is not the question: unknown words weigh less there.
    const matched = new Set(matchedTerms);
    const unknownWeight = maxIdf * unknownShare * Math.min(1, 6 / topicWords.length);
    let total = 0;
    let covered = 0;
    let evidence = false;
    for (const w of topicWords) {
      const alts = readings(w);
      let weight = -1;
      for (const a of alts) {
        const df = docFreq.get(a);
        if (df !== undefined) weight = Math.max(weight, idf(df));
      }
      if (weight < 0) weight = unknownWeight;
      total += weight;
      if (alts.some((a) => matched.has(a) || someClose(a, matched))) {
        covered += weight;
        if (!GENERIC.has(w)) evidence = true;
      }
    }
    return { share: total === 0 ? 0 : covered / total, evidence };
  };
}
