/**
 * The writes that keep an account's live balances and its ledger together, inside the
 * caller's transaction: period rows, bundle remainders, per-call draws and the append-only
 * ledger entries that explain every change. Repositories in the sense of STYLE.md: the only
 * code that writes these tables.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { BillingPeriod } from '../core/billing-period.js';
import type { BundleProduct } from '../core/tariff.js';
import { emptyTotals, type PeriodTotals } from '../core/period-totals.js';
import type { Store, StoreDialect } from '../store/database.js';
import { insertMany, type ColumnTypes } from '../store/bulk-insert.js';
import type { AccountPeriodsTable, AccountsTable, BundlePurchasesTable, CallsTable, LedgerEntriesTable, StoreSchema } from '../store/schema.js';
import { calendarOf, planForPeriod, settingsOf } from './account-settings.js';
import { closedPeriodAdjustments } from './late-calls.js';
import { compareDrawKeys, redrawCalls, type BundleRow, type CallDraw, type DrawKey, type DrawnCall, type PeriodBalance } from './account-redraw.js';
import type { TariffVersions } from './tariff-versions.js';

export type Db = Kysely<StoreSchema> | Transaction<StoreSchema>;

export interface LedgerContext {
  /** The transaction writes go through; reads that write nothing use the database itself. */
  readonly trx: Db;
  readonly store: Store;
  readonly dialect: StoreDialect;
  readonly tariffs: TariffVersions;
  readonly now: number;
  /** Where the service is reached from outside (links in alert events). */
  readonly publicUrl: string;
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

export function bundleRowsOf(rows: readonly Selectable<BundlePurchasesTable>[]): BundleRow[] {
  return rows.map((row) => {
    const product: BundleProduct = { id: row.bundle, millis: row.millis, priceMinor: BigInt(row.price_minor), validDays: 0 };
    return { purchaseId: Number(row.id), product, purchasedAt: row.purchased_at, expiresAt: row.expires_at, left: row.left_millis };
  });
}

