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

/** Throws a RangeError for a time zone the runtime does not know. */
export function checkTimeZone(timeZone: string): void {
  Temporal.Now.instant().toZonedDateTimeISO(timeZone);
}

/** The periods of one account, computed on demand and kept. */
export class BillingCalendar {
  private readonly anchor: Temporal.PlainDate;
  private readonly starts: EpochMicros[] = [];
  private readonly zoned: Temporal.ZonedDateTime[] = [];
  private readonly periods: BillingPeriod[] = [];
  private last: BillingPeriod | undefined;

  constructor(
    readonly timeZone: string,
    billingAnchor: string,
  ) {
    this.anchor = Temporal.PlainDate.from(billingAnchor);
  }

  get firstStart(): EpochMicros {
    return this.startOf(0);
  }

  period(index: number): BillingPeriod {
    this.extendTo(index);
    return this.periods[index] as BillingPeriod;
  }

  /** The period containing `instant`, or undefined when it is before the first period. */
  periodAt(instant: EpochMicros): BillingPeriod | undefined {
    const last = this.last;
    if (last && instant >= last.start && instant < last.end) return last;
    if (instant < this.startOf(0)) return undefined;
    // Compute starts only until one lies past `instant` (each extendTo adds one).
    while ((this.starts[this.starts.length - 1] as number) <= instant) this.extendTo(this.starts.length - 1);
    // starts[low] <= instant < starts[high]
    let low = 0;
    let high = this.starts.length - 1;
    while (high - low > 1) {
      const middle = (low + high) >> 1;
      if ((this.starts[middle] as number) <= instant) low = middle;
      else high = middle;
    }
    this.last = this.period(low);
    return this.last;
  }

  /** The period whose local start falls in calendar month `YYYY-MM`, if the account has begun by then. */
  periodStartingIn(month: string): BillingPeriod | undefined {
    const target = Temporal.PlainYearMonth.from(month);
    const index = this.anchor.toPlainYearMonth().until(target, { largestUnit: 'months' }).months;
    return index < 0 ? undefined : this.period(index);
  }

  private startDate(index: number): Temporal.PlainDate {
    return this.anchor.add({ months: index }, { overflow: 'constrain' });
  }

  private startOf(index: number): EpochMicros {
    this.extendTo(index + 1);
    return this.starts[index] as EpochMicros;
  }

  private extendTo(index: number): void {
    while (this.starts.length <= index + 1) {
      const next = this.starts.length;
      const start = this.startDate(next).toPlainDateTime().toZonedDateTime(this.timeZone, { disambiguation: 'compatible' });
      this.starts.push(fromZonedDateTime(start));
      this.zoned.push(start);
    }
    while (this.periods.length <= index && this.periods.length < this.starts.length - 1) {
      const at = this.periods.length;
      const start = this.zoned[at] as Temporal.ZonedDateTime;
      const end = this.zoned[at + 1] as Temporal.ZonedDateTime;
      this.periods.push({
        index: at,
        start: this.starts[at] as EpochMicros,
        end: this.starts[at + 1] as EpochMicros,
        startText: formatZoned(start),
        endText: formatZoned(end),
        month: start.toPlainDate().toPlainYearMonth().toString(),
      });
    }
  }
}

/**
 * Monthly anniversaries of `first` at the same local wall time, the day clamped to short
 * months (SPEC §8), as instants, while they are before `until`.
 */
export function monthlyAnniversaries(first: EpochMicros, timeZone: string, until: EpochMicros): EpochMicros[] {
  const wallTime = toZonedDateTime(first, timeZone).toPlainDateTime();
  const instants: EpochMicros[] = [];
  for (let months = 0; ; months++) {
    const local = wallTime.add({ months }, { overflow: 'constrain' });
    const instant = fromZonedDateTime(local.toZonedDateTime(timeZone, { disambiguation: 'compatible' }));
    if (instant >= until) return instants;
    instants.push(instant);
  }
}
