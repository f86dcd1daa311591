/**
 * Calls that arrive after their period closed (SPEC §9). The closed invoice never changes.
 * The late call is drawn like any other, in `answered_at` order, so its closed period (and
 * every period after it) is drawn again as it would have been with the call known in time;
 * for each closed period whose usage money (overage, and carrier money on passthrough plans)
 * moved, the difference is billed or credited as an `adjustment` line on the next invoice to
 * close, naming the period it corrects. Each adjustment is the change since the last one, so
 * the adjustments of a period add up to "as it would have been" minus "as invoiced",
 * whatever order the late calls arrive in.
 */
import { carrierAmountMinor, overageAmountMinor } from '../core/invoice.js';
import type { AdjustmentsTable } from '../store/schema.js';
import type { AccountDrawWork, LedgerContext, PeriodRow } from './account-ledger.js';

/** The usage money of a period: overage, and carrier money on passthrough plans. */
export async function usageMoneyMinor(context: LedgerContext, row: PeriodRow, figures: Pick<PeriodRow, 'payg' | 'carrier_micros'> = row): Promise<bigint> {
  const tariff = await context.tariffs.tariff(context.trx, row.tariff_version);
  const plan = tariff.plans.get(row.plan);
  if (!plan) throw new Error(`plan ${row.plan} is not in tariff version ${row.tariff_version}`);
  const overage = overageAmountMinor(figures.payg, plan.minutePriceNanos, tariff.minorUnits);
  if (plan.carrier !== 'passthrough') return overage;
  return overage + carrierAmountMinor(figures.carrier_micros, tariff.minorUnits);
}

export type AdjustmentRow = Omit<AdjustmentsTable, 'id'>;

/**
 * The adjustments for closed periods drawn again: `before` holds each closed period's
 * figures before this batch (keyed `${account} ${period}`), `periods` the rows after it.
 */
export async function closedPeriodAdjustments(
  context: LedgerContext,
  items: readonly AccountDrawWork[],
  periods: ReadonlyMap<string, PeriodRow>,
  before: ReadonlyMap<string, Pick<PeriodRow, 'payg' | 'carrier_micros'>>,
): Promise<AdjustmentRow[]> {
  const lateCalls = new Map<string, number>();
  for (const { account, calls } of items) {
    for (const call of calls) {
      if (call.period_index > account.closed_through) continue;
      const key = `${account.id} ${call.period_index}`;
      lateCalls.set(key, (lateCalls.get(key) ?? 0) + 1);
    }
  }
  const adjustments: AdjustmentRow[] = [];
  for (const [key, figures] of before) {
    const row = periods.get(key);
    if (!row) continue;
    const difference = (await usageMoneyMinor(context, row)) - (await usageMoneyMinor(context, row, figures));
    const calls = lateCalls.get(key) ?? 0;
    if (difference === 0n && calls === 0) continue;
    adjustments.push({
      account_id: row.account_id,
      corrects_period_index: row.period_index,
      corrects_period_start: row.period_start,
      corrects_period_end: row.period_end,
      amount_minor: Number(difference),
      calls,
      billed_in: null,
      created_at: context.now,
    });
  }
  return adjustments;
}
