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

interface TrieNode {
  readonly children: (TrieNode | undefined)[];
  /** Indices of the rows for exactly this prefix, latest `effectiveFrom` first. */
  rows: number[] | undefined;
}

function makeNode(): TrieNode {
  return { children: new Array<TrieNode | undefined>(10), rows: undefined };
}

export interface RateDeck {
  /** The index of the row for `digits` in force at `at`, or -1 when none matches. */
  find(direction: CarrierDirection, digits: string, at: EpochMicros): number;
  readonly rows: readonly RateRow[];
}

export class DuplicateRateError extends Error {
  override readonly name = 'DuplicateRateError';
}

export function buildRateDeck(rows: readonly RateRow[]): RateDeck {
  const roots: Record<CarrierDirection, TrieNode> = { inbound: makeNode(), outbound: makeNode() };
  rows.forEach((row, rowIndex) => {
    let node = roots[row.direction];
    for (let index = 0; index < row.prefix.length; index++) {
      const digit = row.prefix.charCodeAt(index) - 48;
      let child = node.children[digit];
      if (!child) {
        child = makeNode();
        node.children[digit] = child;
      }
      node = child;
    }
    const existing = node.rows ?? (node.rows = []);
    if (existing.some((other) => (rows[other] as RateRow).effectiveFrom === row.effectiveFrom)) {
      throw new DuplicateRateError(`two ${row.direction} rows for prefix ${row.prefix} take effect at the same time`);
    }
    existing.push(rowIndex);
    existing.sort((a, b) => (rows[b] as RateRow).effectiveFrom - (rows[a] as RateRow).effectiveFrom);
  });
  // Reused between calls: the nodes passed on the way down, deepest last.
  const path: TrieNode[] = [];
  return {
    rows,
    find(direction, digits, at) {
      let node: TrieNode | undefined = roots[direction];
      path.length = 0;
      for (let index = 0; index < digits.length; index++) {
        node = node.children[digits.charCodeAt(index) - 48];
        if (!node) break;
        if (node.rows) path.push(node);
      }
      for (let depth = path.length - 1; depth >= 0; depth--) {
        const candidates = (path[depth] as TrieNode).rows as number[];
        for (const index of candidates) if ((rows[index] as RateRow).effectiveFrom <= at) return index;
      }
      return -1;
    },
  };
}
