/**
 * Billing periods (SPEC §7): monthly from a local anchor date in the account's time zone,
 * the anchor day clamped to short months, local midnight turned into an instant with
 * Temporal's `compatible` disambiguation (a midnight inside a DST gap moves forward).
 */
import { Temporal } from 'temporal-polyfill';
import { daysFromCivil, formatInstantWithOffset, type EpochMicros } from './instant.js';

export interface BillingPeriod {
  /** 0 for the period that starts on the anchor date. */
  readonly index: number;
  readonly start: EpochMicros;
  readonly end: EpochMicros;
  /** The start and end as RFC 3339 with the local offset: `2026-05-08T00:00:00-04:00`. */
  readonly startText: string;
  readonly endText: string;
  /** `YYYY-MM` of the local start: "the period of month M". */
  readonly month: string;
}

export function toZonedDateTime(instant: EpochMicros, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochNanoseconds(BigInt(instant) * 1000n).toZonedDateTimeISO(timeZone);
}

export function fromZonedDateTime(value: Temporal.ZonedDateTime): EpochMicros {
  return Number(value.epochNanoseconds / 1000n);
}

/** `2026-05-08T00:00:00-04:00`: to the second, with the local offset. */
export function formatZoned(value: Temporal.ZonedDateTime): string {
  // The polyfill's toString costs ~18 µs; the offset and a Date cost ~2.
  return (
    formatInstantWithOffset(fromZonedDateTime(value), value.offsetNanoseconds / 1e9) ??
    value.toString({ timeZoneName: 'never', smallestUnit: 'second' })
  );
}

/**
 * Throws a RangeError unless `timeZone` is an IANA name the runtime knows (`Europe/Berlin`,
 * `UTC`). Offsets (`+05:00`) and abbreviations (`EST`) are refused: they carry no DST rules.
 */
