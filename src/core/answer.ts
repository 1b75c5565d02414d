import type { Content } from './content.js';
import { normalizeText, readable, words } from './normalize.js';
import type { Candidate, Matcher } from './ports.js';
import { fallbackReply, faqAnswer, menuButtons, passageAnswer, simple } from './replies.js';
import { bold, para } from './text.js';
import type { Button, Reply } from './types.js';

/** Messages longer than this are answered from their beginning (a question is rarely longer). */
export const MAX_QUESTION_CHARS = 2_000;

export type FreeTextOutcome =
  | { readonly type: 'answer'; readonly reply: Reply }
  | { readonly type: 'suggest'; readonly reply: Reply }
  | { readonly type: 'greeting'; readonly reply: Reply }
  | { readonly type: 'smalltalk'; readonly reply: Reply }
  | { readonly type: 'empty'; readonly reply: Reply }
  | { readonly type: 'none'; readonly reply: Reply };

const SMALLTALK = new Set(
  'thanks thank thx ty cheers ok okay k kk cool great nice lol lmao haha hahaha yes no yep nope sure bye goodbye good night gn'.split(
    ' ',
  ),
);

/** Answers free text from the content: greeting, small talk, answer, suggestions or fallback. */
export function answerFreeText(content: Content, matcher: Matcher, text: string): FreeTextOutcome {
  const question = text.slice(0, MAX_QUESTION_CHARS);
  const normalized = normalizeText(question);
  const tokens = words(normalized);
  if (tokens.length === 0) {
    return {
      type: 'empty',
      reply: simple(
        'fallback',
        'Your message had no words I can read. Ask me a question, or send /help.',
        menuButtons,
      ),
    };
  }
  const result = matcher.search(question);
  const best = result.candidates[0];
  if (result.decision === 'answer' && best) {
    const reply = replyFor(content, best);
    if (reply) return { type: 'answer', reply };
  }
  // Checked after a confident answer, so "hi, can b12 cure fibro?" is answered, not greeted.
  if (isGreeting(content, normalized, tokens)) {
    return { type: 'greeting', reply: simple('welcome', content.community.greeting, menuButtons) };
  }
  if (tokens.every((t) => SMALLTALK.has(t))) {
    return {
      type: 'smalltalk',
      reply: simple('fallback', 'Glad to help. Ask me anything about B12 and fibromyalgia, or send /faq.'),
    };
  }
  if (result.decision !== 'none' && result.candidates.length > 0) {
    return { type: 'suggest', reply: suggestions(result.candidates) };
  }
  return { type: 'none', reply: fallbackReply(content) };
}

/** The reply for a matched target. */
export function replyFor(
  content: Content,
  candidate: Pick<Candidate, 'target' | 'score'>,
): Reply | undefined {
  const t = candidate.target;
  if (t.type === 'faq') {
    const entry = content.faq.find((e) => e.id === t.id);
    return entry && faqAnswer(content, entry, candidate.score);
  }
  const section = content.sections[t.section - 1];
  return section && passageAnswer(content, section, t.paragraph, candidate.score);
}

function suggestions(candidates: readonly Candidate[]): Reply {
  const buttons: Button[] = candidates.slice(0, 3).map((c) => ({
    label: c.target.type === 'faq' ? c.label : `Read: ${c.label}`,
    data: c.target.type === 'faq' ? `faq:${c.target.id}` : `psg:${c.target.section}:${c.target.paragraph}`,
  }));
  return {
    kind: 'suggestions',
    paragraphs: [
      para(bold('Did you mean:')),
      para(buttons.map((b, i) => `${i + 1}. ${b.label}`).join('\n')),
      para('Pick one, or ask again in other words.'),
    ],
    buttons,
  };
}

/** A greeting alone, or with a few words around it ("hi everyone", "bonjour à tous"). */
function isGreeting(content: Content, normalized: string, tokens: readonly string[]): boolean {
  if (tokens.length > 5) return false;
  return normalizedGreetings(content.community.greetings).some(
    (greeting) => normalized === greeting || normalized.startsWith(`${greeting} `),
  );
}

// Normalised once per content load, not once per message.
const greetingsCache = new WeakMap<readonly string[], readonly string[]>();
function normalizedGreetings(greetings: readonly string[]): readonly string[] {
  let out = greetingsCache.get(greetings);
  if (!out) {
    out = greetings.map(normalizeText).filter((g) => g !== '');
    greetingsCache.set(greetings, out);
  }
  return out;
}

const QUESTION_START =
  /^(who|what|whats|when|where|why|which|how|can|could|should|shall|is|are|am|does|do|did|will|would|has|have|any|anyone|anybody|has anyone|is there|tell me|explain|please)\b/;

/** In a group, free text that reads as a question to the bot (others' chatter is left alone). */
export function readsAsQuestion(text: string): boolean {
  const trimmed = readable(text).trim();
  if (trimmed.endsWith('?')) return true;
  const normalized = normalizeText(trimmed);
  return (
    QUESTION_START.test(normalized) || /\b(anyone know|does anyone|i wonder|wondering)\b/.test(normalized)
  );
}
