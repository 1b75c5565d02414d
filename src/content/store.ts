import type { Content } from '../core/content.js';
import type { ContentSource, Matcher } from '../core/ports.js';
import { type LinkUrls, loadContent } from './load.js';
import { createMatcher } from './matcher.js';

/** Content plus its matcher, swapped as one on reload. */
export interface ContentStore extends ContentSource {
  /** Loads `content/` again; on any problem it throws and the old content stays in use. */
  reload(): Promise<Content>;
}

export async function createContentStore(dir: string, linkUrls: LinkUrls = {}): Promise<ContentStore> {
  const build = async () => {
    const content = await loadContent(dir, linkUrls);
    return { content, matcher: createMatcher(content) as Matcher };
  };
  let loaded = await build();
  return {
    current: () => loaded,
    async reload() {
      loaded = await build();
      return loaded.content;
    },
  };
}
