/**
 * The usage view of one account at an instant (SPEC §10): what the dashboard shows. Calls
 * count once they have ended by `at`; purchases and number charges once they have happened.
 */
import type { BillingPeriod } from './billing-period.js';
import type { BillingRun, SettledAccount } from './billing-run.js';
import type { BookAccount } from './billing-book.js';
import { emptyTotals, type PeriodTotals } from './period-totals.js';
import { numberPriceKey, type Tariff } from './tariff.js';
import { numberChargesBefore } from './number-charges.js';
import { divideRoundHalfAwayBig } from './decimal.js';
import type { BundleBalance } from './draw-down.js';
import type { EpochMicros } from './instant.js';
import { buildInvoice, overageAmountMinor, taxAmountMinor, type Invoice, type InvoiceAdjustment } from './invoice.js';
import type { Millis } from './rating.js';

export interface UsageView {
  readonly accountId: string;
  readonly at: EpochMicros;
  readonly period: BillingPeriod;
  readonly currency: string;
  readonly minorUnits: number;
  readonly includedMillis: Millis;
  readonly includedUsedMillis: Millis;
  readonly includedLeftMillis: Millis;
  /** Bundles bought by `at` and not expired at `at`, with what is left of each. */
  readonly bundles: readonly BundleBalance[];
  readonly bundleLeftMillis: Millis;
  readonly paygMillis: Millis;
  readonly paygAmountMinor: bigint;
  /** The invoice as it would be if the period closed at `at`. */
  readonly estimate: Invoice;
  readonly forecastTotalMinor: bigint;
}

/**
 * `settled` holds all of the account's calls (any end time); the view keeps those ended by
 * `at` and draws them again, so a long call still running at `at` does not count yet.
 */
export function buildUsageView(run: BillingRun, settled: SettledAccount, at: EpochMicros): UsageView | undefined {
  const { entry } = settled;
  const period = entry.calendar.periodAt(at);
  if (!period) return undefined;
  const current = run.settleAccount(entry, settled.rows, at);
  return usageViewOf({ tariff: run.book.tariff, entry, period, totals: current.totals.get(period.index) ?? emptyTotals(), bundles: current.bundles, at });
}

export interface UsageViewInput {
  readonly tariff: Tariff;
  readonly entry: BookAccount;
  /** The period containing `at`. */
  readonly period: BillingPeriod;
  /** The period's calls that ended by `at`, added up. */
  readonly totals: PeriodTotals;
  /** The account's bundles after those calls were drawn. */
  readonly bundles: readonly BundleBalance[];
  readonly at: EpochMicros;
  readonly adjustments?: readonly InvoiceAdjustment[];
}

/** The view from totals already drawn: the batch command settles them, the service keeps them live. */
export function usageViewOf({ tariff, entry, period, totals, bundles: allBundles, at, adjustments }: UsageViewInput): UsageView {
  const estimate = buildInvoice({ tariff, account: entry.account, plan: entry.plan, period, totals, upTo: at, adjustments });
  const bundles = allBundles.filter((balance) => balance.purchasedAt <= at && balance.expiresAt > at);
  const bundleLeftMillis = bundles.reduce((sum, balance) => sum + balance.left, 0);
  const { usage } = estimate;
  return {
    accountId: entry.account.id,
    at,
    period,
    currency: tariff.currency,
    minorUnits: tariff.minorUnits,
    includedMillis: usage.includedMillis,
    includedUsedMillis: usage.includedUsedMillis,
    includedLeftMillis: usage.includedMillis - usage.includedUsedMillis,
    bundles,
    bundleLeftMillis,
    paygMillis: usage.paygMillis,
    paygAmountMinor: overageAmountMinor(usage.paygMillis, entry.plan.minutePriceNanos, tariff.minorUnits),
    estimate,
    forecastTotalMinor: forecastTotal(tariff, entry, estimate, at, bundleLeftMillis),
  };
}

/**
 * Usage-driven amounts projected linearly to the period's end: the usage so far is scaled
 * by (period length / time elapsed), the extra is drawn from what is left of the included
 * minutes and bundles, the rest becomes pay-as-you-go; passthrough carrier money scales the
 * same way. Fixed lines (plan fee, bundles bought, number rentals) stay as they are, and the
 * number charges already scheduled for the rest of the period are added.
 */
function forecastTotal(tariff: Tariff, entry: BookAccount, estimate: Invoice, at: EpochMicros, bundleLeft: Millis): bigint {
  const { period, usage } = estimate;
  const plan = entry.plan;
  const minor = tariff.minorUnits;
  const elapsed = BigInt(Math.max(1, at - period.start));
  const length = BigInt(period.end - period.start);
  if (BigInt(at - period.start) >= length) return estimate.totalMinor;
  const usedSoFar = BigInt(usage.includedUsedMillis + usage.bundleUsedMillis + usage.paygMillis);
  const extra = divideRoundHalfAwayBig(usedSoFar * (length - elapsed), elapsed);
  const includedLeft = BigInt(usage.includedMillis - usage.includedUsedMillis);
  let rest = extra - (extra < includedLeft ? extra : includedLeft);
  rest -= rest < BigInt(bundleLeft) ? rest : BigInt(bundleLeft);
  const paygForecast = Number(BigInt(usage.paygMillis) + rest);
  let subtotal = scheduledNumberCharges(tariff, entry, period, at);
  for (const line of estimate.lines) {
    if (line.kind === 'tax') continue;
    if (line.kind === 'overage') subtotal += overageAmountMinor(paygForecast, plan.minutePriceNanos, minor);
    else if (line.kind === 'carrier') subtotal += divideRoundHalfAwayBig(line.amountMinor * length, elapsed);
    else subtotal += line.amountMinor;
  }
  const percent = tariff.taxPercents.get(entry.account.country);
  return percent === undefined ? subtotal : subtotal + taxAmountMinor(subtotal, percent);
}

/** Fees of the number charges after `at` and before the period ends (known in advance, SPEC §8). */
function scheduledNumberCharges(tariff: Tariff, entry: BookAccount, period: BillingPeriod, at: EpochMicros): bigint {
  let sum = 0n;
  for (const rental of entry.account.numbers) {
    for (const charge of numberChargesBefore(rental, entry.account.timeZone, period.end, period.start)) {
      if (charge.at > at && charge.at >= period.start) sum += tariff.numberPricesMinor.get(numberPriceKey(rental.country, rental.type)) ?? 0n;
    }
  }
  return sum;
}
