/**
 * The carrier rate deck (SPEC §5), indexed once as a digit trie per direction so that a call
 * finds its longest in-force prefix in as many steps as its number has digits.
 */
import type { Increment } from './increment.js';
import type { EpochMicros } from './instant.js';

export type CarrierDirection = 'inbound' | 'outbound';

export interface RateRow {
  readonly direction: CarrierDirection;
  readonly prefix: string;
  readonly country: string;
  readonly perMinuteNanos: number;
  readonly connectFeeNanos: number;
  readonly increment: Increment;
  /** Start of validity; `-Infinity` for a row in force from the beginning. */
  readonly effectiveFrom: EpochMicros;
}

export interface RateDeck {
  /** The index of the row for `digits` in force at `at`, or -1 when none matches. */
  find(direction: CarrierDirection, digits: string, at: EpochMicros): number;
  readonly rows: readonly RateRow[];
}

export class DuplicateRateError extends Error {
  override readonly name = 'DuplicateRateError';
}

const NONE = -1;
/** E.164 numbers have at most 15 digits, so no path is deeper. */
const MAX_DEPTH = 16;

/**
 * The trie lives in typed arrays: node `n`'s child for digit `d` is `children[n * 10 + d]`,
 * and its rows (latest `effectiveFrom` first) are `rowOrder[rowStart[n] .. rowStart[n + 1])`.
 * Node 0 is the inbound root, node 1 the outbound root. A lookup allocates nothing.
 */
export function buildRateDeck(rows: readonly RateRow[]): RateDeck {
  const children: number[] = new Array<number>(20).fill(NONE);
  const rowsOfNode: (number[] | undefined)[] = [undefined, undefined];
  rows.forEach((row, rowIndex) => {
    let node = row.direction === 'inbound' ? 0 : 1;
    for (let index = 0; index < row.prefix.length; index++) {
      const slot = node * 10 + row.prefix.charCodeAt(index) - 48;
      let child = children[slot] as number;
      if (child === NONE) {
        child = rowsOfNode.length;
        rowsOfNode.push(undefined);
        for (let digit = 0; digit < 10; digit++) children.push(NONE);
        children[slot] = child;
      }
      node = child;
    }
    const existing = rowsOfNode[node] ?? (rowsOfNode[node] = []);
    if (existing.some((other) => (rows[other] as RateRow).effectiveFrom === row.effectiveFrom)) {
      throw new DuplicateRateError(`two ${row.direction} rows for prefix ${row.prefix} take effect at the same time`);
    }
    existing.push(rowIndex);
  });
  const childTable = Int32Array.from(children);
  const rowStart = new Int32Array(rowsOfNode.length + 1);
  const rowOrder = new Int32Array(rows.length);
  let filled = 0;
  rowsOfNode.forEach((nodeRows, node) => {
    rowStart[node] = filled;
    if (nodeRows) {
      nodeRows.sort((a, b) => (rows[b] as RateRow).effectiveFrom - (rows[a] as RateRow).effectiveFrom);
      for (const row of nodeRows) rowOrder[filled++] = row;
    }
  });
  rowStart[rowsOfNode.length] = filled;
  const effectiveFrom = Float64Array.from(rows, (row) => row.effectiveFrom);
  // Reused between calls: the nodes with rows passed on the way down, deepest last.
  const path = new Int32Array(MAX_DEPTH);
  return {
    rows,
    find(direction, digits, at) {
      let node = direction === 'inbound' ? 0 : 1;
      let depth = 0;
      const length = Math.min(digits.length, MAX_DEPTH - 1);
      for (let index = 0; index < length; index++) {
        const digit = digits.charCodeAt(index) - 48;
        if (digit < 0 || digit > 9) break;
        node = childTable[node * 10 + digit] as number;
        if (node === NONE) break;
        if ((rowStart[node + 1] as number) > (rowStart[node] as number)) path[depth++] = node;
      }
      while (depth > 0) {
        const found = path[--depth] as number;
        const end = rowStart[found + 1] as number;
        for (let position = rowStart[found] as number; position < end; position++) {
          const row = rowOrder[position] as number;
          if ((effectiveFrom[row] as number) <= at) return row;
        }
      }
      return NONE;
    },
  };
}
