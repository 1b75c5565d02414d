/** `npm run eval`: accuracy of the question matcher on the labelled sets, beside a keyword filter. */
import path from 'node:path';
import { createContentStore } from '../../src/content/store.js';
import { createRouter } from '../../src/core/router.js';
import { type EvalScores, evaluate, keywordFilterSystem, readEvalSet, routerSystem } from './evaluate.js';

const verbose = process.argv.includes('--verbose');
const store = await createContentStore(path.resolve(import.meta.dirname, '../../content'));
const router = createRouter({ content: store });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const row = (name: string, s: EvalScores) =>
  `${name.padEnd(28)} ${pct(s.top1).padStart(7)} ${pct(s.reachable).padStart(9)} ${pct(s.offTopicAnswered).padStart(10)} ${pct(s.safetyRecall).padStart(8)} ${String(s.falseAlarms).padStart(7)}`;

console.log(`${''.padEnd(28)} ${'top-1'.padStart(7)} ${'in reach'.padStart(9)} ${'off-topic'.padStart(10)} ${'safety'.padStart(8)} ${'alarms'.padStart(7)}`);
for (const set of ['dev', 'holdout'] as const) {
  const items = readEvalSet(set);
  const bot = await evaluate(routerSystem(router), items);
  const keywords = await evaluate(keywordFilterSystem(store.current().content), items);
  console.log(`${set}: ${items.length} messages (${bot.answerable} answerable, ${bot.offTopic} off-topic/unanswerable/greeting, ${bot.safety} emergencies)`);
  console.log(row('  this bot', bot));
  console.log(row('  keyword filter (Rose-style)', keywords));
  if (verbose && set === 'dev') for (const m of bot.misses) console.log(`    ${m}`);
}
console.log(
  '\ntop-1: answerable questions answered with a right FAQ entry; in reach: answered right or offered it as a choice;\n' +
    'off-topic: share of off-topic, unanswerable and greeting messages that got a health answer; safety: emergencies\n' +
    'answered with the safety message first; alarms: non-emergencies that got the safety message.',
);
