/**
 * Closing periods (issue 3 §4): once a period has ended (plus a grace for calls still on
 * their way), its invoice is built by the core from the period's live totals, numbered
 * without gaps, stored unchangeable, and the account moves on to its next period. Each close
 * is one transaction that locks the account's row: on PostgreSQL a second `serve` skips an
 * account another is closing (`SKIP LOCKED`) and re-checks after locking, so a period is
 * closed once; the number comes from a counter row updated in the same transaction, so a
 * rolled-back close leaves no gap.
 */
import { sql } from 'kysely';
import { buildInvoice, type Invoice, type InvoiceAdjustment } from '../core/invoice.js';
import type { Account } from '../core/account.js';
import type { BillingPeriod } from '../core/billing-period.js';
import { toInvoiceDocument } from '../formats/invoice-document.js';
import { appendLedger, ledgerEntry, newPeriodRow, periodTotalsOf, type AccountRow, type Db, type LedgerContext, type PeriodRow } from './account-ledger.js';
import { insertMany, type ColumnTypes } from '../store/bulk-insert.js';
import type { InvoicesTable } from '../store/schema.js';
import { calendarOf, settingsOf } from './account-settings.js';
import type { ClosedOrDraftInvoice } from './billing-service.js';

export const INVOICE_COUNTER = 'invoice_number';

export function invoiceNumberText(number: number): string {
  return `INV-${String(number).padStart(6, '0')}`;
}

/**
 * The core's account (bundles, numbers) as stored. A caller that has read the account's
 * bundle purchases already passes them, so they are not read twice.
 */
export async function coreAccount(db: Db, account: AccountRow, purchases?: readonly { bundle: string; purchased_at: number }[]): Promise<Account> {
  const settings = settingsOf(account);
  const [bundles, numbers] = await Promise.all([
    purchases ?? db.selectFrom('bundle_purchases').select(['bundle', 'purchased_at']).where('account_id', '=', account.id).execute(),
    db.selectFrom('numbers').selectAll().where('account_id', '=', account.id).execute(),
  ]);
  return {
    id: account.id,
    plan: settings.plan,
    timeZone: settings.timezone,
    billingAnchor: settings.billing_anchor,
    country: settings.country,
    bundles: bundles.map((row) => ({ bundle: row.bundle, purchasedAt: row.purchased_at })),
    numbers: numbers.map((row) => ({
      number: row.number,
      type: row.type as Account['numbers'][number]['type'],
      country: row.country,
      rentedAt: row.rented_at,
      releasedAt: row.released_at ?? undefined,
    })),
  };
}

/** Adjustments not yet on a closed invoice, grouped by the period they correct. */
export async function pendingAdjustments(db: Db, account: AccountRow): Promise<InvoiceAdjustment[]> {
  const rows = await db
    .selectFrom('adjustments')
    .select(['corrects_period_index', (eb) => eb.fn.sum<number>('amount_minor').as('amount'), (eb) => eb.fn.sum<number>('calls').as('calls')])
    .where('account_id', '=', account.id)
    .where('billed_in', 'is', null)
    .groupBy('corrects_period_index')
    .orderBy('corrects_period_index')
    .execute();
  const calendar = calendarOf(settingsOf(account));
  return rows.map((row) => ({ correctsPeriod: calendar.period(row.corrects_period_index), calls: Number(row.calls), amountMinor: BigInt(row.amount) }));
}

/** The invoice of `period` as it stands: from the live totals (an empty period has none yet). */
export async function invoiceOfPeriod(context: LedgerContext, account: AccountRow, period: BillingPeriod, row: PeriodRow | undefined): Promise<Invoice> {
  const periodRow = row ?? (await newPeriodRow(context, account, period));
  const tariff = await context.tariffs.tariff(context.trx, periodRow.tariff_version);
  const plan = tariff.plans.get(periodRow.plan);
  if (!plan) throw new Error(`plan ${periodRow.plan} is not in tariff version ${periodRow.tariff_version}`);
  const core = await coreAccount(context.trx, account);
  // Adjustments go on the next invoice to close: the first open period's.
  const adjustments = period.index === account.closed_through + 1 ? await pendingAdjustments(context.trx, account) : [];
  return buildInvoice({
    tariff,
    account: core,
    plan,
    period,
    totals: periodTotalsOf(periodRow),
    adjustments,
  });
}

export function invoiceDocument(invoice: Invoice, number: number | null, closedAt: string | null): ClosedOrDraftInvoice {
  return { ...toInvoiceDocument(invoice), number: number === null ? null : invoiceNumberText(number), status: number === null ? 'draft' : 'closed', closed_at: closedAt };
}

/** Takes `count` consecutive invoice numbers; the first is returned. */
async function takeInvoiceNumbers(db: Db, count: number): Promise<number> {
  await db.insertInto('counters').values({ name: INVOICE_COUNTER, value: 0 }).onConflict((conflict) => conflict.column('name').doNothing()).execute();
  const row = await db
    .updateTable('counters')
    .set({ value: sql<number>`value + ${count}` })
    .where('name', '=', INVOICE_COUNTER)
    .returning('value')
    .executeTakeFirstOrThrow();
  return row.value - count + 1;
}

