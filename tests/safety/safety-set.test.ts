import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainingSet, TRAINING, trainModel } from '../../scripts/safety-train.js';
import { loadContent } from '../../src/content/load.js';
import { createSafetyGrader } from '../../src/core/safety.js';

// Regression sets for emergency detection, in content/safety/ (the classifier trains on them):
// emergencies.txt / not-emergencies.txt were written to widen the phrase list; the round-3 files
// were written from the seed alone before any tuning. Held out (trained on the older sets only),
// round 3 scored 152/212 caught and 31/180 false alarms; the round-4 files (one section per kind,
// written from the seed alone before tuning) scored 184/220 caught and 27/220 false alarms on the
// grader as it was. The floors below hold the tuned figures.
// How the bot does on wording it has never seen is measured by the eval holdout and blind sets.
const SAFETY = path.resolve('content/safety');
const lines = (file: string) =>
  readFileSync(path.join(SAFETY, file), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

describe('emergency detection on the regression sets', async () => {
  const content = await loadContent(path.resolve('content'));
  const grade = createSafetyGrader(content.community.safetyPatterns, content.community.safetyModel);
  const isEmergency = (text: string) => grade(text).grade === 'emergency';

  it.each([
    ['emergencies.txt', 400, 0.98],
    ['emergencies-round3.txt', 200, 0.97],
    ['emergencies-round4.txt', 200, 0.97],
    ['emergencies-round5.txt', 230, 0.98],
    ['emergencies-round6.txt', 230, 0.98],
  ])('recognises the emergencies of %s', (file, size, floor) => {
    const emergencies = lines(file);
    const missed = emergencies.filter((m) => !isEmergency(m));
    expect(emergencies.length).toBeGreaterThan(size);
    expect(1 - missed.length / emergencies.length, `missed:\n${missed.join('\n')}`).toBeGreaterThanOrEqual(
      floor,
    );
  });

  it.each([
    ['not-emergencies.txt', 400, 0.025],
    ['not-emergencies-round3.txt', 170, 0.02],
    ['not-emergencies-round4.txt', 200, 0.02],
    ['not-emergencies-round5.txt', 230, 0.02],
    ['not-emergencies-round6.txt', 230, 0.03],
  ])(
    'raises the alarm for few of the ordinary and alarming-but-safe messages of %s',
    (file, size, ceiling) => {
      const others = lines(file);
      const alarms = others.filter((m) => isEmergency(m));
      expect(others.length).toBeGreaterThan(size);
      expect(alarms.length / others.length, `alarms:\n${alarms.join('\n')}`).toBeLessThanOrEqual(ceiling);
    },
  );

  it('ships a model trained on the messages as they are now (npm run safety:train)', () => {
    const { examples, hash } = readTrainingSet(SAFETY);
    const model = content.community.safetyModel;
    expect(model?.trainedOn, 'content/safety changed: run npm run safety:train').toBe(hash);
    // Training is deterministic: the committed weights are what the script makes.
    const again = trainModel(examples, model!, hash, TRAINING);
    expect(again.bias).toBe(model!.bias);
    expect(Object.keys(again.weights).length).toBe(Object.keys(model!.weights).length);
    expect(again.weights['w:suicidal']).toBe(model!.weights['w:suicidal']);
  });
});
