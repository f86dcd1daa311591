/**
 * `BillingService` over the store: each method loads what it needs, lets the core compute,
 * and writes in one transaction. Conflicts between concurrent transactions on PostgreSQL (two
 * batches storing one new call id at once, a deadlock) are retried from the start: every
 * method is idempotent or refused as a whole, so a retry is safe.
 */
import type { Transaction } from 'kysely';
import { authorizeCall } from '../core/authorization.js';
import { normalizePhoneNumber } from '../core/call-validation.js';
import { isDirection } from '../core/call-validation.js';
import { parseScaled } from '../core/decimal.js';
import { numberPriceKey, type NumberType, type Tariff } from '../core/tariff.js';
import { formatInstantUtc } from '../core/instant.js';
import { tariffFromDocument } from '../formats/tariff-file.js';
import { InputError } from '../formats/input-error.js';
import type { Store } from '../store/database.js';
import type { StoreSchema } from '../store/schema.js';
import { accountDocument, bundleDocument, buyBundle, instantInput, numberDocument, putAccount, releaseNumber, rentNumber } from './account-admin.js';
import { lockAccounts, type AccountRow, type Db, type LedgerContext } from './account-ledger.js';
import { callDocument, draftOrClosedInvoice, roundingOf, usageDocument } from './account-readings.js';
import { calendarOf, settingsOf } from './account-settings.js';
import { callerOf, newKey, storeKey } from './api-keys.js';
import type {
  AccountDocumentOut,
  AlertChannelInput,
  AlertDeliveryDocument,
  AlertRuleDocument,
  AlertRuleInput,
  AuthorizationDocument,
  BillingService,
  BundleDocument,
  CallDocument,
  CallResult,
  Caller,
  ClosedOrDraftInvoice,
  DoctorReport,
  InvoiceSummary,
  NumberDocument,
  Page,
  TariffVersionDocument,
} from './billing-service.js';
import { ingestCalls, isStorableText } from './call-ingest.js';
import * as alertDeliveries from './alerts/alert-deliveries.js';
import * as alertRules from './alerts/alert-rules.js';
import { evaluateAlerts } from './alerts/alert-evaluation.js';
import { checkLedger } from './ledger-doctor.js';
import { accountsDue, closeDuePeriodsOf, invoiceDocument } from './period-closing.js';
import { ServiceError } from './service-error.js';
import { TariffVersions } from './tariff-versions.js';

export const MAX_CALLS_PER_BATCH = 10_000;

function micros(date: Date): number {
  return date.getTime() * 1000;
}

/** PostgreSQL errors worth running the transaction again for. */
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === '23505' || code === '40001' || code === '40P01' || code === 'SQLITE_BUSY';
}

export class StoreBillingService implements BillingService {
  private readonly tariffs = new TariffVersions();
  private readonly callers = new Map<string, Caller>();

  constructor(
    private readonly store: Store,
    private readonly closeGraceMicros: number,
    private readonly alertOptions: alertDeliveries.DeliveryOptions = {},
    private readonly publicUrl = 'http://127.0.0.1:8080',
  ) {}

  /** Tariff versions are re-read at most once a second (another process may load one). */
  private tariffsReadAt = 0;

