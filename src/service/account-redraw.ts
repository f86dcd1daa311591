/**
 * Keeping one account's live balances exact while calls arrive out of order (SPEC §6: calls
 * draw in `answered_at` order, whatever order they arrive in). Calls usually arrive as they
 * end, so a long call often arrives after shorter calls answered later. The service then takes
 * back the draws of the calls after the newcomer's place in the order, and draws them again
 * with it, through the same `Balances` the batch command uses. Pure: the caller loads the
 * rows and writes back what changed, in one transaction.
 */
import { Balances, compareBundleBalances, type BundleBalance, type DrawTarget } from '../core/draw-down.js';
import type { BundleProduct } from '../core/tariff.js';
import type { Millis } from '../core/rating.js';

/** A call's place in the draw order. */
export interface DrawKey {
  readonly time: number;
  readonly callId: string;
}

export function compareDrawKeys(a: DrawKey, b: DrawKey): number {
  return a.time - b.time || (a.callId < b.callId ? -1 : a.callId > b.callId ? 1 : 0);
}

export interface CallDraw {
  included: Millis;
  bundle: Millis;
  payg: Millis;
  /** `[purchase id, millis]` of each bundle drawn from. */
  takes: [number, Millis][];
}

export interface DrawnCall extends DrawKey {
  readonly periodIndex: number;
  readonly usage: Millis;
  /** The draw now stored (for calls already drawn), or undefined for a new call. */
  readonly stored: CallDraw | undefined;
}

export interface PeriodBalance {
  readonly periodIndex: number;
  readonly includedMillis: Millis;
  includedUsed: Millis;
  bundleUsed: Millis;
  payg: Millis;
}

export interface BundleRow {
  readonly purchaseId: number;
  readonly product: BundleProduct;
  readonly purchasedAt: number;
  readonly expiresAt: number;
  left: Millis;
}

export interface RedrawResult {
  /** The new draw of every call given, in draw order. */
  readonly draws: { readonly call: DrawnCall; readonly draw: CallDraw; readonly changed: boolean }[];
}

function sameDraw(a: CallDraw, b: CallDraw): boolean {
  return a.included === b.included && a.bundle === b.bundle && a.payg === b.payg && JSON.stringify(a.takes) === JSON.stringify(b.takes);
}

/**
 * Takes back the stored draws of `calls` (all the account's calls from the first newcomer's
 * place on, in open periods) and draws every one of them again in order. Updates `periods`
 * and `bundles` in place.
 */
export function redrawCalls(calls: readonly DrawnCall[], periods: Map<number, PeriodBalance>, bundles: readonly BundleRow[]): RedrawResult {
  const byPurchase = new Map(bundles.map((row) => [row.purchaseId, row]));
  for (const call of calls) {
    const stored = call.stored;
    if (!stored) continue;
    const period = periods.get(call.periodIndex);
    if (!period) throw new Error(`period ${call.periodIndex} of a stored call is not loaded`);
    period.includedUsed -= stored.included;
    period.bundleUsed -= stored.bundle;
    period.payg -= stored.payg;
    for (const [purchaseId, millis] of stored.takes) {
      const row = byPurchase.get(purchaseId);
      if (row) row.left += millis;
    }
  }
  const ordered = [...calls].sort(compareDrawKeys);
  const balancesInOrder: (BundleBalance & { purchaseId: number })[] = bundles
    .map((row) => ({ product: row.product, purchasedAt: row.purchasedAt, expiresAt: row.expiresAt, left: row.left, purchaseId: row.purchaseId }))
    .sort((a, b) => compareBundleBalances(a, b) || a.purchaseId - b.purchaseId);
  const balances = new Balances(0, balancesInOrder, (periodIndex) => {
    const period = periods.get(periodIndex);
    return period ? period.includedMillis - period.includedUsed : 0;
  });
  const target: DrawTarget = { included: 0, bundle: 0, payg: 0, bundleTakes: [] };
  const draws = ordered.map((call) => {
    balances.drawInto(call.periodIndex, call.time, call.usage, target);
    const draw: CallDraw = {
      included: target.included,
      bundle: target.bundle,
      payg: target.payg,
      takes: (target.bundleTakes ?? []).map(([position, millis]) => [(balancesInOrder[position] as { purchaseId: number }).purchaseId, millis]),
    };
    const period = periods.get(call.periodIndex);
    if (!period) throw new Error(`period ${call.periodIndex} is not loaded`);
    period.includedUsed += draw.included;
    period.bundleUsed += draw.bundle;
    period.payg += draw.payg;
    return { call, draw, changed: call.stored === undefined || !sameDraw(call.stored, draw) };
  });
  for (const balance of balancesInOrder) {
    const row = byPurchase.get(balance.purchaseId);
    if (row) row.left = balance.left;
  }
  return { draws };
}
