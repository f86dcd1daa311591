/**
 * A billing run over a stream of call records: each record is checked, de-duplicated and
 * stored in compact columns as it arrives (`add`); `settle` then draws every account's calls
 * from its balances in `answered_at` order. Records may arrive in any order; the result is
 * the same.
 */
import type { BillingBook, BookAccount } from './billing-book.js';
import type { RawCallRecord, Rejection } from './call-record.js';
import { CallIdIndex, type CallIdParts } from './call-id-index.js';
import { ANSWERED_FLAG, CallTable, type CallColumns } from './call-table.js';
import { CheckedCall, checkCallRecord } from './call-validation.js';
import { Balances, openBundleBalances, type BundleBalance, type DrawTarget } from './draw-down.js';
import { DrawOrderSorter } from './draw-order.js';
import type { EpochMicros } from './instant.js';
import { fingerprintOf } from './fingerprint.js';
import { addDraw, emptyTotals, type PeriodTotals } from './period-totals.js';
import { rateCall, rateUsageInto, type CallRating, type UsageTarget } from './rating.js';

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
  /** The one draw object the settle loop writes into (read at once by `addDraw`). */
  private readonly draw: DrawTarget = { included: 0, bundle: 0, payg: 0 };
  /** Scratch for `settle`: a chunk of accounts' rows grouped by account, one account's rows in draw order, and its sort order. */
  private readonly chunk = new SettleColumns();
  private readonly ordered = new SettleColumns();
  private order = new Int32Array(0);
  /** The one rating object the settle loop writes into. */
  private readonly rated: UsageTarget = { usage: 0, carrierMicros: 0, carrierCall: false };
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

  /**
   * Adds the calls another run over the same book stored (columns and call ids, e.g. from
   * another thread). Their call ids must not occur in this run: the two runs took disjoint
   * sets of ids, so that every repeat of an id was judged where its first record was.
   */
  absorb(columns: CallColumns, ids: CallIdParts): void {
    if (columns.count !== ids.count) throw new Error(`absorb: ${columns.count} rows but ${ids.count} call ids`);
    this.table.appendColumns(columns);
    this.ids.appendParts(ids);
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

  /**
   * Draws every account's calls; with `keepDraws`, also how each call was paid for.
   *
   * An account's rows lie all over the table, and reading the columns at random costs a
   * cache miss each. So the columns settling reads are first copied, in one sequential pass
   * over the table, into scratch columns grouped by account (for a chunk of accounts at a
   * time, to bound the scratch memory); each account's rows are then sorted into draw order
   * and drawn while they are in cache.
   */
  settle({ keepDraws = false, chunkRows = SETTLE_CHUNK_ROWS }: { keepDraws?: boolean; chunkRows?: number } = {}): SettledRun {
    const { table, ids } = this;
    const count = table.count;
    const accountCount = this.entries.length;
    const draws: CallDraws | undefined = keepDraws
      ? { included: new Float64Array(count), bundle: new Float64Array(count), payg: new Float64Array(count) }
      : undefined;
    const accountOf = table.account;
    const counts = new Int32Array(accountCount);
    for (let row = 0; row < count; row++) {
      const account = accountOf[row] as number;
      counts[account] = (counts[account] as number) + 1;
    }
    const starts = new Int32Array(accountCount);
    const next = new Int32Array(accountCount);
    const settled: SettledAccount[] = [];
    const sorter = new DrawOrderSorter();
    const { time, period, billableSeconds, rateRow, flags } = table;
    for (let first = 0; first < accountCount; ) {
      // The next accounts whose rows fit in the scratch columns (at least one account).
      let last = first;
      let total = 0;
      while (last < accountCount && (last === first || total + (counts[last] as number) <= chunkRows)) {
        starts[last] = total;
        next[last] = total;
        total += counts[last] as number;
        last++;
      }
      const chunk = this.chunk.reserve(total);
      const { row: cRow, time: cTime, period: cPeriod, billableSeconds: cSeconds, rateRow: cRateRow, flags: cFlags } = chunk;
      const whole = first === 0 && last === accountCount;
      for (let row = 0; row < count; row++) {
        const account = accountOf[row] as number;
        if (!whole && (account < first || account >= last)) continue;
        const position = next[account] as number;
        next[account] = position + 1;
        cRow[position] = row;
        cTime[position] = time[row] as number;
        cPeriod[position] = period[row] as number;
        cSeconds[position] = billableSeconds[row] as number;
        cRateRow[position] = rateRow[row] as number;
        cFlags[position] = flags[row] as number;
      }
      for (let account = first; account < last; account++) {
        const start = starts[account] as number;
        const size = counts[account] as number;
        // Draw order: by time, ties by call_id; `order` holds positions in the chunk's group.
        if (this.order.length < size) this.order = new Int32Array(size);
        const order = this.order.subarray(0, size);
        for (let index = 0; index < size; index++) order[index] = index;
        sorter.sort(order, cTime.subarray(start, start + size), (a, b) => ids.compare(cRow[start + a] as number, cRow[start + b] as number));
        const rows = new Int32Array(size);
        const ordered = this.ordered.reserve(size);
        for (let index = 0; index < size; index++) {
          const from = start + (order[index] as number);
          rows[index] = cRow[from] as number;
          ordered.time[index] = cTime[from] as number;
          ordered.period[index] = cPeriod[from] as number;
          ordered.billableSeconds[index] = cSeconds[from] as number;
          ordered.rateRow[index] = cRateRow[from] as number;
          ordered.flags[index] = cFlags[from] as number;
        }
        settled.push(this.drawOrdered(this.entries[account] as BookAccount, rows, ordered, Number.POSITIVE_INFINITY, draws));
      }
      first = last;
    }
    const accounts = new Map<string, SettledAccount>();
    for (const account of settled) accounts.set(account.entry.account.id, account);
    return { run: this, accounts, draws };
  }

  /**
   * Draws `rows` (in draw order) from a fresh set of the account's balances, counting only
   * calls that ended by `endedBy` (the usage view's "so far").
   */
  settleAccount(entry: BookAccount, rows: Int32Array, endedBy: EpochMicros, draws?: CallDraws): SettledAccount {
    const { time, period, billableSeconds, rateRow, flags } = this.table;
    const ordered = this.ordered.reserve(rows.length);
    for (let index = 0; index < rows.length; index++) {
      const row = rows[index] as number;
      ordered.time[index] = time[row] as number;
      ordered.period[index] = period[row] as number;
      ordered.billableSeconds[index] = billableSeconds[row] as number;
      ordered.rateRow[index] = rateRow[row] as number;
      ordered.flags[index] = flags[row] as number;
    }
    return this.drawOrdered(entry, rows, ordered, endedBy, draws);
  }

  /**
   * The draw loop over one account's columns already in draw order (`ordered`, position by
   * position with `rows`). Each call is rated by `rateUsageInto` into one reused object and
   * drawn into another: no object per call.
   */
  private drawOrdered(entry: BookAccount, rows: Int32Array, ordered: SettleColumns, endedBy: EpochMicros, draws: CallDraws | undefined): SettledAccount {
    const { tariff } = this.book;
    const deckRows = tariff.rateDeck.rows;
    const plan = entry.plan;
    const bundles = openBundleBalances(entry.account.bundles, tariff.bundles);
    const balances = new Balances(plan.includedMillis, bundles);
    const totals = new Map<number, PeriodTotals>();
    let periodIndex = -1;
    let current = emptyTotals();
    const draw = this.draw;
    const rated = this.rated;
    const endedAt = this.table.endedAt;
    const { time, period: periods, billableSeconds, rateRow: rateRows, flags } = ordered;
    const everything = endedBy === Number.POSITIVE_INFINITY;
    for (let position = 0; position < rows.length; position++) {
      const at = time[position] as number;
      if (!everything && ((endedAt[rows[position] as number] as number) > endedBy || at > endedBy)) continue;
      const rateRow = rateRows[position] as number;
      rateUsageInto(tariff, plan, ((flags[position] as number) & ANSWERED_FLAG) !== 0, billableSeconds[position] as number, rateRow < 0 ? undefined : deckRows[rateRow], rated);
      const period = periods[position] as number;
      balances.drawInto(period, at, rated.usage, draw);
      if (period !== periodIndex) {
        periodIndex = period;
        current = totals.get(period) ?? emptyTotals();
        totals.set(period, current);
      }
      addDraw(current, rated, draw);
      if (draws) {
        const row = rows[position] as number;
        draws.included[row] = draw.included;
        draws.bundle[row] = draw.bundle;
        draws.payg[row] = draw.payg;
      }
    }
    return { entry, rows, totals, bundles };
  }
}

/**
 * At most this many rows (unless one account has more) are copied into scratch columns at
 * once by `settle` (~13 MB); each chunk costs one more pass over the table's account column.
 */
const SETTLE_CHUNK_ROWS = 1 << 19;

/** Reusable scratch: the columns settling reads (and the table row they came from). */
class SettleColumns {
  row = new Int32Array(0);
  time = new Float64Array(0);
  period = new Int32Array(0);
  billableSeconds = new Int32Array(0);
  rateRow = new Int32Array(0);
  flags = new Uint8Array(0);

  reserve(count: number): this {
    if (this.time.length < count) {
      this.row = new Int32Array(count);
      this.time = new Float64Array(count);
      this.period = new Int32Array(count);
      this.billableSeconds = new Int32Array(count);
      this.rateRow = new Int32Array(count);
      this.flags = new Uint8Array(count);
    }
    return this;
  }
}

export interface SettledRun {
  readonly run: BillingRun;
  readonly accounts: ReadonlyMap<string, SettledAccount>;
  readonly draws: CallDraws | undefined;
}
