/**
 * What the service answers about an account: the usage view (SPEC §10), invoices (closed or
 * draft), calls with their breakdown, and authorization (§12). The view for "now" reads the
 * live totals (O(1) in the number of calls); a view of an earlier instant, before some calls
 * had ended, draws those calls again from the stored rows with the core's `Balances`.
 */
import type { BookAccount } from '../core/billing-book.js';
import type { BillingPeriod } from '../core/billing-period.js';
import { Balances, type BundleBalance, type DrawTarget } from '../core/draw-down.js';
import { formatIncrement } from '../core/increment.js';
import { formatInstantUtc } from '../core/instant.js';
import { emptyTotals, type PeriodTotals } from '../core/period-totals.js';
import { usageViewOf } from '../core/usage-view.js';
import { toUsageDocument, type UsageDocument } from '../formats/invoice-document.js';
import { formatUsageSeconds } from '../formats/invoice-document.js';
import type { CallsTable } from '../store/schema.js';
import { bundleRowsOf, newPeriodRow, periodTotalsOf, takesOf, type AccountRow, type LedgerContext } from './account-ledger.js';
import { calendarOf, settingsOf } from './account-settings.js';
import { compareBundleBalances } from '../core/draw-down.js';
import type { CallDocument } from './billing-service.js';
import { ratedFields } from './call-ingest.js';
import { coreAccount, invoiceOfPeriod, pendingAdjustments } from './period-closing.js';
import { ServiceError } from './service-error.js';


export async function usageDocument(context: LedgerContext, account: AccountRow, at: number): Promise<UsageDocument> {
  const settings = settingsOf(account);
  const calendar = calendarOf(settings);
  const period = calendar.periodAt(at);
  if (!period) throw new ServiceError('not_found', `account ${account.id}'s first period begins ${calendar.period(0).startText}, after ${formatInstantUtc(at)}`);
  const stored = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', account.id).where('period_index', '=', period.index).executeTakeFirst();
  const periodRow = stored ?? (await newPeriodRow(context, account, period));
  const tariff = await context.tariffs.tariff(context.trx, periodRow.tariff_version);
  const plan = tariff.plans.get(periodRow.plan);
  if (!plan) throw new Error(`plan ${periodRow.plan} is not in tariff version ${periodRow.tariff_version}`);
  const purchases = await context.trx.selectFrom('bundle_purchases').selectAll().where('account_id', '=', account.id).execute();
  const entry: BookAccount = { account: await coreAccount(context.trx, account, purchases), plan, calendar };
  const bundleRows = bundleRowsOf(purchases);
  let totals: PeriodTotals;
  let bundles: BundleBalance[];
  if (at >= account.max_ended_at) {
    // Every stored call has ended by `at`: the live balances are the view.
    totals = periodTotalsOf(stored);
    bundles = bundleRows.map((row) => ({ product: row.product, purchasedAt: row.purchasedAt, expiresAt: row.expiresAt, left: row.left }));
  } else {
    ({ totals, bundles } = await drawAgainUntil(context, account, period, bundleRows, at));
  }
  const adjustments = period.index === account.closed_through + 1 ? await pendingAdjustments(context.trx, account) : [];
  return toUsageDocument(usageViewOf({ tariff, entry, period, totals, bundles: bundles.sort(compareBundleBalances), at, adjustments }), settings.timezone);
}

