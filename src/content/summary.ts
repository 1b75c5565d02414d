import type { Content } from '../core/content.js';

/** The line `npm run content:check` prints for valid content (the console shows the same). */
export const describeContent = (c: Content): string =>
  `content/ is valid: ${c.sections.length} sections, ${c.faq.length} FAQ entries, ${c.tips.length} tips, ` +
  `${c.community.safetyPatterns.length} safety phrases, ${c.synonyms.size} synonyms.`;
