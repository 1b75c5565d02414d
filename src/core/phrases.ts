import { expandContractions, normalizeText, readable, withinEdits, words } from './normalize.js';

/**
 * A small pattern language for phrases members type, matched word by word on normalised text:
 * - `chest pain`: the words in a row;
 * - `suicid*`: any word starting with `suicid` ("suicide", "suicidal");
 * - `(can not|cannot|cant) breathe`: alternatives, each one or more words;
 * - `chest .. pain`: up to four other words in between ("chest is in so much pain");
 * - `=take`: this spelling only, no typo (so it never reads "make").
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
  const exact = raw.startsWith('=');
  const bare = exact ? raw.slice(1) : raw;
  const prefix = bare.endsWith('*');
  const text = normalizeText(prefix ? bare.slice(0, -1) : bare).replace(/\s+/g, '');
  // "(a|b)?" or a stray "!" would otherwise become a word that can never match, silently.
  if (!text) throw new Error(`"${raw}" is not a word: the pattern language has words, *, =, (a|b) and ..`);
  return { text, prefix, exact };
}

export function createPhraseFinder(
  patterns: readonly string[],
  editsFor: (word: string) => number,
): (text: string) => string | undefined {
  const compiled = patterns.map((p) => ({ pattern: p, slots: compilePattern(p) }));
  /** Whether a message's word reads as a pattern word. */
  const sameUncached = (token: string, w: Word): boolean => {
    if (w.exact) return w.prefix ? token.startsWith(w.text) : token === w.text;
    const edits = editsFor(w.text);
    if (w.prefix) {
      if (token.startsWith(w.text)) return true;
      if (edits === 0 || token.length < w.text.length - edits) return false;
      for (let len = w.text.length - edits; len <= w.text.length + edits; len++) {
        if (len > 0 && len <= token.length && withinEdits(token.slice(0, len), w.text, edits)) return true;
      }
      return false;
    }
    return token === w.text || withinEdits(token, w.text, edits);
  };
  const exactly = (token: string, w: Word): boolean =>
    w.prefix ? token.startsWith(w.text) : token === w.text;
  // A phrase of several words needs one of them spelled right: with a slip allowed in every
  // word, everyday words read as an emergency ("last night" as "lost sight").
  const matchAt = (
    tokens: readonly string[],
    slots: readonly Slot[],
    s: number,
    t: number,
    seen = { words: 0, exact: false },
  ): boolean => {
    if (s === slots.length) return seen.exact || seen.words === 1;
    const slot = slots[s]!;
    if (slot.kind === 'gap') {
      for (let skip = 0; skip <= slot.max && t + skip <= tokens.length; skip++) {
        if (matchAt(tokens, slots, s + 1, t + skip, seen)) return true;
      }
      return false;
    }
    return slot.alts.some(
      (alt) =>
        t + alt.length <= tokens.length &&
        alt.every((w, k) => same(tokens[t + k]!, w)) &&
        matchAt(tokens, slots, s + 1, t + alt.length, {
          words: seen.words + alt.length,
          exact: seen.exact || alt.some((w, k) => exactly(tokens[t + k]!, w)),
        }),
    );
  };
  // A long message repeats its words: each (word, pattern word) pair is compared once per message.
  let seenPairs = new Map<Word, Map<string, boolean>>();
  const same = (token: string, w: Word): boolean => {
    let known = seenPairs.get(w);
    if (!known) {
      known = new Map();
      seenPairs.set(w, known);
    }
    let answer = known.get(token);
    if (answer === undefined) {
      answer = sameUncached(token, w);
      known.set(token, answer);
    }
    return answer;
  };
  // Where each pattern may start: the first words of its first slot. They are compared once
  // per distinct word of a message, so a long message costs (its distinct words × these words),
  // not (its words × every pattern).
  const starters = new Map<string, { word: Word; patterns: number[] }>();
  compiled.forEach(({ slots }, p) => {
    const first = slots[0];
    if (first?.kind !== 'alts') return; // compilePattern makes every pattern start with a word
    for (const alt of first.alts) {
      const w = alt[0]!;
      const key = `${w.exact ? '=' : ''}${w.text}${w.prefix ? '*' : ''}`;
      const entry = starters.get(key) ?? { word: w, patterns: [] };
      entry.patterns.push(p);
      starters.set(key, entry);
    }
  });
  return (text: string) => {
    const tokens = words(normalizeText(readable(text)));
    seenPairs = new Map();
    const positions = new Map<string, number[]>();
    tokens.forEach((token, i) => {
      const at = positions.get(token);
      if (at) at.push(i);
      else positions.set(token, [i]);
    });
    const starts: number[][] = compiled.map(() => []);
    for (const [token, at] of positions) {
      for (const { word, patterns } of starters.values()) {
        if (sameUncached(token, word)) for (const p of patterns) starts[p]!.push(...at);
      }
    }
    // Patterns in their listed order, as before: the first listed pattern found is the answer.
    for (const [p, { pattern, slots }] of compiled.entries()) {
      for (const i of starts[p]!) if (matchAt(tokens, slots, 0, i)) return pattern;
    }
    return undefined;
  };
}
