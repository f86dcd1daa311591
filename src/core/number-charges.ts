/** Monthly charges for rented numbers (SPEC §8): in advance, on each monthly anniversary. */
import type { NumberRental } from './account.js';
import { fromZonedDateTime, zonedAnniversaries } from './billing-period.js';
import type { EpochMicros } from './instant.js';

export interface NumberCharge {
  readonly rental: NumberRental;
  readonly at: EpochMicros;
  /** The local date of the charge in the account's time zone, `YYYY-MM-DD`. */
  readonly localDate: string;
}

/** The charges of `rental` made before `until` (and before its release), from `from` on when given. */
export function numberChargesBefore(rental: NumberRental, timeZone: string, until: EpochMicros, from?: EpochMicros): NumberCharge[] {
  const end = rental.releasedAt === undefined ? until : Math.min(until, rental.releasedAt);
  return zonedAnniversaries(rental.rentedAt, timeZone, end, from).map((local) => ({
    rental,
    at: fromZonedDateTime(local),
    localDate: local.toPlainDate().toString(),
  }));
}
