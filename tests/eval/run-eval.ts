/** `npm run eval`: accuracy of the question matcher on the labelled sets, beside a keyword filter. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { createContentStore } from '../../src/content/store.js';
import { createRouter } from '../../src/core/router.js';
import {
  EVAL_SETS,
  type EvalScores,
  evaluate,
  keywordFilterSystem,
  readEvalSet,
  routerSystem,
} from './evaluate.js';

const verbose = process.argv.includes('--verbose');
const store = await createContentStore(path.resolve(import.meta.dirname, '../../content'));
const router = createRouter({ content: store });
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const columns: [string, (s: EvalScores) => string][] = [
  ['top-1', (s) => pct(s.top1)],
  ['answered', (s) => pct(s.answered)],
  ['wrong', (s) => pct(s.wrongAnswers)],
  ['in reach', (s) => pct(s.reachable)],
  ['off-topic', (s) => pct(s.offTopicAnswered)],
  ['safety', (s) => pct(s.safetyRecall)],
  [
    'alarms',
    (s) => `${s.falseAlarms}/${s.nonEmergencies} (${pct(s.falseAlarms / Math.max(1, s.nonEmergencies))})`,
  ],
];
const width = (h: string) => (h === 'alarms' ? 16 : h.length + 3);
const row = (name: string, s: EvalScores) =>
  `${name.padEnd(30)}${columns.map(([h, f]) => f(s).padStart(width(h))).join('')}`;

console.log(`${''.padEnd(30)}${columns.map(([h]) => h.padStart(width(h))).join('')}`);
const content = store.current().content;
// blind.jsonl was written from the article alone and frozen before tuning: its misses are never
// printed, so nobody tunes on them. --verbose lists the misses of dev and own (tuning sets) only.
for (const set of EVAL_SETS) {
  if (!existsSync(path.join(import.meta.dirname, `${set}.jsonl`))) continue;
  const items = readEvalSet(set);
  const bot = await evaluate(routerSystem(router), items, content);
  const keywords = await evaluate(keywordFilterSystem(content), items, content);
  const alarming = bot.alarming
    ? `, ${bot.alarming} alarming but safe: ${bot.alarmingAlarms} alarmed, ${bot.alarmingCautioned} cautioned`
    : '';
  console.log(
    `${set}: ${items.length} messages (${bot.answerable} answerable, ${bot.offTopic} off-topic/unanswerable/greeting, ${bot.safety} emergencies${alarming})`,
  );
  console.log(row('  this bot', bot));
  console.log(row('  keyword filter (Rose-style)', keywords));
  if (verbose && (set === 'dev' || set === 'own')) for (const m of bot.misses) console.log(`    ${m}`);
}
console.log(
  '\ntop-1: answerable questions where the first entry the bot puts forward (its answer, or its first "did you mean"\n' +
    'choice) is right; answered / wrong: answered outright with a right / wrong entry; in reach: right entry answered or\n' +
    'among the choices; off-topic: share of off-topic, unanswerable and greeting messages that got a health answer;\n' +
    'safety: emergencies answered with the safety message first; alarms: non-emergencies that got the safety message.\n' +
    'blind: written from the article alone and frozen before tuning; a right answer may also be the article passage\n' +
    'that holds the answering sentence (its "quote").',
);
