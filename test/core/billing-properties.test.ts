/**
 * Conservation laws of billing, checked on random call sets (fast-check): order never
 * matters, a call's parts add up to it, invoices add up to their calls, and a longer call
 * never costs less.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawCallRecord } from '../../src/core/call-record.js';
import { divideRoundHalfAwayBig, formatScaled, parseScaled } from '../../src/core/decimal.js';
import { invoicesOfMonth } from '../../src/cli/commands/invoice.js';
import { makeBook, runRecords } from '../support/book.js';

const TARIFF = `
currency: USD
plans:
  second: {monthly_fee: "20.00", included_minutes: 3, minute_price: "0.07", rounding: 1, carrier: minutes}
  block: {monthly_fee: "35.50", included_minutes: 5, minute_price: "0.125", rounding: "30/6", carrier: passthrough, free_below_seconds: 4}
  minute: {monthly_fee: "9.99", included_minutes: 0.5, minute_price: "0.0333", rounding: "60", carrier: minutes}
bundles:
  short: {minutes: 2, price: "1.50", valid_days: 3}
  long: {minutes: 4.5, price: "3.00", valid_days: 60}
carrier_rates:
  - {direction: outbound, prefix: "1", country: US, per_minute: "0.0131", increment: "6/6"}
  - {direction: outbound, prefix: "1800", country: US, per_minute: "0.2", connect_fee: "0.0071", increment: "60/60"}
  - {direction: outbound, prefix: "44", country: GB, per_minute: "0.0177", connect_fee: "0.013", increment: "1"}
  - {direction: outbound, prefix: "44", country: GB, per_minute: "0.0311", connect_fee: "0.013", increment: "30/6", effective_from: "2026-11-15"}
  - {direction: inbound, prefix: "1", country: US, per_minute: "0.0085", increment: "60/60"}
  - {direction: inbound, prefix: "44", country: GB, per_minute: "0.0093", increment: "20/10"}
surcharges:
  - {country: GB, per_minute: "0.0011", per_call: "0.0007"}
taxes:
  - {country: DE, percent: "19"}
  - {country: IN, percent: "18.5"}
`;

const ACCOUNTS = `
accounts:
  a-ny: {plan: second, timezone: America/New_York, billing_anchor: 2026-10-31, country: US,
         bundles: [{bundle: short, purchased_at: "2026-11-05T00:00:00Z"}, {bundle: long, purchased_at: "2026-11-01T00:00:00Z"}]}
  b-de: {plan: block, timezone: Europe/Berlin, billing_anchor: 2026-10-15, country: DE,
         bundles: [{bundle: long, purchased_at: "2026-11-20T00:00:00Z"}]}
  c-in: {plan: minute, timezone: Asia/Kolkata, billing_anchor: 2026-11-01, country: IN,
         bundles: [{bundle: short, purchased_at: "2026-11-10T12:00:00+05:30"}, {bundle: short, purchased_at: "2026-11-10T12:00:00+05:30"}]}
`;

const book = makeBook(TARIFF, ACCOUNTS);
const START = Date.parse('2026-11-01T00:00:00Z');
const SPAN = 60 * 86_400_000;

const recordArbitrary = fc
  .record({
    account: fc.constantFrom('a-ny', 'b-de', 'c-in'),
    direction: fc.constantFrom('inbound', 'outbound', 'web'),
    to: fc.constantFrom('+14155550123', '+18005550199', '+442071234567', '+447700900123'),
    offset: fc.integer({ min: 0, max: SPAN }),
    ring: fc.integer({ min: 0, max: 30_000 }),
    answered: fc.boolean(),
    durationMillis: fc.oneof(fc.integer({ min: 0, max: 20_000 }), fc.integer({ min: 0, max: 900_000 })),
  })
  .map((call) => {
    const started = START + call.offset;
    const answered = started + call.ring;
    return {
      account_id: call.account,
      direction: call.direction,
      from: '+15550001111',
      to: call.direction === 'web' ? '' : call.to,
      started_at: new Date(started).toISOString(),
      answered_at: call.answered ? new Date(answered).toISOString() : '',
      ended_at: new Date(answered + call.durationMillis).toISOString(),
      end_reason: 'customer-ended-call',
    };
  });

const callsArbitrary = fc
  .array(recordArbitrary, { minLength: 1, maxLength: 60 })
  .map((calls) => calls.map((call, index): RawCallRecord => ({ ...call, line: index + 2, call_id: `call-${index}` })));

const MONTHS = ['2026-10', '2026-11', '2026-12'];

function invoices(records: readonly RawCallRecord[]) {
  const { settled } = runRecords(book, records);
  return MONTHS.flatMap((month) => invoicesOfMonth(settled, month));
}

describe('billing properties', () => {
  it('shuffling the records never changes an invoice', () => {
    fc.assert(
      fc.property(callsArbitrary, fc.nat(), (records, seed) => {
        const shuffled = fc.sample(fc.shuffledSubarray(records, { minLength: records.length, maxLength: records.length }), { seed, numRuns: 1 })[0] ?? records;
        expect(invoices(shuffled)).toEqual(invoices(records));
      }),
      { numRuns: 150 },
    );
  });

  it('for every call included + bundle + pay-as-you-go = usage', () => {
    fc.assert(
      fc.property(callsArbitrary, (records) => {
        const { settled, outcomes } = runRecords(book, records);
        for (const outcome of outcomes) {
          if (outcome.kind !== 'rated') continue;
          const draws = settled.draws;
          if (!draws) throw new Error('draws not kept');
          const sum = (draws.included[outcome.row] ?? 0) + (draws.bundle[outcome.row] ?? 0) + (draws.payg[outcome.row] ?? 0);
          expect(sum).toBe(settled.run.rating(outcome.row).usage);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('invoice amounts equal the sums of the calls behind them', () => {
    fc.assert(
      fc.property(callsArbitrary, (records) => {
        const { settled, outcomes } = runRecords(book, records);
        const { run, draws } = settled;
        for (const month of MONTHS) {
          for (const invoice of invoicesOfMonth(settled, month)) {
            const entry = book.accounts.get(invoice.account_id);
            if (!entry || !draws) throw new Error('missing account');
            let included = 0;
            let bundle = 0;
            let payg = 0;
            let calls = 0;
            let carrierMicros = 0;
            for (const outcome of outcomes) {
              if (outcome.kind !== 'rated') continue;
              const row = outcome.row;
              if (run.entryOf(row) !== entry || entry.calendar.period(run.table.period[row] ?? -1).startText !== invoice.period_start) continue;
              calls++;
              included += draws.included[row] ?? 0;
              bundle += draws.bundle[row] ?? 0;
              payg += draws.payg[row] ?? 0;
              const rating = run.rating(row);
              carrierMicros += rating.carrierCost + rating.surchargeCost;
            }
            expect(invoice.usage).toMatchObject({
              included_used_seconds: formatScaled(included, 3),
              bundle_used_seconds: formatScaled(bundle, 3),
              payg_seconds: formatScaled(payg, 3),
              calls,
            });
            const amount = (kind: string) => invoice.lines.filter((line) => line.kind === kind).map((line) => parseScaled(line.amount, 2));
            const priceNanos = BigInt(entry.plan.minutePriceNanos);
            expect(amount('overage')).toEqual([divideRoundHalfAwayBig(BigInt(payg) * priceNanos * 100n, 60_000n * 1_000_000_000n)]);
            if (entry.plan.carrier === 'passthrough') expect(amount('carrier')).toEqual([divideRoundHalfAwayBig(BigInt(carrierMicros) * 100n, 1_000_000n)]);
            else expect(amount('carrier')).toEqual([]);
            const subtotal = invoice.lines.filter((line) => line.kind !== 'tax').reduce((sum, line) => sum + parseScaled(line.amount, 2), 0n);
            expect(formatScaled(subtotal, 2)).toBe(invoice.subtotal);
            expect(formatScaled(subtotal + parseScaled(invoice.tax, 2), 2)).toBe(invoice.total);
          }
        }
      }),
      { numRuns: 150 },
    );
  });

  it('a longer call never costs less (AI seconds, carrier cost, usage)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('a-ny', 'b-de', 'c-in'),
        fc.constantFrom('inbound', 'outbound', 'web'),
        fc.constantFrom('+14155550123', '+18005550199', '+442071234567'),
        fc.integer({ min: 0, max: 7_200_000 }),
        fc.integer({ min: 1, max: 600_000 }),
        (account, direction, to, shorterMillis, extraMillis) => {
          const at = '2026-11-20T10:00:00.000Z';
          const make = (millis: number, id: string): RawCallRecord => ({
            line: 2, call_id: id, account_id: account, direction, from: '+15550001111', to: direction === 'web' ? '' : to,
            started_at: at, answered_at: at, ended_at: new Date(Date.parse(at) + millis).toISOString(), end_reason: '',
          });
          const shorter = runRecords(book, [make(shorterMillis, 's')]);
          const longer = runRecords(book, [make(shorterMillis + extraMillis, 'l')]);
          const rowOf = (output: typeof shorter) => (output.outcomes[0]?.kind === 'rated' ? output.outcomes[0].row : -1);
          const a = shorter.settled.run.rating(rowOf(shorter));
          const b = longer.settled.run.rating(rowOf(longer));
          expect(b.billableSeconds).toBeGreaterThanOrEqual(a.billableSeconds);
          expect(b.aiSeconds).toBeGreaterThanOrEqual(a.aiSeconds);
          expect(b.carrierCost + b.surchargeCost).toBeGreaterThanOrEqual(a.carrierCost + a.surchargeCost);
          expect(b.usage).toBeGreaterThanOrEqual(a.usage);
        },
      ),
      { numRuns: 500 },
    );
  });
});
