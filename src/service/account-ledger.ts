/**
 * The writes that keep an account's live balances and its ledger together, inside the
 * caller's transaction: period rows, bundle remainders, per-call draws and the append-only
 * ledger entries that explain every change. Repositories in the sense of STYLE.md: the only
 * code that writes these tables.
 */
import type { Kysely, Transaction } from 'kysely';
import type { BillingPeriod } from '../core/billing-period.js';
import type { BundleProduct } from '../core/tariff.js';
import type { StoreDialect } from '../store/database.js';
import type { AccountPeriodsTable, AccountsTable, CallsTable, LedgerEntriesTable, StoreSchema } from '../store/schema.js';
import { calendarOf, planForPeriod, settingsOf } from './account-settings.js';
import { redrawCalls, type BundleRow, type CallDraw, type DrawKey, type DrawnCall, type PeriodBalance } from './account-redraw.js';
import type { TariffVersions } from './tariff-versions.js';

export type Db = Kysely<StoreSchema> | Transaction<StoreSchema>;

export interface LedgerContext {
  readonly trx: Db;
  readonly dialect: StoreDialect;
  readonly tariffs: TariffVersions;
  readonly now: number;
}

export type AccountRow = AccountsTable;
export type PeriodRow = AccountPeriodsTable;

/**
 * Locks the accounts' rows until the transaction ends (PostgreSQL; SQLite has one writer at a
 * time anyway), in id order so two batches never wait on each other in a circle.
 */
export async function lockAccounts(context: LedgerContext, ids: readonly string[]): Promise<Map<string, AccountRow>> {
  const sorted = [...new Set(ids)].sort();
  const rows = new Map<string, AccountRow>();
  for (let start = 0; start < sorted.length; start += 500) {
    let query = context.trx.selectFrom('accounts').selectAll().where('id', 'in', sorted.slice(start, start + 500)).orderBy('id');
    if (context.dialect === 'postgres') query = query.forUpdate();
    for (const row of await query.execute()) rows.set(row.id, row);
  }
  return rows;
}

export function bundleRowsOf(rows: readonly StoreSchema['bundle_purchases'][]): BundleRow[] {
  return rows.map((row) => {
    const product: BundleProduct = { id: row.bundle, millis: row.millis, priceMinor: BigInt(row.price_minor), validDays: 0 };
    return { purchaseId: row.id as unknown as number, product, purchasedAt: row.purchased_at, expiresAt: row.expires_at, left: row.left_millis };
  });
}

export async function loadBundleRows(context: LedgerContext, accountId: string): Promise<BundleRow[]> {
  const rows = await context.trx.selectFrom('bundle_purchases').selectAll().where('account_id', '=', accountId).execute();
  return bundleRowsOf(rows as unknown as StoreSchema['bundle_purchases'][]);
}

/** The account's period rows for `indexes`, made (open, nothing used) where missing. */
export async function periodRows(context: LedgerContext, account: AccountRow, indexes: Iterable<number>): Promise<Map<number, PeriodRow>> {
  const wanted = [...new Set(indexes)];
  const result = new Map<number, PeriodRow>();
  if (wanted.length === 0) return result;
  const found = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', account.id).where('period_index', 'in', wanted).execute();
  for (const row of found) result.set(row.period_index, row);
  const calendar = calendarOf(settingsOf(account));
  for (const index of wanted) {
    if (result.has(index)) continue;
    const row = await newPeriodRow(context, account, calendar.period(index));
    await context.trx.insertInto('account_periods').values(row).execute();
    result.set(index, row);
  }
  return result;
}

export async function newPeriodRow(context: LedgerContext, account: AccountRow, period: BillingPeriod): Promise<PeriodRow> {
  const version = context.tariffs.versionFor(period.start);
  const tariff = await context.tariffs.tariff(context.trx, version);
  const planId = planForPeriod(account, period.index);
  const plan = tariff.plans.get(planId);
  if (!plan) throw new Error(`plan ${planId} of account ${account.id} is not in tariff version ${version}`);
  return {
    account_id: account.id,
    period_index: period.index,
    period_start: period.start,
    period_end: period.end,
    plan: planId,
    tariff_version: version,
    included_millis: plan.includedMillis,
    included_used: 0,
    bundle_used: 0,
    payg: 0,
    calls: 0,
    carrier_calls: 0,
    carrier_micros: 0,
    status: 'open',
  };
}

