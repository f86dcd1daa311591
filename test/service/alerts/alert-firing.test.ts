/**
 * Alerts fire once per period when a threshold is crossed (SPEC §11), on both stores: one
 * batch crossing two thresholds fires both once; the same crossing sent as eight concurrent
 * batches fires once; later batches and repeats fire nothing more; a new period fires again;
 * each firing queues one delivery per channel, with the event the receiver will get.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AlertEventDocument, BillingService } from '../../../src/service/billing-service.js';
import { openBillingService } from '../../../src/service/open-service.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';
import { exampleTariffDocument } from '../../support/example-data.js';

const NOW = new Date('2026-12-20T12:00:00Z');

/** Ten-minute web calls on 2026-12-<day>: starter includes 500 minutes, so 40 of them are 80%. */
function calls(prefix: string, count: number, day = '10') {
  return Array.from({ length: count }, (_, index) => {
    const start = new Date(Date.parse(`2026-12-${day}T00:00:00Z`) + index * 3_600_000);
    return { call_id: `${prefix}-${index}`, account_id: 'clinic', direction: 'web', started_at: start.toISOString(), answered_at: start.toISOString(), ended_at: new Date(start.getTime() + 600_000).toISOString() };
  });
}

describe.each(DATABASE_KINDS)('alert firing on %s', (kind) => {
  let database: TestDatabase;
  let service: BillingService;
  let store: Store;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    ({ service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_alerts', publicUrl: 'https://billing.example.com' }));
    store = await openStore(database.location);
    await service.putTariff(exampleTariffDocument());
    await service.putAccount('clinic', { name: 'Clinic', plan: 'starter', timezone: 'UTC', billing_anchor: '2026-12-01', country: 'US' });
    await service.createDefaultAlertRules('clinic', { channels: [{ type: 'webhook', url: 'https://hooks.example.com/a' }, { type: 'email', address: 'ops@example.com' }] }, NOW);
  });
  afterEach(async () => {
    await store.close();
    await service.close();
    await database.drop();
  });

  async function firings() {
    return store.db.selectFrom('alert_firings').selectAll().orderBy('id').execute();
  }

  it('fires each crossed threshold once, with one delivery per channel', async () => {
    await service.ingestCalls(calls('a', 39), NOW);
    expect(await firings()).toHaveLength(0);
    await service.ingestCalls(calls('b', 1, '20'), NOW); // 400 minutes: 80%
    const [first, ...others] = await firings();
    expect(others).toHaveLength(0);
    expect(first).toMatchObject({ threshold: '80', metric: 'included_used_percent', value: '80.00', period_index: 0 });
    const event = JSON.parse(first?.payload ?? '{}') as AlertEventDocument;
    expect(event).toMatchObject({
      type: 'usage.threshold_crossed',
      id: first?.event_id,
      data: { account_id: 'clinic', account_name: 'Clinic', metric: 'included_used_percent', threshold: '80', value: '80.00', included_minutes_left: '100.000', estimated_total: '49.00', currency: 'USD', dashboard_url: 'https://billing.example.com/dashboard/accounts/clinic' },
    });
    const deliveries = await store.db.selectFrom('alert_deliveries').selectAll().orderBy('id').execute();
    expect(deliveries.map((delivery) => [delivery.event_id, delivery.channel, delivery.target, delivery.status])).toEqual([
      [first?.event_id, 'webhook', 'https://hooks.example.com/a', 'pending'],
      [first?.event_id, 'email', 'ops@example.com', 'pending'],
    ]);
    expect(deliveries[0]?.secret).toMatch(/^whsec_/);

    await service.ingestCalls(calls('c', 20, '21'), NOW); // 600 minutes: past 100%
    await service.ingestCalls(calls('c', 20, '21'), NOW); // the same again: duplicates
    await service.ingestCalls(calls('d', 5, '22'), NOW);
    expect((await firings()).map((firing) => firing.threshold)).toEqual(['80', '100']);
  });

  it('keeps one default rule when the defaults are asked for twice', async () => {
    const again = await service.createDefaultAlertRules('clinic', { channels: [{ type: 'email', address: 'other@example.com' }] }, NOW);
    expect(again.map((rule) => rule.thresholds)).toEqual([['80', '100']]);
    expect(await service.listAlertRules('clinic')).toHaveLength(1);
  });

  it('fires once when eight concurrent batches cross the threshold together', async () => {
    await service.ingestCalls(calls('a', 35), NOW);
    await Promise.all(Array.from({ length: 8 }, (_, batch) => service.ingestCalls(calls(`p${batch}`, 1, String(11 + batch)), NOW)));
    expect((await firings()).map((firing) => firing.threshold)).toEqual(['80']);
  });

  it('fires again in a new period', async () => {
    await service.ingestCalls(calls('a', 40), NOW);
    const january = new Date('2027-01-20T12:00:00Z');
    const januaryCalls = calls('j', 40).map((call) => ({ ...call, started_at: call.started_at.replace('2026-12', '2027-01'), answered_at: call.answered_at.replace('2026-12', '2027-01'), ended_at: call.ended_at.replace('2026-12', '2027-01') }));
    await service.ingestCalls(januaryCalls, january);
    expect((await firings()).map((firing) => [firing.threshold, firing.period_index])).toEqual([
      ['80', 0],
      ['80', 1],
    ]);
  });

  it('fires a rule made after the crossing at once, and bundle minutes at or below', async () => {
    await service.ingestCalls(calls('a', 41), NOW);
    await service.createAlertRule('clinic', { metric: 'usage_minutes', thresholds: [100, '400'], channels: [{ type: 'email', address: 'a@example.com' }] }, NOW);
    expect((await firings()).map((firing) => [firing.metric, firing.threshold])).toEqual([
      ['included_used_percent', '80'],
      ['usage_minutes', '100'],
      ['usage_minutes', '400'],
    ]);
    await service.buyBundle('clinic', { bundle: 'topup-200', purchased_at: '2026-12-19T00:00:00Z' }, NOW);
    await service.createAlertRule('clinic', { metric: 'bundle_minutes_left', thresholds: ['50'], channels: [{ type: 'email', address: 'a@example.com' }] }, NOW);
    expect((await firings()).filter((firing) => firing.metric === 'bundle_minutes_left')).toHaveLength(0);
    await service.ingestCalls(calls('z', 25, '19'), NOW); // 250 minutes: 90 included, then 160 of the bundle's 200
    expect((await firings()).filter((firing) => firing.metric === 'bundle_minutes_left').map((firing) => firing.value)).toEqual(['40.000']);
  });
});
