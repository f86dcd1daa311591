/**
 * `POST /v1/calls`: a batch of call records checked and rated by the core, then written in
 * one transaction (calls, draws, balances, ledger). Idempotent by call_id: the same record
 * again is a duplicate and changes nothing; a different record under a stored id is refused.
 * A bad record is refused alone; the good records of the batch are kept.
 */
import { checkCallRecord, CheckedCall } from '../core/call-validation.js';
import { CALL_RECORD_FIELDS, type Rejection } from '../core/call-record.js';
import { formatScaled } from '../core/decimal.js';
import { fingerprintOf } from '../core/fingerprint.js';
import { rateCall } from '../core/rating.js';
import { recordFromObject } from '../formats/call-records.js';
import { formatUsageSeconds } from '../formats/invoice-document.js';
import type { CallsTable } from '../store/schema.js';
import { drawAccounts, lockAccounts, openPeriodRows, type AccountDrawWork, type LedgerContext } from './account-ledger.js';
import { calendarOf, planForPeriod, settingsOf } from './account-settings.js';
import { evaluateAlerts, rulesOfAccounts } from './alerts/alert-evaluation.js';
import type { CallResult } from './billing-service.js';

interface Accepted {
  readonly index: number;
  readonly row: CallsTable;
  readonly periodStart: string;
}

