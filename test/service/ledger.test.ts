/**
 * The service's ledger on both stores, through the `BillingService` methods the HTTP routes
 * call: the example month ingested out of order gives the batch command's invoices to the
 * cent; re-ingesting changes nothing; bad records are refused alone; periods close once with
 * gapless numbers; a late call becomes an adjustment on the next invoice; the doctor finds the
 * balances equal to the ledger throughout.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BillingService, CallResult } from '../../src/service/billing-service.js';
import { openBillingService } from '../../src/service/open-service.js';
import { voicebill } from '../support/cli.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases.js';
import { exampleAccountDocuments, exampleCallRecords, exampleTariffDocument } from '../support/example-data.js';

const NOW = new Date('2026-12-03T12:00:00Z');

function shuffled<T>(items: readonly T[], seed: number): T[] {
  const copy = [...items];
  let state = seed;
  for (let index = copy.length - 1; index > 0; index--) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    const other = state % (index + 1);
    [copy[index], copy[other]] = [copy[other] as T, copy[index] as T];
  }
  return copy;
}

async function ingestAll(service: BillingService, records: readonly unknown[], batch = 700): Promise<CallResult[]> {
  const results: CallResult[] = [];
  for (let start = 0; start < records.length; start += batch) results.push(...(await service.ingestCalls(records.slice(start, start + batch), NOW)));
  return results;
}

function batchInvoices(month: string): unknown[] {
  const result = voicebill(['invoice', '--tariff', 'examples/tariff.yaml', '--accounts', 'examples/accounts.yaml', '--calls', 'examples/calls.csv', '--period', month]);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as unknown[];
}

async function seeded(service: BillingService): Promise<string[]> {
  await service.putTariff(exampleTariffDocument());
  const accounts = exampleAccountDocuments();
  for (const [id, document] of Object.entries(accounts)) await service.putAccount(id, document);
  return Object.keys(accounts).sort();
}

describe.each(DATABASE_KINDS)('ledger on %s', (kind) => {
  let database: TestDatabase;
  let service: BillingService;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    ({ service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_test' }));
  });
  afterEach(async () => {
    await service.close();
    await database.drop();
  });

  it('bills the example month out of order exactly as `voicebill invoice` does, and re-ingesting changes nothing', async () => {
    const accounts = await seeded(service);
    const records = await exampleCallRecords();
    const results = await ingestAll(service, shuffled(records, 7));
    expect(results.filter((result) => result.status === 'rated')).toHaveLength(records.length);

    const drafts = [];
    for (const id of accounts) {
      const { number, status, closed_at: closedAt, ...invoice } = await service.getInvoice(id, '2026-11', NOW);
      expect([number, status, closedAt]).toEqual([null, 'draft', null]);
      drafts.push(invoice);
    }
    expect(drafts).toEqual(batchInvoices('2026-11'));
    expect((await service.doctor()).differences).toEqual([]);

    const again = await ingestAll(service, shuffled(records, 11), 1000);
    expect(again.every((result) => result.status === 'duplicate')).toBe(true);
    for (const [index, id] of accounts.entries()) {
      const { number: _n, status: _s, closed_at: _c, ...invoice } = await service.getInvoice(id, '2026-11', NOW);
      expect(invoice).toEqual(drafts[index]);
    }
    const doctor = await service.doctor();
    expect(doctor.ok).toBe(true);
    expect(doctor.checked.calls).toBe(records.length);
  });

  it('keeps the good records of a batch with bad ones and names each bad one', async () => {
    await seeded(service);
    const good = { call_id: 'good-1', account_id: 'acme-dental', direction: 'web', started_at: '2026-11-20T10:00:00Z', answered_at: '2026-11-20T10:00:00Z', ended_at: '2026-11-20T10:01:00Z' };
    const results = await service.ingestCalls(
      [
        good,
        { ...good, call_id: 'bad-time', ended_at: 'yesterday' },
        { ...good, call_id: 'bad-account', account_id: 'nobody' },
        'not an object',
        { ...good, call_id: 'good-2', answered_at: '2026-11-20T10:00:30Z' },
        { ...good, ended_at: '2026-11-20T10:02:00Z' },
        { ...good },
      ],
      NOW,
    );
    expect(results.map((result) => (result.status === 'rejected' ? result.error.code : result.status))).toEqual([
      'rated',
      'unparseable_timestamp',
      'unknown_account',
      'malformed_record',
      'rated',
      'conflicting_duplicate',
      'duplicate',
    ]);
    const rated = results[0];
    expect(rated).toMatchObject({ status: 'rated', billable_seconds: 60, usage_seconds: '60.000', included_seconds: '60.000' });
    expect((await service.getInvoice('acme-dental', '2026-11', NOW)).usage.calls).toBe(2);
  });

  it('closes each period once with gapless numbers, and bills a late call as an adjustment on the next invoice', async () => {
    const accounts = await seeded(service);
    await ingestAll(service, await exampleCallRecords());
    const expected = batchInvoices('2026-11');

    const closed = await service.closeDuePeriods(NOW);
    expect(await service.closeDuePeriods(NOW)).toBe(0);
    const numbers: string[] = [];
    for (const id of accounts) {
      for (const summary of await service.listInvoices(id, NOW)) if (summary.number) numbers.push(summary.number);
    }
    expect(numbers).toHaveLength(closed);
    expect(numbers.map((number) => Number(number.slice(4))).sort((a, b) => a - b)).toEqual(Array.from({ length: closed }, (_, index) => index + 1));
    const november = [];
    for (const id of accounts) {
      const { number, status, closed_at: _c, ...invoice } = await service.getInvoice(id, '2026-11', NOW);
      // Only mumbai-clinic's November period (anchor the 1st, Asia/Kolkata) has ended by NOW.
      expect([id, status]).toEqual([id, id === 'mumbai-clinic' ? 'closed' : 'draft']);
      if (status === 'closed') expect(number).toMatch(/^INV-\d{6}$/);
      november.push(invoice);
    }
    expect(november).toEqual(expected);

    const lateCall = { call_id: 'late-1', account_id: 'mumbai-clinic', direction: 'web', started_at: '2026-11-20T10:00:00Z', answered_at: '2026-11-20T10:00:00Z', ended_at: '2026-11-20T11:40:00Z' };
    const before = await service.getInvoice('mumbai-clinic', '2026-11', NOW);
    const [result] = await service.ingestCalls([lateCall], NOW);
    expect(result).toMatchObject({ status: 'rated', late: true, usage_seconds: '6000.000' });
    expect(await service.getInvoice('mumbai-clinic', '2026-11', NOW)).toEqual(before);
    const next = await service.getInvoice('mumbai-clinic', '2026-12', new Date('2026-12-20T12:00:00Z'));
    const adjustment = next.lines.find((line) => line.kind === 'adjustment');
    expect(adjustment?.quantity).toBe('1');
    expect(adjustment?.description).toContain('late call');
    expect((await service.doctor()).differences).toEqual([]);
  });
});

describe.each(DATABASE_KINDS)('records the stores could not keep as sent, on %s', (kind) => {
  it('are refused one by one, naming the field; the good records of the batch are kept', async () => {
    const database = await createTestDatabase(kind);
    const { service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_test' });
    try {
      await seeded(service);
      const good = { call_id: 'fine', account_id: 'acme-dental', direction: 'web', started_at: '2026-11-20T10:00:00Z', answered_at: '2026-11-20T10:00:00Z', ended_at: '2026-11-20T10:01:00Z' };
      const results = await service.ingestCalls(
        [
          good,
          { ...good, call_id: 'nul\u0000' },
          { ...good, call_id: 'lone\ud800' },
          { ...good, call_id: 'lone\udc00' },
          { ...good, call_id: { nested: 1 } },
          { ...good, call_id: 12345 },
          // 68 years of a 60/60 outbound call: carrier seconds beyond 2^31 must still be stored.
          { ...good, call_id: 'very-long', direction: 'outbound', to: '+12125550100', started_at: '2026-11-20T15:00:00Z', answered_at: '2026-11-20T15:00:00Z', ended_at: '2094-12-08T18:14:01Z' },
        ],
        NOW,
      );
      expect(results.map((result) => (result.status === 'rejected' ? `${result.error.code}: ${result.error.message}` : result.status))).toEqual([
        'rated',
        'malformed_record: call_id contains a NUL character or a broken UTF-16 surrogate',
        'malformed_record: call_id contains a NUL character or a broken UTF-16 surrogate',
        'malformed_record: call_id contains a NUL character or a broken UTF-16 surrogate',
        'malformed_record: call_id must be a string, not object',
        'malformed_record: call_id must be a string, not number',
        'rated',
      ]);
      expect(await service.getCall('fine')).toMatchObject({ call_id: 'fine' });
      expect((await service.getCall('very-long')).carrier_seconds).toBeGreaterThan(2 ** 31);
      await expect(service.getCall('nul\u0000')).rejects.toMatchObject({ code: 'not_found' });
      await expect(service.getAccount('x\u0000y')).rejects.toMatchObject({ code: 'not_found' });
    } finally {
      await service.close();
      await database.drop();
    }
  });
});
