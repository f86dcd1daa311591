/**
 * Billing periods (SPEC §7): monthly from a local anchor date in the account's time zone,
 * the anchor day clamped to short months, local midnight turned into an instant with
 * Temporal's `compatible` disambiguation (a midnight inside a DST gap moves forward).
 */
import { Temporal } from 'temporal-polyfill';
import type { EpochMicros } from './instant.js';

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

export function formatZoned(value: Temporal.ZonedDateTime): string {
  return value.toString({ timeZoneName: 'never', smallestUnit: 'second' });
}

/**
 * Throws a RangeError unless `timeZone` is an IANA name the runtime knows (`Europe/Berlin`,
 * `UTC`). Offsets (`+05:00`) and abbreviations (`EST`) are refused: they carry no DST rules.
 */
export function checkTimeZone(timeZone: string): void {
  if (!/^(?:UTC|Etc\/[A-Za-z0-9+-]+|[A-Za-z_]+(?:\/[A-Za-z0-9_+-]+)+)$/.test(timeZone)) {
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
  private readonly starts = new Map<number, Temporal.ZonedDateTime>();
  private readonly startMicros = new Map<number, EpochMicros>();
  private readonly periods = new Map<number, BillingPeriod>();
  private last: BillingPeriod | undefined;
  private first: EpochMicros | undefined;

  constructor(
    readonly timeZone: string,
    billingAnchor: string,
  ) {
    this.anchor = Temporal.PlainDate.from(billingAnchor);
  }

  get firstStart(): EpochMicros {
    return (this.first ??= this.startOf(0));
  }

  period(index: number): BillingPeriod {
    let period = this.periods.get(index);
    if (period === undefined) {
      const start = this.zonedStart(index);
      const end = this.zonedStart(index + 1);
      period = {
        index,
        start: this.startOf(index),
        end: this.startOf(index + 1),
        startText: formatZoned(start),
        endText: formatZoned(end),
        month: start.toPlainDate().toPlainYearMonth().toString(),
      };
      this.periods.set(index, period);
    }
    return period;
  }

  /** The period containing `instant`, or undefined when it is before the first period. */
  periodAt(instant: EpochMicros): BillingPeriod | undefined {
    const last = this.last;
    if (last && instant >= last.start && instant < last.end) return last;
    const first = this.firstStart;
    if (instant < first) return undefined;
    let index = Math.floor((instant - first) / AVERAGE_MONTH_MICROS);
    while (index > 0 && this.startOf(index) > instant) index--;
    while (this.startOf(index + 1) <= instant) index++;
    this.last = this.period(index);
    return this.last;
  }

  /** The period whose local start falls in calendar month `YYYY-MM`, if the account has begun by then. */
  periodStartingIn(month: string): BillingPeriod | undefined {
    const target = Temporal.PlainYearMonth.from(month);
    const index = this.anchor.toPlainYearMonth().until(target, { largestUnit: 'months' }).months;
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

/**
 * Monthly anniversaries of `first` at the same local wall time, the day clamped to short
 * months (SPEC §8), as instants, from `from` (inclusive) while they are before `until`.
 */
export function monthlyAnniversaries(first: EpochMicros, timeZone: string, until: EpochMicros, from: EpochMicros = first): EpochMicros[] {
  const wallTime = toZonedDateTime(first, timeZone).toPlainDateTime();
  const instants: EpochMicros[] = [];
  // Anniversaries only grow; start a month short of the guess so none at or after `from` is missed.
  const skipped = from > first ? Math.max(0, Math.floor((from - first) / AVERAGE_MONTH_MICROS) - 1) : 0;
  for (let months = skipped; ; months++) {
    const local = wallTime.add({ months }, { overflow: 'constrain' });
    const instant = fromZonedDateTime(local.toZonedDateTime(timeZone, { disambiguation: 'compatible' }));
    if (instant >= until) return instants;
    if (instant >= from) instants.push(instant);
  }
}
