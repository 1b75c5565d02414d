import { expandContractions, normalizeText, readable, words } from './normalize.js';

/**
 * A small pattern language for phrases members type, matched word by word on normalised text:
 * - `chest pain`: the words in a row;
 * - `suicid*`: any word starting with `suicid` ("suicide", "suicidal");
 * - `(can not|cannot|cant) breathe`: alternatives, each one or more words;
 * - `chest .. pain`: up to four other words in between ("chest is in so much pain");
 * - `=take`: this spelling only, no typo (so it never reads "make");
 * - `#`: a number of 10 or more ("took 35 of my ...": an overdose quantity, not a dose).
 * Each plain word may carry as many slips as `editsFor(word)` allows ("sucidal", "chest pian").
 * A finder reads the first `MAX_READ_CHARS` of a text (src/core/normalize.ts).
 */
type Slot =
  | { readonly kind: 'gap'; readonly max: number }
  | { readonly kind: 'alts'; readonly alts: readonly Word[][] };
interface Word {
  readonly text: string;
  readonly prefix: boolean;
  /** `=word`: this spelling only, no typo allowed (so `=take` never reads "make"). */
  readonly exact: boolean;
}

/** Compiles patterns; throws on a malformed one so content checks can report it. */
export function compilePattern(pattern: string): Slot[] {
  const slots: Slot[] = [];
  // Spelled the way normalizeText spells messages: "can't" -> "can not", "self-harm" -> "self harm".
  const source = pattern
    .toLowerCase()
    .replace(/[’‘`]/g, "'")
    .replace(/[^\s()|*.=']+'[^\s()|*.=']*/g, expandContractions)
    .replace(/['-]/g, ' ')
    .trim();
  const tokenRe = /\(([^()]*)\)|(\.\.)|([^\s()]+)/g;
  let m: RegExpExecArray | null = tokenRe.exec(source);
  while (m) {
    if (m[1] !== undefined) {
      const alts = m[1].split('|').map((alt) => alt.trim().split(/\s+/).filter(Boolean).map(toWord));
      if (alts.some((a) => a.length === 0)) throw new Error(`empty alternative in "${pattern}"`);
      slots.push({ kind: 'alts', alts });
    } else if (m[2]) {
      slots.push({ kind: 'gap', max: 4 });
    } else if (m[3]) {
      for (const w of m[3].split(/\s+/)) slots.push({ kind: 'alts', alts: [[toWord(w)]] });
    }
    m = tokenRe.exec(source);
  }
  if (/[()]/.test(source.replace(/\([^()]*\)/g, ''))) throw new Error(`unbalanced brackets in "${pattern}"`);
  if (slots.length === 0 || slots[0]!.kind === 'gap' || slots[slots.length - 1]!.kind === 'gap') {
    throw new Error(`"${pattern}" must start and end with a word`);
  }
  return slots;
}

function toWord(raw: string): Word {
  if (raw === '#') return { text: '#', prefix: false, exact: true };
  const exact = raw.startsWith('=');
  const bare = exact ? raw.slice(1) : raw;
  const prefix = bare.endsWith('*');
  const text = normalizeText(prefix ? bare.slice(0, -1) : bare).replace(/\s+/g, '');
  // "(a|b)?" or a stray "!" would otherwise become a word that can never match, silently.
  if (!text) throw new Error(`"${raw}" is not a word: the pattern language has words, *, =, (a|b) and ..`);
  return { text, prefix, exact };
}

/** A phrase finder: the first pattern (in list order) found in a message, or undefined. */
export interface PhraseFinder {
  (text: string): string | undefined;
  /** The same on words already normalised and split (`words(normalizeText(text))`): no second pass. */
  readonly inWords: (tokens: readonly string[]) => string | undefined;
}

/** A compiled slot: a gap, or alternatives each a run of word ids. */
type IdSlot = { readonly gap: number; readonly alts: readonly Int32Array[] };

/**
 * Compiles the patterns once: every distinct word becomes an id, each message word is compared
 * with the vocabulary once (and remembered), and only the patterns whose first word occurs in
 * the message are tried, on ids rather than strings.
 */
export function createPhraseFinder(
  patterns: readonly string[],
  editsFor: (word: string) => number,
): PhraseFinder {
  const vocabulary: Word[] = [];
  const ids = new Map<string, number>();
  const idOf = (w: Word): number => {
    const key = `${w.exact ? '=' : ''}${w.text}${w.prefix ? '*' : ''}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = vocabulary.length;
      vocabulary.push(w);
      ids.set(key, id);
    }
    return id;
  };
  const compiled = patterns.map((p) =>
    compilePattern(p).map(
      (slot): IdSlot =>
        slot.kind === 'gap'
          ? { gap: slot.max, alts: [] }
          : { gap: -1, alts: slot.alts.map((alt) => Int32Array.from(alt, idOf)) },
    ),
  );
  const edits = vocabulary.map((w) => (w.exact ? 0 : editsFor(w.text)));
  // Patterns by the ids their first words can take: a message is tried only on those.
  const startsWith: number[][] = vocabulary.map(() => []);
  compiled.forEach((slots, p) => {
    for (const alt of slots[0]!.alts) {
      const list = startsWith[alt[0]!]!;
      if (list[list.length - 1] !== p) list.push(p);
    }
  });

  // What a message word reads as: id * 2, plus 1 when spelled exactly as the pattern writes it.
  const readings = new Map<string, Int32Array>();
  const scratch: number[] = [];
  const readingsOf = (token: string): Int32Array => {
    let found = readings.get(token);
    if (found) return found;
    scratch.length = 0;
    for (let id = 0; id < vocabulary.length; id++) {
      const w = vocabulary[id]!;
      const exactly =
        w.text === '#'
          ? /^\d{2,}$/.test(token) && Number(token) >= 10
          : w.prefix
            ? token.startsWith(w.text)
            : token === w.text;
      if (exactly) scratch.push(id * 2 + 1);
      else if (edits[id]! > 0 && similar(token, w, edits[id]!)) scratch.push(id * 2);
    }
    found = Int32Array.from(scratch);
    // Members write an open-ended vocabulary: forget it all now and then rather than grow forever.
    if (readings.size >= 50_000) readings.clear();
    readings.set(token, found);
    return found;
  };

  // 0: the word does not read as id; 1: it does, with a slip; 2: it does, spelled exactly.
  const reads = (r: Int32Array, id: number): number => {
    for (let i = 0; i < r.length; i++) if (r[i]! >> 1 === id) return 1 + (r[i]! & 1);
    return 0;
  };

  // A phrase of several words needs one of them spelled right: with a slip allowed in every
  // word, everyday words read as an emergency ("last night" as "lost sight").
  const matchAt = (
    tokens: readonly Int32Array[],
    slots: readonly IdSlot[],
    s: number,
    t: number,
    count: number,
    exact: boolean,
  ): boolean => {
    if (s === slots.length) return exact || count === 1;
    const slot = slots[s]!;
    if (slot.gap >= 0) {
      for (let skip = 0; skip <= slot.gap && t + skip <= tokens.length; skip++) {
        if (matchAt(tokens, slots, s + 1, t + skip, count, exact)) return true;
      }
      return false;
    }
    for (const alt of slot.alts) {
      if (t + alt.length > tokens.length) continue;
      let ok = true;
      let anyExact = exact;
      for (let k = 0; k < alt.length && ok; k++) {
        const how = reads(tokens[t + k]!, alt[k]!);
        if (how === 0) ok = false;
        else if (how === 2) anyExact = true;
      }
      if (ok && matchAt(tokens, slots, s + 1, t + alt.length, count + alt.length, anyExact)) return true;
    }
    return false;
  };

  // Where each pattern may start: (pattern << 20) | position, for the positions whose word reads
  // as one of the pattern's first words. Sorted, the first pattern in list order wins, as written.
  // A word each pattern cannot do without (a later slot with one way to fill it), or -1: a pattern
  // whose anchor is absent is out at once, before the full fillable check.
  const anchor = Int32Array.from(compiled, (slots) => {
    for (let j = slots.length - 1; j > 0; j--) {
      const only = slots[j]!.alts.length === 1 ? slots[j]!.alts[0]! : undefined;
      if (only) return only[only.length - 1]!;
    }
    return -1;
  });
  // A typed array sorts numbers without a comparator call per comparison.
  let starts = new Float64Array(256);
  const present = new Uint8Array(vocabulary.length);
  // Whether every slot of a pattern can be filled by the words present: no closure per slot.
  // Read from the last slot: the first one is filled (that is why the pattern is tried).
  const viable = (slots: readonly IdSlot[]): boolean => {
    for (let j = slots.length - 1; j >= 0; j--) {
      const slot = slots[j]!;
      if (slot.gap >= 0) continue;
      let any = false;
      for (const alt of slot.alts) {
        let all = true;
        for (let k = 0; k < alt.length; k++)
          if (present[alt[k]!] !== 1) {
            all = false;
            break;
          }
        if (all) {
          any = true;
          break;
        }
      }
      if (!any) return false;
    }
    return true;
  };
  const inWords = (tokens: readonly string[]): string | undefined => {
    const read = tokens.map(readingsOf);
    let count = 0;
    const positions = Math.min(read.length, 1 << 20);
    for (let t = 0; t < positions; t++) {
      const r = read[t]!;
      for (let i = 0; i < r.length; i++)
        for (const p of startsWith[r[i]! >> 1]!) {
          if (count === starts.length) {
            const grown = new Float64Array(count * 2);
            grown.set(starts);
            starts = grown;
          }
          starts[count++] = p * (1 << 20) + t;
        }
    }
    if (count === 0) return undefined;
    const sorted = starts.subarray(0, count).sort();
    for (const r of read) for (let i = 0; i < r.length; i++) present[r[i]! >> 1] = 1;
    let found: string | undefined;
    let last = -1;
    let lastPattern = -1;
    let fillable = false;
    for (const start of sorted) {
      if (start === last) continue;
      last = start;
      const p = Math.floor(start / (1 << 20));
      // Most patterns fail for want of a later word: check every slot can be filled before trying.
      if (p !== lastPattern) {
        lastPattern = p;
        const a = anchor[p]!;
        fillable = (a < 0 || present[a] === 1) && viable(compiled[p]!);
      }
      if (fillable && matchAt(read, compiled[p]!, 0, start % (1 << 20), 0, false)) {
        found = patterns[p];
        break;
      }
    }
    for (const r of read) for (let i = 0; i < r.length; i++) present[r[i]! >> 1] = 0;
    return found;
  };
  const find = ((text: string) => inWords(words(normalizeText(readable(text))))) as PhraseFinder;
  return Object.assign(find, { inWords });
}

