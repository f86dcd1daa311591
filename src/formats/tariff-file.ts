/**
 * The tariff file (SPEC §13): YAML or JSON, carrier rates inline or in a CSV beside it.
 * Parsed once into the core's `Tariff` with every price in exact integer units; any problem
 * stops the command with the file and the field.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { z } from 'zod';
import { formatScaled } from '../core/decimal.js';
import { buildRateDeck, DuplicateRateError, type RateRow } from '../core/rate-deck.js';
import { NUMBER_TYPES, numberPriceKey, type BundleProduct, type Plan, type Surcharge, type Tariff } from '../core/tariff.js';
import { increment, instantField, scaledDecimal, decimalString } from './decimal-fields.js';
import { isCurrencyCode, minorUnitsOf } from './currency.js';
import { fromZodError, InputError } from './input-error.js';
import { readStructuredFile } from './structured-file.js';

const NANOS = 9;
const nanos = scaledDecimal(NANOS);
const country = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166 alpha-2 country code such as US');
const id = z.string().min(1);

const rateRowSchema = z.strictObject({
  direction: z.enum(['inbound', 'outbound']),
  prefix: z.union([z.string(), z.number()]).transform(String).pipe(z.string().regex(/^\d{1,15}$/, 'must be 1 to 15 digits')),
  country,
  per_minute: nanos,
  connect_fee: z.union([nanos, z.literal('').transform(() => 0n)]).optional().default(0n),
  increment: increment.optional().default({ initial: 1, recurring: 1 }),
  effective_from: z.union([instantField({ dateMeansUtcMidnight: true }), z.literal('').transform(() => undefined), z.null().transform(() => undefined)]).optional(),
});

const planSchema = z.strictObject({
  name: z.string().optional(),
  monthly_fee: scaledDecimal(NANOS),
  included_minutes: z.union([z.string(), z.number()]).pipe(scaledDecimal(6)).optional().default(0n),
  minute_price: scaledDecimal(NANOS),
  rounding: increment.optional().default({ initial: 1, recurring: 1 }),
  carrier: z.enum(['minutes', 'passthrough']).optional().default('minutes'),
  overage: z.enum(['allow', 'block']).optional().default('allow'),
  free_below_seconds: z.number().int().nonnegative().optional().default(0),
});

// Strict objects: a misspelt field (`carier`, `conect_fee`) must stop the command, not be ignored.
const tariffSchema = z.strictObject({
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD')
    .refine(isCurrencyCode, 'is not an ISO 4217 currency code'),
  plans: z.record(id, planSchema).refine((plans) => Object.keys(plans).length > 0, 'needs at least one plan'),
  bundles: z
    .record(id, z.strictObject({ minutes: scaledDecimal(6, { positive: true }), price: scaledDecimal(NANOS), valid_days: z.number().int().positive().optional().default(365) }))
    .optional()
    .default({}),
  carrier_rates: z.union([z.string().min(1), z.array(z.unknown())]).optional().default([]),
  surcharges: z.array(z.strictObject({ country, per_minute: nanos.optional().default(0n), per_call: nanos.optional().default(0n) })).optional().default([]),
  numbers: z.array(z.strictObject({ country, type: z.enum(NUMBER_TYPES as [string, ...string[]]), monthly_fee: scaledDecimal(NANOS) })).optional().default([]),
  taxes: z.array(z.strictObject({ country, percent: decimalString })).optional().default([]),
});

/**
 * A price as its author wrote it (`"0.10"` stays `0.10`); a YAML number (`0.1`, `1e-7`) is
 * written out from its exact value instead, never in exponent form.
 */
function decimalAsWritten(written: unknown, nanos: bigint): string {
  if (typeof written === 'string') return written.trim();
  return formatScaled(nanos, NANOS).replace(/0+$/, '').replace(/\.$/, '');
}

function toSafeNumber(units: bigint, file: string, where: string): number {
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new InputError(file, where, 'value too large');
  return Number(units);
}

/** Rounds a price in nanos to the currency's minor unit (an invoice line amount, SPEC §1). */
function nanosToMinor(units: bigint, minorUnits: number): bigint {
  const divisor = 10n ** BigInt(NANOS - minorUnits);
  return (units + divisor / 2n) / divisor;
}

