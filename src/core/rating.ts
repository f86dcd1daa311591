/**
 * Rating one call (SPEC §3–5): billable time, AI time under the plan's rounding, carrier
 * time and cost from the rate deck, surcharges, and the usage seconds it draws. Pure and
 * allocation-light: it runs once per call record.
 */
import type { Direction } from './call-record.js';
import { divideRoundHalfAway, divideRoundHalfAwayBig, isSafe } from './decimal.js';
import { applyIncrement } from './increment.js';
import type { RateRow } from './rate-deck.js';
import type { Plan, Tariff } from './tariff.js';

/** Money per call in millionths of the currency unit (SPEC §1: six decimals). */
export type Micros = number;
/** Usage in milliseconds (SPEC §1: usage seconds with three decimals). */
export type Millis = number;

export interface CallRating {
  readonly billableSeconds: number;
  readonly aiSeconds: number;
  readonly carrierPrefix: string | null;
  readonly carrierCountry: string | null;
  readonly carrierSeconds: number;
  readonly carrierCost: Micros;
  readonly surchargeCost: Micros;
  readonly carrierUsage: Millis;
  readonly usage: Millis;
}

const NANOS_PER_MICRO_TIMES_60 = 60 * 1000;

/** `round6(fixed + perMinute × seconds / 60)`, prices in nanos, result in micros. */
function perMinuteCharge(fixedNanos: number, perMinuteNanos: number, seconds: number): Micros {
  const numerator = fixedNanos * 60 + perMinuteNanos * seconds;
  if (isSafe(numerator)) return divideRoundHalfAway(numerator, NANOS_PER_MICRO_TIMES_60);
  const big = BigInt(fixedNanos) * 60n + BigInt(perMinuteNanos) * BigInt(seconds);
  return Number(divideRoundHalfAwayBig(big, BigInt(NANOS_PER_MICRO_TIMES_60)));
}

/** Carrier money turned into usage at the plan's minute price: `round3(cost / price × 60)` s. */
function carrierMoneyToUsage(costMicros: Micros, minutePriceNanos: number): Millis {
  // cost/1e6 ÷ price/1e9 × 60 s = cost × 60_000 / price s = cost × 6e7 / price ms
  const numerator = costMicros * 60_000_000;
  if (isSafe(numerator)) return divideRoundHalfAway(numerator, minutePriceNanos);
  return Number(divideRoundHalfAwayBig(BigInt(costMicros) * 60_000_000n, BigInt(minutePriceNanos)));
}

const UNANSWERED: CallRating = {
  billableSeconds: 0, aiSeconds: 0, carrierPrefix: null, carrierCountry: null, carrierSeconds: 0,
  carrierCost: 0, surchargeCost: 0, carrierUsage: 0, usage: 0,
};

/** What rating needs to know of a call once its rate-deck row has been found. */
export interface RatingInput {
  readonly direction: Direction;
  readonly answered: boolean;
  readonly billableSeconds: number;
  /** The carrier rate for phone calls that were answered; undefined for web or unanswered calls. */
  readonly rateRow: RateRow | undefined;
}

export function rateCall(tariff: Tariff, plan: Plan, call: RatingInput): CallRating {
  if (!call.answered) return UNANSWERED;
  const { billableSeconds, rateRow: row } = call;
  const forgiven = billableSeconds < plan.freeBelowSeconds;
  if (!row) {
    const aiSeconds = forgiven ? 0 : applyIncrement(plan.rounding, billableSeconds);
    return { ...UNANSWERED, billableSeconds, aiSeconds, usage: aiSeconds * 1000 };
  }
  if (forgiven) return { ...UNANSWERED, billableSeconds, carrierPrefix: row.prefix, carrierCountry: row.country };
  const aiSeconds = applyIncrement(plan.rounding, billableSeconds);
  const carrierSeconds = applyIncrement(row.increment, billableSeconds);
  const carrierCost = perMinuteCharge(row.connectFeeNanos, row.perMinuteNanos, carrierSeconds);
  const surcharge = tariff.surcharges.get(row.country);
  const surchargeCost = surcharge ? perMinuteCharge(surcharge.perCallNanos, surcharge.perMinuteNanos, carrierSeconds) : 0;
  const carrierUsage = plan.carrier === 'minutes' ? carrierMoneyToUsage(carrierCost + surchargeCost, plan.minutePriceNanos) : 0;
  return {
    billableSeconds,
    aiSeconds,
    carrierPrefix: row.prefix,
    carrierCountry: row.country,
    carrierSeconds,
    carrierCost,
    surchargeCost,
    carrierUsage,
    usage: aiSeconds * 1000 + carrierUsage,
  };
}

/** What settling needs of a call's rating (`rateUsageInto` writes it, reused: no object per call). */
export interface UsageTarget {
  /** `CallRating.usage`. */
  usage: Millis;
  /** `carrierCost + surchargeCost`. */
  carrierMicros: Micros;
  /** `carrierPrefix !== null`: the call was rated against the rate deck. */
  carrierCall: boolean;
}

/**
 * The same figures as `rateCall` (`usage`, carrier plus surcharge money, whether the rate deck
 * rated it) written into `out`, for the settle loop over millions of calls. It follows
 * `rateCall` branch for branch; a test holds the two together.
 */
export function rateUsageInto(tariff: Tariff, plan: Plan, answered: boolean, billableSeconds: number, row: RateRow | undefined, out: UsageTarget): void {
  out.carrierMicros = 0;
  if (!answered) {
    out.usage = 0;
    out.carrierCall = false;
    return;
  }
  const forgiven = billableSeconds < plan.freeBelowSeconds;
  if (!row) {
    out.usage = forgiven ? 0 : applyIncrement(plan.rounding, billableSeconds) * 1000;
    out.carrierCall = false;
    return;
  }
  out.carrierCall = true;
  if (forgiven) {
    out.usage = 0;
    return;
  }
  const aiSeconds = applyIncrement(plan.rounding, billableSeconds);
  const carrierSeconds = applyIncrement(row.increment, billableSeconds);
  const carrierCost = perMinuteCharge(row.connectFeeNanos, row.perMinuteNanos, carrierSeconds);
  const surcharge = tariff.surcharges.get(row.country);
  const surchargeCost = surcharge ? perMinuteCharge(surcharge.perCallNanos, surcharge.perMinuteNanos, carrierSeconds) : 0;
  const money = carrierCost + surchargeCost;
  out.carrierMicros = money;
  out.usage = aiSeconds * 1000 + (plan.carrier === 'minutes' ? carrierMoneyToUsage(money, plan.minutePriceNanos) : 0);
}