/** Text a database stores as given: no NUL character, no unpaired UTF-16 surrogate. */
export function isStorableText(text: string): boolean {
  return !text.includes('\u0000') && !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/**
 * A request's record must give each generic field as text (or leave it out): a number, an
 * object or a list where an id or a timestamp belongs is a mistake to report, not to guess at.
 */
function fieldProblem(object: Record<string, unknown>): string | undefined {
  for (const field of CALL_RECORD_FIELDS) {
    const value = object[field];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') return `${field} must be a string, not ${Array.isArray(value) ? 'a list' : typeof value}`;
    if (!isStorableText(value)) return `${field} contains a NUL character or a broken UTF-16 surrogate`;
  }
  return undefined;
}

function rejected(index: number, callId: string | null, rejection: Pick<Rejection, 'code' | 'message'>): CallResult {
  return { index, call_id: callId === '' ? null : callId, status: 'rejected', error: { code: rejection.code, message: rejection.message } };
}

export async function ingestCalls(context: LedgerContext, records: readonly unknown[]): Promise<CallResult[]> {
  const results: (CallResult | undefined)[] = new Array<CallResult | undefined>(records.length);
  const checked = new CheckedCall();
  const candidates: { index: number; raw: ReturnType<typeof recordFromObject>; fingerprint: number; checked: CheckedCall }[] = [];
  records.forEach((value, index) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      results[index] = rejected(index, null, { code: 'malformed_record', message: `calls[${index}] is not a JSON object` });
      return;
    }
    const object = value as Record<string, unknown>;
    const malformed = fieldProblem(object);
    if (malformed !== undefined) {
      results[index] = rejected(index, typeof object.call_id === 'string' && isStorableText(object.call_id) ? object.call_id : null, { code: 'malformed_record', message: malformed });
      return;
    }
    const raw = recordFromObject(index, object);
    const problem = checkCallRecord(raw, checked);
    if (problem) {
      results[index] = rejected(index, raw.call_id, problem);
      return;
    }
    const copy = Object.assign(new CheckedCall(), checked);
    candidates.push({ index, raw, fingerprint: fingerprintOf(copy, raw.from, raw.end_reason), checked: copy });
  });

  const accounts = await lockAccounts(context, candidates.map((candidate) => candidate.checked.accountId));
  const existing = new Map<string, { fingerprint: number }>();
  const ids = [...new Set(candidates.map((candidate) => candidate.raw.call_id))];
  for (let start = 0; start < ids.length; start += 500) {
    const rows = await context.trx.selectFrom('calls').select(['call_id', 'fingerprint']).where('call_id', 'in', ids.slice(start, start + 500)).execute();
    for (const row of rows) existing.set(row.call_id, { fingerprint: row.fingerprint });
  }

  // A period keeps the tariff version and plan it opened with (its row says which).
  const periods = await openPeriodRows(context, [...accounts.keys()]);
  const accepted: Accepted[] = [];
  for (const { index, raw, fingerprint, checked: call } of candidates) {
    const callId = raw.call_id;
    const previous = existing.get(callId);
    if (previous) {
      results[index] =
        previous.fingerprint === fingerprint
          ? { index, call_id: callId, status: 'duplicate', duplicate_of: callId }
          : rejected(index, callId, { code: 'conflicting_duplicate', message: `call_id ${callId} is already stored with different fields` });
      continue;
    }
    const account = accounts.get(call.accountId);
    if (!account) {
      results[index] = rejected(index, callId, { code: 'unknown_account', message: `account_id "${call.accountId}" does not exist` });
      continue;
    }
    const settings = settingsOf(account);
    const calendar = calendarOf(settings);
    const time = call.answeredAt ?? call.startedAt;
    const period = calendar.periodAt(time);
    if (!period) {
      results[index] = rejected(index, callId, {
        code: 'before_first_period',
        message: `${raw.answered_at || raw.started_at} is before account ${call.accountId}'s first period (billing_anchor ${settings.billing_anchor}, ${settings.timezone})`,
      });
      continue;
    }
    let periodRow = periods.get(`${account.id} ${period.index}`);
    if (!periodRow && period.index <= account.closed_through) {
      // A late call: its closed period's row says which tariff and plan it was billed under.
      periodRow = await context.trx.selectFrom('account_periods').selectAll().where('account_id', '=', account.id).where('period_index', '=', period.index).executeTakeFirst();
      if (periodRow) periods.set(`${account.id} ${period.index}`, periodRow);
    }
    const tariff = await context.tariffs.tariff(context.trx, periodRow?.tariff_version ?? context.tariffs.versionFor(period.start));
    const plan = tariff.plans.get(periodRow?.plan ?? planForPeriod(account, period.index));
    if (!plan) throw new Error(`account ${account.id}: plan is not in the tariff`);
    let rateRow;
    if (call.answeredAt !== undefined && call.direction !== 'web') {
      const found = tariff.rateDeck.find(call.direction, call.to, call.answeredAt);
      if (found < 0) {
        results[index] = rejected(index, callId, { code: 'no_carrier_rate', message: `no ${call.direction} rate-deck row matches +${call.to} in force at ${raw.answered_at}` });
        continue;
      }
      rateRow = tariff.rateDeck.rows[found];
    }
    const rating = rateCall(tariff, plan, { direction: call.direction, answered: call.answeredAt !== undefined, billableSeconds: call.billableSeconds, rateRow });
    existing.set(callId, { fingerprint });
    const { line: _line, ...record } = raw;
    accepted.push({
      index,
      periodStart: period.startText,
      row: {
        call_id: callId,
        account_id: account.id,
        fingerprint,
        record: JSON.stringify(record),
        direction: call.direction,
        time,
        ended_at: call.endedAt,
        period_index: period.index,
        billable_seconds: rating.billableSeconds,
        ai_seconds: rating.aiSeconds,
        carrier_prefix: rating.carrierPrefix,
        carrier_country: rating.carrierCountry,
        carrier_seconds: rating.carrierSeconds,
        carrier_micros: rating.carrierCost,
        surcharge_micros: rating.surchargeCost,
        carrier_usage_millis: rating.carrierUsage,
        usage_millis: rating.usage,
        included_millis: 0,
        bundle_millis: 0,
        payg_millis: 0,
        bundle_takes: null,
        adjusted_on: null,
        received_at: context.now,
      },
    });
  }

  const byAccount = new Map<string, Accepted[]>();
  for (const call of accepted) {
    const list = byAccount.get(call.row.account_id) ?? [];
    list.push(call);
    byAccount.set(call.row.account_id, list);
  }
  const work: AccountDrawWork[] = [];
  const lateCalls = new Set<string>();
  for (const [accountId, calls] of byAccount) {
    const account = accounts.get(accountId);
    if (!account) continue;
    for (const call of calls) {
      if (call.row.period_index > account.closed_through) continue;
      // Billed as an adjustment on the invoice of the account's first open period.
      call.row.adjusted_on = account.closed_through + 1;
      lateCalls.add(call.row.call_id);
    }
    work.push({ account, calls: calls.map((call) => call.row) });
  }
  const draws = await drawAccounts(context, work, periods);
  const rules = await rulesOfAccounts(context, work.map((item) => item.account.id));
  for (const { account, calls } of work) {
    const accountRules = rules.get(account.id);
    if (!accountRules) continue;
    await evaluateAlerts(context, account, calls.filter((call) => call.period_index > account.closed_through).map((call) => call.period_index), { publicUrl: context.publicUrl }, accountRules);
  }

  for (const { index, row, periodStart } of accepted) {
    const draw = draws.get(row.call_id) ?? { included: 0, bundle: 0, payg: 0 };
    const drawn = { included_millis: draw.included, bundle_millis: draw.bundle, payg_millis: draw.payg };
    results[index] = { index, call_id: row.call_id, status: 'rated', late: lateCalls.has(row.call_id), ...ratedFields(row, drawn, periodStart) };
  }
  return results as CallResult[];
}

export function ratedFields(row: CallsTable, draw: Pick<CallsTable, 'included_millis' | 'bundle_millis' | 'payg_millis'>, periodStart: string) {
  return {
    account_id: row.account_id,
    direction: row.direction,
    billable_seconds: row.billable_seconds,
    ai_seconds: row.ai_seconds,
    carrier_prefix: row.carrier_prefix,
    carrier_country: row.carrier_country,
    carrier_seconds: row.carrier_seconds,
    carrier_cost: formatScaled(row.carrier_micros, 6),
    surcharge_cost: formatScaled(row.surcharge_micros, 6),
    carrier_usage_seconds: formatUsageSeconds(row.carrier_usage_millis),
    usage_seconds: formatUsageSeconds(row.usage_millis),
    included_seconds: formatUsageSeconds(draw.included_millis),
    bundle_seconds: formatUsageSeconds(draw.bundle_millis),
    payg_seconds: formatUsageSeconds(draw.payg_millis),
    period_start: periodStart,
  };
}
