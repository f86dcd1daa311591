/**
 * The accepted calls of a billing run, one row each, in typed-array columns: about 50 bytes
 * a call, so ten million calls fit in memory where as many objects would not. A row holds
 * what billing needs; every money figure is derived from it again by the pure rating rules.
 */
import type { Direction } from './call-record.js';

const DIRECTION_CODES: Record<Direction, number> = { inbound: 0, outbound: 1, web: 2 };
const DIRECTIONS_BY_CODE: readonly Direction[] = ['inbound', 'outbound', 'web'];
/** The bit of `CallTable.flags` set for an answered call. */
export const ANSWERED_FLAG = 4;
const ANSWERED = ANSWERED_FLAG;

function grow<T extends Int32Array | Float64Array | Uint8Array>(column: T, size: number): T {
  const grown = new (column.constructor as new (length: number) => T)(size);
  grown.set(column);
  return grown;
}

/** The columns of a table, e.g. to hand them to another thread and `appendColumns` them there. */
export interface CallColumns {
  readonly count: number;
  readonly line: Int32Array;
  readonly account: Int32Array;
  readonly period: Int32Array;
  readonly flags: Uint8Array;
  readonly time: Float64Array;
  readonly endedAt: Float64Array;
  readonly billableSeconds: Int32Array;
  readonly rateRow: Int32Array;
  readonly fingerprint: Float64Array;
}

export class CallTable {
  count = 0;
  line: Int32Array;
  account: Int32Array;
  period: Int32Array;
  flags: Uint8Array;
  time: Float64Array;
  endedAt: Float64Array;
  billableSeconds: Int32Array;
  rateRow: Int32Array;
  fingerprint: Float64Array;

  constructor(expectedRows = 1024) {
    const size = Math.max(16, expectedRows);
    this.line = new Int32Array(size);
    this.account = new Int32Array(size);
    this.period = new Int32Array(size);
    this.flags = new Uint8Array(size);
    this.time = new Float64Array(size);
    this.endedAt = new Float64Array(size);
    this.billableSeconds = new Int32Array(size);
    this.rateRow = new Int32Array(size);
    this.fingerprint = new Float64Array(size);
  }

  /**
   * A new row at the end, its columns to be filled in by the caller (the billing run):
   * `line`, `account`, `period`, `flags` (see `flagsOf`), `time` (answered_at, or started_at
   * for an unanswered call: orders the draw-down, picks the period), `endedAt`,
   * `billableSeconds`, `rateRow` (the rate-deck row used, -1 for none) and `fingerprint`.
   * No object per call: ten million of them would cost more than the columns.
   */
  appendRow(): number {
    if (this.count === this.line.length) this.resize(Math.ceil(this.count * 1.5));
    return this.count++;
  }

  columns(): CallColumns {
    const { count, line, account, period, flags, time, endedAt, billableSeconds, rateRow, fingerprint } = this;
    return { count, line, account, period, flags, time, endedAt, billableSeconds, rateRow, fingerprint };
  }

  /** Appends the first `other.count` rows of another table's columns (in their order). */
  appendColumns(other: CallColumns): void {
    const count = other.count;
    if (this.count + count > this.line.length) this.resize(this.count + count);
    const at = this.count;
    this.line.set(other.line.subarray(0, count), at);
    this.account.set(other.account.subarray(0, count), at);
    this.period.set(other.period.subarray(0, count), at);
    this.flags.set(other.flags.subarray(0, count), at);
    this.time.set(other.time.subarray(0, count), at);
    this.endedAt.set(other.endedAt.subarray(0, count), at);
    this.billableSeconds.set(other.billableSeconds.subarray(0, count), at);
    this.rateRow.set(other.rateRow.subarray(0, count), at);
    this.fingerprint.set(other.fingerprint.subarray(0, count), at);
    this.count += count;
  }

  static flagsOf(direction: Direction, answered: boolean): number {
    // A comparison, not DIRECTION_CODES[direction]: a keyed load by string is slow per call.
    const code = direction === 'inbound' ? DIRECTION_CODES.inbound : direction === 'outbound' ? DIRECTION_CODES.outbound : DIRECTION_CODES.web;
    return code | (answered ? ANSWERED : 0);
  }

  direction(index: number): Direction {
    return DIRECTIONS_BY_CODE[(this.flags[index] as number) & 3] as Direction;
  }

  answered(index: number): boolean {
    return ((this.flags[index] as number) & ANSWERED) !== 0;
  }

  private resize(size: number): void {
    this.line = grow(this.line, size);
    this.account = grow(this.account, size);
    this.period = grow(this.period, size);
    this.flags = grow(this.flags, size);
    this.time = grow(this.time, size);
    this.endedAt = grow(this.endedAt, size);
    this.billableSeconds = grow(this.billableSeconds, size);
    this.rateRow = grow(this.rateRow, size);
    this.fingerprint = grow(this.fingerprint, size);
  }
}
