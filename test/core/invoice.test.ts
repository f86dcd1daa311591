import { describe, expect, it } from 'vitest';
import { buildInvoice, overageAmountMinor } from '../../src/core/invoice.js';
import { emptyTotals } from '../../src/core/period-totals.js';
import { toInvoiceDocument } from '../../src/formats/invoice-document.js';
import { invoicesOfMonth } from '../../src/cli/commands/invoice.js';
import { callRecord, makeBook, runRecords } from '../support/book.js';

describe('overage (SPEC §9, §15)', () => {
  it('30,100.500 usage seconds on 500 included minutes: 100.500 s pay-as-you-go → 0.17', () => {
    expect(overageAmountMinor(100_500, 100_000_000, 2)).toBe(17n);
  });

  it('is rounded once over the period, not per call', () => {
    // 3 calls of 1 s at $0.10/min: per call 0.001666… → 0.00 each, but 3 s → 0.005 → 0.01.
    expect(overageAmountMinor(3_000, 100_000_000, 2)).toBe(1n);
  });

  it('uses the currency minor unit (JPY 0 decimals, KWD 3)', () => {
    expect(overageAmountMinor(90_000, 12_000_000_000, 0)).toBe(18n);
    expect(overageAmountMinor(1_000, 100_000_000, 3)).toBe(2n);
  });
});

const tariff = `
currency: EUR
plans:
  p: {name: Pro, monthly_fee: "49.99", included_minutes: 1, minute_price: "0.10", rounding: 1}
  pass: {name: Pass, monthly_fee: "10", included_minutes: 0, minute_price: "0.10", rounding: 1, carrier: passthrough}
bundles:
  boost: {minutes: 10, price: "5.00", valid_days: 365}
carrier_rates:
  - {direction: outbound, prefix: "49", country: DE, per_minute: "0.0133", increment: "1/1"}
numbers:
  - {country: DE, type: local, monthly_fee: "2.50"}
  - {country: DE, type: mobile, monthly_fee: "7.00"}
taxes:
  - {country: DE, percent: "19"}
`;

describe('invoice lines (SPEC §8, §9)', () => {
  const accounts = `
accounts:
  berlin:
    plan: p
    timezone: Europe/Berlin
    billing_anchor: 2026-01-31
    country: DE
    bundles:
      - {bundle: boost, purchased_at: "2026-01-15T10:00:00+01:00"}
      - {bundle: boost, purchased_at: "2026-02-27T23:30:00Z"}
    numbers:
      - {number: "+49 30 1234567", type: local, rented_at: "2026-01-31T09:00:00+01:00"}
      - {number: "+4915112345678", type: mobile, rented_at: "2026-01-20T12:00:00+01:00", released_at: "2026-03-20T12:00:00+01:00"}
`;

  it('first period: plan fee, overage, the bundle and number charges from before the first period, tax', () => {
    const { settled } = runRecords(makeBook(tariff, accounts), []);
    const [invoice] = invoicesOfMonth(settled, '2026-01');
    expect(invoice?.period_start).toBe('2026-01-31T00:00:00+01:00');
    expect(invoice?.period_end).toBe('2026-02-28T00:00:00+01:00');
    expect(invoice?.lines.map((line) => `${line.kind} ${line.quantity} ${line.amount}`)).toEqual([
      'plan_fee 1 49.99',
      'overage 0.000000 0.00',
      'bundle 1 5.00', // bought 01-15, before the first period: lands on the first invoice
      'number_rental 1 7.00', // mobile rented 01-20, before the first period
      'number_rental 1 2.50', // local rented 01-31 09:00
      'number_rental 1 7.00', // mobile anniversary 02-20
      'tax 19 13.58', // 71.49 × 19% = 13.5831
    ]);
    expect(invoice?.subtotal).toBe('71.49');
    expect(invoice?.tax).toBe('13.58');
    expect(invoice?.total).toBe('85.07');
  });

  it('the second bundle (02-27 23:30Z = 02-28 00:30 Berlin) lands in the second period; a released number stops', () => {
    const { settled } = runRecords(makeBook(tariff, accounts), []);
    const [february] = invoicesOfMonth(settled, '2026-02');
    expect(february?.lines.map((line) => `${line.kind} ${line.amount}`)).toEqual([
      'plan_fee 49.99',
      'overage 0.00',
      'bundle 5.00',
      'number_rental 2.50', // local 02-28 09:00 (the 31st clamped); mobile 03-20 12:00 is at released_at: not charged
      'tax 10.92', // 57.49 × 19% = 10.9231
    ]);
    expect(february?.period_end).toBe('2026-03-31T00:00:00+02:00');
  });

  it('a number released 1 ns after a monthly charge still pays that charge; released at it, it does not', () => {
    const accountsWith = (releasedAt: string) => `
accounts:
  n: {plan: p, timezone: UTC, billing_anchor: 2026-11-01, country: FR, numbers: [{number: "+4930123456", type: local, rented_at: "2026-11-01T09:00:00Z", released_at: "${releasedAt}"}]}
`;
    const rentals = (releasedAt: string) => {
      const { settled } = runRecords(makeBook(tariff, accountsWith(releasedAt)), []);
      return invoicesOfMonth(settled, '2026-12')[0]?.lines.filter((line) => line.kind === 'number_rental').length;
    };
    expect(rentals('2026-12-01T09:00:00.000000001Z')).toBe(1);
    expect(rentals('2026-12-01T09:00:00Z')).toBe(0);
  });

  it('passthrough plans always show a carrier line: the exact sum of the calls rounded once', () => {
    const accountsPass = 'accounts:\n  pat: {plan: pass, timezone: UTC, billing_anchor: 2026-11-01, country: FR}\n';
    const records = [1, 2, 3].map((index) =>
      callRecord({ account_id: 'pat', to: '+4930123456', answered_at: `2026-11-0${index}T10:00:00Z`, started_at: `2026-11-0${index}T10:00:00Z`, ended_at: `2026-11-0${index}T10:00:01Z` }),
    );
    const { settled } = runRecords(makeBook(tariff, accountsPass), records);
    const [invoice] = invoicesOfMonth(settled, '2026-11');
    // each call 0.0133/60 = 0.000222 (6 decimals); 3 × 0.000222 = 0.000666 → 0.00
    expect(invoice?.lines.find((line) => line.kind === 'carrier')).toMatchObject({ quantity: '3', amount: '0.00' });
    expect(invoice?.lines.some((line) => line.kind === 'tax')).toBe(false);
    const [empty] = invoicesOfMonth(settled, '2026-12');
    expect(empty?.lines.find((line) => line.kind === 'carrier')).toMatchObject({ quantity: '0', amount: '0.00' });
  });

  it('an empty period bills the plan fee and a zero overage', () => {
    const book = makeBook(tariff, 'accounts:\n  a: {plan: p, timezone: UTC, billing_anchor: 2026-11-01, country: US}\n');
    const entry = book.accounts.get('a');
    if (!entry) throw new Error('no account');
    const document = toInvoiceDocument(
      buildInvoice({ tariff: book.tariff, account: entry.account, plan: entry.plan, period: entry.calendar.period(0), totals: emptyTotals() }),
    );
    expect(document).toMatchObject({ subtotal: '49.99', tax: '0.00', total: '49.99', usage: { included_seconds: '60.000', calls: 0 } });
  });
});
