import { describe, expect, it } from 'vitest';
import { formatWhen, parseRecurring, parseWhen } from '../../src/scheduling/when.js';

const london = 'Europe/London';
const at = (iso: string) => new Date(iso);

describe('parseWhen', () => {
  // Saturday 28 March 2026, 12:00 in London (GMT, UTC+0); clocks go forward on Sunday 29 March at 01:00.
  const beforeSpring = { now: at('2026-03-28T12:00:00Z'), timeZone: london };
  // Saturday 24 October 2026, 12:00 in London (BST, UTC+1); clocks go back on Sunday 25 October at 02:00.
  const beforeAutumn = { now: at('2026-10-24T11:00:00Z'), timeZone: london };

  it.each([
    ['in 5s Hello everyone', beforeSpring, '2026-03-28T12:00:05.000Z', 'Hello everyone'],
    ['in 2h Coffee chat', beforeSpring, '2026-03-28T14:00:00.000Z', 'Coffee chat'],
    ['in 90 minutes Stretch break', beforeSpring, '2026-03-28T13:30:00.000Z', 'Stretch break'],
    // 9:00 the next day is already summer time (BST): 08:00 UTC.
    ['tomorrow 9:00 Good morning', beforeSpring, '2026-03-29T08:00:00.000Z', 'Good morning'],
    // Relative hours are real hours, even across the change: 12:00 + 24h = 13:00 BST.
    ['in 24 hours Still here', beforeSpring, '2026-03-29T12:00:00.000Z', 'Still here'],
    ['friday 18:30 Weekend check-in', beforeSpring, '2026-04-03T17:30:00.000Z', 'Weekend check-in'],
    ['2026-12-01 09:00 Hello everyone', beforeSpring, '2026-12-01T09:00:00.000Z', 'Hello everyone'],
    // Back in winter time after 25 October: 9:00 GMT is 09:00 UTC.
    ['tomorrow 9:00 Good morning', beforeAutumn, '2026-10-25T09:00:00.000Z', 'Good morning'],
    ['today 18:00 Evening', beforeAutumn, '2026-10-24T17:00:00.000Z', 'Evening'],
    // 01:30 on 29 March does not exist in London (01:00 -> 02:00): it moves on to 02:30 BST.
    ['2026-03-29 01:30 Night owls', beforeSpring, '2026-03-29T01:30:00.000Z', 'Night owls'],
    // 01:30 on 25 October happens twice; the first one (BST) is taken.
    ['2026-10-25 01:30 Night owls', beforeAutumn, '2026-10-25T00:30:00.000Z', 'Night owls'],
    // An explicit zone in the text wins over the community's.
    ['tomorrow 9:00 UTC Hi', beforeAutumn, '2026-10-25T09:00:00.000Z', 'Hi'],
  ])('%s (now %o)', (text, opts, expected, rest) => {
    const r = parseWhen(text, opts);
    expect(r).toMatchObject({ ok: true, rest });
    expect(r.ok && r.at.toISOString()).toBe(expected);
  });

  it('explains what it could not read, with an example', () => {
    const r = parseWhen('whenever you like Hello', beforeSpring);
    expect(r).toMatchObject({ ok: false, problem: 'unreadable' });
    expect(!r.ok && r.message).toMatch(/\/schedule in 2h/);
  });

  it('refuses times in the past', () => {
    expect(parseWhen('2026-03-01 09:00 Too late', beforeSpring)).toMatchObject({
      ok: false,
      problem: 'past',
    });
    expect(parseWhen('2020-01-01 Hello', beforeSpring)).toMatchObject({ ok: false, problem: 'past' });
  });

  it('asks for the text when only a time is given', () => {
    expect(parseWhen('tomorrow 9:00', beforeSpring)).toMatchObject({ ok: false, problem: 'no-text' });
  });

  it('needs the time at the start', () => {
    expect(parseWhen('Hello everyone tomorrow 9:00', beforeSpring)).toMatchObject({
      ok: false,
      problem: 'unreadable',
    });
  });

  it('formats in the community time zone, with the zone named', () => {
    expect(formatWhen(at('2026-03-29T08:00:00Z'), london)).toBe('Sun 29 Mar 2026, 09:00 (Europe/London)');
    expect(formatWhen(at('2026-03-28T12:00:05Z'), london)).toBe('Sat 28 Mar 2026, 12:00:05 (Europe/London)');
  });
});

describe('parseRecurring', () => {
  const opts = { now: at('2026-03-28T12:00:00Z'), timeZone: london };
  it('reads a weekday and a time into a weekly cron pattern', () => {
    expect(parseRecurring('friday 18:30 Weekend check-in', opts)).toMatchObject({
      ok: true,
      pattern: '0 30 18 * * 5',
      rest: 'Weekend check-in',
    });
  });
  it('needs a weekday', () => {
    expect(parseRecurring('18:30 Hello', opts)).toMatchObject({ ok: false });
    expect(parseRecurring('tomorrow 9:00 Hello', opts)).toMatchObject({ ok: false });
  });
});

describe('garbage dates (issue #11)', () => {
  const now = { now: at('2026-11-30T08:00:00Z'), timeZone: london };

  it.each([
    ['tomorrow 25:00 Hello', 'bad-time', /"25:00" as a time of day/],
    ['friday 99:99 Hello', 'bad-time', /"99:99" as a time of day/],
    ['tomorrow 9:61 Hello', 'bad-time', /"9:61"/],
    ['tomorrow at 25 Hello', 'bad-time', /"at 25"/],
    ['tomorrow 13pm Hello', 'bad-time', /"13pm"/],
    ['tomorrow 9:00 UTC+99 Hello', 'bad-zone', /"UTC\+99" is not a time zone/],
    ['tomorrow 9:00+99 Hello', 'bad-zone', /"\+99" is not a time zone/],
    ['9999-01-01 09:00 Hello', 'too-far', /more than a year ahead/],
    ['2027-12-31 09:00 Hello', 'too-far', /more than a year ahead/],
    ['in 400 days Hello', 'too-far', /more than a year ahead/],
  ])('refuses "%s" (%s) with a clear message and an example', (text, problem, message) => {
    const r = parseWhen(text, now);
    expect(r).toMatchObject({ ok: false, problem });
    expect(!r.ok && r.message).toMatch(message);
    expect(!r.ok && r.message).toMatch(/\/schedule in 2h/);
  });

  it.each([
    ['tomorrow 9:00 UTC+2 Hello', '2026-12-01T07:00:00.000Z', 'Hello'],
    ['tomorrow 9:00 GMT+14 Hello', '2026-11-30T19:00:00.000Z', 'Hello'],
    ['tomorrow 9:00 3 tips for pacing', '2026-12-01T09:00:00.000Z', '3 tips for pacing'],
    ['2027-11-30 09:00 One year on', '2027-11-30T09:00:00.000Z', 'One year on'],
  ])('still reads "%s"', (text, expected, rest) => {
    const r = parseWhen(text, now);
    expect(r).toMatchObject({ ok: true, rest });
    expect(r.ok && r.at.toISOString()).toBe(expected);
  });

  it('refuses a weekly time that does not parse completely', () => {
    expect(parseRecurring('friday 18:30 UTC+99 Check-in', now)).toMatchObject({ ok: false });
    expect(parseRecurring('friday 18:30+99 Check-in', now)).toMatchObject({ ok: false });
  });
});