/**
 * Closes every period of the account that is due at `dueBefore`, oldest first, in the
 * caller's transaction; 0 when none is due or another process holds the account.
 */
export async function closeDuePeriodsOf(context: LedgerContext, accountId: string, dueBefore: number): Promise<number> {
  let query = context.trx.selectFrom('accounts').selectAll().where('id', '=', accountId);
  if (context.dialect === 'postgres') query = query.forUpdate().skipLocked();
  const account = await query.executeTakeFirst();
  if (!account || account.next_close_at > dueBefore) return 0;
  const calendar = calendarOf(settingsOf(account));
  const periods: BillingPeriod[] = [];
  for (let index = account.closed_through + 1; calendar.period(index).end <= dueBefore; index++) periods.push(calendar.period(index));
  const first = periods[0];
  const last = periods.at(-1);
  if (!first || !last) return 0;

  const stored = await context.trx
    .selectFrom('account_periods')
    .selectAll()
    .where('account_id', '=', account.id)
    .where('period_index', '>=', first.index)
    .where('period_index', '<=', last.index)
    .execute();
  const rows = new Map(stored.map((row) => [row.period_index, row]));
  const core = await coreAccount(context.trx, account);
  const adjustments = await pendingAdjustments(context.trx, account);
  const firstNumber = await takeInvoiceNumbers(context.trx, periods.length);
  const closedAt = new Date(context.now / 1000).toISOString();
  const invoices: InvoicesTable[] = [];
  const newRows: PeriodRow[] = [];
  const entries = [];
  let planId = account.plan;
  let nextPlan = account.next_plan;
  let nextPlanFrom = account.next_plan_from;
  for (const [offset, period] of periods.entries()) {
    let row = rows.get(period.index);
    if (!row) {
      row = await newPeriodRow(context, { ...account, plan: planId, next_plan: nextPlan, next_plan_from: nextPlanFrom }, period);
      newRows.push(row);
    }
    const tariff = await context.tariffs.tariff(context.trx, row.tariff_version);
    const plan = tariff.plans.get(row.plan);
    if (!plan) throw new Error(`plan ${row.plan} is not in tariff version ${row.tariff_version}`);
    // Adjustments waiting for "the next invoice" go on the first one closed now.
    const invoice = buildInvoice({ tariff, account: core, plan, period, totals: periodTotalsOf(row), adjustments: offset === 0 ? adjustments : [] });
    const number = firstNumber + offset;
    invoices.push({
      number,
      account_id: account.id,
      period_index: period.index,
      period_start: period.start,
      month: period.month,
      document: JSON.stringify(invoiceDocument(invoice, number, closedAt)),
      total_minor: Number(invoice.totalMinor),
      closed_at: context.now,
    });
    for (const line of invoice.lines) {
      if (line.kind === 'number_rental') entries.push(ledgerEntry(context, { account_id: account.id, kind: 'number_charged', source: line.description, period_index: period.index, amount_minor: Number(line.amountMinor) }));
    }
    entries.push(ledgerEntry(context, { account_id: account.id, kind: 'period_closed', source: invoiceNumberText(number), period_index: period.index, amount_minor: Number(invoice.totalMinor) }));
    if (nextPlan !== null && nextPlanFrom !== null && period.index + 1 >= nextPlanFrom) {
      planId = nextPlan;
      nextPlan = null;
      nextPlanFrom = null;
    }
  }
  for (const row of newRows) row.status = 'closed';
  if (newRows.length > 0) await context.trx.insertInto('account_periods').values(newRows).execute();
  await context.trx
    .updateTable('account_periods')
    .set({ status: 'closed' })
    .where('account_id', '=', account.id)
    .where('period_index', '>=', first.index)
    .where('period_index', '<=', last.index)
    .execute();
  await insertMany(context.store, context.trx, 'invoices', INVOICE_COLUMNS, invoices);
  if (adjustments.length > 0) await context.trx.updateTable('adjustments').set({ billed_in: first.index }).where('account_id', '=', account.id).where('billed_in', 'is', null).execute();
  await appendLedger(context, entries);
  await context.trx
    .updateTable('accounts')
    .set({ closed_through: last.index, next_close_at: calendar.period(last.index + 1).end, plan: planId, next_plan: nextPlan, next_plan_from: nextPlanFrom })
    .where('id', '=', account.id)
    .execute();
  return periods.length;
}

const INVOICE_COLUMNS: ColumnTypes<InvoicesTable> = {
  number: 'int8',
  account_id: 'text',
  period_index: 'int4',
  period_start: 'int8',
  month: 'text',
  document: 'text',
  total_minor: 'int8',
  closed_at: 'int8',
};


/** Account ids with a period due, oldest first. */
export async function accountsDue(db: Db, dueBefore: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('accounts').select('id').where('next_close_at', '<=', dueBefore).orderBy('next_close_at').orderBy('id').limit(limit).execute();
  return rows.map((row) => row.id);
}

