/**
 * Calls that arrive after their period closed (SPEC §9): the closed invoice never changes.
 * Each late call is drawn from what its period had left when it closed (included minutes,
 * then the bundles valid at its time, then pay-as-you-go); the period's usage money is
 * computed again with it, and the difference becomes an `adjustment` line on the account's
 * next invoice, naming the period it corrects. The calls already drawn are not drawn again:
 * their periods are closed.
 */
import { divideRoundHalfAwayBig } from '../core/decimal.js';
import { Balances, compareBundleBalances, type DrawTarget } from '../core/draw-down.js';
import { overageAmountMinor } from '../core/invoice.js';
import type { Plan } from '../core/tariff.js';
import type { CallsTable } from '../store/schema.js';
import { appendLedger, ledgerEntry, loadBundleRows, periodRows, saveBundleLefts, savePeriodRow, takesText, type AccountRow, type LedgerContext, type PeriodRow } from './account-ledger.js';

/** The usage money of a period: overage, and carrier money on passthrough plans. */
export function usageMoneyMinor(row: Pick<PeriodRow, 'payg' | 'carrier_micros'>, plan: Plan, minorUnits: number): bigint {
  const overage = overageAmountMinor(row.payg, plan.minutePriceNanos, minorUnits);
  if (plan.carrier !== 'passthrough') return overage;
  return overage + divideRoundHalfAwayBig(BigInt(row.carrier_micros) * 10n ** BigInt(minorUnits), 1_000_000n);
}

export async function recordLateCalls(context: LedgerContext, account: AccountRow, calls: readonly CallsTable[]): Promise<void> {
  const ordered = [...calls].sort((a, b) => a.time - b.time || (a.call_id < b.call_id ? -1 : 1));
  const periods = await periodRows(context, account, ordered.map((call) => call.period_index));
  const bundles = await loadBundleRows(context, account.id);
  const leftBefore = new Map(bundles.map((row) => [row.purchaseId, row.left]));
  const inOrder = bundles.map((row) => ({ ...row, row })).sort((a, b) => compareBundleBalances(a, b) || a.purchaseId - b.purchaseId);
  const billedOn = account.closed_through + 1;
  const entries = [];
  for (const call of ordered) {
    const period = periods.get(call.period_index) as PeriodRow;
    const tariff = await context.tariffs.tariff(context.trx, period.tariff_version);
    const plan = tariff.plans.get(period.plan) as Plan;
    const before = usageMoneyMinor(period, plan, tariff.minorUnits);
    const balances = new Balances(0, inOrder, () => period.included_millis - period.included_used);
    const target: DrawTarget = { included: 0, bundle: 0, payg: 0, bundleTakes: [] };
    balances.drawInto(call.period_index, call.time, call.usage_millis, target);
    const takes = (target.bundleTakes ?? []).map(([position, millis]) => [(inOrder[position] as { purchaseId: number }).purchaseId, millis] as [number, number]);
    period.included_used += target.included;
    period.bundle_used += target.bundle;
    period.payg += target.payg;
    period.calls += 1;
    const carrier = call.carrier_prefix === null ? 0 : call.carrier_micros + call.surcharge_micros;
    if (call.carrier_prefix !== null) {
      period.carrier_calls += 1;
      period.carrier_micros += carrier;
    }
    const difference = usageMoneyMinor(period, plan, tariff.minorUnits) - before;
    await context.trx
      .insertInto('calls')
      .values({ ...call, included_millis: target.included, bundle_millis: target.bundle, payg_millis: target.payg, bundle_takes: takesText(takes), adjusted_on: billedOn })
      .execute();
    await context.trx
      .insertInto('adjustments')
      .values({
        account_id: account.id,
        corrects_period_index: period.period_index,
        corrects_period_start: period.period_start,
        corrects_period_end: period.period_end,
        amount_minor: Number(difference),
        calls: 1,
        billed_in: null,
        created_at: context.now,
      })
      .execute();
    entries.push(
      ledgerEntry(context, {
        account_id: account.id,
        kind: 'call_rated',
        source: call.call_id,
        period_index: call.period_index,
        included_millis: target.included,
        bundle_millis: target.bundle,
        payg_millis: target.payg,
        calls: 1,
        carrier_calls: call.carrier_prefix === null ? 0 : 1,
        carrier_micros: carrier,
        bundle_takes: takesText(takes),
      }),
      ledgerEntry(context, { account_id: account.id, kind: 'adjustment', source: call.call_id, period_index: billedOn, amount_minor: Number(difference) }),
    );
  }
  for (const { row, left } of inOrder) row.left = left;
  for (const period of periods.values()) await savePeriodRow(context, period);
  await saveBundleLefts(context, bundles, leftBefore);
  await appendLedger(context, entries);
  const maxEnded = Math.max(account.max_ended_at, ...calls.map((row) => row.ended_at));
  if (maxEnded !== account.max_ended_at) {
    await context.trx.updateTable('accounts').set({ max_ended_at: maxEnded }).where('id', '=', account.id).execute();
    account.max_ended_at = maxEnded;
  }
}