/** The calls ended by `at`, drawn again in order from full balances: the view as it stood then. */
async function drawAgainUntil(
  context: LedgerContext,
  account: AccountRow,
  period: BillingPeriod,
  bundleRows: ReturnType<typeof bundleRowsOf>,
  at: number,
): Promise<{ totals: PeriodTotals; bundles: BundleBalance[] }> {
  const rows = await context.trx
    .selectFrom('calls')
    .select(['call_id', 'time', 'ended_at', 'period_index', 'usage_millis', 'carrier_prefix', 'carrier_micros', 'surcharge_micros'])
    .where('account_id', '=', account.id)
    .where('time', '<=', at)
    .where('ended_at', '<=', at)
    .orderBy('time')
    .orderBy('call_id')
    .execute();
  const periods = await context.trx.selectFrom('account_periods').select(['period_index', 'included_millis']).where('account_id', '=', account.id).execute();
  const included = new Map(periods.map((row) => [row.period_index, row.included_millis]));
  const bundles: BundleBalance[] = bundleRows
    .map((row) => ({ product: row.product, purchasedAt: row.purchasedAt, expiresAt: row.expiresAt, left: row.product.millis, purchaseId: row.purchaseId }))
    .sort((a, b) => compareBundleBalances(a, b) || a.purchaseId - b.purchaseId);
  const balances = new Balances(0, bundles, (index) => included.get(index) ?? 0);
  const totals = emptyTotals();
  const draw: DrawTarget = { included: 0, bundle: 0, payg: 0 };
  for (const row of rows) {
    balances.drawInto(row.period_index, row.time, row.usage_millis, draw);
    if (row.period_index !== period.index) continue;
    totals.calls++;
    totals.includedUsed += draw.included;
    totals.bundleUsed += draw.bundle;
    totals.payg += draw.payg;
    if (row.carrier_prefix !== null) {
      totals.carrierCalls++;
      totals.carrierMicros += row.carrier_micros + row.surcharge_micros;
    }
  }
  return { totals, bundles };
}

export async function draftOrClosedInvoice(context: LedgerContext, account: AccountRow, month: string) {
  const calendar = calendarOf(settingsOf(account));
  if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month) || Number(month.slice(0, 4)) > 2255) throw new ServiceError('invalid_request', `month: "${month}" is not a month YYYY-MM up to 2255`);
  const period = calendar.periodStartingIn(month);
  if (!period) throw new ServiceError('not_found', `account ${account.id} has no period starting in ${month} (its first starts ${calendar.period(0).startText})`);
  const closed = await context.trx.selectFrom('invoices').select('document').where('account_id', '=', account.id).where('period_index', '=', period.index).executeTakeFirst();
  if (closed) return { period, closed: JSON.parse(closed.document) as unknown, invoice: undefined };
  const row = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', account.id).where('period_index', '=', period.index).executeTakeFirst();
  return { period, closed: undefined, invoice: await invoiceOfPeriod(context, account, period, row) };
}

export function callDocument(row: CallsTable, account: AccountRow, rounding: string, bundleNames: ReadonlyMap<number, string>): CallDocument {
  const record = JSON.parse(row.record) as Record<string, string>;
  const calendar = calendarOf(settingsOf(account));
  return {
    call_id: row.call_id,
    ...ratedFields(row, row, calendar.period(row.period_index).startText),
    from: record.from ?? '',
    to: record.to ?? '',
    started_at: record.started_at ?? '',
    answered_at: record.answered_at === '' || record.answered_at === undefined ? null : record.answered_at,
    ended_at: record.ended_at ?? '',
    end_reason: record.end_reason ?? '',
    rounding,
    bundle_draws: takesOf(row.bundle_takes).map(([purchaseId, millis]) => ({ purchase_id: purchaseId, bundle: bundleNames.get(purchaseId) ?? '', seconds: formatUsageSeconds(millis) })),
    adjusted_on_period: row.adjusted_on === null ? null : calendar.period(row.adjusted_on).startText,
    received_at: formatInstantUtc(row.received_at),
  };
}

/** The plan rounding a call was rated with, for its breakdown. */
export async function roundingOf(context: LedgerContext, accountId: string, periodIndex: number): Promise<string> {
  const row = await context.trx.selectFrom('account_periods').select(['plan', 'tariff_version']).where('account_id', '=', accountId).where('period_index', '=', periodIndex).executeTakeFirst();
  if (!row) return '';
  const tariff = await context.tariffs.tariff(context.trx, row.tariff_version);
  const plan = tariff.plans.get(row.plan);
  return plan ? formatIncrement(plan.rounding) : '';
}
