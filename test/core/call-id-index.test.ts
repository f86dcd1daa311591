import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CallIdIndex } from '../../src/core/call-id-index.js';

const encoder = new TextEncoder();
function byUtf8(a: string, b: string): number {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  for (let index = 0; index < Math.min(x.length, y.length); index++) if (x[index] !== y[index]) return (x[index] as number) - (y[index] as number);
  return x.length - y.length;
}

const hex = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: length, maxLength: length });
const uuid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((parts) => parts.join('-'));
const callHex = hex(32).map((digits) => `call_${digits}`);
// Near misses must stay as text: upper case, a wrong length, a non-hex digit, other text.
const other = fc.oneof(
  uuid.map((id) => id.toUpperCase()),
  uuid.map((id) => `${id.slice(0, 35)}g`),
  callHex.map((id) => id.slice(0, 36)),
  fc.string({ minLength: 1, maxLength: 40 }),
  fc.constantFrom('call_', 'c', 'ünïcode-😀'),
);
const anyId = fc.oneof(uuid, callHex, other);

describe('call id index', () => {
  it('finds repeats, prints ids back and orders them by their UTF-8 bytes, packed or not', () => {
    fc.assert(
      fc.property(fc.array(anyId, { minLength: 1, maxLength: 60 }), (ids) => {
        const index = new CallIdIndex(4);
        const rowOf = new Map<string, number>();
        for (const id of ids) {
          const found = index.findOrAdd(id);
          if (rowOf.has(id)) expect(found).toBe(rowOf.get(id));
          else {
            expect(found).toBe(-1);
            rowOf.set(id, index.size - 1);
          }
        }
        const rows = [...rowOf.values()];
        for (const [id, row] of rowOf) expect(index.callId(row)).toBe(id);
        for (const a of rows) {
          for (const b of rows) expect(Math.sign(index.compare(a, b))).toBe(Math.sign(byUtf8(index.callId(a), index.callId(b))));
        }
      }),
      { numRuns: 300 },
    );
  });
});
