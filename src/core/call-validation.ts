/** Turning a raw record into a checked `CallRecord`, or saying why not (SPEC §2, §3, §14). */
import type { CallRecord, Direction, RawCallRecord, Rejection } from './call-record.js';
import { parseInstant } from './instant.js';

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

export function isDirection(text: string): text is Direction {
  return text === 'inbound' || text === 'outbound' || text === 'web';
}

export function validateCallRecord(raw: RawCallRecord): CallRecord | Rejection {
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
  return { callId: raw.call_id, accountId: raw.account_id, direction, to, startedAt, answeredAt, endedAt };
}

