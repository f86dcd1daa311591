/**
 * Accounts, their rented numbers and bought bundles: checked with the same rules as the
 * accounts file (`accountFromDocument`), written with their ledger entries in the caller's
 * transaction.
 */
import type { BundleProduct, Tariff } from '../core/tariff.js';
import { formatInstantUtc, parseInstant } from '../core/instant.js';
import { normalizePhoneNumber } from '../core/call-validation.js';
import { numberPriceKey, NUMBER_TYPES, type NumberType } from '../core/tariff.js';
import { formatScaled } from '../core/decimal.js';
import { numberChargesBefore } from '../core/number-charges.js';
import { formatMinutes } from '../core/invoice.js';
import { accountFromDocument, countryOfNumber } from '../formats/accounts-file.js';
import { InputError } from '../formats/input-error.js';
import { formatUsageSeconds } from '../formats/invoice-document.js';
import { appendLedger, drawAccounts, ledgerEntry, type AccountRow, type LedgerContext } from './account-ledger.js';
import { calendarOf, settingsOf, type AccountSettings } from './account-settings.js';
import type { AccountDocumentOut, BundleDocument, NumberDocument } from './billing-service.js';
import { ServiceError } from './service-error.js';

const MICROS_PER_DAY = 86_400_000_000;

function iso(micros: number): string {
  return formatInstantUtc(micros);
}

export function accountDocument(row: AccountRow): AccountDocumentOut {
  const settings = settingsOf(row);
  const calendar = calendarOf(settings);
  return {
    account_id: row.id,
    name: settings.name,
    plan: row.plan,
    next_plan: row.next_plan !== null && row.next_plan_from !== null ? { plan: row.next_plan, from: calendar.period(row.next_plan_from).startText } : null,
    timezone: settings.timezone,
    billing_anchor: settings.billing_anchor,
    country: settings.country,
    overage: settings.overage,
    spend_cap: settings.spend_cap,
    created_at: iso(row.created_at),
    updated_at: iso(row.updated_at),
  };
}

function invalid(error: unknown): never {
  if (error instanceof InputError) throw new ServiceError('invalid_request', error.where ? `${error.where}: ${error.reason}` : error.reason);
  throw error;
}

export function instantInput(text: string | undefined, field: string, fallback: number): number {
  if (text === undefined) return fallback;
  const value = parseInstant(text);
  if (value === undefined) throw new ServiceError('invalid_request', `${field}: "${text}" is not an RFC 3339 instant with offset`);
  return value;
}

export async function putAccount(context: LedgerContext, tariff: Tariff, accountId: string, document: unknown): Promise<{ row: AccountRow; created: boolean }> {
  if (!/^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(accountId)) {
    throw new ServiceError('invalid_request', 'account_id: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit');
  }
  let account;
  try {
    account = accountFromDocument('account', accountId, document, tariff);
  } catch (error) {
    invalid(error);
  }
  const source = document as Record<string, unknown>;
  const settings: AccountSettings = {
    name: typeof source.name === 'string' ? source.name : null,
    plan: account.plan,
    timezone: account.timeZone,
    billing_anchor: account.billingAnchor,
    country: account.country,
    overage: source.overage === 'block' ? 'block' : 'allow',
    spend_cap: typeof source.spend_cap === 'string' || typeof source.spend_cap === 'number' ? String(source.spend_cap) : null,
  };
  let query = context.trx.selectFrom('accounts').selectAll().where('id', '=', accountId);
  if (context.dialect === 'postgres') query = query.forUpdate();
  const existing = await query.executeTakeFirst();
  const calendar = calendarOf(settings);
  let row: AccountRow;
  if (!existing) {
    row = {
      id: accountId,
      document: JSON.stringify(settings),
      plan: settings.plan,
      next_plan: null,
      next_plan_from: null,
      closed_through: -1,
      next_close_at: calendar.period(0).end,
      max_ended_at: 0,
      drawn_time: Number.MIN_SAFE_INTEGER,
      drawn_call: '',
      created_at: context.now,
      updated_at: context.now,
    };
    await context.trx.insertInto('accounts').values(row).execute();
  } else {
    const before = settingsOf(existing);
    const started = existing.closed_through >= 0 || (await context.trx.selectFrom('calls').select('call_id').where('account_id', '=', accountId).limit(1).executeTakeFirst()) !== undefined;
    if (started && (before.timezone !== settings.timezone || before.billing_anchor !== settings.billing_anchor)) {
      throw new ServiceError('conflict', `account ${accountId} has billed calls or closed periods: its timezone and billing_anchor can no longer change`);
    }
    let { plan, next_plan: nextPlan, next_plan_from: nextPlanFrom } = existing;
    if (settings.plan === existing.plan) {
      // Back to the plan in force: a pending change is withdrawn.
      nextPlan = null;
      nextPlanFrom = null;
    } else if (settings.plan !== planInForce(existing)) {
      if (started) {
        // SPEC §7: a plan change takes effect at the start of the next period.
        const current = calendar.periodAt(context.now);
        nextPlan = settings.plan;
        nextPlanFrom = Math.max(existing.closed_through + 1, (current?.index ?? -1) + 1);
      } else {
        plan = settings.plan;
        nextPlan = null;
        nextPlanFrom = null;
      }
    }
    row = {
      ...existing,
      document: JSON.stringify({ ...settings, plan }),
      plan,
      next_plan: nextPlan,
      next_plan_from: nextPlanFrom,
      next_close_at: started ? existing.next_close_at : calendar.period(existing.closed_through + 1).end,
      updated_at: context.now,
    };
    await context.trx.updateTable('accounts').set(row).where('id', '=', accountId).execute();
  }
  for (const purchase of account.bundles) {
    const stored = await context.trx.selectFrom('bundle_purchases').select('id').where('account_id', '=', accountId).where('bundle', '=', purchase.bundle).where('purchased_at', '=', purchase.purchasedAt).executeTakeFirst();
    if (!stored) await buyBundle(context, tariff, row, purchase.bundle, purchase.purchasedAt);
  }
  for (const rental of account.numbers) {
    const stored = await context.trx.selectFrom('numbers').selectAll().where('account_id', '=', accountId).where('number', '=', rental.number).where('rented_at', '=', rental.rentedAt).executeTakeFirst();
    if (!stored) await rentNumber(context, tariff, row, { number: rental.number, type: rental.type, country: rental.country, rentedAt: rental.rentedAt, releasedAt: rental.releasedAt });
    else if (rental.releasedAt !== undefined && stored.released_at === null) await releaseNumber(context, row, rental.number, rental.releasedAt);
  }
  return { row, created: !existing };
}

