/**
 * Writing instants as RFC 3339 text with an offset (SPEC §2), from the shapes platforms use:
 * UTC instants, epoch milliseconds, and PBX wall-clock times that need a time zone.
 */
import { Temporal } from 'temporal-polyfill';
import { checkTimeZone } from '../../core/billing-period.js';

/** `2024-01-19T01:57:00.000Z`: millisecond digits always, as the JSON platforms report them. */
export function utcMillisText(instant: Temporal.Instant): string {
  return instant.toString({ fractionalSecondDigits: 3 });
}

/** Epoch milliseconds (fractions, as Vapi sometimes writes, are rounded to the millisecond). */
export function instantFromEpochMillis(millis: number): Temporal.Instant {
  return Temporal.Instant.fromEpochMilliseconds(Math.round(millis));
}

/** An RFC 3339 / ISO 8601 instant with `Z` or an offset; undefined for anything else. */
export function parseOffsetInstant(text: string): Temporal.Instant | undefined {
  try {
    return Temporal.Instant.from(text.trim());
  } catch {
    return undefined;
  }
}

/**
 * The zone named by `--timezone`, checked once: Asterisk and FreeSWITCH write the PBX's wall
 * clock with no offset, so without a zone their instants are unknowable.
 */
export function requireTimeZone(platform: string, timeZone: string | undefined): string {
  if (timeZone === undefined || timeZone === '') {
    throw new Error(`--timezone is required for ${platform} CDRs: their timestamps have no offset`);
  }
  try {
    checkTimeZone(timeZone);
    return timeZone;
  } catch {
    throw new Error(`--timezone "${timeZone}" is not an IANA time zone (e.g. Europe/Moscow)`);
  }
}

/**
 * A wall-clock time in `timeZone`. A time that falls in a DST gap or repeats in the fall-back
 * hour resolves as 'compatible' does (the earlier of two, shifted forward out of a gap): the
 * PBX log cannot say more.
 */
export function zonedInstant(wallClock: Temporal.PlainDateTime, timeZone: string): Temporal.ZonedDateTime {
  return wallClock.toZonedDateTime(timeZone, { disambiguation: 'compatible' });
}

/** `2024-01-27T15:07:24+08:00`: the zone's offset at that instant, no bracketed zone name. */
export function offsetText(instant: Temporal.ZonedDateTime): string {
  return instant.toString({ timeZoneName: 'never' });
}

/**
 * `2024-01-27 15:07:24` (Asterisk, FreeSWITCH), also with `/`, one-digit month/day/hour and
 * no seconds (a spreadsheet's re-save). `hasSeconds` says whether the text carried them.
 */
export function parseWallClock(text: string): { dateTime: Temporal.PlainDateTime; hasSeconds: boolean } | undefined {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$/.exec(text.trim());
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second, fraction] = match;
  try {
    const dateTime = Temporal.PlainDateTime.from(
      {
        year: Number(year),
        month: Number(month),
        day: Number(day),
        hour: Number(hour),
        minute: Number(minute),
        second: Number(second ?? 0),
        microsecond: fraction === undefined ? 0 : Number(fraction.padEnd(6, '0')),
      },
      { overflow: 'reject' },
    );
    return { dateTime, hasSeconds: second !== undefined };
  } catch {
    return undefined;
  }
}
