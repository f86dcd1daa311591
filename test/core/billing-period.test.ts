import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { BillingCalendar, formatZoned, monthlyAnniversaries, toZonedDateTime } from '../../src/core/billing-period.js';
import { formatInstantUtc, parseInstant } from '../../src/core/instant.js';

const at = (text: string): number => parseInstant(text) as number;

describe('BillingCalendar (SPEC §7)', () => {
  it('anchor 31 clamps to short months and comes back to the 31st', () => {
    const calendar = new BillingCalendar('America/New_York', '2026-01-31');
    const starts = [0, 1, 2, 3, 4].map((index) => calendar.period(index).startText);
    expect(starts).toEqual([
      '2026-01-31T00:00:00-05:00',
      '2026-02-28T00:00:00-05:00',
      '2026-03-31T00:00:00-04:00',
      '2026-04-30T00:00:00-04:00',
      '2026-05-31T00:00:00-04:00',
    ]);
  });

  it('anchor 29 in a leap year and after', () => {
    const calendar = new BillingCalendar('UTC', '2028-01-29');
    expect(calendar.period(1).startText).toBe('2028-02-29T00:00:00+00:00');
    expect(calendar.period(13).startText).toBe('2029-02-28T00:00:00+00:00');
  });

  it('a midnight inside a DST gap moves forward by the gap (America/Santiago, 2026-09-06)', () => {
    // Chile springs forward at 00:00 → 01:00 on the first Sunday of September.
    const calendar = new BillingCalendar('America/Santiago', '2026-08-06');
    expect(calendar.period(1).startText).toBe('2026-09-06T01:00:00-03:00');
    expect(calendar.period(0).endText).toBe('2026-09-06T01:00:00-03:00');
  });

  it('half-hour DST (Australia/Lord_Howe) keeps local midnight', () => {
    const calendar = new BillingCalendar('Australia/Lord_Howe', '2026-03-01');
    expect(calendar.period(2).startText).toBe('2026-05-01T00:00:00+10:30');
    expect(calendar.period(8).startText).toBe('2026-11-01T00:00:00+11:00');
  });

  it('finds the period of an instant, and none before the first', () => {
    const calendar = new BillingCalendar('Europe/Berlin', '2026-01-31');
    expect(calendar.periodAt(at('2026-01-30T22:59:59Z'))).toBeUndefined();
    expect(calendar.periodAt(at('2026-01-30T23:00:00Z'))?.index).toBe(0);
    expect(calendar.periodAt(at('2026-05-30T22:00:00Z'))?.startText).toBe('2026-05-31T00:00:00+02:00');
    expect(calendar.periodAt(at('2026-05-30T21:59:59.999Z'))?.startText).toBe('2026-04-30T00:00:00+02:00');
    expect(calendar.periodAt(at('2030-01-01T00:00:00Z'))?.month).toBe('2029-12');
  });

  it('"the period of month M" is the one starting in M', () => {
    const calendar = new BillingCalendar('Asia/Kolkata', '2026-02-15');
    expect(calendar.periodStartingIn('2026-11')?.startText).toBe('2026-11-15T00:00:00+05:30');
    expect(calendar.periodStartingIn('2026-01')).toBeUndefined();
  });
});

describe('monthlyAnniversaries (SPEC §8)', () => {
  it('same local wall time each month, day clamped, stops before `until`', () => {
    const charges = monthlyAnniversaries(at('2026-01-31T09:00:00-05:00'), 'America/New_York', at('2026-04-30T13:00:00Z')).map(formatInstantUtc);
    expect(charges).toEqual([
      '2026-01-31T14:00:00+00:00',
      '2026-02-28T14:00:00+00:00',
      '2026-03-31T13:00:00+00:00',
    ]);
  });

  it('from a window far past the rental: the same charges as walking every month from it', () => {
    const zones = ['America/New_York', 'Pacific/Apia', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kathmandu', 'Pacific/Chatham', 'UTC', 'America/Santiago'];
    const walk = (first: number, timeZone: string, until: number, from: number): number[] => {
      const wallTime = Temporal.Instant.fromEpochNanoseconds(BigInt(first) * 1000n).toZonedDateTimeISO(timeZone).toPlainDateTime();
      const instants: number[] = [];
      for (let months = 0; ; months++) {
        const local = wallTime.add({ months }, { overflow: 'constrain' }).toZonedDateTime(timeZone, { disambiguation: 'compatible' });
        const instant = Number(local.epochNanoseconds / 1000n);
        if (instant >= until) return instants;
        if (instant >= from) instants.push(instant);
      }
    };
    const second = 1_000_000;
    const day = 86_400 * second;
    fc.assert(
      fc.property(
        fc.integer({ min: 1_262_304_000, max: 1_893_456_000 }), // 2010..2030, seconds
        fc.constantFrom(...zones),
        fc.integer({ min: -40 * day, max: 900 * day }),
        fc.integer({ min: 0, max: 70 * day }),
        (firstSeconds, timeZone, fromOffset, length) => {
          const first = firstSeconds * second;
          const from = first + fromOffset;
          const until = from + length;
          expect(monthlyAnniversaries(first, timeZone, until, Math.max(from, first))).toEqual(walk(first, timeZone, until, Math.max(from, first)));
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('formatZoned', () => {
  it('matches Temporal to the second, with the offset of the instant', () => {
    for (const [text, zone] of [
      ['2026-03-08T07:00:00.123456Z', 'America/New_York'],
      ['2011-12-31T10:00:00Z', 'Pacific/Apia'],
      ['2026-10-04T15:30:00Z', 'Australia/Lord_Howe'],
      ['1969-12-31T23:59:59.5Z', 'Asia/Kathmandu'],
      ['1890-01-01T00:00:00Z', 'Europe/Amsterdam'],
    ] as const) {
      const zoned = toZonedDateTime(at(text), zone);
      expect(formatZoned(zoned)).toBe(zoned.toString({ timeZoneName: 'never', smallestUnit: 'second' }));
    }
  });
});