/** The plan the account is on or moving to: what a PUT compares against. */
function planInForce(row: AccountRow): string {
  return row.next_plan ?? row.plan;
}

/**
 * A purchase, rental or release dated inside a closed period would change an invoice that
 * can no longer change: refused, naming the first instant that is still open.
 */
function refuseClosed(account: AccountRow, instant: number, what: string): void {
  if (account.closed_through < 0) return;
  const openFrom = calendarOf(settingsOf(account)).period(account.closed_through).end;
  if (instant < openFrom) {
    throw new ServiceError('conflict', `${what} ${iso(instant)} is in a closed billing period of account ${account.id}: its invoice is final; date it at or after ${iso(openFrom)}`);
  }
}

export async function buyBundle(context: LedgerContext, tariff: Tariff, account: AccountRow, bundleId: string, purchasedAt: number): Promise<number> {
  refuseClosed(account, purchasedAt, 'purchased_at');
  const product: BundleProduct | undefined = tariff.bundles.get(bundleId);
  if (!product) throw new ServiceError('invalid_request', `bundle: unknown bundle "${bundleId}" (the tariff has ${[...tariff.bundles.keys()].join(', ') || 'none'})`);
  const clash = await context.trx.selectFrom('bundle_purchases').select('id').where('account_id', '=', account.id).where('bundle', '=', bundleId).where('purchased_at', '=', purchasedAt).executeTakeFirst();
  if (clash) throw new ServiceError('conflict', `bundle ${bundleId} was already bought at ${iso(purchasedAt)} (purchase ${clash.id})`);
  const inserted = await context.trx
    .insertInto('bundle_purchases')
    .values({
      account_id: account.id,
      bundle: bundleId,
      purchased_at: purchasedAt,
      expires_at: purchasedAt + product.validDays * MICROS_PER_DAY,
      millis: product.millis,
      left_millis: product.millis,
      price_minor: Number(product.priceMinor),
      created_at: context.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const purchaseId = Number(inserted.id);
  const period = calendarOf(settingsOf(account)).periodAt(purchasedAt);
  await appendLedger(context, [
    ledgerEntry(context, { account_id: account.id, kind: 'bundle_bought', source: `bundle_purchase:${purchaseId}`, period_index: period?.index ?? 0, amount_minor: Number(product.priceMinor) }),
  ]);
  // A purchase dated before calls already drawn changes how they draw (SPEC §6).
  await drawAccounts(context, [{ account, calls: [], from: { time: purchasedAt, callId: '' } }]);
  return purchaseId;
}

export interface RentalInput {
  readonly number: string;
  readonly type: string;
  readonly country: string | undefined;
  readonly rentedAt: number;
  readonly releasedAt?: number | undefined;
}

export async function rentNumber(context: LedgerContext, tariff: Tariff, account: AccountRow, input: RentalInput): Promise<void> {
  refuseClosed(account, input.rentedAt, 'rented_at');
  if (input.releasedAt !== undefined) refuseClosed(account, input.releasedAt, 'released_at');
  const digits = normalizePhoneNumber(input.number);
  if (digits === undefined) throw new ServiceError('invalid_request', `number: "${input.number}" is not an E.164 number`);
  if (!NUMBER_TYPES.includes(input.type as NumberType)) throw new ServiceError('invalid_request', `type: "${input.type}" (expected ${NUMBER_TYPES.join(', ')})`);
  const e164 = `+${digits}`;
  const country = input.country ?? countryOfNumber(e164);
  if (country === undefined) throw new ServiceError('invalid_request', `country: cannot tell the country of ${e164}; give country`);
  if (!tariff.numberPricesMinor.has(numberPriceKey(country, input.type as NumberType))) {
    throw new ServiceError('invalid_request', `type: the tariff has no monthly fee for ${country} ${input.type} numbers`);
  }
  const active = await context.trx
    .selectFrom('numbers')
    .select(['account_id', 'rented_at', 'released_at'])
    .where('number', '=', e164)
    .where((eb) => eb.or([eb('released_at', 'is', null), eb('released_at', '>', input.rentedAt)]))
    .execute();
  const until = input.releasedAt ?? Number.POSITIVE_INFINITY;
  const clash = active.find((row) => row.rented_at < until);
  if (clash) throw new ServiceError('conflict', `${e164} is already rented${clash.account_id === account.id ? '' : ' by another account'} from ${iso(clash.rented_at)}; release it first`);
  await context.trx
    .insertInto('numbers')
    .values({ account_id: account.id, number: e164, type: input.type, country, rented_at: input.rentedAt, released_at: input.releasedAt ?? null })
    .execute();
}

export async function releaseNumber(context: LedgerContext, account: AccountRow, number: string, releasedAt: number): Promise<void> {
  const digits = normalizePhoneNumber(number);
  if (digits === undefined) throw new ServiceError('not_found', `"${number}" is not an E.164 number this account could rent`);
  const e164 = `+${digits}`;
  const rental = await context.trx.selectFrom('numbers').selectAll().where('account_id', '=', account.id).where('number', '=', e164).where('released_at', 'is', null).executeTakeFirst();
  if (!rental) throw new ServiceError('not_found', `account ${account.id} rents no number ${e164} now`);
  if (releasedAt < rental.rented_at) throw new ServiceError('invalid_request', `released_at: is before rented_at ${iso(rental.rented_at)}`);
  refuseClosed(account, releasedAt, 'released_at');
  await context.trx.updateTable('numbers').set({ released_at: releasedAt }).where('account_id', '=', account.id).where('number', '=', e164).where('rented_at', '=', rental.rented_at).execute();
}

export function numberDocument(tariff: Tariff, account: AccountRow, row: { number: string; type: string; country: string; rented_at: number; released_at: number | null }, now: number): NumberDocument {
  const settings = settingsOf(account);
  const fee = tariff.numberPricesMinor.get(numberPriceKey(row.country, row.type as NumberType)) ?? 0n;
  const rental = { number: row.number, type: row.type as NumberType, country: row.country, rentedAt: row.rented_at, releasedAt: row.released_at ?? undefined };
  // Anniversaries are monthly: the next one is within 32 days of now.
  const upcoming = numberChargesBefore(rental, settings.timezone, Math.max(now, row.rented_at) + 32 * MICROS_PER_DAY, Math.max(now, row.rented_at)).find((charge) => charge.at > now || charge.at === row.rented_at);
  const next = upcoming && upcoming.at >= now ? upcoming.at : undefined;
  return {
    number: row.number,
    type: row.type,
    country: row.country,
    rented_at: iso(row.rented_at),
    released_at: row.released_at === null ? null : iso(row.released_at),
    monthly_fee: formatScaled(fee, tariff.minorUnits),
    next_charge_at: next === undefined ? null : iso(next),
  };
}

export function bundleDocument(row: { id: number; bundle: string; purchased_at: number; expires_at: number; millis: number; price_minor: number; left_millis: number }, minorUnits: number, now: number): BundleDocument {
  return {
    purchase_id: Number(row.id),
    bundle: row.bundle,
    purchased_at: iso(row.purchased_at),
    expires_at: iso(row.expires_at),
    minutes: formatMinutes(row.millis).replace(/\.?0+$/, ''),
    price: formatScaled(BigInt(row.price_minor), minorUnits),
    left_seconds: formatUsageSeconds(row.expires_at <= now ? 0 : row.left_millis),
  };
}
