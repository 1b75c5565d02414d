import type { Content, Section } from '../core/content.js';
import { normalizeText, words } from '../core/normalize.js';
import type { ContentSource, Matcher } from '../core/ports.js';
import { type LinkUrls, loadContent } from './load.js';
import { createMatcher } from './matcher.js';
import { type TaughtPhrase, type TaughtStore, taughtWording, withTaught } from './taught.js';

/** The paragraph of `section` that shares the most words with the question (the first if none). */
function bestParagraph(section: Section, text: string): number {
  const asked = new Set(words(normalizeText(text)).filter((w) => w.length > 3));
  let best = 0;
  let bestShared = 0;
  section.texts.forEach((t, i) => {
    const shared = new Set(words(normalizeText(t)).filter((w) => asked.has(w))).size;
    if (shared > bestShared) [best, bestShared] = [i, shared];
  });
  return best;
}

type Taught = { type: 'faq'; id: string } | { type: 'section'; section: number } | { type: 'not_covered' };

/**
 * A moderator's word is final: a taught wording asked again gets the entry or section it was
 * taught as, whatever the ranking thinks (and a wording taught as "not covered" gets no answer).
 * Section wordings come from the content (section-phrasings.yaml with the taught ones laid over
 * it), so they hold after `npm run content:export` too.
 */
function withTaughtAnswers(matcher: Matcher, content: Content, taught: readonly TaughtPhrase[]): Matcher {
  const byWording = new Map<string, Taught>();
  for (const p of content.sectionPhrasings ?? [])
    byWording.set(p.text, { type: 'section', section: p.section });
  for (const t of taught) {
    const target = t.target;
    if (target.type === 'section') continue;
    if (target.type === 'faq' && !content.faq.some((e) => e.id === target.id)) continue;
    byWording.set(taughtWording(t.text), target);
  }
  if (byWording.size === 0) return matcher;
  return {
    search(text) {
      const target = byWording.get(taughtWording(text.slice(0, 1_000)));
      if (!target) return matcher.search(text);
      if (target.type === 'not_covered') return { decision: 'none', candidates: [], coverage: 0 };
      if (target.type === 'section') {
        const section = content.sections[target.section - 1]!;
        const paragraph = bestParagraph(section, text);
        return {
          decision: 'answer',
          candidates: [
            {
              target: { type: 'passage', section: section.number, paragraph },
              score: Number.MAX_SAFE_INTEGER,
              label: section.title,
            },
          ],
          coverage: 1,
        };
      }
      const entry = content.faq.find((e) => e.id === target.id)!;
      return {
        decision: 'answer',
        candidates: [
          { target: { type: 'faq', id: entry.id }, score: Number.MAX_SAFE_INTEGER, label: entry.question },
        ],
        coverage: 1,
      };
    },
  };
}

/** Content plus its matcher, swapped as one on reload. */
export interface ContentStore extends ContentSource {
  /** Loads `content/` again; on any problem it throws and the old content stays in use. */
  reload(): Promise<Content>;
  /**
   * Checks that the content with `phrase` taught is valid (the same validator as the files), then
   * keeps the phrase. Throws ContentError (nothing kept) when it is not. Reload afterwards to use it.
   */
  teach(phrase: TaughtPhrase): Promise<void>;
}

export interface ContentStoreOptions {
  /** Phrasings moderators taught (laid over faq.yaml and not-covered.yaml at every load). */
  readonly taught?: TaughtStore;
}

export async function createContentStore(
  dir: string,
  linkUrls: LinkUrls = {},
  options: ContentStoreOptions = {},
): Promise<ContentStore> {
  const load = async (taught: readonly TaughtPhrase[]) =>
    loadContent(dir, linkUrls, taught.length ? (file, src) => withTaught(file, src, taught) : undefined);
  const build = async () => {
    const taught = (await options.taught?.all()) ?? [];
    const content = await load(taught);
    return { content, matcher: withTaughtAnswers(createMatcher(content), content, taught) };
  };
  let loaded = await build();
  return {
    current: () => loaded,
    async reload() {
      loaded = await build();
      return loaded.content;
    },
    async teach(phrase) {
      if (!options.taught) throw new Error('teaching needs a store for taught phrasings');
      // Taught again, a wording replaces what it was taught as before.
      const others = (await options.taught.all()).filter(
        (t) => taughtWording(t.text) !== taughtWording(phrase.text),
      );
      await load([...others, phrase]);
      await options.taught.add(phrase);
    },
  };
}
