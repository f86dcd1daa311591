/**
 * The draw-down order (SPEC §6): by time, ties by call_id. A least-significant-digit radix
 * sort on the instants (exact integers in float64) puts millions of rows in order in a few
 * linear passes, where a comparison sort calling back into JavaScript took most of a second
 * per million; ties, which are rare, are then ordered by call_id.
 */
import type { EpochMicros } from './instant.js';

const DIGIT_BITS = 11;
const BUCKETS = 1 << DIGIT_BITS;
/** Below this many rows a comparison sort is cheaper than clearing the buckets. */
const SMALL = 64;

/** Reusable scratch space, grown to the largest group sorted. */
export class DrawOrderSorter {
  private rows = new Int32Array(0);
  private keys = new Float64Array(0);
  private otherKeys = new Float64Array(0);
  private readonly counts = new Int32Array(BUCKETS);

  /** Sorts `rows` in place by `time[row]`, ties by `compareIds(a, b)`. */
  sort(rows: Int32Array, time: Float64Array, compareIds: (a: number, b: number) => number): void {
    const count = rows.length;
    if (count < 2) return;
    let min = Number.POSITIVE_INFINITY;
    let max = Number.NEGATIVE_INFINITY;
    for (let index = 0; index < count; index++) {
      const at = time[rows[index] as number] as EpochMicros;
      if (at < min) min = at;
      if (at > max) max = at;
    }
    const span = max - min;
    if (count < SMALL || !(span <= Number.MAX_SAFE_INTEGER)) {
      rows.sort((a, b) => (time[a] as number) - (time[b] as number) || compareIds(a, b));
      return;
    }
    this.reserve(count);
    let sourceRows: Int32Array = rows;
    let targetRows: Int32Array = this.rows.subarray(0, count);
    let sourceKeys: Float64Array = this.keys.subarray(0, count);
    let targetKeys: Float64Array = this.otherKeys.subarray(0, count);
    for (let index = 0; index < count; index++) sourceKeys[index] = (time[rows[index] as number] as number) - min;
    const counts = this.counts;
    for (let scale = 1; scale <= span; scale *= BUCKETS) {
      counts.fill(0);
      // floor(key / scale) is exact (scale is a power of two); `& (BUCKETS - 1)` takes its low digit.
      for (let index = 0; index < count; index++) {
        const digit = Math.floor((sourceKeys[index] as number) / scale) & (BUCKETS - 1);
        counts[digit] = (counts[digit] as number) + 1;
      }
      let total = 0;
      for (let bucket = 0; bucket < BUCKETS; bucket++) {
        const size = counts[bucket] as number;
        counts[bucket] = total;
        total += size;
      }
      for (let index = 0; index < count; index++) {
        const key = sourceKeys[index] as number;
        const digit = Math.floor(key / scale) & (BUCKETS - 1);
        const position = counts[digit] as number;
        counts[digit] = position + 1;
        targetRows[position] = sourceRows[index] as number;
        targetKeys[position] = key;
      }
      [sourceRows, targetRows] = [targetRows, sourceRows];
      [sourceKeys, targetKeys] = [targetKeys, sourceKeys];
    }
    if (sourceRows !== rows) rows.set(sourceRows);
    // Equal instants: the radix sort kept them in row order; the spec orders them by call_id.
    for (let start = 0; start < count; ) {
      let end = start + 1;
      while (end < count && sourceKeys[end] === sourceKeys[start]) end++;
      if (end - start > 1) rows.subarray(start, end).sort(compareIds);
      start = end;
    }
  }

  private reserve(count: number): void {
    if (this.rows.length >= count) return;
    this.rows = new Int32Array(count);
    this.keys = new Float64Array(count);
    this.otherKeys = new Float64Array(count);
  }
}
