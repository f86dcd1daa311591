/**
 * A 53-bit fingerprint of a record's fields (all but call_id), so that a repeated call_id can
 * be told apart as "the same record again" or "a conflicting record" without keeping every
 * record's text. Two different records share a fingerprint with probability about 2^-53.
 */
import type { RawCallRecord } from './call-record.js';

/** cyrb53-style mixing of two 32-bit lanes over the fields, with a separator between them. */
export function fingerprintOf(raw: RawCallRecord): number {
  let low = 0xdeadbeef;
  let high = 0x41c6ce57;
  const fields = [raw.account_id, raw.direction, raw.from, raw.to, raw.started_at, raw.answered_at, raw.ended_at, raw.end_reason];
  for (const field of fields) {
    for (let index = 0; index < field.length; index++) {
      const code = field.charCodeAt(index);
      low = Math.imul(low ^ code, 2654435761);
      high = Math.imul(high ^ code, 1597334677);
    }
    low = Math.imul(low ^ 0x1f, 2654435761);
    high = Math.imul(high ^ 0x1f, 1597334677);
  }
  low = Math.imul(low ^ (low >>> 16), 2246822507);
  low ^= Math.imul(high ^ (high >>> 13), 3266489909);
  high = Math.imul(high ^ (high >>> 16), 2246822507);
  high ^= Math.imul(low ^ (low >>> 13), 3266489909);
  return 4294967296 * (2097151 & high) + (low >>> 0);
}
