/**
 * The invoice of one account for one period (SPEC §9): plan fee, overage, passthrough
 * carrier, bundles, number rentals and tax, each amount rounded once to the currency's minor
 * unit from exact sums of the calls and charges behind it.
 */
import type { BillingPeriod } from './billing-period.js';
import type { Account } from './account.js';
import type { PeriodTotals } from './period-totals.js';
import { divideRoundHalfAwayBig, formatScaled, parseScaled } from './decimal.js';
import { toZonedDateTime } from './billing-period.js';
import type { EpochMicros } from './instant.js';
import { numberChargesBefore } from './number-charges.js';
import type { Millis } from './rating.js';
import { numberPriceKey, type Plan, type Tariff } from './tariff.js';

export const INVOICE_LINE_KINDS = ['plan_fee', 'overage', 'carrier', 'bundle', 'number_rental', 'adjustment', 'tax'] as const;
export type InvoiceLineKind = (typeof INVOICE_LINE_KINDS)[number];

export interface InvoiceLine {
  readonly kind: InvoiceLineKind;
  readonly description: string;
  readonly quantity: string;
  /** The price of one unit, as a decimal string; null where a line has no unit (carrier, tax). */
  readonly unitPrice: string | null;
  /** In the currency's minor unit. */
  readonly amountMinor: bigint;
}

export interface InvoiceUsage {
  readonly includedMillis: Millis;
  readonly includedUsedMillis: Millis;
  readonly bundleUsedMillis: Millis;
  readonly paygMillis: Millis;
  readonly calls: number;
}

export interface Invoice {
  readonly accountId: string;
  readonly period: BillingPeriod;
  readonly currency: string;
  readonly minorUnits: number;
  readonly lines: readonly InvoiceLine[];
  readonly subtotalMinor: bigint;
  readonly taxMinor: bigint;
  readonly totalMinor: bigint;
  readonly usage: InvoiceUsage;
}

const NANOS_PER_UNIT = 1_000_000_000n;
const MILLIS_PER_MINUTE = 60_000n;

/** `round_minor(payg_ms × minute_price / 60 s)`. */
export function overageAmountMinor(paygMillis: Millis, minutePriceNanos: number, minorUnits: number): bigint {
  return divideRoundHalfAwayBig(
    BigInt(paygMillis) * BigInt(minutePriceNanos) * 10n ** BigInt(minorUnits),
    MILLIS_PER_MINUTE * NANOS_PER_UNIT,
  );
}

/** `round_minor(sum of carrier_cost + surcharge_cost)`: passed-through carrier money (micros) on an invoice. */
export function carrierAmountMinor(carrierMicros: number, minorUnits: number): bigint {
  return divideRoundHalfAwayBig(BigInt(carrierMicros) * 10n ** BigInt(minorUnits), 1_000_000n);
}

function trimZeros(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/\.?0+$/, '') : decimal;
}

/** Minutes to six decimals, for the overage line's quantity. */
export function formatMinutes(millis: Millis): string {
  return formatScaled(divideRoundHalfAwayBig(BigInt(millis) * 1_000_000n, MILLIS_PER_MINUTE), 6);
}

export function taxAmountMinor(subtotalMinor: bigint, percent: string): bigint {
  const scale = 9;
  const percentScaled = parseScaled(percent, scale);
  return divideRoundHalfAwayBig(subtotalMinor * percentScaled, 100n * 10n ** BigInt(scale));
}

function localDate(instant: EpochMicros, timeZone: string): string {
  return toZonedDateTime(instant, timeZone).toPlainDate().toString();
}

export interface InvoiceInput {
  readonly tariff: Tariff;
  readonly account: Account;
  readonly plan: Plan;
  readonly period: BillingPeriod;
  /** The period's calls added up (an empty total when it had none). */
  readonly totals: PeriodTotals;
  /** Count purchases and number charges only up to this instant (the usage view's "so far"). */
  readonly upTo?: EpochMicros;
  /** Late calls of closed periods, billed (or credited) on this invoice (the service's, SPEC §9). */
  readonly adjustments?: readonly InvoiceAdjustment[];
}

/** What late calls changed on the invoice of a period that had already closed. */
export interface InvoiceAdjustment {
  readonly correctsPeriod: BillingPeriod;
  readonly calls: number;
  readonly amountMinor: bigint;
}

