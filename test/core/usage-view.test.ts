import { describe, expect, it } from 'vitest';
import { parseInstant } from '../../src/core/instant.js';
import { buildUsageView } from '../../src/core/usage-view.js';
import { toUsageDocument } from '../../src/formats/invoice-document.js';
import { callRecord, makeBook, runRecords } from '../support/book.js';

const tariff = `
currency: USD
plans:
  p: {monthly_fee: "30.00", included_minutes: 10, minute_price: "0.50", rounding: 1}
bundles:
  extra: {minutes: 2, price: "4.00", valid_days: 30}
numbers:
  - {country: US, type: local, monthly_fee: "1.00"}
taxes:
  - {country: DE, percent: "10"}
`;
const accounts = `
accounts:
  a:
    plan: p
    timezone: UTC
    billing_anchor: 2026-11-01
    country: DE
    bundles: [{bundle: extra, purchased_at: "2026-11-02T00:00:00Z"}, {bundle: extra, purchased_at: "2026-11-25T00:00:00Z"}]
    numbers: [{number: "+15550100", type: local, rented_at: "2026-10-05T12:00:00Z"}]
`;

function web(id: string, answered: string, seconds: number) {
  const ended = new Date(Date.parse(answered) + seconds * 1000).toISOString();
  return callRecord({ call_id: id, account_id: 'a', direction: 'web', from: '', to: '', started_at: answered, answered_at: answered, ended_at: ended });
}

describe('usage view (SPEC §10)', () => {
  const book = makeBook(tariff, accounts);
  // 9 min on day 1, 4 min on day 6 (the second call ends after the view's instant for one test)
  const { settled } = runRecords(book, [web('x1', '2026-11-01T10:00:00Z', 540), web('x2', '2026-11-06T10:00:00Z', 240)]);
  const view = (at: string) => {
    const account = settled.accounts.get('a');
    if (!account) throw new Error('no account');
    const result = buildUsageView(settled.run, account, parseInstant(at) as number);
    if (!result) throw new Error('no view');
    return toUsageDocument(result, 'UTC');
  };

  it('counts calls once they have ended, purchases once made; money like invoice lines, tax included', () => {
    expect(view('2026-11-06T10:03:59Z')).toMatchObject({
      included_used_seconds: '540.000',
      included_left_seconds: '60.000',
      bundle_left_seconds: '120.000',
      payg_seconds: '0.000',
      payg_amount: '0.00',
      // (30 plan + 4 bundle + 2 × 1.00 number: Oct 5, before the first period, lands here, and Nov 5) × 1.10
      estimated_total: '39.60',
    });
    expect(view('2026-11-06T10:04:00Z')).toMatchObject({
      included_used_seconds: '600.000',
      bundle_left_seconds: '0.000',
      payg_seconds: '60.000',
      payg_amount: '0.50',
      estimated_total: '40.15',
      bundles: [{ bundle: 'extra', purchased_at: '2026-11-02T00:00:00+00:00', expires_at: '2026-12-02T00:00:00+00:00', left_seconds: '0.000' }],
    });
  });

  it('forecasts usage linearly over the period and adds number charges already scheduled', () => {
    // At day 15 of 30 (Nov 16 00:00): 780 s used → 1,560 s projected; 600 included + 120 bundle → 840 s payg = 7.00.
    // Fixed: 30 plan + 4 bundle + 2 numbers; the next number charge (Dec 5) is past the period. (36 + 7) × 1.10.
    expect(view('2026-11-16T00:00:00Z')).toMatchObject({ estimated_total: '40.15', forecast_total: '47.30' });
    // On Nov 4 (day 3 of 30) the Nov 5 number charge is still to come: in the forecast, not yet in the
    // estimate. 540 s → 5,400 s projected; 600 + 120 drawn → 4,680 s payg = 39.00; (30 + 4 + 1 + 1 + 39) × 1.10.
    expect(view('2026-11-04T00:00:00Z')).toMatchObject({ estimated_total: '38.50', forecast_total: '82.50' });
  });
});

describe('countryOfNumber (SPEC §8)', async () => {
  const { countryOfNumber } = await import('../../src/formats/accounts-file.js');
  it.each([
    ['+15555209734', 'US'], // not a valid number: by its calling code
    ['+14165551234', 'CA'],
    ['+442071234567', 'GB'],
    ['+79001234567', 'RU'],
    ['+4915112345678', 'DE'],
  ])('%s → %s', (number, country) => {
    expect(countryOfNumber(number)).toBe(country);
  });
});
