import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.js';
import { createSafetyCheck } from '../../src/core/safety.js';

// Regression sets for the emergency phrases in content/community.yaml: messages written for
// the purpose, independently of the eval sets (tests/eval), and used to widen the phrase list.
// They guard what the list already catches; how it does on new wording is measured by the
// eval holdout set, never tuned on.
const lines = (file: string) =>
  readFileSync(path.join(import.meta.dirname, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

describe('emergency phrases on the regression sets', async () => {
  const content = await loadContent(path.resolve('content'));
  const isEmergency = createSafetyCheck(content.community.safetyPatterns);
  const emergencies = lines('emergencies.txt');
  const others = lines('not-emergencies.txt');

  it('recognises at least 98% of the emergencies', () => {
    const missed = emergencies.filter((m) => !isEmergency(m));
    expect(emergencies.length).toBeGreaterThan(400);
    expect(missed.length / emergencies.length, `missed:\n${missed.join('\n')}`).toBeLessThanOrEqual(0.02);
  });

  it('raises the alarm for at most 4% of ordinary fibro talk, figures of speech and questions', () => {
    const alarms = others.filter((m) => isEmergency(m));
    expect(others.length).toBeGreaterThan(400);
    expect(alarms.length / others.length, `alarms:\n${alarms.join('\n')}`).toBeLessThanOrEqual(0.04);
  });
});
