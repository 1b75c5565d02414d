import type { Content } from '../core/content.js';
import type { ContentSource, Matcher } from '../core/ports.js';
import { type LinkUrls, loadContent } from './load.js';
import { createMatcher } from './matcher.js';
import { type TaughtPhrase, type TaughtStore, taughtWording, withTaught } from './taught.js';

/**
 * A moderator's word is final: a taught wording asked again gets the entry it was taught as,
 * whatever the ranking thinks (and a wording taught as "not covered" gets no answer).
 */
function withTaughtAnswers(matcher: Matcher, content: Content, taught: readonly TaughtPhrase[]): Matcher {
  const byWording = new Map<string, TaughtPhrase['target']>();
  for (const t of taught) {
    if (t.target.type === 'faq' && !content.faq.some((e) => e.id === (t.target as { id: string }).id))
      continue;
    byWording.set(taughtWording(t.text), t.target);
  }
  if (byWording.size === 0) return matcher;
  return {
    search(text) {
      const target = byWording.get(taughtWording(text.slice(0, 1_000)));
      if (!target) return matcher.search(text);
      if (target.type === 'not_covered') return { decision: 'none', candidates: [], coverage: 0 };
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
      await load([...(await options.taught.all()), phrase]);
      await options.taught.add(phrase);
    },
  };
}
