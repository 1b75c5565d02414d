import { beforeAll, describe, expect, it } from 'vitest';
import { loadContent } from '../../src/content/load.js';
import { createSafetyGrader, type SafetyVerdict } from '../../src/core/safety.js';
import { CONTENT_DIR } from './fixtures.js';

let grade: (text: string) => SafetyVerdict;
const isEmergency = (text: string) => grade(text).grade === 'emergency';
/** The safety message first; the verdict's reason shows when it is not. */
const expectAlarm = (text: string) => {
  const verdict = grade(text);
  expect(verdict.grade, verdict.reason).toBe('emergency');
};
/** No safety message; where a pattern fired, the context rule `rule` is what stopped it. */
const expectNoAlarm = (text: string, rule?: string) => {
  const verdict = grade(text);
  expect(verdict.grade, verdict.reason).not.toBe('emergency');
  if (rule && verdict.pattern) expect(verdict.reason).toContain(`, but ${rule}`);
};

beforeAll(async () => {
  const content = await loadContent(CONTENT_DIR);
  grade = createSafetyGrader(content.community.safetyPatterns, content.community.safetyModel);
});

describe('safety check with the community patterns', () => {
  it.each([
    'I have crushing chest pain',
    'I feel suicidal tonight',
    "I can't breathe",
    'i think im having a stroke',
    'I took too many pills',
    'I want to end my life',
    'my friend is unconscious',
    'CHEST PAIN!!!',
  ])('recognises "%s"', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it.each([
    'I feel sucidal',
    'chest pian since this morning',
    'I want to kil myself',
    'my face is droping',
    'i had a siezure',
  ])('tolerates a typo: "%s"', (text) => {
    expect(isEmergency(text)).toBe(true);
  });

  it('finds the phrase anywhere in a long message', () => {
    const long = `${'My hands ache and the fog is bad today. '.repeat(200)}and now chest pain too`;
    expect(isEmergency(long)).toBe(true);
  });

  it.each([
    'analysis of my blood test came back',
    'numb hands this morning',
    'so tired',
    'numbness in my hands and feet',
    'my pain is bad today',
    'I am exhausted after work',
    'I barely slept last night',
    'my pain was awful last night, can b12 help?',
  ])('raises no alarm on ordinary fibro talk: "%s"', (text) => {
    expect(isEmergency(text)).toBe(false);
  });

  it('raises no alarm on empty or symbol-only text', () => {
    for (const t of ['', '   ', '?!', '😭🙏']) expect(isEmergency(t)).toBe(false);
  });
});

// Issue #10's kinds of emergency and of false alarm, in our own words (never the blind set's).
describe('graded emergencies: each kind the issue lists', () => {
  it.each([
    ['an overdose as a number of pills', 'i have just swallowed 40 of my pregabalin capsules'],
    ['an overdose as a number, in a brand name', 'took 22 co-codamol about an hour ago and feel sick'],
    ['everything in the medicine cabinet', 'i swallowed everything in my medicine cupboard'],
    [
      'giving possessions away',
      'giving my jewellery and my books to my niece, i will not need them after this weekend',
    ],
    ['a farewell to the group', 'this is goodbye, thank you all for being my friends here, i am sorry'],
    [
      'a means within reach, without the word',
      'the pills are lined up on the table in front of me and the bottle is open',
    ],
    ['a means within reach: a rope', 'i have the rope ready in the shed'],
    ['self-harm by burning', 'burning my wrist with a lighter right now'],
    ['self-harm by burning, again', 'pressed the hot iron on my arm again, it helps'],
    ['acute symptoms now: heart', 'my chest is crushing and my left arm has gone numb right now'],
    ['acute symptoms now: stroke', 'my face has dropped on one side and i cannot lift my arm'],
    ['someone else in danger now', 'my husband collapsed on the kitchen floor and is not breathing'],
    ['someone else: an overdose', 'my sister texted that she took all her sleeping pills with wine'],
  ])('an emergency now (%s) gets the safety message', (_kind, text) => {
    const verdict = grade(text);
    expect(verdict.grade, verdict.reason).toBe('emergency');
    // The log line names what decided: a pattern or the classifier's features.
    expect(verdict.reason).toMatch(/^(pattern ".+"|classifier \d)/);
  });

  it.each([
    ['a past event: years ago', 'ten years ago i took an overdose, today i am well and wanted to share hope'],
    [
      'a past event: as a teenager',
      'as a teenager i burned myself with cigarettes, the marks still ache in a flare',
    ],
    ['a past event: last year', 'last year i had a tia and recovered fully, can b12 help the nerves heal?'],
    [
      'a question about a condition',
      'what are the signs of a stroke and how are they different from fibro fog?',
    ],
    ['a question about a symptom', 'does fibromyalgia cause chest pain?'],
    ['a risk asked about', 'is there a heart attack risk with b12 injections?'],
    ['a risk asked about, just curious', 'what happens if you overdose on b12? just curious'],
    ['a pet', 'my cat collapsed and is breathing strangely, which vet is open on sunday?'],
    [
      'a condition a doctor confirmed',
      'my chest pain turned out to be costochondritis, does b12 help with it?',
    ],
    ['anxiety-related chest tightness, asked', 'can anxiety cause chest tightness like mine?'],
  ])('no alarm for %s: at most a caution, with the rule that decided', (_kind, text) => {
    const verdict = grade(text);
    expect(verdict.grade, verdict.reason).not.toBe('emergency');
    if (verdict.pattern)
      expect(verdict.reason).toMatch(
        /, but (past event|question about a condition|risk asked about|animal|confirmed by a doctor)/,
      );
  });
});

// Round 4 (docs/evaluation.md): context rules for the alarming-but-safe kinds the round-4 sets added,
// and the signs of "now" that keep the alarm. Our own words, not lines of the training sets.
describe('graded emergencies: context rules of round 4', () => {
  it.each([
    [
      'helping others',
      'i am training as a crisis line volunteer, what do you say to someone who is suicidal?',
    ],
    ['helping others', 'how should i support my brother, he self harms but he has a good therapist'],
    [
      'helping others',
      'how do i support a friend who says she wants to die? she is safe and with her family',
    ],
    ['a story (film, book, news)', 'the drama tonight had a heart attack scene in a hospital, so realistic'],
    ['a story (film, book, news)', 'news says a singer died of an overdose, heartbreaking'],
    [
      'confirmed by a doctor',
      'my seizures are non epileptic, my neurologist manages them, had a small one today',
    ],
    ['confirmed by a doctor', 'the tight chest is my anxiety disorder, my gp already checked my heart'],
    ['asks whether anyone else has it', 'anyone else get a tight chest when the weather turns?'],
    ['risk asked about', 'does gabapentin increase suicidal thoughts? my leaflet mentions it'],
    ['past event', 'a long time ago i had a seizure from a fever, none since'],
  ])('no alarm when %s', (rule, text) => {
    expectNoAlarm(text, rule);
  });

  it.each([
    // A rule word is present, but the message says it is happening now or is not the usual.
    [
      'not the usual, despite a diagnosis',
      'i know my costochondritis well, my gp confirmed it, but this is different: crushing chest pain and my left arm is heavy',
    ],
    [
      'an hour ago, despite a doctor',
      'the gp says my b12 is normal. i took 35 of my amitriptyline an hour ago',
    ],
    [
      'happening again, despite the past',
      'dad had a stroke last year and it is happening again, his face is drooping',
    ],
    [
      'a pet given away is not a pet in danger',
      'gave my dog to my neighbour and wrote goodbye letters to my children',
    ],
    ['a means within reach, without the word', 'sitting in the garage, the pipe is on the exhaust'],
    [
      'a means within reach, without the word',
      'my mum says she is on the roof right now and will not come down',
    ],
    ['self-harm again, worse', 'burning again tonight, deeper marks than last time'],
    ['an overdose, non-native wording', 'i take now 30 tablets of my pain medicine'],
  ])('keeps the alarm: %s', (_why, text) => {
    expectAlarm(text);
  });
});

describe('graded emergencies: context rules of round 5', () => {
  it.each([
    ['past event', 'three years without self harm now, this group helped me so much'],
    ['helping others', 'what should i say to my sister, she told me she feels suicidal sometimes'],
    ['a story (film, book, news)', 'there was a segment on the radio about heart attacks in young women'],
    ['confirmed by a doctor', 'went in with chest pain, ecg normal, they think it was a panic attack'],
    ['question about a condition', 'why does my chest hurt when i lie on my side, is that a fibro thing?'],
    ['asks whether anyone else has it', 'my chest goes tight before every appointment, anyone else'],
  ])('no alarm when %s', (rule, text) => {
    expectNoAlarm(text, rule);
  });

  it.each([
    [
      'a farewell that names a pet',
      'goodbye everyone, said goodbye to the cat, thank you all for everything, this is my last message',
    ],
    [
      'a farewell that settles a pet with someone',
      'the dog is with my mum now, my passwords are in a note, i wont be here by morning',
    ],
    [
      'a book, but happening now',
      'was reading a book and now crushing chest pain going into my jaw right now',
    ],
    [
      'a doctor, but happening now',
      'my gp said it was anxiety but i cant breathe right now and my lips are blue',
    ],
  ])('keeps the alarm: %s', (_why, text) => {
    expectAlarm(text);
  });
});

describe('graded emergencies: context rules of round 6', () => {
  it.each([
    ['past event', 'took too many pills long ago, that part of my life is over'],
    ['past event', 'two years self harm free today'],
    ['question about a condition', "angina vs heart attack, what's the difference"],
    ['risk asked about', 'sublingual b12 overdose a thing lol'],
    ['confirmed by a doctor', 'the neuro says the one sided weakness is functional, mri totally clear'],
    ['helping others', 'tips for carers whose partner has thoughts of ending it'],
    ['a story (film, book, news)', 'a news story about a teen overdose made me cry'],
    ['a figure of speech', 'nearly had a heart attack when i saw the electric bill'],
  ])('no alarm when %s: "%s"', (rule, text) => {
    expectNoAlarm(text, rule);
  });

  it.each([
    'crushing chest pain right now, heart attack vs angina?',
    'my gp said it was anxiety but i took 40 tablets just now',
    // A bare "vs" is no question about a condition (each was demoted to a caution while it was).
    'face drooping on one side, stroke vs bells palsy',
    'my husband collapsed, faint vs heart attack',
  ])('keeps the alarm when it is happening now: "%s"', (text) => {
    expectAlarm(text);
  });
});

describe('emergencies of round 6: means at hand, farewells and pill counts without the usual words', () => {
  it.each([
    'ok so 60 tramadol just now, feeling weird',
    'took a months worth of my sleeping tablets',
    'emptied the medicine cupboard into me',
    'by the time you read this i will be gone',
    'it was nice knowing you all x',
    'tell my kids im sorry',
    'rope round the banister, chair is ready',
    'my husband is out cold on the kitchen floor',
    'cut really deep on my arm, wont stop',
  ])('gives the safety message first: "%s"', (text) => {
    expectAlarm(text);
  });

  it.each(['pack of 16 paracetamol is all the shop sells', 'i take 12 tablets a day now'])(
    'no alarm for an ordinary count: "%s"',
    (text) => {
      expectNoAlarm(text);
    },
  );
});

describe('graded emergencies: the alarm after a "but"', () => {
  it.each([
    'doc said it was anxiety last time but my chest is crushing and my arm is numb',
    'neuro said its functional but my face dropped on one side and i cant talk',
    'they said it was a panic attack last week but i cant breathe and my lips are blue',
  ])('keeps the alarm when it comes back after "but" with no context of its own: "%s"', (text) => {
    expectAlarm(text);
  });

  it.each([
    'my chest was crushing years ago but the cardiologist said my heart is fine',
    'costochondritis again, chest pain but nothing new',
  ])('keeps the context when the part after "but" is calm or has its own: "%s"', (text) => {
    expectNoAlarm(text);
  });
});