/** Whether a message word is the pattern word with at most `max` slips (a prefix word: its start). */
function similar(token: string, w: Word, max: number): boolean {
  if (!w.prefix) return editDistanceWithin(token, token.length, w.text, max);
  for (let len = w.text.length - max; len <= w.text.length + max; len++) {
    if (len > 0 && len <= token.length && editDistanceWithin(token, len, w.text, max)) return true;
  }
  return false;
}

// Three rows of optimal-string-alignment distance, reused for every comparison: no allocation.
let rowA = new Int32Array(64);
let rowB = new Int32Array(64);
let rowC = new Int32Array(64);

/**
 * Optimal-string-alignment distance between the first `aLen` letters of `a` and `b`, at most `max`
 * (a swap of neighbouring letters, "pian" for "pain", is one edit); stops once every cell exceeds it.
 */
export function editDistanceWithin(a: string, aLen: number, b: string, max: number): boolean {
  const bLen = b.length;
  if (Math.abs(aLen - bLen) > max) return false;
  if (bLen + 1 > rowA.length) {
    rowA = new Int32Array(bLen + 1);
    rowB = new Int32Array(bLen + 1);
    rowC = new Int32Array(bLen + 1);
  }
  let prev2 = rowA; // row i - 2
  let prev = rowB; // row i - 1
  let cur = rowC;
  for (let j = 0; j <= bLen; j++) prev[j] = j;
  for (let i = 1; i <= aLen; i++) {
    cur[0] = i;
    let best = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j <= bLen; j++) {
      const bj = b.charCodeAt(j - 1);
      let d = prev[j - 1]! + (ai === bj ? 0 : 1);
      if (prev[j]! + 1 < d) d = prev[j]! + 1;
      if (cur[j - 1]! + 1 < d) d = cur[j - 1]! + 1;
      if (
        i > 1 &&
        j > 1 &&
        ai === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === bj &&
        prev2[j - 2]! + 1 < d
      ) {
        d = prev2[j - 2]! + 1;
      }
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return false;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  return prev[bLen]! <= max;
}
