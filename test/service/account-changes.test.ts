/**
 * What changes an account's billing after calls are stored, on both stores: a bundle bought
 * with a past purchase instant draws the calls after it again (the result equals the batch
 * command's, which knew the bundle from the start); a plan change and a new tariff version
 * wait for the next period; authorization never promises more than balances and cap hold;
 * numbers are rented once and released.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BillingService } from '../../src/service/billing-service.js';
import { openBillingService } from '../../src/service/open-service.js';
import { voicebill } from '../support/cli.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases.js';
import { exampleAccountDocuments, exampleCallRecords, exampleTariffDocument } from '../support/example-data.js';

const NOW = new Date('2026-12-03T12:00:00Z');

describe.each(DATABASE_KINDS)('account changes on %s', (kind) => {
  let database: TestDatabase;
  let service: BillingService;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    ({ service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_test' }));
    await service.putTariff(exampleTariffDocument());
  });
  afterEach(async () => {
    await service.close();
    await database.drop();
  });

  it('draws the calls after a bundle bought in the past again, ending as if it had been known all along', async () => {
    const accounts = exampleAccountDocuments() as Record<string, { bundles?: unknown[] }>;
    for (const [id, document] of Object.entries(accounts)) await service.putAccount(id, { ...document, bundles: [] });
    const calls = await exampleCallRecords();
    for (let start = 0; start < calls.length; start += 1000) await service.ingestCalls(calls.slice(start, start + 1000), NOW);
    const withoutBundle = await service.getInvoice('mumbai-clinic', '2026-11', NOW);

    const bought = await service.buyBundle('mumbai-clinic', { bundle: 'topup-200', purchased_at: '2026-11-18T11:42:00+05:30' }, NOW);
    expect(bought).toMatchObject({ bundle: 'topup-200', minutes: '200', price: '15.00' });
    const batch = voicebill(['invoice', '--tariff', 'examples/tariff.yaml', '--accounts', 'examples/accounts.yaml', '--calls', 'examples/calls.csv', '--period', '2026-11']);
    const expected = (JSON.parse(batch.stdout) as { account_id: string }[]).find((invoice) => invoice.account_id === 'mumbai-clinic');
    const { number: _n, status: _s, closed_at: _c, ...withBundle } = await service.getInvoice('mumbai-clinic', '2026-11', NOW);
    expect(withBundle).toEqual(expected);
    expect(withBundle.usage.bundle_used_seconds).not.toBe(withoutBundle.usage.bundle_used_seconds);
    expect((await service.doctor()).differences).toEqual([]);
    await expect(service.buyBundle('mumbai-clinic', { bundle: 'topup-200', purchased_at: '2026-11-18T11:42:00+05:30' }, NOW)).rejects.toMatchObject({ code: 'conflict' });
    await expect(service.buyBundle('mumbai-clinic', { bundle: 'nope' }, NOW)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('keeps a plan change and a new tariff version for the next period', async () => {
    const account = { plan: 'starter', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' };
    await service.putAccount('clinic', account);
    const call = (id: string, day: string) => ({ call_id: id, account_id: 'clinic', direction: 'web', started_at: `${day}T10:00:00Z`, answered_at: `${day}T10:00:00Z`, ended_at: `${day}T10:00:10Z` });
    await service.ingestCalls([call('november', '2026-11-20')], NOW);

    const { account: changed } = await service.putAccount('clinic', { ...account, plan: 'growth' });
    expect(changed.plan).toBe('starter');
    expect(changed.next_plan).toEqual({ plan: 'growth', from: '2027-01-01T00:00:00+00:00' });
    // Growth rounds 30/6: ten seconds bill thirty. Starter bills them as they are.
    const [december, january] = await service.ingestCalls([call('december', '2026-12-20'), call('january', '2027-01-20')], NOW);
    expect(december).toMatchObject({ status: 'rated', ai_seconds: 10 });
    expect(january).toMatchObject({ status: 'rated', ai_seconds: 30 });

    const tariff = exampleTariffDocument() as { plans: Record<string, Record<string, unknown>> };
    (tariff.plans.growth as Record<string, unknown>).rounding = '60/60';
    const version = await service.putTariff(tariff);
    expect(version.version).toBe(2);
    // Periods that began (or were opened by a call) before the new version keep the old one;
    // a later period takes it.
    const [stillOld, later] = await service.ingestCalls([call('january-2', '2027-01-21'), call('far', '2030-03-05')], NOW);
    expect(stillOld).toMatchObject({ ai_seconds: 30 });
    expect(later).toMatchObject({ ai_seconds: 60 });
    await expect(service.putAccount('clinic', { ...account, timezone: 'Europe/Berlin' })).rejects.toMatchObject({ code: 'conflict' });
    // Back to the plan in force: the pending change is withdrawn.
    const { account: back } = await service.putAccount('clinic', account);
    expect([back.plan, back.next_plan]).toEqual(['starter', null]);
    await expect(service.usage('clinic', new Date('9999-01-01T00:00:00Z'))).rejects.toMatchObject({ code: 'invalid_request' });
    await expect(service.getInvoice('clinic', '9999-12', NOW)).rejects.toMatchObject({ code: 'invalid_request' });
  });

  it('refuses a tariff version that drops a plan an account is on, changing nothing', async () => {
    await service.putAccount('clinic', { plan: 'starter', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' });
    const tariff = exampleTariffDocument() as { plans: Record<string, unknown> };
    delete tariff.plans.starter;
    await expect(service.putTariff(tariff)).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('account clinic is on plan "starter"') as unknown });
    expect((await service.getTariff()).version).toBe(1);
  });

  it('authorizes no longer a call than the included minutes, and the spend cap, pay for', async () => {
    const base = { plan: 'starter', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' };
    await service.putAccount('blocked', { ...base, overage: 'block' });
    await service.putAccount('capped', { ...base, spend_cap: '1.00' });
    await service.putAccount('open', base);
    const at = '2026-11-10T00:00:00Z';
    // Starter: 500 included minutes, rounding 1, web calls use no carrier.
    expect(await service.authorize('blocked', { direction: 'web', at }, NOW)).toMatchObject({ allowed: true, max_seconds: 30_000 });
    // $1.00 at $0.10/min: 602 s round to $1.00, 603 s to $1.01.
    expect(await service.authorize('capped', { direction: 'web', at }, NOW)).toMatchObject({ allowed: true, max_seconds: 30_602 });
    expect(await service.authorize('open', { direction: 'web', at }, NOW)).toMatchObject({ allowed: true, max_seconds: null });
    await service.ingestCalls([{ call_id: 'long', account_id: 'blocked', direction: 'web', started_at: '2026-11-02T00:00:00Z', answered_at: '2026-11-02T00:00:00Z', ended_at: '2026-11-02T08:20:00Z' }], NOW);
    expect(await service.authorize('blocked', { direction: 'web', at }, NOW)).toMatchObject({ allowed: false, max_seconds: 0, reason: 'balances_empty' });
    const outbound = await service.authorize('capped', { direction: 'outbound', to: '+442071234567', at }, NOW);
    expect(outbound.max_seconds).toBeGreaterThan(0);
    expect(outbound.max_seconds).toBeLessThan(30_602);
  });

  it('rents a number once at a time and lists its next charge', async () => {
    await service.putAccount('a', { plan: 'starter', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' });
    await service.putAccount('b', { plan: 'starter', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' });
    const rented = await service.rentNumber('a', { number: '+1 212 555 0142', type: 'local', rented_at: '2026-11-15T09:00:00Z' }, NOW);
    expect(rented).toMatchObject({ number: '+12125550142', country: 'US', next_charge_at: '2026-12-15T09:00:00+00:00' });
    await expect(service.rentNumber('b', { number: '+12125550142', type: 'local' }, NOW)).rejects.toMatchObject({ code: 'conflict' });
    const released = await service.releaseNumber('a', '+12125550142', { released_at: '2026-12-10T00:00:00Z' }, NOW);
    expect(released).toMatchObject({ released_at: '2026-12-10T00:00:00+00:00', next_charge_at: null });
    const invoice = await service.getInvoice('a', '2026-11', NOW);
    expect(invoice.lines.filter((line) => line.kind === 'number_rental')).toHaveLength(1);
    expect(await service.rentNumber('b', { number: '+12125550142', type: 'local', rented_at: '2026-12-10T00:00:00Z' }, NOW)).toMatchObject({ number: '+12125550142' });
  });
});
