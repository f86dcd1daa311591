/**
 * Instants as epoch microseconds in a plain number (exact up to the year 2255; later ones are
 * refused), parsed from RFC 3339 text without allocating a date object: call files hold
 * millions of timestamps. A fraction finer than the microsecond rounds the instant up to the
 * next microsecond, so "after" stays after (a release 1 ns after a charge still follows it);
 * durations use the exact digits (`subMicrosecondNanos`).
 */

export type EpochMicros = number;

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_MILLISECOND = 1_000;

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Two digits at `start` as a number, -1 unless both are digits (the common case of `digitsAt`, unrolled). */
function twoDigitsAt(text: string, start: number): number {
  const tens = text.charCodeAt(start) - 48;
  const ones = text.charCodeAt(start + 1) - 48;
  // Written so that NaN (past the end of the text) fails too.
  return tens >= 0 && tens <= 9 && ones >= 0 && ones <= 9 ? tens * 10 + ones : -1;
}

const FRACTION_SCALES = [100_000, 10_000, 1_000, 100, 10, 1];

/**
 * `2026-11-02T10:00:00.000-05:00`, `…Z`, a space instead of `T`, and any number of fraction
 * digits. Returns `undefined` when the text is not such an instant (an offset is required).
 */
export function parseInstant(text: string): EpochMicros | undefined {
  const length = text.length;
  if (length < 20) return undefined;
  const century = twoDigitsAt(text, 0);
  const yearOfCentury = twoDigitsAt(text, 2);
  const year = century < 0 || yearOfCentury < 0 ? -1 : century * 100 + yearOfCentury;
  const month = twoDigitsAt(text, 5);
  const day = twoDigitsAt(text, 8);
  const hour = twoDigitsAt(text, 11);
  const minute = twoDigitsAt(text, 14);
  const second = twoDigitsAt(text, 17);
  const separator = text.charCodeAt(10);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || hour < 0 || hour > 23 || minute < 0 || minute > 59 ||
    second < 0 || second > 59 || text.charCodeAt(4) !== 45 || text.charCodeAt(7) !== 45 ||
    (separator !== 84 && separator !== 116 && separator !== 32) || text.charCodeAt(13) !== 58 || text.charCodeAt(16) !== 58
  ) {
    return undefined;
  }
  const monthDays = month === 2 && isLeapYear(year) ? 29 : (DAYS_IN_MONTH[month - 1] ?? 0);
  if (day > monthDays) return undefined;
  let index = 19;
  let micros = 0;
  if (text.charCodeAt(index) === 46) {
    index++;
    const fractionStart = index;
    // Digits past the sixth only round the instant up (subMicrosecondNanos reads them exactly).
    let finer = false;
    while (index < length) {
      const code = text.charCodeAt(index) - 48;
      if (code < 0 || code > 9) break;
      if (index - fractionStart < 6) micros += code * (FRACTION_SCALES[index - fractionStart] as number);
      else if (code !== 0) finer = true;
      index++;
    }
    if (index === fractionStart) return undefined;
    if (finer) micros += 1;
  }
  let offsetMinutes = 0;
  const zone = text.charCodeAt(index);
  if (zone === 90 || zone === 122) {
    index++;
  } else if (zone === 43 || zone === 45) {
    const offsetHour = twoDigitsAt(text, index + 1);
    const offsetMinute = twoDigitsAt(text, index + 4);
    if (offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59 || text.charCodeAt(index + 3) !== 58) return undefined;
    offsetMinutes = (offsetHour * 60 + offsetMinute) * (zone === 45 ? -1 : 1);
    index += 6;
  } else {
    return undefined;
  }
  if (index !== length) return undefined;
  const epochSeconds = daysFromCivil(year, month, day) * 86_400 + hour * 3_600 + minute * 60 + second - offsetMinutes * 60;
  const instant = epochSeconds * MICROS_PER_SECOND + micros;
  return instant <= Number.MAX_SAFE_INTEGER && instant >= -Number.MAX_SAFE_INTEGER ? instant : undefined;
}

/**
 * Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). Only
 * turns already-validated fields into a count; all calendar arithmetic (months, periods,
 * anniversaries) goes through Temporal. `Date.UTC` does the same but costs 4× as much here.
 * A day past the month's end counts on into the next month, which makes it usable as a
 * bound (`number-charges` uses it to tell which months cannot hold a charge).
 */
export function daysFromCivil(year: number, month: number, day: number): number {
  const shifted = month <= 2 ? year - 1 : year;
  const era = Math.floor(shifted / 400);
  const yearOfEra = shifted - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146_097 + dayOfEra - 719_468;
}

/**
 * The nanoseconds past the whole microsecond written in an instant's fraction (digits 7 to
 * 9, any finer digit rounding up to the next nanosecond), for the rare timestamp written
 * that finely; 0 when it has six fraction digits or fewer. `parseInstant` rounded such an
 * instant up to the next microsecond: the exact instant is that minus (1000 − this) ns.
 */
export function subMicrosecondNanos(text: string): number {
  const dot = text.indexOf('.', 19);
  if (dot < 0) return 0;
  let nanos = 0;
  let scale = 100;
  for (let index = dot + 7; index < text.length; index++) {
    const code = text.charCodeAt(index) - 48;
    if (code < 0 || code > 9) break;
    if (scale >= 1) nanos += code * scale;
    else if (code !== 0) return nanos + 1;
    scale /= 10;
  }
  return nanos;
}

/** `2026-05-20T12:00:00+00:00` (fraction digits only when the instant has them). */
export function formatInstantUtc(instant: EpochMicros): string {
  const millis = Math.floor(instant / MICROS_PER_MILLISECOND);
  const micros = instant - millis * MICROS_PER_MILLISECOND;
  const iso = new Date(millis).toISOString(); // 2026-05-20T12:00:00.000Z
  let fraction = iso.slice(19, 23);
  if (micros !== 0) fraction += String(micros).padStart(3, '0');
  fraction = fraction.replace(/0+$/, '');
  if (fraction === '.') fraction = '';
  return `${iso.slice(0, 19)}${fraction}+00:00`;
}

/**
 * `2026-05-08T00:00:00-04:00`: an instant written in the local time of a given UTC offset,
 * to the second (a fraction is cut off, as Temporal's `smallestUnit: 'second'` does).
 * Undefined when the offset is not whole minutes or the year is not four digits; the
 * caller then asks Temporal.
 */
export function formatInstantWithOffset(instant: EpochMicros, offsetSeconds: number): string | undefined {
  if (offsetSeconds % 60 !== 0) return undefined;
  const localMillis = Math.floor(instant / MICROS_PER_MILLISECOND) + offsetSeconds * 1000;
  const iso = new Date(localMillis).toISOString(); // 2026-05-08T00:00:00.000Z
  if (iso.length !== 24) return undefined;
  const minutes = Math.abs(offsetSeconds) / 60;
  const sign = offsetSeconds < 0 ? '-' : '+';
  return `${iso.slice(0, 19)}${sign}${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}
