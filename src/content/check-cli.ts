/** `npm run content:check`: validates content/ without starting the bot. */
import path from 'node:path';
import { ContentError } from './errors.js';
import { loadContent } from './load.js';
import { describeContent } from './summary.js';

const dir = path.resolve(process.argv[2] ?? 'content');
try {
  const c = await loadContent(dir);
  console.log(describeContent(c));
} catch (err) {
  if (!(err instanceof ContentError)) throw err;
  console.error(err.message);
  process.exitCode = 1;
}
