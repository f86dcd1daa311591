/**
 * The accounts file (SPEC §13): each account's plan, calendar, bought bundles and rented
 * numbers, checked against the tariff so that billing never meets an unknown plan or price.
 */
import { createRequire } from 'node:module';
import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';
import type { Account, NumberRental } from '../core/account.js';
import { checkTimeZone } from '../core/billing-period.js';
import { normalizePhoneNumber } from '../core/call-validation.js';
import { NUMBER_TYPES, numberPriceKey, type NumberType, type Tariff } from '../core/tariff.js';
import { instantField, scaledDecimal } from './decimal-fields.js';
import { fromZodError, InputError } from './input-error.js';
import { readStructuredFile } from './structured-file.js';

const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code such as US');

// Strict: a misspelt field (`bundle:` for `bundles:`) must stop the command, not lose a purchase.
const accountSchema = z.strictObject({
  name: z.string().optional(),
  // Used by the service (authorization, SPEC §12); accepted here so one accounts file serves both.
  overage: z.enum(['allow', 'block']).optional(),
  spend_cap: scaledDecimal(9).optional(),
  plan: z.string().min(1),
  timezone: z.string().min(1),
  billing_anchor: z.union([z.string(), z.date().transform((date) => date.toISOString().slice(0, 10))]),
  country,
  bundles: z.array(z.strictObject({ bundle: z.string().min(1), purchased_at: instantField() })).nullish().transform((value) => value ?? []),
  numbers: z
    .array(
      z.strictObject({
        number: z.union([z.string(), z.number()]).transform(String),
        type: z.enum(NUMBER_TYPES as [NumberType, ...NumberType[]]),
        country: country.optional(),
        rented_at: instantField(),
        released_at: instantField().nullish(),
      }),
    )
    .nullish()
    .transform((value) => value ?? []),
});

const accountsSchema = z.strictObject({ accounts: z.record(z.string().min(1), accountSchema) });

interface PhoneMetadata {
  readonly country_calling_codes: Record<string, readonly string[]>;
}

/**
 * The country of an E.164 number (SPEC §8): the country libphonenumber assigns to a valid
 * number (+1 416… is CA, +44 7911… is GG), else the main country of its calling code (+1 555…
 * is US, +44… GB). Loaded on first use: the metadata costs ~120 ms at start-up and most files
 * give `country`.
 */
export function countryOfNumber(e164: string): string | undefined {
  const require = createRequire(import.meta.url);
  const { parsePhoneNumberFromString } = require('libphonenumber-js/max') as typeof import('libphonenumber-js/max');
  const parsed = parsePhoneNumberFromString(e164);
  if (parsed?.isValid() && parsed.country) return parsed.country;
  const metadata = require('libphonenumber-js/metadata.min.json') as PhoneMetadata;
  // Calling codes are prefix-free and one to three digits long.
  for (let length = 1; length <= 3; length++) {
    const countries = metadata.country_calling_codes[e164.slice(1, 1 + length)];
    if (countries?.[0] && countries[0] !== '001') return countries[0];
  }
  return undefined;
}

export type AccountDocument = z.input<typeof accountSchema>;