/** Whether an instant lands on the invoice of `period` (one before the first period lands on the first). */
function landsIn(instant: EpochMicros, period: BillingPeriod): boolean {
  return (instant >= period.start || period.index === 0) && instant < period.end;
}

export function buildInvoice({ tariff, account, plan, period, totals, upTo, adjustments = [] }: InvoiceInput): Invoice {
  const minor = tariff.minorUnits;
  const format = (amount: bigint): string => formatScaled(amount, minor);
  const limit = upTo === undefined ? period.end : Math.min(period.end, upTo + 1);
  const payg = totals.payg;

  const lines: InvoiceLine[] = [
    {
      kind: 'plan_fee',
      description: `${plan.name} plan, ${period.startText.slice(0, 10)} to ${period.endText.slice(0, 10)}`,
      quantity: '1',
      unitPrice: format(plan.monthlyFeeMinor),
      amountMinor: plan.monthlyFeeMinor,
    },
    {
      kind: 'overage',
      description: 'Pay-as-you-go minutes',
      quantity: formatMinutes(payg),
      unitPrice: plan.minutePrice,
      amountMinor: overageAmountMinor(payg, plan.minutePriceNanos, minor),
    },
  ];
  if (plan.carrier === 'passthrough') {
    lines.push({
      kind: 'carrier',
      description: 'Carrier costs and surcharges, passed through',
      quantity: String(totals.carrierCalls),
      unitPrice: null,
      amountMinor: carrierAmountMinor(totals.carrierMicros, minor),
    });
  }
  const purchases = [...account.bundles].filter((purchase) => landsIn(purchase.purchasedAt, period) && purchase.purchasedAt < limit);
  purchases.sort((a, b) => a.purchasedAt - b.purchasedAt);
  for (const purchase of purchases) {
    const product = tariff.bundles.get(purchase.bundle);
    if (!product) continue;
    lines.push({
      kind: 'bundle',
      description: `Bundle ${product.id}: ${trimZeros(formatMinutes(product.millis))} minutes, bought ${localDate(purchase.purchasedAt, account.timeZone)}`,
      quantity: '1',
      unitPrice: format(product.priceMinor),
      amountMinor: product.priceMinor,
    });
  }
  // Charges before the period only matter to the first invoice (they land on it).
  const chargesFrom = period.index === 0 ? undefined : period.start;
  const charges = account.numbers
    .flatMap((rental) => numberChargesBefore(rental, account.timeZone, limit, chargesFrom))
    .filter((charge) => landsIn(charge.at, period))
    .sort((a, b) => a.at - b.at || (a.rental.number < b.rental.number ? -1 : 1));
  for (const charge of charges) {
    const fee = tariff.numberPricesMinor.get(numberPriceKey(charge.rental.country, charge.rental.type)) ?? 0n;
    lines.push({
      kind: 'number_rental',
      description: `Number ${charge.rental.number} (${charge.rental.country} ${charge.rental.type.replace('_', '-')}) from ${charge.localDate}`,
      quantity: '1',
      unitPrice: format(fee),
      amountMinor: fee,
    });
  }
  for (const adjustment of adjustments) {
    const corrected = adjustment.correctsPeriod;
    lines.push({
      kind: 'adjustment',
      description: `Adjustment for ${corrected.startText.slice(0, 10)} to ${corrected.endText.slice(0, 10)}: ${adjustment.calls} late call${adjustment.calls === 1 ? '' : 's'}`,
      quantity: String(adjustment.calls),
      unitPrice: null,
      amountMinor: adjustment.amountMinor,
    });
  }
  const subtotalMinor = lines.reduce((sum, line) => sum + line.amountMinor, 0n);
  let taxMinor = 0n;
  const percent = tariff.taxPercents.get(account.country);
  if (percent !== undefined) {
    taxMinor = taxAmountMinor(subtotalMinor, percent);
    lines.push({ kind: 'tax', description: `Tax ${account.country} ${percent}%`, quantity: percent, unitPrice: null, amountMinor: taxMinor });
  }
  return {
    accountId: account.id,
    period,
    currency: tariff.currency,
    minorUnits: minor,
    lines,
    subtotalMinor,
    taxMinor,
    totalMinor: subtotalMinor + taxMinor,
    usage: { includedMillis: plan.includedMillis, includedUsedMillis: totals.includedUsed, bundleUsedMillis: totals.bundleUsed, paygMillis: payg, calls: totals.calls },
  };
}
