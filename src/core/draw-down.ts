/**
 * Draw-down (SPEC §6): each call's usage comes from the included minutes of its period, then
 * bundles (expiring first, then purchased first, then by id), then pay-as-you-go. Calls must
 * be given in `answered_at` order (ties by call_id); the result then depends on nothing else.
 */
import type { BundleProduct } from './tariff.js';
import type { EpochMicros } from './instant.js';
import type { Millis } from './rating.js';

export interface Draw {
  readonly included: Millis;
  readonly bundle: Millis;
  readonly payg: Millis;
}

/** A draw that `Balances.drawInto` writes into, so a loop over calls can reuse one. */
export interface DrawTarget {
  included: Millis;
  bundle: Millis;
  payg: Millis;
  /**
   * When present, filled with `[bundle position, millis]` pairs of this call's bundle draws
   * (positions in the balances' `bundles`): the service keeps them to undo a draw.
   */
  bundleTakes?: [number, Millis][];
}

export interface BundleBalance {
  readonly product: BundleProduct;
  readonly purchasedAt: EpochMicros;
  readonly expiresAt: EpochMicros;
  left: Millis;
}

const MICROS_PER_DAY = 86_400_000_000;

export function openBundleBalances(
  purchases: readonly { readonly bundle: string; readonly purchasedAt: EpochMicros }[],
  products: ReadonlyMap<string, BundleProduct>,
): BundleBalance[] {
  const balances = purchases.map((purchase) => {
    const product = products.get(purchase.bundle);
    if (!product) throw new Error(`bundle ${purchase.bundle} is not in the tariff`); // checked when accounts load
    return {
      product,
      purchasedAt: purchase.purchasedAt,
      expiresAt: purchase.purchasedAt + product.validDays * MICROS_PER_DAY,
      left: product.millis,
    };
  });
  return balances.sort(compareBundleBalances);
}

/** The order bundles are drawn in (SPEC §6): expiring first, then purchased first, then by id. */
export function compareBundleBalances(a: BundleBalance, b: BundleBalance): number {
  return a.expiresAt - b.expiresAt || a.purchasedAt - b.purchasedAt || (a.product.id < b.product.id ? -1 : a.product.id > b.product.id ? 1 : 0);
}

/** The running balances of one account while its calls are drawn in order. */
export class Balances {
  private periodIndex = -1;
  private includedLeft = 0;

  /**
   * `openingIncluded`, when given, says what is left of a period's included minutes when the
   * first call of that period is drawn (the service resumes a period part-way through, or
   * under another plan); by default each period opens with `includedPerPeriod`.
   */
  constructor(
    private readonly includedPerPeriod: Millis,
    readonly bundles: BundleBalance[],
    private readonly openingIncluded?: (periodIndex: number) => Millis,
  ) {}

  /** Draws `usage` for a call answered at `answeredAt`, writing how it was paid for into `target` (reused: no object per call). */
  drawInto(periodIndex: number, answeredAt: EpochMicros, usage: Millis, target: DrawTarget): void {
    const takes = target.bundleTakes;
    if (takes !== undefined) takes.length = 0;
    if (usage === 0) {
      target.included = 0;
      target.bundle = 0;
      target.payg = 0;
      return;
    }
    if (periodIndex !== this.periodIndex) {
      // Calls come in time order, so a new period index means the previous one is over.
      this.periodIndex = periodIndex;
      this.includedLeft = this.openingIncluded === undefined ? this.includedPerPeriod : this.openingIncluded(periodIndex);
    }
    let rest = usage;
    const included = Math.min(rest, this.includedLeft);
    this.includedLeft -= included;
    rest -= included;
    let bundle = 0;
    for (let index = 0; rest > 0 && index < this.bundles.length; index++) {
      const balance = this.bundles[index] as BundleBalance;
      if (balance.left === 0 || balance.purchasedAt > answeredAt || balance.expiresAt <= answeredAt) continue;
      const taken = Math.min(rest, balance.left);
      balance.left -= taken;
      bundle += taken;
      if (takes !== undefined) takes.push([index, taken]);
      rest -= taken;
    }
    target.included = included;
    target.bundle = bundle;
    target.payg = rest;
  }
}
