/**
 * A billing run over a stream of call records: each record is checked, de-duplicated and
 * stored in compact columns as it arrives (`add`); `settle` then draws every account's calls
 * from its balances in `answered_at` order. Records may arrive in any order; the result is
 * the same.
 */
import type { BillingBook, BookAccount } from './billing-book.js';
import type { RawCallRecord, Rejection } from './call-record.js';
import { CallIdIndex } from './call-id-index.js';
import { CallTable } from './call-table.js';
import { CheckedCall, checkCallRecord } from './call-validation.js';
import { Balances, openBundleBalances, type BundleBalance, type DrawTarget } from './draw-down.js';
import { DrawOrderSorter } from './draw-order.js';
import type { EpochMicros } from './instant.js';
import { fingerprintOf } from './fingerprint.js';
import { addCall, emptyTotals, type PeriodTotals } from './period-totals.js';
import { rateCall, type CallRating } from './rating.js';

export type RecordOutcome =
  | { readonly kind: 'rated'; readonly row: number }
  | { readonly kind: 'duplicate'; readonly line: number; readonly callId: string; readonly duplicateOfLine: number }
  | { readonly kind: 'rejected'; readonly line: number; readonly callId: string | undefined; readonly rejection: Rejection };

/** Per-call draws, by table row (kept only when asked for: `voicebill rate` prints them). */
export interface CallDraws {
  readonly included: Float64Array;
  readonly bundle: Float64Array;
  readonly payg: Float64Array;
}

export interface SettledAccount {
  readonly entry: BookAccount;
  /** Table rows of this account's calls in draw order (time, then call_id). */
  readonly rows: Int32Array;
  /** Keyed by period index. */
  readonly totals: ReadonlyMap<number, PeriodTotals>;
  /** Bundle balances after every call was drawn. */
  readonly bundles: readonly BundleBalance[];
}

function rejectedRecord(raw: RawCallRecord, rejection: Rejection): Extract<RecordOutcome, { kind: 'rejected' }> {
  return { kind: 'rejected', line: raw.line, callId: raw.call_id === '' ? undefined : raw.call_id, rejection };
}

/** What `take` returns for a record it did not store; the outcome is then in `refused`. */
export const NOT_STORED = -1;

export class BillingRun {
  readonly table: CallTable;
  readonly ids: CallIdIndex;
  private readonly entries: BookAccount[];
  private readonly accountIndex = new Map<string, number>();
  private readonly checked = new CheckedCall();
  /** The one draw object the settle loop writes into (read at once by `addCall`). */
  private readonly draw: DrawTarget = { included: 0, bundle: 0, payg: 0 };
  /** Why the last record given to `take` was not stored (a duplicate or a rejection). */
  refused: Exclude<RecordOutcome, { kind: 'rated' }> | undefined;

  constructor(
    readonly book: BillingBook,
    expectedCalls = 1024,
  ) {
    this.table = new CallTable(expectedCalls);
    this.ids = new CallIdIndex(expectedCalls);
    this.entries = [...book.accounts.values()];
    this.entries.forEach((entry, index) => this.accountIndex.set(entry.account.id, index));
  }

  add(raw: RawCallRecord): RecordOutcome {
    const row = this.take(raw);
    return row === NOT_STORED ? (this.refused as Exclude<RecordOutcome, { kind: 'rated' }>) : { kind: 'rated', row };
  }

  /**
   * `add` without an outcome object for the records that are stored (nearly all of them):
   * the new row, or NOT_STORED with the duplicate or rejection in `refused`.
   */
  take(raw: RawCallRecord): number {
    const callId = raw.call_id;
    const checked = this.checked;
    const problem = checkCallRecord(raw, checked);
    const fingerprint = problem === undefined ? fingerprintOf(checked, raw.from, raw.end_reason) : 0;
    // Repeats are judged first: the same record again is a duplicate, anything else under
    // an id already billed is a conflict (even when it is also malformed).
    if (callId !== '') {
      const previous = this.ids.findOrAdd(callId);
      if (previous >= 0) {
        const previousLine = this.table.line[previous] as number;
        if (problem === undefined && this.table.fingerprint[previous] === fingerprint) {
          this.refused = { kind: 'duplicate', line: raw.line, callId, duplicateOfLine: previousLine };
          return NOT_STORED;
        }
        this.refused = rejectedRecord(raw, { code: 'conflicting_duplicate', message: `call_id ${callId} was first read on line ${previousLine} with different fields` });
        return NOT_STORED;
      }
    }
    if (problem !== undefined) return this.refuse(raw, problem);
    const accountIndex = this.accountIndex.get(checked.accountId);
    if (accountIndex === undefined) return this.refuse(raw, { code: 'unknown_account', message: `account_id "${checked.accountId}" is not in the accounts` });
    const entry = this.entries[accountIndex] as BookAccount;
    const answeredAt = checked.answeredAt;
    const time = answeredAt ?? checked.startedAt;
    const period = entry.calendar.periodAt(time);
    if (!period) {
      return this.refuse(raw, {
        code: 'before_first_period',
        message: `${raw.answered_at || raw.started_at} is before account ${checked.accountId}'s first period (billing_anchor ${entry.account.billingAnchor}, ${entry.account.timeZone})`,
      });
    }
    let rateRow = -1;
    if (answeredAt !== undefined && checked.direction !== 'web') {
      rateRow = this.book.tariff.rateDeck.find(checked.direction, checked.to, answeredAt);
      if (rateRow < 0) {
        return this.refuse(raw, { code: 'no_carrier_rate', message: `no ${checked.direction} rate-deck row matches +${checked.to} in force at ${raw.answered_at}` });
      }
    }
    const table = this.table;
    const row = table.appendRow();
    table.line[row] = raw.line;
    table.account[row] = accountIndex;
    table.period[row] = period.index;
    table.flags[row] = CallTable.flagsOf(checked.direction, answeredAt !== undefined);
    table.time[row] = time;
    table.endedAt[row] = checked.endedAt;
    table.billableSeconds[row] = checked.billableSeconds;
    table.rateRow[row] = rateRow;
    table.fingerprint[row] = fingerprint;
    return row;
  }

