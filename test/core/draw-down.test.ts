import { describe, expect, it } from 'vitest';
import { formatScaled } from '../../src/core/decimal.js';
import { callRecord, makeBook, ratedRow, runRecords } from '../support/book.js';

// One web call costs exactly its seconds of usage under rounding 1: easy figures.
const tariff = `
currency: USD
plans:
  p: {monthly_fee: "10.00", included_minutes: 1, minute_price: "0.60", rounding: 1}
bundles:
  a: {minutes: 1, price: "1.00", valid_days: 10}
  b: {minutes: 1, price: "1.00", valid_days: 30}
  c: {minutes: 1, price: "1.00", valid_days: 10}
`;

function web(id: string, answeredAt: string, seconds: number) {
  const ended = new Date(Date.parse(answeredAt) + seconds * 1000).toISOString();
  return callRecord({ call_id: id, direction: 'web', from: '', to: '', started_at: answeredAt, answered_at: answeredAt, ended_at: ended });
}

function drawsOf(accounts: string, records: ReturnType<typeof web>[]) {
  const output = runRecords(makeBook(tariff, accounts), records);
  return records.map((_, index) => {
    const { included, bundle, payg } = ratedRow(output, index);
    return `${formatScaled(included, 3)}/${formatScaled(bundle, 3)}/${formatScaled(payg, 3)}`;
  });
}

describe('draw-down (SPEC §6)', () => {
  it('included first, then bundles, then pay-as-you-go; one call may split', () => {
    const accounts = `accounts:\n  acme: {plan: p, timezone: UTC, billing_anchor: 2026-11-01, country: US, bundles: [{bundle: a, purchased_at: "2026-11-01T00:00:00Z"}]}\n`;
    expect(drawsOf(accounts, [web('x1', '2026-11-02T00:00:00Z', 40), web('x2', '2026-11-02T01:00:00Z', 50), web('x3', '2026-11-02T02:00:00Z', 60)])).toEqual([
      '40.000/0.000/0.000',
      '20.000/30.000/0.000',
      '0.000/30.000/30.000',
    ]);
  });

  it('draws in answered_at order, ties by call_id, whatever the input order', () => {
    const accounts = `accounts:\n  acme: {plan: p, timezone: UTC, billing_anchor: 2026-11-01, country: US}\n`;
    expect(drawsOf(accounts, [web('z', '2026-11-02T00:00:00Z', 40), web('y', '2026-11-02T00:00:00Z', 40), web('early', '2026-11-01T12:00:00Z', 10)])).toEqual([
      '10.000/0.000/30.000',
      '40.000/0.000/0.000',
      '10.000/0.000/0.000',
    ]);
  });

  it('bundles: the one expiring first, then purchased first, then by id; bought after the call or expired: not used', () => {
    const accounts = `accounts:
  acme:
    plan: p
    timezone: UTC
    billing_anchor: 2026-11-01
    country: US
    bundles:
      - {bundle: b, purchased_at: "2026-11-01T00:00:00Z"}
      - {bundle: c, purchased_at: "2026-11-01T00:00:00Z"}
      - {bundle: a, purchased_at: "2026-11-01T00:00:00Z"}
      - {bundle: a, purchased_at: "2026-11-20T00:00:00Z"}
`;
    // 60 s included; then a (expires 11-11) and c (same expiry, id c > a); then b (expires 12-01).
    expect(
      drawsOf(accounts, [
        web('x1', '2026-11-02T00:00:00Z', 60),
        web('x2', '2026-11-02T01:00:00Z', 90),
        web('x3', '2026-11-12T00:00:00Z', 60),
        web('x4', '2026-11-21T00:00:00Z', 90),
      ]),
    ).toEqual(['60.000/0.000/0.000', '0.000/90.000/0.000', '0.000/60.000/0.000', '0.000/60.000/30.000']);
  });

  it('included minutes left at the end of a period are lost; the next period starts full', () => {
    const accounts = `accounts:\n  acme: {plan: p, timezone: UTC, billing_anchor: 2026-11-01, country: US}\n`;
    expect(drawsOf(accounts, [web('x1', '2026-11-30T23:59:00Z', 30), web('x2', '2026-12-01T00:00:00Z', 90)])).toEqual([
      '30.000/0.000/0.000',
      '60.000/0.000/30.000',
    ]);
  });
});
