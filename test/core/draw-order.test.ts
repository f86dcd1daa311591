import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DrawOrderSorter } from '../../src/core/draw-order.js';

/** The order the spec states, by a plain comparison sort: time, then call_id. */
function expectedOrder(rows: number[], time: Float64Array, ids: string[]): number[] {
  return [...rows].sort((a, b) => (time[a] as number) - (time[b] as number) || ((ids[a] as string) < (ids[b] as string) ? -1 : 1));
}

describe('draw order', () => {
  it('orders by time, ties by call_id, for small and large groups and wide spans', () => {
    const sorter = new DrawOrderSorter();
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 40 }), fc.boolean()), { minLength: 0, maxLength: 400 }),
        fc.constantFrom(1, 1_000_000, 2 ** 40, 2 ** 45),
        (spec, step) => {
          const base = 1_780_000_000_000_000;
          const time = Float64Array.from(spec, ([slot, wide]) => base + slot * (wide ? step : 1));
          const ids = spec.map((_, index) => `call_${(index * 7919) % 1009}_${index}`);
          const rows = spec.map((_, index) => index);
          const sorted = Int32Array.from(rows);
          sorter.sort(sorted, time, (a, b) => ((ids[a] as string) < (ids[b] as string) ? -1 : 1));
          expect([...sorted]).toEqual(expectedOrder(rows, time, ids));
        },
      ),
      { numRuns: 300 },
    );
  });
});