/** A period row's figures as the core's period totals (what invoices and the usage view take). */
export function periodTotalsOf(row: PeriodRow | undefined): PeriodTotals {
  if (!row) return emptyTotals();
  return { includedUsed: row.included_used, bundleUsed: row.bundle_used, payg: row.payg, calls: row.calls, carrierCalls: row.carrier_calls, carrierMicros: row.carrier_micros };
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

const LEDGER_COLUMNS: ColumnTypes<LedgerEntry> = {
  account_id: 'text',
  kind: 'text',
  source: 'text',
  period_index: 'int4',
  included_millis: 'int8',
  bundle_millis: 'int8',
  payg_millis: 'int8',
  calls: 'int8',
  carrier_calls: 'int8',
  carrier_micros: 'int8',
  bundle_takes: 'text',
  amount_minor: 'int8',
  created_at: 'int8',
};

export const CALL_COLUMNS: ColumnTypes<CallsTable> = {
  call_id: 'text',
  account_id: 'text',
  fingerprint: 'int8',
  record: 'text',
  direction: 'text',
  time: 'int8',
  ended_at: 'int8',
  period_index: 'int4',
  billable_seconds: 'int8',
  ai_seconds: 'int8',
  carrier_prefix: 'text',
  carrier_country: 'text',
  carrier_seconds: 'int8',
  carrier_micros: 'int8',
  surcharge_micros: 'int8',
  carrier_usage_millis: 'int8',
  usage_millis: 'int8',
  included_millis: 'int8',
  bundle_millis: 'int8',
  payg_millis: 'int8',
  bundle_takes: 'text',
  adjusted_on: 'int4',
  received_at: 'int8',
};

export async function appendLedger(context: LedgerContext, entries: readonly LedgerEntry[]): Promise<void> {
  await insertMany(context.store, context.trx, 'ledger_entries', LEDGER_COLUMNS, entries);
}

/** A new call ready to be drawn: its row, the draw columns still to be filled in. */
export type NewCallRow = CallsTable;

export interface AccountDrawWork {
  readonly account: AccountRow;
  readonly calls: readonly NewCallRow[];
  /** Draw again from here even without new calls (a bundle bought in the past). */
  readonly from?: DrawKey;
}

/** The lowest period a work item draws in: a late call's closed period, else the first open one. */
function floorOf({ account, calls }: AccountDrawWork): number {
  return Math.min(account.closed_through + 1, ...calls.map((call) => call.period_index));
}

function keyOf(row: { time: number; call_id: string }): DrawKey {
  return { time: row.time, callId: row.call_id };
}

const IN_CHUNKS = 900;

async function selectIn<T>(ids: readonly string[], query: (chunk: string[]) => Promise<T[]>): Promise<T[]> {
  const rows: T[] = [];
  for (let start = 0; start < ids.length; start += IN_CHUNKS) rows.push(...(await query(ids.slice(start, start + IN_CHUNKS))));
  return rows;
}

async function insertChunked<T>(rows: readonly T[], columns: number, insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  // SQLite takes at most 32,766 parameters per statement, PostgreSQL 65,535.
  const size = Math.max(1, Math.floor(30_000 / columns));
  for (let start = 0; start < rows.length; start += size) await insert(rows.slice(start, start + size));
}

/** The open periods' rows of these accounts, keyed `${account_id} ${period_index}`. */
export async function openPeriodRows(context: LedgerContext, accountIds: readonly string[]): Promise<Map<string, PeriodRow>> {
  const rows = await selectIn([...new Set(accountIds)], (chunk) => context.trx.selectFrom('account_periods').selectAll().where('account_id', 'in', chunk).where('status', '=', 'open').execute());
  return new Map(rows.map((row) => [`${row.account_id} ${row.period_index}`, row]));
}

/**
 * Draws the new in-time calls of several accounts and writes calls, period balances, bundle
 * remainders and ledger entries with a fixed number of statements per batch, whatever the
 * number of accounts. A call after the account's last drawn call is drawn straight on; one
 * before it takes back the draws of the calls after its place and draws them again (SPEC §6).
 * Returns each new call's draw.
 */
export async function drawAccounts(context: LedgerContext, work: readonly AccountDrawWork[], loaded?: Map<string, PeriodRow>): Promise<Map<string, CallDraw>> {
  const result = new Map<string, CallDraw>();
  const items = work.filter((item) => item.calls.length > 0 || item.from !== undefined);
  if (items.length === 0) return result;
  const ids = items.map((item) => item.account.id);

  // Stored calls to draw again: only for accounts where something lands before the frontier.
  const redrawn = new Map<string, DrawnCall[]>();
  for (const { account, calls, from } of items) {
    const start = [...calls.map(keyOf), ...(from ? [from] : [])].sort(compareDrawKeys)[0] as DrawKey;
    if (compareDrawKeys(start, { time: account.drawn_time, callId: account.drawn_call }) > 0) continue;
    const stored = await context.trx
      .selectFrom('calls')
      .select(['call_id', 'time', 'period_index', 'usage_millis', 'included_millis', 'bundle_millis', 'payg_millis', 'bundle_takes'])
      .where('account_id', '=', account.id)
      .where('period_index', '>=', floorOf({ account, calls }))
      .where((eb) => eb.or([eb('time', '>', start.time), eb.and([eb('time', '=', start.time), eb('call_id', '>=', start.callId)])]))
      .execute();
    redrawn.set(
      account.id,
      stored.map((row) => ({
        ...keyOf(row),
        periodIndex: row.period_index,
        usage: row.usage_millis,
        stored: { included: row.included_millis, bundle: row.bundle_millis, payg: row.payg_millis, takes: takesOf(row.bundle_takes) },
      })),
    );
  }

  // Period balances of the open periods, made where a call opens one.
  const periods = loaded ?? (await openPeriodRows(context, ids));
  // Late calls draw their closed periods again (and every period after): load those rows too.
  const closedBefore = new Map<string, Pick<PeriodRow, 'payg' | 'carrier_micros'>>();
  for (const item of items) {
    const floor = floorOf(item);
    if (floor > item.account.closed_through) continue;
    const rows = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', item.account.id).where('period_index', '>=', floor).execute();
    for (const row of rows) {
      const key = `${row.account_id} ${row.period_index}`;
      if (!periods.has(key)) periods.set(key, row);
      const known = periods.get(key) as PeriodRow;
      if (known.status === 'closed') closedBefore.set(key, { payg: known.payg, carrier_micros: known.carrier_micros });
    }
  }
  const created: PeriodRow[] = [];
  for (const { account, calls } of items) {
    const calendar = calendarOf(settingsOf(account));
    for (const call of calls) {
      const key = `${account.id} ${call.period_index}`;
      if (periods.has(key)) continue;
      const row = await newPeriodRow(context, account, calendar.period(call.period_index));
      periods.set(key, row);
      created.push(row);
    }
  }
  await insertChunked(created, 14, (chunk) => context.trx.insertInto('account_periods').values(chunk).execute());

  const bundleList = await selectIn(ids, (chunk) => context.trx.selectFrom('bundle_purchases').selectAll().where('account_id', 'in', chunk).execute());
  const bundlesByAccount = new Map<string, BundleRow[]>();
  const bundleById = new Map<number, BundleRow>();
  for (const stored of bundleList) {
    const [row] = bundleRowsOf([stored]) as [BundleRow];
    bundleById.set(row.purchaseId, row);
    const list = bundlesByAccount.get(stored.account_id) ?? [];
    list.push(row);
    bundlesByAccount.set(stored.account_id, list);
  }
  const bundleLeftBefore = new Map(bundleList.map((row) => [Number(row.id), row.left_millis]));

  const entries: LedgerEntry[] = [];
  const inserts: CallsTable[] = [];
  const touchedPeriods = new Map<string, PeriodRow>();
  const accountUpdates: AccountRow[] = [];
  for (const { account, calls } of items) {
    const drawn: DrawnCall[] = [...(redrawn.get(account.id) ?? []), ...calls.map((row) => ({ ...keyOf(row), periodIndex: row.period_index, usage: row.usage_millis, stored: undefined }))];
    const balances = new Map<number, PeriodBalance>();
    for (const call of drawn) {
      if (balances.has(call.periodIndex)) continue;
      const row = periods.get(`${account.id} ${call.periodIndex}`);
      if (!row) throw new Error(`period ${call.periodIndex} of account ${account.id} is not loaded`);
      balances.set(call.periodIndex, { periodIndex: row.period_index, includedMillis: row.included_millis, includedUsed: row.included_used, bundleUsed: row.bundle_used, payg: row.payg });
    }
    const { draws } = redrawCalls(drawn, balances, bundlesByAccount.get(account.id) ?? []);
    const fresh = new Map(calls.map((row) => [row.call_id, row]));
    for (const { call, draw, changed } of draws) {
      const period = periods.get(`${account.id} ${call.periodIndex}`) as PeriodRow;
      const newRow = fresh.get(call.callId);
      if (newRow) {
        result.set(call.callId, draw);
        const carrier = newRow.carrier_prefix === null ? 0 : newRow.carrier_micros + newRow.surcharge_micros;
        inserts.push({ ...newRow, included_millis: draw.included, bundle_millis: draw.bundle, payg_millis: draw.payg, bundle_takes: takesText(draw.takes) });
        period.calls += 1;
        if (newRow.carrier_prefix !== null) {
          period.carrier_calls += 1;
          period.carrier_micros += carrier;
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
            carrier_calls: newRow.carrier_prefix === null ? 0 : 1,
            carrier_micros: carrier,
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
        // The ledger keeps the difference: entries already written stay as they are.
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
      const row = periods.get(`${account.id} ${index}`) as PeriodRow;
      row.included_used = balance.includedUsed;
      row.bundle_used = balance.bundleUsed;
      row.payg = balance.payg;
      touchedPeriods.set(`${account.id} ${index}`, row);
    }
    const last = draws.at(-1)?.call;
    const frontier = last && compareDrawKeys(last, { time: account.drawn_time, callId: account.drawn_call }) > 0 ? last : undefined;
    const maxEnded = Math.max(account.max_ended_at, ...calls.map((row) => row.ended_at));
    if (frontier || maxEnded !== account.max_ended_at) {
      if (frontier) {
        account.drawn_time = frontier.time;
        account.drawn_call = frontier.callId;
      }
      account.max_ended_at = maxEnded;
      accountUpdates.push(account);
    }
  }

  await insertMany(context.store, context.trx, 'calls', CALL_COLUMNS, inserts);
  await insertChunked([...touchedPeriods.values()], 14, (chunk) =>
    context.trx
      .insertInto('account_periods')
      .values(chunk)
      .onConflict((conflict) =>
        conflict.columns(['account_id', 'period_index']).doUpdateSet((eb) => ({
          included_used: eb.ref('excluded.included_used'),
          bundle_used: eb.ref('excluded.bundle_used'),
          payg: eb.ref('excluded.payg'),
          calls: eb.ref('excluded.calls'),
          carrier_calls: eb.ref('excluded.carrier_calls'),
          carrier_micros: eb.ref('excluded.carrier_micros'),
        })),
      )
      .execute(),
  );
  for (const [purchaseId, row] of bundleById) {
    if (row.left === bundleLeftBefore.get(purchaseId)) continue;
    await context.trx.updateTable('bundle_purchases').set({ left_millis: row.left }).where('id', '=', purchaseId).execute();
  }
  await insertChunked(accountUpdates, 12, (chunk) =>
    context.trx
      .insertInto('accounts')
      .values(chunk)
      .onConflict((conflict) =>
        conflict.column('id').doUpdateSet((eb) => ({
          max_ended_at: eb.ref('excluded.max_ended_at'),
          drawn_time: eb.ref('excluded.drawn_time'),
          drawn_call: eb.ref('excluded.drawn_call'),
        })),
      )
      .execute(),
  );
  for (const adjustment of await closedPeriodAdjustments(context, items, periods, closedBefore)) {
    await context.trx.insertInto('adjustments').values(adjustment).execute();
    entries.push(
      ledgerEntry(context, {
        account_id: adjustment.account_id,
        kind: 'adjustment',
        source: `period ${adjustment.corrects_period_index}`,
        period_index: adjustment.corrects_period_index,
        amount_minor: adjustment.amount_minor,
        calls: adjustment.calls,
      }),
    );
  }
  await appendLedger(context, entries);
  return result;
}
