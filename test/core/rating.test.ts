import { describe, expect, it } from 'vitest';
import { formatScaled } from '../../src/core/decimal.js';
import { rateCall, rateUsageInto, type UsageTarget } from '../../src/core/rating.js';
import { SPEC_TARIFF, callRecord, makeBook, ratedRow, runRecords } from '../support/book.js';

/** The rating of one record as `voicebill rate` prints its figures. */
function rate(fields: Parameters<typeof callRecord>[0], tariff?: string, accounts?: string) {
  const output = runRecords(makeBook(tariff, accounts), [callRecord(fields)]);
  const { rating, included, bundle, payg } = ratedRow(output, 0);
  return {
    billable: rating.billableSeconds,
    ai: rating.aiSeconds,
    prefix: rating.carrierPrefix,
    carrierSeconds: rating.carrierSeconds,
    carrierCost: formatScaled(rating.carrierCost, 6),
    surchargeCost: formatScaled(rating.surchargeCost, 6),
    carrierUsage: formatScaled(rating.carrierUsage, 3),
    usage: formatScaled(rating.usage, 3),
    included: formatScaled(included, 3),
    bundle: formatScaled(bundle, 3),
    payg: formatScaled(payg, 3),
  };
}

describe('SPEC §15 worked examples (plan starter)', () => {
  it('inbound to +1, answered 10:00:00.000, ended 10:01:30.200', () => {
    expect(
      rate({
        direction: 'inbound',
        to: '+15551230001',
        started_at: '2026-11-02T10:00:00-05:00',
        answered_at: '2026-11-02T10:00:00.000-05:00',
        ended_at: '2026-11-02T10:01:30.200-05:00',
      }),
    ).toMatchObject({ billable: 91, ai: 91, carrierSeconds: 120, carrierCost: '0.017000', carrierUsage: '10.200', usage: '101.200' });
  });

  it('outbound to +44, 61 s', () => {
    expect(
      rate({ to: '+442071234567', answered_at: '2026-11-03T10:00:05Z', ended_at: '2026-11-03T10:01:06Z' }),
    ).toMatchObject({ billable: 61, ai: 61, carrierSeconds: 61, carrierCost: '0.030333', carrierUsage: '18.200', usage: '79.200' });
  });

  it('outbound to +1, never answered: nothing at all', () => {
    expect(rate({ answered_at: '', ended_at: '2026-11-03T10:00:30Z' })).toMatchObject({
      billable: 0, ai: 0, prefix: null, carrierSeconds: 0, carrierCost: '0.000000', carrierUsage: '0.000', usage: '0.000',
    });
  });

  it('web call, 45 s: AI time only', () => {
    expect(rate({ direction: 'web', from: '', to: '', answered_at: '2026-11-04T11:00:00Z', ended_at: '2026-11-04T11:00:45Z' })).toMatchObject({
      billable: 45, ai: 45, prefix: null, carrierSeconds: 0, carrierCost: '0.000000', usage: '45.000',
    });
  });
});

describe('SPEC §5: carrier cost into usage', () => {
  const tariff = `
currency: USD
plans:
  p: {monthly_fee: "0", included_minutes: 0, minute_price: "0.10", rounding: 1}
  pass: {monthly_fee: "0", included_minutes: 0, minute_price: "0.10", rounding: 1, carrier: passthrough}
  forgiving: {monthly_fee: "0", included_minutes: 0, minute_price: "0.10", rounding: "30", free_below_seconds: 10}
carrier_rates:
  - {direction: outbound, prefix: "1", country: US, per_minute: "0.05", increment: "60/60"}
  - {direction: outbound, prefix: "49", country: DE, per_minute: "0.0200", connect_fee: "0.0150", increment: "1/1"}
surcharges:
  - {country: DE, per_minute: "0.0010", per_call: "0.0020"}
`;
  const account = (plan: string) => `accounts:\n  acme: {plan: ${plan}, timezone: UTC, billing_anchor: 2026-11-01, country: US}\n`;

  it('a 1-minute call, carrier $0.05, plan $0.10/min → 30.000 usage seconds, 90.000 in all', () => {
    expect(rate({ ended_at: '2026-11-03T10:01:05Z' }, tariff, account('p'))).toMatchObject({
      billable: 60, ai: 60, carrierCost: '0.050000', carrierUsage: '30.000', usage: '90.000', payg: '90.000',
    });
  });

  it('connect fee and per-country surcharges (per call and per minute), each rounded to 6 decimals', () => {
    // 61 s at 1/1: 0.0150 + 0.02 × 61/60 = 0.035333…; surcharge 0.0020 + 0.0010 × 61/60 = 0.0030166…
    expect(rate({ to: '+4930123456', ended_at: '2026-11-03T10:01:06Z' }, tariff, account('p'))).toMatchObject({
      carrierSeconds: 61, carrierCost: '0.035333', surchargeCost: '0.003017', carrierUsage: '23.010', usage: '84.010',
    });
  });

  it('passthrough: carrier money is billed as money and uses no balance', () => {
    expect(rate({ ended_at: '2026-11-03T10:01:05Z' }, tariff, account('pass'))).toMatchObject({
      carrierCost: '0.050000', carrierUsage: '0.000', usage: '60.000',
    });
  });

  it('free_below_seconds forgives short calls entirely but still shows the measured time and the rate row', () => {
    expect(rate({ answered_at: '2026-11-03T10:00:05Z', ended_at: '2026-11-03T10:00:14.2Z' }, tariff, account('forgiving'))).toMatchObject({
      billable: 10, ai: 30, carrierSeconds: 60,
    });
    expect(rate({ answered_at: '2026-11-03T10:00:05Z', ended_at: '2026-11-03T10:00:14Z' }, tariff, account('forgiving'))).toMatchObject({
      billable: 9, ai: 0, prefix: '1', carrierSeconds: 0, carrierCost: '0.000000', usage: '0.000',
    });
  });

  it('a fraction of a second rounds the duration up (90.2 s → 91 s), an exact second does not', () => {
    expect(rate({ direction: 'web', to: '', answered_at: '2026-11-03T10:00:00Z', ended_at: '2026-11-03T10:01:30.2Z' }, tariff, account('p')).billable).toBe(91);
    expect(rate({ direction: 'web', to: '', answered_at: '2026-11-03T10:00:00.5Z', ended_at: '2026-11-03T10:01:30.5Z' }, tariff, account('p')).billable).toBe(90);
    expect(rate({ direction: 'web', to: '', answered_at: '2026-11-03T10:00:00Z', ended_at: '2026-11-03T10:00:00.001Z' }, tariff, account('p')).billable).toBe(1);
  });
});

