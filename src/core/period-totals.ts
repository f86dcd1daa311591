/** What one account's calls add up to in one billing period: the invoice's usage figures. */
import type { Draw } from './draw-down.js';
import type { Micros, Millis, UsageTarget } from './rating.js';

export interface PeriodTotals {
  includedUsed: Millis;
  bundleUsed: Millis;
  payg: Millis;
  /** Every accepted record of the period, answered or not (a repeat counts once). */
  calls: number;
  /** Calls rated against the rate deck, and their carrier + surcharge money (passthrough plans bill it). */
  carrierCalls: number;
  carrierMicros: Micros;
}

export function emptyTotals(): PeriodTotals {
  return { includedUsed: 0, bundleUsed: 0, payg: 0, calls: 0, carrierCalls: 0, carrierMicros: 0 };
}

/** Adds one drawn call: its draw, and its carrier + surcharge money when the rate deck rated it. */
export function addDraw(totals: PeriodTotals, rated: UsageTarget, draw: Draw): void {
  totals.calls++;
  totals.includedUsed += draw.included;
  totals.bundleUsed += draw.bundle;
  totals.payg += draw.payg;
  if (rated.carrierCall) {
    totals.carrierCalls++;
    totals.carrierMicros += rated.carrierMicros;
  }
}