  private async refreshTariffs(force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - this.tariffsReadAt < 1000 && this.tariffs.latest !== undefined) return;
    await this.tariffs.refresh(this.store.db);
    this.tariffsReadAt = now;
  }

  /**
   * Reads that write nothing run without a transaction: one round trip per statement less,
   * which is most of a usage read's time on PostgreSQL.
   */
  private async reading<T>(now: number, work: (context: LedgerContext) => Promise<T>): Promise<T> {
    await this.refreshTariffs();
    return work({ trx: this.store.db, store: this.store, dialect: this.store.dialect, tariffs: this.tariffs, now, publicUrl: this.publicUrl });
  }

  private async inTransaction<T>(now: number, work: (context: LedgerContext) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.refreshTariffs(attempt > 1);
        return await this.store.db.transaction().execute((trx: Transaction<StoreSchema>) => work({ trx, store: this.store, dialect: this.store.dialect, tariffs: this.tariffs, now, publicUrl: this.publicUrl }));
      } catch (error) {
        if (attempt >= 5 || !isRetryable(error)) throw error;
      }
    }
  }

  private async account(context: LedgerContext, accountId: string): Promise<AccountRow> {
    if (!isStorableText(accountId)) throw new ServiceError('not_found', 'no such account: the id holds a NUL character or a broken surrogate');
    const row = await context.trx.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst();
    if (!row) throw new ServiceError('not_found', `account ${accountId} does not exist`);
    return row;
  }

  async putTariff(document: unknown): Promise<TariffVersionDocument> {
    try {
      tariffFromDocument('tariff', document);
    } catch (error) {
      if (error instanceof InputError) throw new ServiceError('invalid_request', error.where ? `${error.where}: ${error.reason}` : error.reason);
      throw error;
    }
    const now = Date.now() * 1000;
    return this.inTransaction(now, async ({ trx }) => {
      await checkTariffCoversAccounts(trx, tariffFromDocument('tariff', document));
      const last = await trx.selectFrom('tariffs').select('version').orderBy('version', 'desc').limit(1).executeTakeFirst();
      const version = (last?.version ?? 0) + 1;
      await trx.insertInto('tariffs').values({ version, document: JSON.stringify(document), loaded_at: now }).execute();
      this.tariffsReadAt = 0;
      return { version, loaded_at: formatInstantUtc(now), tariff: document };
    });
  }

  async getTariff(): Promise<TariffVersionDocument> {
    const row = await this.store.db.selectFrom('tariffs').selectAll().orderBy('version', 'desc').limit(1).executeTakeFirst();
    if (!row) throw new ServiceError('not_found', 'no tariff is loaded yet: PUT /v1/tariff first');
    return { version: row.version, loaded_at: formatInstantUtc(row.loaded_at), tariff: JSON.parse(row.document) as unknown };
  }

  async putAccount(accountId: string, document: unknown): Promise<{ account: AccountDocumentOut; created: boolean }> {
    return this.inTransaction(Date.now() * 1000, async (context) => {
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const { row, created } = await putAccount(context, tariff, accountId, document);
      return { account: accountDocument(row), created };
    });
  }

  async getAccount(accountId: string): Promise<AccountDocumentOut> {
    return this.reading(Date.now() * 1000, async (context) => accountDocument(await this.account(context, accountId)));
  }

  async listAccounts({ after, limit }: { after?: string; limit: number }): Promise<Page<AccountDocumentOut>> {
    let query = this.store.db.selectFrom('accounts').selectAll().orderBy('id').limit(limit + 1);
    if (after !== undefined) query = query.where('id', '>', after);
    const rows = await query.execute();
    const items = rows.slice(0, limit).map(accountDocument);
    return { items, next: rows.length > limit ? (items.at(-1)?.account_id ?? null) : null };
  }

  async rentNumber(accountId: string, input: { number: string; type: string; country?: string; rented_at?: string }, now: Date): Promise<NumberDocument> {
    return this.inTransaction(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const rentedAt = instantInput(input.rented_at, 'rented_at', context.now);
      await rentNumber(context, tariff, account, { number: input.number, type: input.type, country: input.country, rentedAt });
      const digits = normalizePhoneNumber(input.number) as string;
      const row = await context.trx.selectFrom('numbers').selectAll().where('account_id', '=', accountId).where('number', '=', `+${digits}`).where('rented_at', '=', rentedAt).executeTakeFirstOrThrow();
      return numberDocument(tariff, account, row, context.now);
    });
  }

  async releaseNumber(accountId: string, number: string, input: { released_at?: string }, now: Date): Promise<NumberDocument> {
    return this.inTransaction(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const releasedAt = instantInput(input.released_at, 'released_at', context.now);
      await releaseNumber(context, account, number, releasedAt);
      const digits = normalizePhoneNumber(number) ?? number;
      const row = await context.trx.selectFrom('numbers').selectAll().where('account_id', '=', accountId).where('number', '=', `+${digits}`).where('released_at', '=', releasedAt).executeTakeFirstOrThrow();
      return numberDocument(tariff, account, row, context.now);
    });
  }

  async listNumbers(accountId: string, now: Date): Promise<NumberDocument[]> {
    return this.reading(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const rows = await context.trx.selectFrom('numbers').selectAll().where('account_id', '=', accountId).orderBy('rented_at').orderBy('number').execute();
      return rows.map((row) => numberDocument(tariff, account, row, context.now));
    });
  }

  async buyBundle(accountId: string, input: { bundle: string; purchased_at?: string }, now: Date): Promise<BundleDocument> {
    return this.inTransaction(micros(now), async (context) => {
      const [account] = [...(await lockAccounts(context, [accountId])).values()];
      if (!account) throw new ServiceError('not_found', `account ${accountId} does not exist`);
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const purchaseId = await buyBundle(context, tariff, account, input.bundle, instantInput(input.purchased_at, 'purchased_at', context.now));
      await evaluateCurrentPeriod(context, account);
      const row = await context.trx.selectFrom('bundle_purchases').selectAll().where('id', '=', purchaseId).executeTakeFirstOrThrow();
      return bundleDocument(row, tariff.minorUnits, context.now);
    });
  }

  async listBundles(accountId: string, now: Date): Promise<BundleDocument[]> {
    return this.reading(micros(now), async (context) => {
      await this.account(context, accountId);
      const { tariff } = await this.tariffs.latestTariff(context.trx);
      const rows = await context.trx.selectFrom('bundle_purchases').selectAll().where('account_id', '=', accountId).orderBy('purchased_at').orderBy('id').execute();
      return rows.map((row) => bundleDocument(row, tariff.minorUnits, context.now));
    });
  }

  async ingestCalls(records: readonly unknown[], now: Date): Promise<CallResult[]> {
    if (records.length > MAX_CALLS_PER_BATCH) throw new ServiceError('payload_too_large', `calls: ${records.length} records; send at most ${MAX_CALLS_PER_BATCH} per request`);
    return this.inTransaction(micros(now), async (context) => {
      if (this.tariffs.latest === undefined) throw new ServiceError('no_tariff', 'no tariff is loaded yet: PUT /v1/tariff first');
      return ingestCalls(context, records);
    });
  }

  async listCalls(accountId: string, options: { after?: string; limit: number; direction?: string; from?: string; to?: string }): Promise<Page<CallDocument>> {
    return this.reading(Date.now() * 1000, async (context) => {
      const account = await this.account(context, accountId);
      // Newest first, paged by (time, call_id) so a page never repeats or skips a call.
      let query = context.trx.selectFrom('calls').selectAll().where('account_id', '=', accountId).orderBy('time', 'desc').orderBy('call_id', 'desc').limit(options.limit + 1);
      if (options.direction !== undefined) {
        if (!isDirection(options.direction)) throw new ServiceError('invalid_request', `direction: "${options.direction}" (expected inbound, outbound or web)`);
        query = query.where('direction', '=', options.direction);
      }
      if (options.from !== undefined) query = query.where('time', '>=', instantInput(options.from, 'from', 0));
      if (options.to !== undefined) query = query.where('time', '<', instantInput(options.to, 'to', 0));
      if (options.after !== undefined) {
        const [time, callId] = decodeCursor(options.after);
        query = query.where((eb) => eb.or([eb('time', '<', time), eb.and([eb('time', '=', time), eb('call_id', '<', callId)])]));
      }
      const rows = await query.execute();
      const page = rows.slice(0, options.limit);
      const names = await this.bundleNames(context, accountId);
      const roundings = new Map<number, string>();
      const items: CallDocument[] = [];
      for (const row of page) {
        if (!roundings.has(row.period_index)) roundings.set(row.period_index, await roundingOf(context, accountId, row.period_index));
        items.push(callDocument(row, account, roundings.get(row.period_index) ?? '', names));
      }
      const last = page.at(-1);
      return { items, next: rows.length > options.limit && last ? encodeCursor(last.time, last.call_id) : null };
    });
  }

  private async bundleNames(context: LedgerContext, accountId: string): Promise<Map<number, string>> {
    const rows = await context.trx.selectFrom('bundle_purchases').select(['id', 'bundle']).where('account_id', '=', accountId).execute();
    return new Map(rows.map((row) => [Number(row.id), row.bundle]));
  }

  async getCall(callId: string): Promise<CallDocument> {
    return this.reading(Date.now() * 1000, async (context) => {
      if (!isStorableText(callId)) throw new ServiceError('not_found', 'no such call: the id holds a NUL character or a broken surrogate');
      const row = await context.trx.selectFrom('calls').selectAll().where('call_id', '=', callId).executeTakeFirst();
      if (!row) throw new ServiceError('not_found', `call ${callId} is not stored`);
      const account = await this.account(context, row.account_id);
      return callDocument(row, account, await roundingOf(context, row.account_id, row.period_index), await this.bundleNames(context, row.account_id));
    });
  }

  async usage(accountId: string, at: Date) {
    checkInstantRange(at, 'at');
    return this.reading(micros(at), async (context) => usageDocument(context, await this.account(context, accountId), micros(at)));
  }

  async authorize(accountId: string, input: { direction: string; to?: string; at?: string }, now: Date): Promise<AuthorizationDocument> {
    return this.reading(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const at = instantInput(input.at, 'at', context.now);
      if (!isDirection(input.direction)) throw new ServiceError('invalid_request', `direction: "${input.direction}" (expected inbound, outbound or web)`);
      const settings = settingsOf(account);
      const period = calendarOf(settings).periodAt(at);
      if (!period) throw new ServiceError('not_found', `account ${accountId}'s first period has not begun at ${formatInstantUtc(at)}`);
      const usage = await usageDocument(context, account, at);
      const row = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', accountId).where('period_index', '=', period.index).executeTakeFirst();
      const version = row?.tariff_version ?? this.tariffs.versionFor(period.start);
      const tariff = await this.tariffs.tariff(context.trx, version);
      const plan = tariff.plans.get(row?.plan ?? account.plan);
      if (!plan) throw new Error(`plan of ${accountId} is not in the tariff`);
      let rateRow;
      if (input.direction !== 'web') {
        const digits = normalizePhoneNumber(input.to ?? '');
        if (digits === undefined) throw new ServiceError('invalid_request', `to: "${input.to ?? ''}" is not an E.164 number`);
        const found = tariff.rateDeck.find(input.direction, digits, at);
        if (found < 0) return { account_id: accountId, at: formatInstantUtc(at), allowed: false, max_seconds: 0, reason: `no ${input.direction} rate for +${digits}` };
        rateRow = tariff.rateDeck.rows[found];
      }
      const millis = (text: string): number => Number(parseScaled(text, 3));
      const result = authorizeCall({
        tariff,
        plan,
        direction: input.direction,
        rateRow,
        includedLeft: millis(usage.included_left_seconds),
        bundleLeft: millis(usage.bundle_left_seconds),
        overage: settings.overage === 'block' || plan.overage === 'block' ? 'block' : 'allow',
        spendCapMinor: settings.spend_cap === null ? undefined : parseScaled(settings.spend_cap, tariff.minorUnits),
        periodPayg: millis(usage.payg_seconds),
        periodCarrierMicros: row?.carrier_micros ?? 0,
      });
      return {
        account_id: accountId,
        at: formatInstantUtc(at),
        allowed: result.allowed,
        max_seconds: result.maxSeconds,
        reason: result.allowed ? null : result.reason,
      };
    });
  }

  async listInvoices(accountId: string, now: Date): Promise<InvoiceSummary[]> {
    return this.reading(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const rows = await context.trx.selectFrom('invoices').select(['document', 'month']).where('account_id', '=', accountId).orderBy('period_index').execute();
      const summaries: InvoiceSummary[] = rows.map((row) => {
        const document = JSON.parse(row.document) as ClosedOrDraftInvoice;
        return { number: document.number, status: 'closed', month: row.month, period_start: document.period_start, period_end: document.period_end, total: document.total, currency: document.currency };
      });
      // The open period's draft, when it has begun.
      const calendar = calendarOf(settingsOf(account));
      const current = calendar.period(account.closed_through + 1);
      if (current.start <= context.now) {
        const { invoice } = await draftOrClosedInvoice(context, account, current.month);
        if (invoice) {
          const document = invoiceDocument(invoice, null, null);
          summaries.push({ number: null, status: 'draft', month: current.month, period_start: document.period_start, period_end: document.period_end, total: document.total, currency: document.currency });
        }
      }
      return summaries;
    });
  }

  async getInvoice(accountId: string, month: string, now: Date): Promise<ClosedOrDraftInvoice> {
    return this.reading(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const { closed, invoice } = await draftOrClosedInvoice(context, account, month);
      if (closed) return closed as ClosedOrDraftInvoice;
      return invoiceDocument(invoice as NonNullable<typeof invoice>, null, null);
    });
  }

  async closeDuePeriods(now: Date): Promise<number> {
    const dueBefore = micros(now) - this.closeGraceMicros;
    let closed = 0;
    for (;;) {
      const due = await accountsDue(this.store.db, dueBefore, 200);
      if (due.length === 0) return closed;
      let progress = 0;
      for (const accountId of due) {
        progress += await this.inTransaction(micros(now), async (context) => {
          const closed = await closeDuePeriodsOf(context, accountId, dueBefore);
          // A new period begins: its thresholds may already hold (bundle minutes carried over).
          const account = closed > 0 ? await context.trx.selectFrom('accounts').selectAll().where('id', '=', accountId).executeTakeFirst() : undefined;
          if (account) await evaluateCurrentPeriod(context, account);
          return closed;
        });
      }
      closed += progress;
      // Everything due is held by another process: leave it to that one.
      if (progress === 0) return closed;
    }
  }

  createAlertRule(accountId: string, input: AlertRuleInput, now: Date): Promise<AlertRuleDocument> {
    return this.inTransaction(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const rule = await alertRules.createRule(context, account, input);
      await evaluateCurrentPeriod(context, account);
      return rule;
    });
  }

  createDefaultAlertRules(accountId: string, input: { channels: AlertChannelInput[] }, now: Date): Promise<AlertRuleDocument[]> {
    return this.inTransaction(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      // Asking twice gives the same rule, not a second one that would say everything twice.
      const existing = (await alertRules.listRules(context, account)).filter((rule) => rule.metric === 'included_used_percent' && rule.thresholds.join() === '80,100');
      if (existing.length > 0) return existing;
      const rules = [await alertRules.createRule(context, account, { metric: 'included_used_percent', thresholds: ['80', '100'], channels: input.channels })];
      await evaluateCurrentPeriod(context, account);
      return rules;
    });
  }

  listAlertRules(accountId: string): Promise<AlertRuleDocument[]> {
    return this.reading(Date.now() * 1000, async (context) => alertRules.listRules(context, await this.account(context, accountId)));
  }

  getAlertRule(accountId: string, ruleId: number): Promise<AlertRuleDocument> {
    return this.reading(Date.now() * 1000, async (context) => alertRules.getRule(context, await this.account(context, accountId), ruleId));
  }

  updateAlertRule(accountId: string, ruleId: number, input: AlertRuleInput, now: Date): Promise<AlertRuleDocument> {
    return this.inTransaction(micros(now), async (context) => {
      const account = await this.account(context, accountId);
      const rule = await alertRules.updateRule(context, account, ruleId, input);
      await evaluateCurrentPeriod(context, account);
      return rule;
    });
  }

  deleteAlertRule(accountId: string, ruleId: number): Promise<void> {
    return this.inTransaction(Date.now() * 1000, async (context) => alertRules.deleteRule(context, await this.account(context, accountId), ruleId));
  }

  listAlertDeliveries(accountId: string, options: { after?: string; limit: number }): Promise<Page<AlertDeliveryDocument>> {
    return this.reading(Date.now() * 1000, async (context) => alertDeliveries.listDeliveries(context, await this.account(context, accountId), options));
  }

  redeliverAlert(accountId: string, deliveryId: number, now: Date): Promise<AlertDeliveryDocument> {
    return this.inTransaction(micros(now), async (context) => alertDeliveries.redeliver(context, await this.account(context, accountId), deliveryId));
  }

  deliverDueAlerts(now: Date): Promise<{ delivered: number; retrying: number; failed: number }> {
    return alertDeliveries.deliverDue(this.store, micros(now), this.alertOptions);
  }

  async doctor(): Promise<DoctorReport> {
    return checkLedger(this.store.db);
  }

  async createAccountKey(accountId: string): Promise<{ key: string; account_id: string }> {
    return this.inTransaction(Date.now() * 1000, async (context) => {
      await this.account(context, accountId);
      const key = newKey('account');
      await storeKey(context.trx, key, accountId, context.now);
      return { key, account_id: accountId };
    });
  }

  async callerOfKey(key: string): Promise<Caller | undefined> {
    const cached = this.callers.get(key);
    if (cached) return cached;
    const caller = await callerOf(this.store.db, key);
    // Keys are never deleted, so a known key can be remembered.
    if (caller) this.callers.set(key, caller);
    return caller;
  }

  async close(): Promise<void> {
    await this.store.close();
  }
}

