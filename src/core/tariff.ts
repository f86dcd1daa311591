/**
 * The tariff as the core uses it: every price already converted to exact integer units, so
 * rating a call does no parsing. Files and the API build it through `formats/tariff-file.ts`.
 */
import type { Increment } from './increment.js';
import type { RateDeck } from './rate-deck.js';

/** Tariff prices (minute prices, per-minute rates, fees) in billionths of the currency unit. */
export type Nanos = bigint;

export type CarrierMode = 'minutes' | 'passthrough';
export type OverageMode = 'allow' | 'block';

export interface Plan {
  readonly id: string;
  readonly name: string;
  /** The plan fee in the currency's minor unit (cents). */
  readonly monthlyFeeMinor: bigint;
  readonly includedMillis: number;
  readonly minutePriceNanos: number;
  readonly minutePrice: string;
  readonly rounding: Increment;
  readonly carrier: CarrierMode;
  readonly overage: OverageMode;
  readonly freeBelowSeconds: number;
}

export interface BundleProduct {
  readonly id: string;
  readonly millis: number;
  readonly priceMinor: bigint;
  readonly validDays: number;
}

export interface Surcharge {
  readonly perMinuteNanos: number;
  readonly perCallNanos: number;
}

export type NumberType = 'local' | 'mobile' | 'toll_free' | 'national';
export const NUMBER_TYPES: readonly NumberType[] = ['local', 'mobile', 'toll_free', 'national'];

export interface Tariff {
  readonly currency: string;
  /** ISO 4217 exponent: decimals of an invoice line amount. */
  readonly minorUnits: number;
  readonly plans: ReadonlyMap<string, Plan>;
  readonly bundles: ReadonlyMap<string, BundleProduct>;
  readonly rateDeck: RateDeck;
  /** Keyed by ISO country code. */
  readonly surcharges: ReadonlyMap<string, Surcharge>;
  /** Keyed by `${country}:${type}`; monthly fee in minor units. */
  readonly numberPricesMinor: ReadonlyMap<string, bigint>;
  /** Keyed by ISO country code; the percent as written (`"18"`, `"7.5"`). */
  readonly taxPercents: ReadonlyMap<string, string>;
}

export function numberPriceKey(country: string, type: NumberType): string {
  return `${country}:${type}`;
}