export function checkTimeZone(timeZone: string): void {
  if (!/^(?:UTC|GMT|Etc\/[A-Za-z0-9+-]+|[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)$/.test(timeZone)) {
    throw new RangeError(`${timeZone} is not an IANA time zone name`);
  }
  Temporal.Now.instant().toZonedDateTimeISO(timeZone);
}

/** Micros in an average Gregorian month: only to guess which period an instant is in. */
const AVERAGE_MONTH_MICROS = 30.436875 * 86_400_000_000;

/**
 * The periods of one account, computed on demand and kept. Period `k` starts at the anchor
 * plus `k` months, so any period is computed directly (a guess from the average month
 * length, corrected by at most a step) instead of walking every period since the anchor.
 */
export class BillingCalendar {
  private readonly anchor: Temporal.PlainDate;
  /** The anchor's year × 12 + month − 1: period `k` starts in month `anchorMonth + k`. */
  private readonly anchorMonth: number;
  private readonly starts = new Map<number, Temporal.ZonedDateTime>();
  private readonly startMicros = new Map<number, EpochMicros>();
  private readonly periods = new Map<number, BillingPeriod>();
  private last: BillingPeriod | undefined;
  /** The period `last` held before (calls out of time order often go back and forth between two). */
  private previous: BillingPeriod | undefined;
  private first: EpochMicros | undefined;

  constructor(
    readonly timeZone: string,
    billingAnchor: string,
  ) {
    this.anchor = Temporal.PlainDate.from(billingAnchor);
    this.anchorMonth = this.anchor.year * 12 + this.anchor.month - 1;
  }

  get firstStart(): EpochMicros {
    return (this.first ??= this.startOf(0));
  }

  period(index: number): BillingPeriod {
    let period = this.periods.get(index);
    if (period === undefined) {
      const startText = formatZoned(this.zonedStart(index));
      period = {
        index,
        start: this.startOf(index),
        end: this.startOf(index + 1),
        startText,
        endText: formatZoned(this.zonedStart(index + 1)),
        // The local start's year and month (not always the anchor's plus k: a midnight in a
        // skipped day moves forward).
        month: startText.slice(0, 7),
      };
      this.periods.set(index, period);
    }
    return period;
  }

  /** The period containing `instant`, or undefined when it is before the first period. */
  periodAt(instant: EpochMicros): BillingPeriod | undefined {
    const last = this.last;
    if (last && instant >= last.start && instant < last.end) return last;
    const previous = this.previous;
    if (previous && instant >= previous.start && instant < previous.end) {
      this.previous = last;
      this.last = previous;
      return previous;
    }
    const first = this.firstStart;
    if (instant < first) return undefined;
    let index = Math.floor((instant - first) / AVERAGE_MONTH_MICROS);
    while (index > 0 && this.startOf(index) > instant) index--;
    while (this.startOf(index + 1) <= instant) index++;
    this.previous = last;
    this.last = this.period(index);
    return this.last;
  }

  /** The period whose local start falls in calendar month `YYYY-MM`, if the account has begun by then. */
  periodStartingIn(month: string): BillingPeriod | undefined {
    const target = Temporal.PlainYearMonth.from(month);
    const index = target.year * 12 + target.month - 1 - this.anchorMonth;
    return index < 0 ? undefined : this.period(index);
  }

  private zonedStart(index: number): Temporal.ZonedDateTime {
    let start = this.starts.get(index);
    if (start === undefined) {
      start = this.anchor
        .add({ months: index }, { overflow: 'constrain' })
        .toPlainDateTime()
        .toZonedDateTime(this.timeZone, { disambiguation: 'compatible' });
      this.starts.set(index, start);
    }
    return start;
  }

  private startOf(index: number): EpochMicros {
    let start = this.startMicros.get(index);
    if (start === undefined) {
      start = fromZonedDateTime(this.zonedStart(index));
      this.startMicros.set(index, start);
    }
    return start;
  }
}

/** Temporal keeps UTC offsets under a day: a local wall time is within this of its instant. */
const OFFSET_BOUND = 86_400_000_000;
const MICROS_PER_DAY = 86_400_000_000;

/**
 * Monthly anniversaries of `first` at the same local wall time, the day clamped to short
 * months (SPEC §8), as instants, from `from` (inclusive) while they are before `until`.
 *
 * Each anniversary that can fall in [from, until) costs one Temporal conversion; the months
 * before and after are passed over by a bound on their local wall time (its day lies
 * between the 28th, or the anchor day if earlier, and the anchor day; the instant lies
 * within a day of the wall time), so a charge in month 40 of a rental costs as little as
 * one in month 1.
 */
export function monthlyAnniversaries(first: EpochMicros, timeZone: string, until: EpochMicros, from: EpochMicros = first): EpochMicros[] {
  return zonedAnniversaries(first, timeZone, until, from).map(fromZonedDateTime);
}

/** The same anniversaries as zoned date-times (their local dates name the charges). */
export function zonedAnniversaries(first: EpochMicros, timeZone: string, until: EpochMicros, from: EpochMicros = first): Temporal.ZonedDateTime[] {
  const anniversaries: Temporal.ZonedDateTime[] = [];
  if (until <= first || until <= from) return anniversaries;
  const wallTime = toZonedDateTime(first, timeZone).toPlainDateTime();
  const timeOfDay = ((wallTime.hour * 60 + wallTime.minute) * 60 + wallTime.second) * 1_000_000 + wallTime.millisecond * 1000 + wallTime.microsecond;
  const firstMonth = wallTime.year * 12 + wallTime.month - 1;
  const day = wallTime.day;
  // Start a month before the one `from` falls in (by UTC date, which is within a day of
  // any local date); earlier months end before `from` by the bound below.
  const fromDate = new Date(Math.floor((from - OFFSET_BOUND) / 1000));
  const startMonth = Number.isNaN(fromDate.getTime()) ? firstMonth : Math.max(firstMonth, fromDate.getUTCFullYear() * 12 + fromDate.getUTCMonth() - 1);
  for (let month = startMonth; ; month++) {
    const year = Math.floor(month / 12);
    const monthOfYear = month - year * 12 + 1;
    // The local wall time lies in [earliest, latest]; its instant within OFFSET_BOUND of it.
    const earliest = daysFromCivil(year, monthOfYear, Math.min(day, 28)) * MICROS_PER_DAY + timeOfDay;
    const latest = daysFromCivil(year, monthOfYear, day) * MICROS_PER_DAY + timeOfDay;
    if (earliest - OFFSET_BOUND >= until) return anniversaries;
    if (latest + OFFSET_BOUND < from) continue;
    const local = wallTime.add({ months: month - firstMonth }, { overflow: 'constrain' }).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
    const instant = fromZonedDateTime(local);
    // Anniversaries only grow with the month: the first at or past `until` ends them.
    if (instant >= until) return anniversaries;
    if (instant >= from) anniversaries.push(local);
  }
}