/**
 * A new tariff version must still price what the accounts have: every plan an account is on
 * or moving to, and every kind of number rented. Otherwise their next period could not be
 * billed; the version is refused, naming the first account it would strand.
 */
async function checkTariffCoversAccounts(trx: Db, tariff: Tariff): Promise<void> {
  const accounts = await trx.selectFrom('accounts').select(['id', 'plan', 'next_plan']).orderBy('id').execute();
  for (const account of accounts) {
    for (const plan of [account.plan, account.next_plan]) {
      if (plan !== null && !tariff.plans.has(plan)) {
        throw new ServiceError('conflict', `plans: account ${account.id} is on plan "${plan}", which this tariff does not have; keep the plan or move the account first`);
      }
    }
  }
  const rentals = await trx.selectFrom('numbers').select(['account_id', 'number', 'country', 'type']).distinct().orderBy('account_id').execute();
  for (const rental of rentals) {
    if (!tariff.numberPricesMinor.has(numberPriceKey(rental.country, rental.type as NumberType))) {
      throw new ServiceError('conflict', `numbers: account ${rental.account_id} rents ${rental.number} (${rental.country} ${rental.type}), which this tariff does not price`);
    }
  }
}

/** The instants the core keeps exactly: 1970 to 2255, as in call records. */
function checkInstantRange(at: Date, field: string): void {
  const year = at.getUTCFullYear();
  if (Number.isNaN(year) || year < 1970 || year > 2255) throw new ServiceError('invalid_request', `${field}: ${Number.isNaN(year) ? 'not an instant' : `year ${year}`} is outside 1970–2255`);
}

/** Alerts of the period the account is in now (after a rule, a bundle or a close changed things). */
async function evaluateCurrentPeriod(context: LedgerContext, account: AccountRow): Promise<void> {
  const period = calendarOf(settingsOf(account)).periodAt(context.now);
  if (period) await evaluateAlerts(context, account, [period.index], { publicUrl: context.publicUrl });
}

function encodeCursor(time: number, callId: string): string {
  return Buffer.from(JSON.stringify([time, callId])).toString('base64url');
}

function decodeCursor(cursor: string): [number, string] {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(value) && typeof value[0] === 'number' && typeof value[1] === 'string') return [value[0], value[1]];
  } catch {
    // fall through
  }
  throw new ServiceError('invalid_request', 'after: not a cursor this service gave');
}
