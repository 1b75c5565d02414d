/**
 * `npx tsx scripts/safety-measure.ts EMERGENCIES.txt NOT-EMERGENCIES.txt [--list]`: how the grader
 * (patterns, context rules and the committed model, as the router uses them) does on a pair of
 * labelled files, per `# kind` section: emergencies caught, false alarms, cautions.
 * `--list` also prints each miss and each alarm with the verdict's reason.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { loadContent } from '../src/content/load.js';
import { createSafetyGrader } from '../src/core/safety.js';

/** The messages of a file, grouped by the `# kind` line above them. */
function sections(file: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let kind = '(none)';
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    if (line.startsWith('#')) {
      kind = line.replace(/^#+\s*/, '');
      continue;
    }
    if (!out.has(kind)) out.set(kind, []);
    out.get(kind)!.push(line);
  }
  return out;
}

const [emergencyFile, otherFile] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
if (!emergencyFile || !otherFile) {
  console.error('usage: npx tsx scripts/safety-measure.ts EMERGENCIES.txt NOT-EMERGENCIES.txt [--list]');
  process.exit(2);
}
const list = process.argv.includes('--list');
const content = await loadContent(path.resolve('content'));
const grade = createSafetyGrader(content.community.safetyPatterns, content.community.safetyModel);

let caught = 0;
let total = 0;
console.log(`emergencies (${emergencyFile}): caught / kind`);
for (const [kind, messages] of sections(emergencyFile)) {
  const verdicts = messages.map((m) => ({ m, v: grade(m) }));
  const hit = verdicts.filter(({ v }) => v.grade === 'emergency').length;
  caught += hit;
  total += messages.length;
  console.log(`  ${hit}/${messages.length}  ${kind}`);
  if (list) for (const { m, v } of verdicts.filter(({ v }) => v.grade !== 'emergency')) console.log(`      MISS ${m}  <- ${v.grade}: ${v.reason}`);
}
let alarms = 0;
let cautions = 0;
let others = 0;
console.log(`not emergencies (${otherFile}): alarms, cautions / kind`);
for (const [kind, messages] of sections(otherFile)) {
  const verdicts = messages.map((m) => ({ m, v: grade(m) }));
  const a = verdicts.filter(({ v }) => v.grade === 'emergency').length;
  const c = verdicts.filter(({ v }) => v.grade === 'caution').length;
  alarms += a;
  cautions += c;
  others += messages.length;
  console.log(`  ${a} alarms, ${c} cautions /${messages.length}  ${kind}`);
  if (list) for (const { m, v } of verdicts.filter(({ v }) => v.grade === 'emergency')) console.log(`      ALARM ${m}  <- ${v.reason}`);
}
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;
console.log(
  `caught ${caught}/${total} (${pct(caught, total)}), false alarms ${alarms}/${others} (${pct(alarms, others)}), cautions ${cautions}/${others}`,
);
