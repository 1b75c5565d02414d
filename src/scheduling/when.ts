/**
 * Reads the `<when>` of `/schedule <when> <text>` in the community's time zone.
 * chrono-node finds the date words; luxon places them in the time zone, so
 * "tomorrow 9:00" means 9:00 on the community's clock, across daylight-saving changes too.
 */
// English only: the whole package loads every locale (about 12 MB more memory).
import * as chrono from 'chrono-node/en';
import { DateTime } from 'luxon';

export interface WhenOptions {
  readonly now: Date;
  /** IANA time zone, e.g. Europe/London. */
  readonly timeZone: string;
}

export type WhenResult =
  | { readonly ok: true; readonly at: Date; readonly rest: string; readonly matched: string }
  | {
      readonly ok: false;
      readonly problem: 'unreadable' | 'bad-time' | 'bad-zone' | 'past' | 'too-far' | 'no-text';
      readonly message: string;
    };

/** Posts are planned at most this far ahead: a year 9999 is a typo, not a plan. */
export const MAX_AHEAD_MS = 366 * 24 * 3600_000;

/** What chrono could not read as a time, left at the start of the text: "25:00", "9:61", "at 25". */
const BROKEN_TIME = /^(?:(?:at|@)\s*\d+\S*|\d+:\d+\S*|\d+\s*[ap]\.?m\.?(?=\s|$))/i;
/** A zone chrono could not read: "UTC+99" (it takes "UTC" and leaves "+99"), "GMT+25". */
const BROKEN_ZONE = /^(?:[+-]\d+\S*|(?:utc|gmt)[+-]?\d+\S*)/i;
const NAMED_ZONE_AT_END = /(?:utc|gmt|z)$/i;

/**
 * Why the text after a date is not the post but a time or zone chrono could not read, if so.
 * Times must parse completely: "tomorrow 25:00" is not "tomorrow" and a post "25:00 ...".
 */
function leftover(
  input: string,
  matched: string,
): { problem: 'bad-time' | 'bad-zone'; message: string } | undefined {
  const after = input.slice(matched.length);
  const rest = after.trim();
  const attached = after.length > 0 && !/^\s/.test(after);
  const time = BROKEN_TIME.exec(rest);
  if (time) {
    return {
      problem: 'bad-time',
      message: `I could not read "${time[0].slice(0, 20)}" as a time of day: hours run from 0 to 23 and minutes from 0 to 59, like 18:30 or 6pm. ${WHEN_EXAMPLES}`,
    };
  }
  const zone = BROKEN_ZONE.exec(rest);
  if (zone && (attached || NAMED_ZONE_AT_END.test(matched) || /^(?:utc|gmt)/i.test(zone[0]))) {
    const shown = NAMED_ZONE_AT_END.test(matched) ? `${matched.slice(-3)}${zone[0]}` : zone[0];
    return {
      problem: 'bad-zone',
      message: `"${shown.slice(0, 20)}" is not a time zone I know: offsets run from UTC-12 to UTC+14, like "9:00 UTC+2". ${WHEN_EXAMPLES}`,
    };
  }
  return undefined;
}

export type RecurringResult =
  | {
      readonly ok: true;
      /** 6-field cron (seconds first) for BullMQ's job scheduler, read in `timeZone`. */
      readonly pattern: string;
      readonly weekday: number;
      readonly hour: number;
      readonly minute: number;
      readonly rest: string;
    }
  | { readonly ok: false; readonly message: string };

export const WHEN_EXAMPLES =
  'For example: /schedule in 2h Coffee chat starts soon, /schedule tomorrow 9:00 Good morning, ' +
  '/schedule friday 18:30 Weekend check-in, /schedule 2026-12-01 09:00 Hello everyone.';

/** A date for replies, in the community's time zone: "Tue 1 Dec 2026, 09:00 (Europe/London)" (seconds when set). */
export function formatWhen(at: Date, timeZone: string): string {
  const local = DateTime.fromJSDate(at).setZone(timeZone);
  return `${local.toFormat(local.second === 0 ? 'ccc d LLL yyyy, HH:mm' : 'ccc d LLL yyyy, HH:mm:ss')} (${timeZone})`;
}

/**
 * Finds a date at the start of `text` and returns it with the text that follows.
 * Relative times ("in 2h") count real time from now; dates and clock times are read on the
 * community's wall clock; an explicit zone in the text ("9:00 UTC") wins.
 */