function readRateRows(file: string, source: string | unknown[]): { rows: unknown[]; origin: string; firstLine: number } {
  if (typeof source !== 'string') return { rows: source, origin: file, firstLine: 0 };
  const path = resolve(dirname(file), source);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new InputError(file, 'carrier_rates', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  try {
    const rows: Record<string, string>[] = parseCsv(text, { columns: true, skip_empty_lines: true, trim: true, bom: true });
    return { rows, origin: path, firstLine: 2 };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const length = /columns length is (\d+), got (\d+) on line (\d+)/.exec(message);
    if (length) throw new InputError(path, `line ${length[3]}`, `has ${length[2]} fields, the header has ${length[1]}`);
    throw new InputError(path, undefined, message);
  }
}

function buildRateRows(file: string, source: string | unknown[]): RateRow[] {
  const { rows, origin, firstLine } = readRateRows(file, source);
  return rows.map((raw, index) => {
    const parsed = rateRowSchema.safeParse(raw);
    const where = firstLine ? `line ${firstLine + index}` : `carrier_rates[${index}]`;
    if (!parsed.success) throw fromZodError(origin, parsed.error, [where]);
    const row = parsed.data;
    return {
      direction: row.direction,
      prefix: row.prefix,
      country: row.country,
      perMinuteNanos: toSafeNumber(row.per_minute, origin, `${where}.per_minute`),
      connectFeeNanos: toSafeNumber(row.connect_fee, origin, `${where}.connect_fee`),
      increment: row.increment,
      effectiveFrom: row.effective_from ?? Number.NEGATIVE_INFINITY,
    };
  });
}

/** A billion minutes (in millionths): usage in milliseconds stays an exact JS integer far beyond it. */
const MAX_MINUTES = 1_000_000_000n * 1_000_000n;

/** Builds the core's tariff from an already-parsed document (file contents or an API body). */
export function tariffFromDocument(file: string, document: unknown): Tariff {
  const parsed = tariffSchema.safeParse(document);
  if (!parsed.success) throw fromZodError(file, parsed.error);
  const source = parsed.data;
  const minorUnits = minorUnitsOf(source.currency);
  const plans = new Map<string, Plan>();
  for (const [planId, plan] of Object.entries(source.plans)) {
    if (plan.included_minutes > MAX_MINUTES) throw new InputError(file, `plans.${planId}.included_minutes`, `must be at most ${MAX_MINUTES / 1_000_000n} minutes`);
    if (plan.carrier === 'minutes' && plan.minute_price === 0n) {
      throw new InputError(file, `plans.${planId}.minute_price`, 'must be greater than 0 when carrier is "minutes" (carrier cost is converted into minutes at this price)');
    }
    plans.set(planId, {
      id: planId,
      name: plan.name ?? planId,
      monthlyFeeMinor: nanosToMinor(plan.monthly_fee, minorUnits),
      // minutes in millionths × 60 000 ms / 10^6, rounded to the millisecond
      includedMillis: Number((plan.included_minutes * 60_000n + 500_000n) / 1_000_000n),
      minutePriceNanos: toSafeNumber(plan.minute_price, file, `plans.${planId}.minute_price`),
      minutePrice: decimalAsWritten((document as { plans: Record<string, { minute_price: unknown }> }).plans[planId]?.minute_price, plan.minute_price),
      rounding: plan.rounding,
      carrier: plan.carrier,
      overage: plan.overage,
      freeBelowSeconds: plan.free_below_seconds,
    });
  }
  const bundles = new Map<string, BundleProduct>();
  for (const [bundleId, bundle] of Object.entries(source.bundles)) {
    if (bundle.minutes > MAX_MINUTES) throw new InputError(file, `bundles.${bundleId}.minutes`, `must be at most ${MAX_MINUTES / 1_000_000n} minutes`);
    if (bundle.valid_days > 36_500) throw new InputError(file, `bundles.${bundleId}.valid_days`, 'must be at most 36500 days');
    bundles.set(bundleId, {
      id: bundleId,
      millis: Number((bundle.minutes * 60_000n + 500_000n) / 1_000_000n),
      priceMinor: nanosToMinor(bundle.price, minorUnits),
      validDays: bundle.valid_days,
    });
  }
  let rateDeck;
  try {
    rateDeck = buildRateDeck(buildRateRows(file, source.carrier_rates));
  } catch (error) {
    if (error instanceof DuplicateRateError) throw new InputError(file, 'carrier_rates', error.message);
    throw error;
  }
  const surcharges = new Map<string, Surcharge>();
  source.surcharges.forEach((row, index) => {
    if (surcharges.has(row.country)) throw new InputError(file, `surcharges[${index}].country`, `${row.country} appears twice`);
    surcharges.set(row.country, {
      perMinuteNanos: toSafeNumber(row.per_minute, file, `surcharges[${index}].per_minute`),
      perCallNanos: toSafeNumber(row.per_call, file, `surcharges[${index}].per_call`),
    });
  });
  const numberPricesMinor = new Map<string, bigint>();
  source.numbers.forEach((row, index) => {
    const key = numberPriceKey(row.country, row.type as (typeof NUMBER_TYPES)[number]);
    if (numberPricesMinor.has(key)) throw new InputError(file, `numbers[${index}]`, `${row.country} ${row.type} appears twice`);
    numberPricesMinor.set(key, nanosToMinor(row.monthly_fee, minorUnits));
  });
  const taxPercents = new Map<string, string>();
  source.taxes.forEach((row, index) => {
    if (taxPercents.has(row.country)) throw new InputError(file, `taxes[${index}].country`, `${row.country} appears twice`);
    taxPercents.set(row.country, row.percent);
  });
  return { currency: source.currency, minorUnits, plans, bundles, rateDeck, surcharges, numberPricesMinor, taxPercents };
}

export function readTariffFile(path: string): Tariff {
  return tariffFromDocument(path, readStructuredFile(path));
}