describe('rate deck: longest prefix in force at answered_at', () => {
  const tariff = `
currency: USD
plans:
  p: {monthly_fee: "0", included_minutes: 0, minute_price: "1", rounding: 1}
carrier_rates:
  - {direction: outbound, prefix: "44", country: GB, per_minute: "0.60", increment: "1"}
  - {direction: outbound, prefix: "447", country: GB, per_minute: "1.20", increment: "1"}
  - {direction: outbound, prefix: "447", country: GB, per_minute: "2.40", increment: "1", effective_from: "2026-11-10"}
  - {direction: outbound, prefix: "4420", country: GB, per_minute: "0.30", increment: "1", effective_from: "2026-11-20T12:00:00+01:00"}
  - {direction: inbound, prefix: "44", country: GB, per_minute: "6.00", increment: "1"}
`;
  const accounts = 'accounts:\n  acme: {plan: p, timezone: UTC, billing_anchor: 2026-01-01, country: GB}\n';
  const cost = (to: string, answeredAt: string, direction = 'outbound') => {
    const ended = new Date(Date.parse(answeredAt) + 60_000).toISOString();
    const result = rate({ direction, to, started_at: answeredAt, answered_at: answeredAt, ended_at: ended }, tariff, accounts);
    return `${result.prefix} ${result.carrierCost}`;
  };

  it('picks the longest prefix, its latest row in force, and falls back to a shorter prefix before a row starts', () => {
    expect(cost('+447700900123', '2026-11-09T23:59:59Z')).toBe('447 1.200000');
    expect(cost('+447700900123', '2026-11-10T00:00:00Z')).toBe('447 2.400000');
    expect(cost('+442071234567', '2026-11-20T10:59:59Z')).toBe('44 0.600000');
    expect(cost('+442071234567', '2026-11-20T11:00:00Z')).toBe('4420 0.300000');
    expect(cost('+441611234567', '2026-11-20T11:00:00Z')).toBe('44 0.600000');
    expect(cost('+447700900123', '2026-11-09T23:59:59Z', 'inbound')).toBe('44 6.000000');
  });

  it('spaces, dashes and brackets in numbers are ignored', () => {
    expect(cost('+44 (77) 0090-0123', '2026-11-10T00:00:00Z')).toBe('447 2.400000');
  });
});

describe('rateUsageInto (the settle loop) agrees with rateCall', () => {
  it('on every plan, rate row (or none), answered or not, across billable seconds', () => {
    const tariff = `${SPEC_TARIFF.replace('plans:\n', 'plans:\n  thirty: {name: Thirty, monthly_fee: "1", included_minutes: 0, minute_price: "0.07", rounding: "30/6", carrier: minutes, free_below_seconds: 3}\n')}surcharges:\n  - {country: GB, per_minute: "0.0031", per_call: "0.0007"}\n`;
    const book = makeBook(tariff);
    const out: UsageTarget = { usage: -1, carrierMicros: -1, carrierCall: true };
    let checked = 0;
    for (const plan of book.tariff.plans.values()) {
      for (const rateRow of [undefined, ...book.tariff.rateDeck.rows]) {
        for (const answered of [false, true]) {
          for (const seconds of [0, 1, 2, 3, 5, 29, 30, 31, 59, 60, 61, 90, 91, 3599, 7201, 2 ** 31 - 1]) {
            const rating = rateCall(book.tariff, plan, { direction: rateRow ? rateRow.direction : 'web', answered, billableSeconds: answered ? seconds : 0, rateRow: answered ? rateRow : undefined });
            rateUsageInto(book.tariff, plan, answered, answered ? seconds : 0, answered ? rateRow : undefined, out);
            expect(out).toEqual({ usage: rating.usage, carrierMicros: rating.carrierCost + rating.surchargeCost, carrierCall: rating.carrierPrefix !== null });
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(300);
  });
});