export function parseWhen(text: string, options: WhenOptions): WhenResult {
  const input = text.trim();
  const now = DateTime.fromJSDate(options.now).setZone(options.timeZone);
  // chrono reads in a fixed offset; give it the community's wall clock as if it were UTC.
  const wall = new Date(
    Date.UTC(now.year, now.month - 1, now.day, now.hour, now.minute, now.second, now.millisecond),
  );
  const found = chrono.parse(input, { instant: wall, timezone: 0 }, { forwardDate: true })[0];
  if (found?.index !== 0) {
    return {
      ok: false,
      problem: 'unreadable',
      message: `I could not read a date or time at the start of "${input.slice(0, 60)}". ${WHEN_EXAMPLES}`,
    };
  }
  const broken = leftover(input, found.text);
  if (broken) return { ok: false, ...broken };
  const offset = found.start.isCertain('timezoneOffset') ? found.start.get('timezoneOffset') : null;
  if (offset !== null && (offset < -12 * 60 || offset > 14 * 60)) {
    return {
      ok: false,
      problem: 'bad-zone',
      message: `That time zone offset does not exist: offsets run from UTC-12 to UTC+14. ${WHEN_EXAMPLES}`,
    };
  }
  const tags = found.tags();
  let at: Date;
  if (tags.has('result/relativeDateAndTime')) {
    // "in 2h", "in 90 minutes": real elapsed time from now.
    at = new Date(options.now.getTime() + (found.start.date().getTime() - wall.getTime()));
  } else if (found.start.isCertain('timezoneOffset')) {
    at = found.start.date();
  } else {
    const s = found.start;
    const local: DateTime = DateTime.fromObject(
      {
        year: s.get('year') ?? now.year,
        month: s.get('month') ?? now.month,
        day: s.get('day') ?? now.day,
        hour: s.get('hour') ?? 0,
        minute: s.get('minute') ?? 0,
        second: s.get('second') ?? 0,
      },
      { zone: options.timeZone },
    );
    // A wall time that happens twice (clocks going back) means its first occurrence.
    const [first] = local.getPossibleOffsets().sort((a, b) => a.toMillis() - b.toMillis());
    at = (first ?? local).toJSDate();
  }
  const rest = input.slice(found.text.length).trim();
  if (at.getTime() <= options.now.getTime()) {
    return {
      ok: false,
      problem: 'past',
      message: `${formatWhen(at, options.timeZone)} has already passed. Pick a time in the future. ${WHEN_EXAMPLES}`,
    };
  }
  if (at.getTime() - options.now.getTime() > MAX_AHEAD_MS) {
    return {
      ok: false,
      problem: 'too-far',
      message: `${formatWhen(at, options.timeZone)} is more than a year ahead. Pick a date within the next year. ${WHEN_EXAMPLES}`,
    };
  }
  if (rest === '') {
    return {
      ok: false,
      problem: 'no-text',
      message: `What should I post then? Add the text after the time. ${WHEN_EXAMPLES}`,
    };
  }
  return { ok: true, at, rest, matched: found.text };
}

/** `<weekday> <time> <text>` after `every`: a weekly post. */
export function parseRecurring(text: string, options: WhenOptions): RecurringResult {
  const example = 'For example: /schedule every friday 18:30 Weekend check-in';
  const input = text.trim();
  const found = chrono.parse(input, { instant: options.now, timezone: 0 }, { forwardDate: true })[0];
  if (found?.index !== 0 || !found.start.isCertain('weekday') || !found.start.isCertain('hour')) {
    return {
      ok: false,
      message: `I could not read a weekday and a time at the start of "${input.slice(0, 60)}". ${example}`,
    };
  }
  const broken = leftover(input, found.text);
  if (broken) return { ok: false, message: broken.message.replace(WHEN_EXAMPLES, example) };
  const rest = input.slice(found.text.length).trim();
  if (rest === '')
    return { ok: false, message: `What should I post every week? Add the text after the time. ${example}` };
  const weekday = found.start.get('weekday') ?? 0;
  const hour = found.start.get('hour') ?? 0;
  const minute = found.start.get('minute') ?? 0;
  return { ok: true, pattern: `0 ${minute} ${hour} * * ${weekday}`, weekday, hour, minute, rest };
}
