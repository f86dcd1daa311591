/**
 * Late calls (SPEC §9) on both stores: a call for a closed period leaves the closed invoice
 * as it was and puts the difference on the next invoice; the adjustments of a period add up
 * to "as it would have been" minus "as invoiced", whatever order the late calls arrive in.
 */
import { describe, expect, it } from 'vitest';
import type { BillingService } from '../../src/service/billing-service.js';
import { openBillingService } from '../../src/service/open-service.js';
import { createTestDatabase, DATABASE_KINDS } from '../support/databases.js';

const NOW = new Date('2026-12-03T12:00:00Z');

const TARIFF = {
  currency: 'USD',
  plans: { p: { name: 'P', monthly_fee: '10.00', included_minutes: 1, minute_price: '1.00', rounding: 1, carrier: 'minutes', overage: 'allow' } },
  bundles: { b: { minutes: 10, price: '5.00', valid_days: 30 } },
  carrier_rates: [{ direction: 'outbound', prefix: '1', country: 'US', per_minute: '0.01', connect_fee: '0', increment: '60/60' }],
};

const ACCOUNT = { plan: 'p', timezone: 'UTC', billing_anchor: '2026-10-01', country: 'US', bundles: [{ bundle: 'b', purchased_at: '2026-10-15T00:00:00Z' }] };

function webCall(id: string, day: string, seconds: number) {
  const start = `2026-10-${day}T10:00:00Z`;
  return { call_id: id, account_id: 'a', direction: 'web', started_at: start, answered_at: start, ended_at: new Date(Date.parse(start) + seconds * 1000).toISOString() };
}

/** A service with the account's October and November closed, then the late calls sent one at a time. */
async function adjustmentsAfter(kind: 'sqlite' | 'postgres', late: readonly unknown[]): Promise<{ october: unknown; lines: { kind: string; amount: string; quantity: string }[] }> {
  const database = await createTestDatabase(kind);
  const { service } = (await openBillingService({ db: database.location, operatorKey: 'vb_op_late' })) as { service: BillingService };
  try {
    await service.putTariff(TARIFF);
    await service.putAccount('a', ACCOUNT);
    await service.ingestCalls([webCall('early', '05', 30)], NOW);
    expect(await service.closeDuePeriods(NOW)).toBe(2);
    const october = await service.getInvoice('a', '2026-10', NOW);
    for (const call of late) expect((await service.ingestCalls([call], NOW))[0]).toMatchObject({ status: 'rated', late: true });
    expect(await service.getInvoice('a', '2026-10', NOW)).toEqual(october);
    const december = await service.getInvoice('a', '2026-12', NOW);
    expect((await service.doctor()).differences).toEqual([]);
    return { october, lines: december.lines.filter((line) => line.kind === 'adjustment') };
  } finally {
    await service.close();
    await database.drop();
  }
}

describe.each(DATABASE_KINDS)('late calls on %s', (kind) => {
  it('bill the same adjustment whatever order they arrive in', async () => {
    // In time, A (10 Oct) takes what is left of the included minute and B (20 Oct) the bundle
    // bought on 15 Oct: nothing more to pay. Drawn in arrival order B-then-A, B would take the
    // included minute and A, before the bundle existed, would go to pay-as-you-go.
    const a = webCall('late-a', '10', 60);
    const b = webCall('late-b', '20', 60);
    const inOrder = await adjustmentsAfter(kind, [a, b]);
    const reversed = await adjustmentsAfter(kind, [b, a]);
    const total = (lines: { amount: string }[]): number => lines.reduce((sum, line) => sum + Math.round(Number(line.amount) * 100), 0);
    expect(total(reversed.lines)).toBe(total(inOrder.lines));
    // 30 s early + 60 s of A: 30 s past the included minute at $1.00/min = $0.50.
    expect(total(inOrder.lines)).toBe(50);
    expect(inOrder.lines.map((line) => line.quantity)).toEqual(['2']);
  });
});

describe.each(DATABASE_KINDS)('purchases and rentals in closed periods on %s', (kind) => {
  it('are refused, since the invoice they would land on is final', async () => {
    const database = await createTestDatabase(kind);
    const { service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_late' });
    try {
      await service.putTariff({ ...TARIFF, numbers: [{ country: 'US', type: 'local', monthly_fee: '1.00' }] });
      await service.putAccount('a', { ...ACCOUNT, bundles: [] });
      expect(await service.closeDuePeriods(NOW)).toBe(2);
      await expect(service.buyBundle('a', { bundle: 'b', purchased_at: '2026-10-15T00:00:00Z' }, NOW)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('2026-12-01') as unknown });
      await expect(service.rentNumber('a', { number: '+12125550777', type: 'local', rented_at: '2026-10-15T00:00:00Z' }, NOW)).rejects.toMatchObject({ code: 'conflict' });
      await expect(service.putAccount('a', { ...ACCOUNT })).rejects.toMatchObject({ code: 'conflict' });
      expect(await service.listBundles('a', NOW)).toEqual([]);
      expect(await service.buyBundle('a', { bundle: 'b', purchased_at: '2026-12-02T00:00:00Z' }, NOW)).toMatchObject({ bundle: 'b' });
      const rented = await service.rentNumber('a', { number: '+12125550777', type: 'local', rented_at: '2026-12-02T00:00:00Z' }, NOW);
      expect(rented.next_charge_at).toBe('2027-01-02T00:00:00+00:00');
      await expect(service.releaseNumber('a', '+12125550777', { released_at: '2026-11-20T00:00:00Z' }, NOW)).rejects.toMatchObject({ code: 'invalid_request' });
    } finally {
      await service.close();
      await database.drop();
    }
  });
});
