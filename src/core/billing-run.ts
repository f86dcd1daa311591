/**
 * A billing run over a stream of call records: each record is checked, de-duplicated and
 * rated as it arrives (`add`), then `settle` draws every account's calls from its balances
 * in `answered_at` order. Records may arrive in any order; the result is the same.
 */
import type { BillingBook, BookAccount } from './billing-book.js';
import type { BillingPeriod } from './billing-period.js';
import type { CallRecord, RawCallRecord, Rejection } from './call-record.js';
import { fingerprintOf, validateCallRecord } from './call-validation.js';
import { Balances, openBundleBalances, type BundleBalance, type Draw } from './draw-down.js';
import type { EpochMicros } from './instant.js';
import { rateCall, type CallRating } from './rating.js';

export interface RatedCall {
  readonly line: number;
  readonly call: CallRecord;
  readonly period: BillingPeriod;
  readonly rating: CallRating;
}

export type RecordOutcome =
  | { readonly kind: 'rated'; readonly rated: RatedCall }
  | { readonly kind: 'duplicate'; readonly line: number; readonly callId: string; readonly duplicateOfLine: number }
  | { readonly kind: 'rejected'; readonly line: number; readonly callId: string | undefined; readonly rejection: Rejection };

interface Seen {
  readonly line: number;
  readonly fingerprint: string;
}

/** The time that orders a call and picks its period: answered, else started (SPEC §7). */
export function callTime(call: CallRecord): EpochMicros {
  return call.answeredAt ?? call.startedAt;
}

export function compareCalls(a: RatedCall, b: RatedCall): number {
  const byTime = callTime(a.call) - callTime(b.call);
  if (byTime !== 0) return byTime;
  return a.call.callId < b.call.callId ? -1 : a.call.callId > b.call.callId ? 1 : 0;
}

export class BillingRun {
  private readonly seen = new Map<string, Seen>();
  /** Accepted calls per account, in arrival order until `settle` sorts them. */
  private readonly callsByAccount = new Map<string, RatedCall[]>();
  private settled = false;
  rejectedCount = 0;

  constructor(readonly book: BillingBook) {
    for (const id of book.accounts.keys()) this.callsByAccount.set(id, []);
  }

  add(raw: RawCallRecord): RecordOutcome {
    const callId = raw.call_id === '' ? undefined : raw.call_id;
    const rejected = (rejection: Rejection): RecordOutcome => {
      this.rejectedCount++;
      return { kind: 'rejected', line: raw.line, callId, rejection };
    };
    const previous = callId === undefined ? undefined : this.seen.get(callId);
    if (previous) {
      if (previous.fingerprint === fingerprintOf(raw)) {
        return { kind: 'duplicate', line: raw.line, callId: raw.call_id, duplicateOfLine: previous.line };
      }
      return rejected({ code: 'conflicting_duplicate', message: `call_id ${raw.call_id} was first read on line ${previous.line} with different fields` });
    }
    const checked = validateCallRecord(raw);
    if ('code' in checked) return rejected(checked);
    const entry = this.book.accounts.get(checked.accountId);
    if (!entry) return rejected({ code: 'unknown_account', message: `account_id "${checked.accountId}" is not in the accounts` });
    const period = entry.calendar.periodAt(callTime(checked));
    if (!period) {
      return rejected({ code: 'before_first_period', message: `${raw.answered_at || raw.started_at} is before account ${checked.accountId}'s first period (billing_anchor ${entry.account.billingAnchor}, ${entry.account.timeZone})` });
    }
    const outcome = rateCall(this.book.tariff, entry.plan, checked);
    if (!outcome.ok) {
      return rejected({ code: 'no_carrier_rate', message: `no ${checked.direction} rate-deck row matches +${checked.to} in force at ${raw.answered_at}` });
    }
    const rated: RatedCall = { line: raw.line, call: checked, period, rating: outcome.rating };
    this.seen.set(raw.call_id, { line: raw.line, fingerprint: fingerprintOf(raw) });
    (this.callsByAccount.get(checked.accountId) as RatedCall[]).push(rated);
    return { kind: 'rated', rated };
  }

  /** Draws every account's calls in order. */
  settle(): SettledRun {
    if (this.settled) throw new Error('a billing run settles once');
    this.settled = true;
    const accounts = new Map<string, SettledAccount>();
    for (const [id, entry] of this.book.accounts) {
      const calls = (this.callsByAccount.get(id) as RatedCall[]).sort(compareCalls);
      accounts.set(id, settleAccount(this.book, entry, calls));
    }
    return { book: this.book, accounts };
  }
}

export interface SettledAccount {
  readonly entry: BookAccount;
  /** In draw order (answered_at, call_id). */
  readonly calls: readonly RatedCall[];
  /** `draws[i]` is how `calls[i]` was paid for. */
  readonly draws: readonly Draw[];
  /** Bundle balances after every call was drawn. */
  readonly bundles: readonly BundleBalance[];
}

export interface SettledRun {
  readonly book: BillingBook;
  readonly accounts: ReadonlyMap<string, SettledAccount>;
}

/** Draws `calls` (sorted by `compareCalls`) from a fresh set of the account's balances. */
export function settleAccount(book: BillingBook, entry: BookAccount, calls: readonly RatedCall[]): SettledAccount {
  const bundles = openBundleBalances(entry.account.bundles, book.tariff.bundles);
  const balances = new Balances(entry.plan.includedMillis, bundles);
  const draws = calls.map((rated) => balances.draw(rated.period.index, callTime(rated.call), rated.rating.usage));
  return { entry, calls, draws, bundles };
}