  private refuse(raw: RawCallRecord, rejection: Rejection): number {
    // The id was stored as the next row: give it back so a corrected record can follow.
    if (raw.call_id !== '') this.ids.forgetLast();
    this.refused = rejectedRecord(raw, rejection);
    return NOT_STORED;
  }

  /** The rating of a stored call, derived again from its row by the pure rules. */
  rating(row: number): CallRating {
    const entry = this.entries[this.table.account[row] as number] as BookAccount;
    const rateRow = this.table.rateRow[row] as number;
    return rateCall(this.book.tariff, entry.plan, {
      direction: this.table.direction(row),
      answered: this.table.answered(row),
      billableSeconds: this.table.billableSeconds[row] as number,
      rateRow: rateRow < 0 ? undefined : this.book.tariff.rateDeck.rows[rateRow],
    });
  }

  entryOf(row: number): BookAccount {
    return this.entries[this.table.account[row] as number] as BookAccount;
  }

  /** Every account's rows in draw order. */
  private rowsByAccount(): Int32Array[] {
    const { table, ids } = this;
    const counts = new Int32Array(this.entries.length);
    for (let row = 0; row < table.count; row++) {
      const account = table.account[row] as number;
      counts[account] = (counts[account] as number) + 1;
    }
    const groups = [...counts].map((count) => new Int32Array(count));
    const filled = new Int32Array(this.entries.length);
    for (let row = 0; row < table.count; row++) {
      const account = table.account[row] as number;
      const position = filled[account] as number;
      (groups[account] as Int32Array)[position] = row;
      filled[account] = position + 1;
    }
    const sorter = new DrawOrderSorter();
    const compareIds = (a: number, b: number): number => ids.compare(a, b);
    for (const group of groups) sorter.sort(group, table.time, compareIds);
    return groups;
  }

  /** Draws every account's calls; with `keepDraws`, also how each call was paid for. */
  settle({ keepDraws = false }: { keepDraws?: boolean } = {}): SettledRun {
    const groups = this.rowsByAccount();
    const draws: CallDraws | undefined = keepDraws
      ? { included: new Float64Array(this.table.count), bundle: new Float64Array(this.table.count), payg: new Float64Array(this.table.count) }
      : undefined;
    const accounts = new Map<string, SettledAccount>();
    this.entries.forEach((entry, index) => {
      accounts.set(entry.account.id, this.settleAccount(entry, groups[index] as Int32Array, Number.POSITIVE_INFINITY, draws));
    });
    return { run: this, accounts, draws };
  }

  /**
   * Draws `rows` (in draw order) from a fresh set of the account's balances, counting only
   * calls that ended by `endedBy` (the usage view's "so far").
   */
  settleAccount(entry: BookAccount, rows: Int32Array, endedBy: EpochMicros, draws?: CallDraws): SettledAccount {
    const { table } = this;
    const bundles = openBundleBalances(entry.account.bundles, this.book.tariff.bundles);
    const balances = new Balances(entry.plan.includedMillis, bundles);
    const totals = new Map<number, PeriodTotals>();
    let periodIndex = -1;
    let current = emptyTotals();
    const draw = this.draw;
    for (const row of rows) {
      if ((table.endedAt[row] as number) > endedBy || (table.time[row] as number) > endedBy) continue;
      const rating = this.rating(row);
      const period = table.period[row] as number;
      balances.drawInto(period, table.time[row] as number, rating.usage, draw);
      if (period !== periodIndex) {
        periodIndex = period;
        current = totals.get(period) ?? emptyTotals();
        totals.set(period, current);
      }
      addCall(current, rating, draw);
      if (draws) {
        draws.included[row] = draw.included;
        draws.bundle[row] = draw.bundle;
        draws.payg[row] = draw.payg;
      }
    }
    return { entry, rows, totals, bundles };
  }
}

export interface SettledRun {
  readonly run: BillingRun;
  readonly accounts: ReadonlyMap<string, SettledAccount>;
  readonly draws: CallDraws | undefined;
}
