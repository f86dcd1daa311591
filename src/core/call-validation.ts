/** Turning a raw record into a checked `CallRecord`, or saying why not (SPEC §2, §3, §14). */
import type { CallRecord, Direction, RawCallRecord, Rejection } from './call-record.js';
import { MICROS_PER_SECOND, parseInstant, subMicrosecondNanos } from './instant.js';

/** Digits of an E.164 number, or undefined when it is not one. Spaces, dashes, dots and brackets are ignored. */
export function normalizePhoneNumber(text: string): string | undefined {
  // Fast path: already `+digits` or `digits`, as nearly every record is.
  let plain = true;
  const first = text.charCodeAt(0) === 43 ? 1 : 0;
  for (let index = first; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) {
      plain = false;
      break;
    }
  }
  const digits = plain ? text.slice(first) : stripSeparators(text);
  return digits === undefined || digits.length === 0 || digits.length > 15 ? undefined : digits;
}

function stripSeparators(text: string): string | undefined {
  let digits = '';
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code >= 48 && code <= 57) digits += text[index];
    else if (code === 43 /* + */ && digits.length === 0) continue;
    else if (code === 32 || code === 45 || code === 40 || code === 41 || code === 46) continue;
    else return undefined;
  }
  return digits;
}

function reject(code: Rejection['code'], message: string): Rejection {
  return { code, message };
}

/** Billable seconds are kept in 32 bits; a longer "call" is a broken timestamp, not a bill. */
const MAX_BILLABLE_SECONDS = 2 ** 31 - 1;

/** The exact nanoseconds an instant written with sub-microsecond digits lies below its parsed microsecond. */
function nanosBelowParsed(text: string): number {
  const nanos = subMicrosecondNanos(text);
  return nanos === 0 ? 0 : 1000 - nanos;
}

/**
 * Whole seconds from answer to end, a fraction rounded up; -1 when the end is before the
 * answer. Instants are held to the microsecond; a timestamp written to nanoseconds is
 * corrected here, so that 90.0000001 s still bills 91 s.
 */
function billableSecondsBetween(answeredAt: number, endedAt: number, answeredText: string, endedText: string): number {
  const micros = endedAt - answeredAt;
  const correction = nanosBelowParsed(answeredText) - nanosBelowParsed(endedText);
  if (correction === 0) return micros < 0 ? -1 : Math.ceil(micros / MICROS_PER_SECOND);
  const nanos = BigInt(micros) * 1000n + BigInt(correction);
  if (nanos < 0n) return -1;
  return Number(nanos / 1_000_000_000n) + (nanos % 1_000_000_000n > 0n ? 1 : 0);
}

export function isDirection(text: string): text is Direction {
  return text === 'inbound' || text === 'outbound' || text === 'web';
}

/**
 * A checked record that is filled in place: the billing run keeps one and checks every
 * record into it, so the hot path makes no object per record.
 */
export class CheckedCall implements CallRecord {
  callId = '';
  accountId = '';
  direction: Direction = 'web';
  to = '';
  startedAt = 0;
  answeredAt: number | undefined = undefined;
  endedAt = 0;
  billableSeconds = 0;
}

/** Checks a raw record (SPEC §2, §3, §14): fills `into` and returns undefined, or says why not. */
export function checkCallRecord(raw: RawCallRecord, into: CheckedCall): Rejection | undefined {
  if (raw.call_id === '') return reject('missing_field', 'call_id is empty');
  if (raw.account_id === '') return reject('missing_field', 'account_id is empty');
  const direction = raw.direction;
  if (!isDirection(direction)) return reject('unknown_direction', `direction "${direction}" (expected inbound, outbound or web)`);
  let to = '';
  if (direction !== 'web') {
    const digits = normalizePhoneNumber(raw.to);
    if (digits === undefined) {
      return reject(raw.to === '' ? 'missing_field' : 'invalid_number', raw.to === '' ? `to is empty (needed for ${direction} calls)` : `to "${raw.to}" is not an E.164 number`);
    }
    to = digits;
  }
  const startedAt = parseInstant(raw.started_at);
  if (startedAt === undefined) return reject('unparseable_timestamp', `started_at "${raw.started_at}" is not an RFC 3339 instant with offset`);
  const endedAt = parseInstant(raw.ended_at);
  if (endedAt === undefined) return reject('unparseable_timestamp', `ended_at "${raw.ended_at}" is not an RFC 3339 instant with offset`);
  let answeredAt: number | undefined;
  if (raw.answered_at !== '') {
    answeredAt = parseInstant(raw.answered_at);
    if (answeredAt === undefined) return reject('unparseable_timestamp', `answered_at "${raw.answered_at}" is not an RFC 3339 instant with offset`);
    if (endedAt < answeredAt) return reject('ended_before_answered', `ended_at ${raw.ended_at} is before answered_at ${raw.answered_at}`);
  }
  let billableSeconds = 0;
  if (answeredAt !== undefined) {
    billableSeconds = billableSecondsBetween(answeredAt, endedAt, raw.answered_at, raw.ended_at);
    if (billableSeconds < 0) return reject('ended_before_answered', `ended_at ${raw.ended_at} is before answered_at ${raw.answered_at}`);
    if (billableSeconds > MAX_BILLABLE_SECONDS) {
      return reject('implausible_duration', `answered ${raw.answered_at} and ended ${raw.ended_at}: over ${MAX_BILLABLE_SECONDS} seconds (68 years)`);
    }
  }
  into.callId = raw.call_id;
  into.accountId = raw.account_id;
  into.direction = direction;
  into.to = to;
  into.startedAt = startedAt;
  into.answeredAt = answeredAt;
  into.endedAt = endedAt;
  into.billableSeconds = billableSeconds;
  return undefined;
}