export async function savePeriodRow(context: LedgerContext, row: PeriodRow): Promise<void> {
  await context.trx
    .updateTable('account_periods')
    .set({
      included_used: row.included_used,
      bundle_used: row.bundle_used,
      payg: row.payg,
      calls: row.calls,
      carrier_calls: row.carrier_calls,
      carrier_micros: row.carrier_micros,
      status: row.status,
    })
    .where('account_id', '=', row.account_id)
    .where('period_index', '=', row.period_index)
    .execute();
}

export async function saveBundleLefts(context: LedgerContext, bundles: readonly BundleRow[], before: ReadonlyMap<number, number>): Promise<void> {
  for (const row of bundles) {
    if (before.get(row.purchaseId) === row.left) continue;
    await context.trx.updateTable('bundle_purchases').set({ left_millis: row.left }).where('id', '=', row.purchaseId).execute();
  }
}

export function takesText(takes: readonly [number, number][]): string | null {
  return takes.length === 0 ? null : JSON.stringify(takes);
}

export function takesOf(text: string | null): [number, number][] {
  return text === null ? [] : (JSON.parse(text) as [number, number][]);
}

type LedgerEntry = Omit<LedgerEntriesTable, 'id'>;

export function ledgerEntry(context: LedgerContext, fields: Partial<LedgerEntry> & Pick<LedgerEntry, 'account_id' | 'kind' | 'source'>): LedgerEntry {
  return {
    period_index: null,
    included_millis: 0,
    bundle_millis: 0,
    payg_millis: 0,
    calls: 0,
    carrier_calls: 0,
    carrier_micros: 0,
    bundle_takes: null,
    amount_minor: 0,
    created_at: context.now,
    ...fields,
  };
}

export async function appendLedger(context: LedgerContext, entries: readonly LedgerEntry[]): Promise<void> {
  for (let start = 0; start < entries.length; start += 200) {
    await context.trx.insertInto('ledger_entries').values(entries.slice(start, start + 200)).execute();
  }
}

/** A new call ready to be drawn: its row without the draw columns filled in yet. */
export type NewCallRow = CallsTable;

/**
 * Draws the account's new in-time calls (and, from `from` on, every stored call of its open
 * periods again), then writes calls, periods, bundles and ledger entries. `from` defaults to
 * the first new call's place; a bundle bought in the past passes its purchase instant.
 */
