/**
 * The ledger's invariant check (`voicebill doctor`, `GET /v1/admin/doctor`): every live
 * balance is recomputed from the append-only entries and from the calls' stored draws, and
 * every difference is reported. A healthy store reports none.
 */
import type { Db } from './account-ledger.js';
import { takesOf } from './account-ledger.js';
import type { DoctorReport } from './billing-service.js';

type Sums = { included: number; bundle: number; payg: number; calls: number; carrierCalls: number; carrierMicros: number };

function emptySums(): Sums {
  return { included: 0, bundle: 0, payg: 0, calls: 0, carrierCalls: 0, carrierMicros: 0 };
}

export async function checkLedger(db: Db): Promise<DoctorReport> {
  const differences: DoctorReport['differences'] = [];
  const periods = await db.selectFrom('account_periods').selectAll().execute();
  const entries = await db
    .selectFrom('ledger_entries')
    .select(['account_id', 'kind', 'period_index', 'included_millis', 'bundle_millis', 'payg_millis', 'calls', 'carrier_calls', 'carrier_micros', 'bundle_takes'])
    .where('kind', 'in', ['call_rated', 'call_redrawn'])
    .execute();
  const fromLedger = new Map<string, Sums>();
  const takenByPurchase = new Map<number, number>();
  for (const entry of entries) {
    const key = `${entry.account_id} ${entry.period_index ?? -1}`;
    const sums = fromLedger.get(key) ?? emptySums();
    sums.included += entry.included_millis;
    sums.bundle += entry.bundle_millis;
    sums.payg += entry.payg_millis;
    sums.calls += entry.calls;
    sums.carrierCalls += entry.carrier_calls;
    sums.carrierMicros += entry.carrier_micros;
    fromLedger.set(key, sums);
    for (const [purchase, millis] of takesOf(entry.bundle_takes)) takenByPurchase.set(purchase, (takenByPurchase.get(purchase) ?? 0) + millis);
  }
  const callRows = await db
    .selectFrom('calls')
    .select(['account_id', 'period_index', (eb) => eb.fn.sum<number>('included_millis').as('included'), (eb) => eb.fn.sum<number>('bundle_millis').as('bundle'), (eb) => eb.fn.sum<number>('payg_millis').as('payg'), (eb) => eb.fn.countAll<number>().as('calls')])
    .groupBy(['account_id', 'period_index'])
    .execute();
  const fromCalls = new Map(callRows.map((row) => [`${row.account_id} ${row.period_index}`, row]));
  for (const period of periods) {
    const key = `${period.account_id} ${period.period_index}`;
    const ledger = fromLedger.get(key) ?? emptySums();
    const calls = fromCalls.get(key);
    const compare = (what: string, live: number, expected: number): void => {
      if (live !== expected) differences.push({ account_id: period.account_id, what: `period ${period.period_index} ${what}`, expected: String(expected), found: String(live) });
    };
    compare('included_used (ledger)', period.included_used, ledger.included);
    compare('bundle_used (ledger)', period.bundle_used, ledger.bundle);
    compare('payg (ledger)', period.payg, ledger.payg);
    compare('calls (ledger)', period.calls, ledger.calls);
    compare('carrier_calls (ledger)', period.carrier_calls, ledger.carrierCalls);
    compare('carrier_micros (ledger)', period.carrier_micros, ledger.carrierMicros);
    compare('included_used (calls)', period.included_used, Number(calls?.included ?? 0));
    compare('bundle_used (calls)', period.bundle_used, Number(calls?.bundle ?? 0));
    compare('payg (calls)', period.payg, Number(calls?.payg ?? 0));
    compare('calls (calls)', period.calls, Number(calls?.calls ?? 0));
    if (period.included_used > period.included_millis) compare('included_used within included', period.included_used, period.included_millis);
  }
  const periodKeys = new Set(periods.map((period) => `${period.account_id} ${period.period_index}`));
  for (const [key, row] of fromCalls) {
    if (!periodKeys.has(key)) {
      differences.push({ account_id: row.account_id, what: `period ${row.period_index} has calls but no balance row`, expected: 'a row', found: 'none' });
    }
  }
  const bundles = await db.selectFrom('bundle_purchases').select(['id', 'account_id', 'millis', 'left_millis']).execute();
  for (const bundle of bundles) {
    const expected = bundle.millis - (takenByPurchase.get(Number(bundle.id)) ?? 0);
    if (bundle.left_millis !== expected || bundle.left_millis < 0) {
      differences.push({ account_id: bundle.account_id, what: `bundle purchase ${bundle.id} left_millis`, expected: String(expected), found: String(bundle.left_millis) });
    }
  }
  const accounts = await db.selectFrom('accounts').select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  const allEntries = await db.selectFrom('ledger_entries').select(({ fn }) => fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
  return {
    ok: differences.length === 0,
    checked: { accounts: Number(accounts.count), periods: periods.length, bundles: bundles.length, calls: callRows.reduce((sum, row) => sum + Number(row.calls), 0), ledger_entries: Number(allEntries.count) },
    differences,
  };
}