/** Checks one account document (from a file or an API body) against the tariff. */
export function accountFromDocument(file: string, accountId: string, document: unknown, tariff: Tariff): Account {
  const where = `accounts.${accountId}`;
  const parsed = accountSchema.safeParse(document);
  if (!parsed.success) throw fromZodError(file, parsed.error, ['accounts', accountId]);
  const source = parsed.data;
  if (!tariff.plans.has(source.plan)) throw new InputError(file, `${where}.plan`, `unknown plan "${source.plan}" (the tariff has ${[...tariff.plans.keys()].join(', ')})`);
  try {
    checkTimeZone(source.timezone);
  } catch {
    const abbreviation = /^[A-Z]{2,5}$|^[+-]\d/.test(source.timezone) && source.timezone !== 'UTC';
    throw new InputError(
      file,
      `${where}.timezone`,
      abbreviation
        ? `"${source.timezone}" is an abbreviation or an offset, which has no daylight-saving rules: give an IANA name such as America/New_York`
        : `unknown time zone "${source.timezone}" (expected an IANA name such as Europe/Berlin)`,
    );
  }
  try {
    Temporal.PlainDate.from(source.billing_anchor, { overflow: 'reject' });
    if (!/^\d{4}-\d{2}-\d{2}$/.test(source.billing_anchor)) throw new RangeError();
  } catch {
    throw new InputError(file, `${where}.billing_anchor`, `"${source.billing_anchor}" is not a date YYYY-MM-DD`);
  }
  source.bundles.forEach((purchase, index) => {
    if (!tariff.bundles.has(purchase.bundle)) throw new InputError(file, `${where}.bundles[${index}].bundle`, `unknown bundle "${purchase.bundle}"`);
  });
  const numbers: NumberRental[] = source.numbers.map((rental, index) => {
    const at = `${where}.numbers[${index}]`;
    const digits = normalizePhoneNumber(rental.number);
    if (digits === undefined) throw new InputError(file, `${at}.number`, `"${rental.number}" is not an E.164 number`);
    const e164 = `+${digits}`;
    const numberCountry = rental.country ?? countryOfNumber(e164);
    if (numberCountry === undefined) throw new InputError(file, `${at}.country`, `cannot tell the country of ${e164}; give country`);
    if (!tariff.numberPricesMinor.has(numberPriceKey(numberCountry, rental.type))) {
      throw new InputError(file, `${at}.type`, `the tariff has no monthly fee for ${numberCountry} ${rental.type} numbers${rental.country ? '' : ` (${e164} was taken to be in ${numberCountry}; give country to say otherwise)`}`);
    }
    const releasedAt = rental.released_at ?? undefined;
    if (releasedAt !== undefined && releasedAt < rental.rented_at) throw new InputError(file, `${at}.released_at`, 'is before rented_at');
    return { number: e164, type: rental.type, country: numberCountry, rentedAt: rental.rented_at, releasedAt };
  });
  return {
    id: accountId,
    plan: source.plan,
    timeZone: source.timezone,
    billingAnchor: source.billing_anchor,
    country: source.country,
    bundles: source.bundles.map((purchase) => ({ bundle: purchase.bundle, purchasedAt: purchase.purchased_at })),
    numbers,
  };
}

export function accountsFromDocument(file: string, document: unknown, tariff: Tariff): Account[] {
  const parsed = accountsSchema.safeParse(document);
  if (!parsed.success) throw fromZodError(file, parsed.error);
  const accounts = Object.entries((document as { accounts: Record<string, unknown> }).accounts).map(([accountId, account]) =>
    accountFromDocument(file, accountId, account, tariff),
  );
  checkNumbersRentedOnce(file, accounts);
  return accounts;
}

/** One number cannot be rented twice at the same time (by one account or two): it would be charged twice. */
function checkNumbersRentedOnce(file: string, accounts: readonly Account[]): void {
  const rentals = new Map<string, { where: string; from: number; until: number }[]>();
  for (const account of accounts) {
    account.numbers.forEach((rental, index) => {
      const list = rentals.get(rental.number) ?? [];
      list.push({ where: `accounts.${account.id}.numbers[${index}]`, from: rental.rentedAt, until: rental.releasedAt ?? Number.POSITIVE_INFINITY });
      rentals.set(rental.number, list);
    });
  }
  for (const [number, list] of rentals) {
    list.sort((a, b) => a.from - b.from);
    for (let index = 1; index < list.length; index++) {
      const earlier = list[index - 1];
      const later = list[index];
      if (earlier && later && later.from < earlier.until) {
        throw new InputError(file, later.where, `${number} is already rented then (${earlier.where}); release it first`);
      }
    }
  }
}

export function readAccountsFile(path: string, tariff: Tariff): Account[] {
  return accountsFromDocument(path, readStructuredFile(path), tariff);
}
