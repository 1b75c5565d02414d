/** `npm run content:check`: validates content/ without starting the bot. */
import path from 'node:path';
import { ContentError } from './errors.js';
import { loadContent } from './load.js';

const dir = path.resolve(process.argv[2] ?? 'content');
try {
  const c = await loadContent(dir);
  console.log(
    `content/ is valid: ${c.sections.length} sections, ${c.faq.length} FAQ entries, ${c.tips.length} tips, ` +
      `${c.community.safetyPatterns.length} safety phrases, ${c.synonyms.size} synonyms.`,
  );
} catch (err) {
  if (!(err instanceof ContentError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
