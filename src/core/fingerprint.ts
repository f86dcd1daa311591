/**
 * A 53-bit fingerprint of what a checked record says (all but its call_id), so that a
 * repeated call_id can be told apart as "the same record again" or "a conflicting record"
 * without keeping every record. Instants are compared as instants and numbers by their
 * digits, so `Z` and `+00:00` spell the same record. Two different records share a
 * fingerprint with probability about 2^-53.
 */
import type { CallRecord } from './call-record.js';

const TWO_TO_32 = 4_294_967_296;

// cyrb53-style mixing of two 32-bit lanes; module state keeps the hot path allocation-free.
let low = 0;
let high = 0;

function word(value: number): void {
  low = Math.imul(low ^ value, 2654435761);
  high = Math.imul(high ^ value, 1597334677);
}

function number(value: number): void {
  word(value % TWO_TO_32);
  word(Math.floor(value / TWO_TO_32));
}

/** The length, then the UTF-16 code units two to a word: unambiguous, and half the mixing steps. */
function text(value: string): void {
  const length = value.length;
  word(length);
  let index = 0;
  for (; index + 1 < length; index += 2) word(value.charCodeAt(index) | (value.charCodeAt(index + 1) << 16));
  if (index < length) word(value.charCodeAt(index));
}

export function fingerprintOf(call: CallRecord, from: string, endReason: string): number {
  low = 0xdeadbeef;
  high = 0x41c6ce57;
  text(call.accountId);
  text(call.direction);
  text(from);
  text(call.to);
  number(call.startedAt);
  number(call.answeredAt ?? -1);
  number(call.endedAt);
  text(endReason);
  low = Math.imul(low ^ (low >>> 16), 2246822507);
  low ^= Math.imul(high ^ (high >>> 13), 3266489909);
  high = Math.imul(high ^ (high >>> 16), 2246822507);
  high ^= Math.imul(low ^ (low >>> 13), 3266489909);
  return TWO_TO_32 * (2097151 & high) + (low >>> 0);
}
