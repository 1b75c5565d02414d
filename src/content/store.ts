import type { Content } from '../core/content.js';
import type { ContentSource, Matcher } from '../core/ports.js';
import { type LinkUrls, loadContent } from './load.js';
import { createMatcher } from './matcher.js';
import { type TaughtPhrase, type TaughtStore, withTaught } from './taught.js';

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
    const content = await load((await options.taught?.all()) ?? []);
    return { content, matcher: createMatcher(content) as Matcher };
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
