/** A customer account as the core bills it: plan, calendar, bought bundles, rented numbers. */
import type { EpochMicros } from './instant.js';
import type { NumberType } from './tariff.js';

export interface BundlePurchase {
  /** The bundle product's id in the tariff. */
  readonly bundle: string;
  readonly purchasedAt: EpochMicros;
}

export interface NumberRental {
  readonly number: string;
  readonly type: NumberType;
  readonly country: string;
  readonly rentedAt: EpochMicros;
  readonly releasedAt: EpochMicros | undefined;
}

export interface Account {
  readonly id: string;
  readonly plan: string;
  /** IANA time zone of the account's calendar. */
  readonly timeZone: string;
  /** ISO local date `YYYY-MM-DD`: the first period's start and the monthly anchor day. */
  readonly billingAnchor: string;
  readonly country: string;
  readonly bundles: readonly BundlePurchase[];
  readonly numbers: readonly NumberRental[];
}
