/**
 * Authorization before a call (SPEC §12): the longest call the account's balances can pay
 * for. Rating is monotone in the call's length (a longer call never costs less), so the
 * answer is found by bisection over whole seconds with the same `rateCall` that bills it:
 * the promise can never exceed what the balances hold.
 */
import { carrierAmountMinor, overageAmountMinor } from './invoice.js';
import type { Direction } from './call-record.js';
import type { RateRow } from './rate-deck.js';
import { rateCall, type Micros, type Millis } from './rating.js';
import type { OverageMode, Plan, Tariff } from './tariff.js';

/** The longest call we ever promise: the longest billable duration a record may have. */
export const MAX_AUTHORIZED_SECONDS = 2 ** 31 - 1;

export interface AuthorizationInput {
  readonly tariff: Tariff;
  readonly plan: Plan;
  readonly direction: Direction;
  /** The destination's rate row in force; undefined for web calls. */
  readonly rateRow: RateRow | undefined;
  readonly includedLeft: Millis;
  /** Bundles bought by the instant and not expired then. */
  readonly bundleLeft: Millis;
  readonly overage: OverageMode;
  /** Per-period cap on usage charges (overage and passed-through carrier money), minor units. */
  readonly spendCapMinor: bigint | undefined;
  /** The period so far, for the cap: pay-as-you-go usage and passed-through carrier money. */
  readonly periodPayg: Millis;
  readonly periodCarrierMicros: Micros;
}

export type AuthorizationResult =
  | { readonly allowed: true; readonly maxSeconds: number | null }
  | { readonly allowed: false; readonly maxSeconds: 0; readonly reason: 'balances_empty' | 'spend_cap_reached' };

export function authorizeCall(input: AuthorizationInput): AuthorizationResult {
  const { tariff, plan } = input;
  const capped = input.overage === 'allow' && input.spendCapMinor !== undefined;
  if (input.overage === 'allow' && !capped) return { allowed: true, maxSeconds: null };
  const prepaid = input.includedLeft + input.bundleLeft;
  const fits = (seconds: number): boolean => {
    const rating = rateCall(tariff, plan, { direction: input.direction, answered: true, billableSeconds: seconds, rateRow: input.rateRow });
    const payg = Math.max(0, rating.usage - prepaid);
    if (!capped) return payg === 0;
    const carrier = plan.carrier === 'passthrough' ? input.periodCarrierMicros + rating.carrierCost + rating.surchargeCost : input.periodCarrierMicros;
    const spent = overageAmountMinor(input.periodPayg + payg, plan.minutePriceNanos, tariff.minorUnits) + (plan.carrier === 'passthrough' ? carrierAmountMinor(carrier, tariff.minorUnits) : 0n);
    return spent <= (input.spendCapMinor);
  };
  if (!fits(1)) return { allowed: false, maxSeconds: 0, reason: capped ? 'spend_cap_reached' : 'balances_empty' };
  if (fits(MAX_AUTHORIZED_SECONDS)) return { allowed: true, maxSeconds: MAX_AUTHORIZED_SECONDS };
  let low = 1; // fits
  let high = MAX_AUTHORIZED_SECONDS; // does not fit
  while (high - low > 1) {
    const middle = low + Math.floor((high - low) / 2);
    if (fits(middle)) low = middle;
    else high = middle;
  }
  return { allowed: true, maxSeconds: low };
}