export async function drawAccount(context: LedgerContext, account: AccountRow, newCalls: readonly NewCallRow[], from?: DrawKey): Promise<void> {
  const start = from ?? newCalls.map((row) => ({ time: row.time, callId: row.call_id })).sort((a, b) => a.time - b.time || (a.callId < b.callId ? -1 : 1))[0];
  if (!start) return;
  const stored = await context.trx
    .selectFrom('calls')
    .select(['call_id', 'time', 'period_index', 'usage_millis', 'included_millis', 'bundle_millis', 'payg_millis', 'bundle_takes'])
    .where('account_id', '=', account.id)
    .where('adjusted_on', 'is', null)
    .where('period_index', '>', account.closed_through)
    .where((eb) => eb.or([eb('time', '>', start.time), eb.and([eb('time', '=', start.time), eb('call_id', '>=', start.callId)])]))
    .execute();
  if (stored.length === 0 && newCalls.length === 0) return;
  const calls: DrawnCall[] = [
    ...stored.map((row) => ({
      time: row.time,
      callId: row.call_id,
      periodIndex: row.period_index,
      usage: row.usage_millis,
      stored: { included: row.included_millis, bundle: row.bundle_millis, payg: row.payg_millis, takes: takesOf(row.bundle_takes) } satisfies CallDraw,
    })),
    ...newCalls.map((row) => ({ time: row.time, callId: row.call_id, periodIndex: row.period_index, usage: row.usage_millis, stored: undefined })),
  ];
  const periods = await periodRows(context, account, calls.map((call) => call.periodIndex));
  const balances = new Map<number, PeriodBalance>(
    [...periods.values()].map((row) => [row.period_index, { periodIndex: row.period_index, includedMillis: row.included_millis, includedUsed: row.included_used, bundleUsed: row.bundle_used, payg: row.payg }]),
  );
  const bundles = await loadBundleRows(context, account.id);
  const leftBefore = new Map(bundles.map((row) => [row.purchaseId, row.left]));
  const { draws } = redrawCalls(calls, balances, bundles);

  const newById = new Map(newCalls.map((row) => [row.call_id, row]));
  const entries: LedgerEntry[] = [];
  const inserts: CallsTable[] = [];
  for (const { call, draw, changed } of draws) {
    const fresh = newById.get(call.callId);
    if (fresh) {
      const row: CallsTable = { ...fresh, included_millis: draw.included, bundle_millis: draw.bundle, payg_millis: draw.payg, bundle_takes: takesText(draw.takes) };
      inserts.push(row);
      const period = periods.get(call.periodIndex) as PeriodRow;
      period.calls += 1;
      if (row.carrier_prefix !== null) {
        period.carrier_calls += 1;
        period.carrier_micros += row.carrier_micros + row.surcharge_micros;
      }
      entries.push(
        ledgerEntry(context, {
          account_id: account.id,
          kind: 'call_rated',
          source: call.callId,
          period_index: call.periodIndex,
          included_millis: draw.included,
          bundle_millis: draw.bundle,
          payg_millis: draw.payg,
          calls: 1,
          carrier_calls: row.carrier_prefix === null ? 0 : 1,
          carrier_micros: row.carrier_prefix === null ? 0 : row.carrier_micros + row.surcharge_micros,
          bundle_takes: takesText(draw.takes),
        }),
      );
    } else if (changed) {
      const before = call.stored as CallDraw;
      await context.trx
        .updateTable('calls')
        .set({ included_millis: draw.included, bundle_millis: draw.bundle, payg_millis: draw.payg, bundle_takes: takesText(draw.takes) })
        .where('call_id', '=', call.callId)
        .execute();
      // The ledger keeps the difference: the old entries stay as they were written.
      const takes = new Map<number, number>();
      for (const [purchase, millis] of draw.takes) takes.set(purchase, (takes.get(purchase) ?? 0) + millis);
      for (const [purchase, millis] of before.takes) takes.set(purchase, (takes.get(purchase) ?? 0) - millis);
      entries.push(
        ledgerEntry(context, {
          account_id: account.id,
          kind: 'call_redrawn',
          source: call.callId,
          period_index: call.periodIndex,
          included_millis: draw.included - before.included,
          bundle_millis: draw.bundle - before.bundle,
          payg_millis: draw.payg - before.payg,
          bundle_takes: takesText([...takes].filter(([, millis]) => millis !== 0)),
        }),
      );
    }
  }
  for (const [index, balance] of balances) {
    const row = periods.get(index) as PeriodRow;
    row.included_used = balance.includedUsed;
    row.bundle_used = balance.bundleUsed;
    row.payg = balance.payg;
    await savePeriodRow(context, row);
  }
  await saveBundleLefts(context, bundles, leftBefore);
  for (let offset = 0; offset < inserts.length; offset += 200) {
    await context.trx.insertInto('calls').values(inserts.slice(offset, offset + 200)).execute();
  }
  await appendLedger(context, entries);
  const maxEnded = Math.max(account.max_ended_at, ...newCalls.map((row) => row.ended_at));
  if (maxEnded !== account.max_ended_at) {
    await context.trx.updateTable('accounts').set({ max_ended_at: maxEnded }).where('id', '=', account.id).execute();
    account.max_ended_at = maxEnded;
  }
}
