/**
 * Retell → generic records. Reads Retell's call object (`call_id`, `call_type`, `direction`,
 * `from_number`, `to_number`, `start_timestamp`, `end_timestamp` in epoch ms,
 * `disconnection_reason`) and the camelCase copy apps keep of it (`callId`, `fromNumber`, …).
 */
import { ImportCollector, type CallDraft } from './import-collector.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { instantFromEpochMillis, utcMillisText } from './instant-text.js';
import { asObject, numberField, readJsonCalls, stringField } from './json-calls.js';
import { cleanPhoneNumber } from './phone-text.js';

/**
 * Disconnection reasons of calls that never connected: the dial failed or was refused, or a
 * web call was registered and nobody joined. Such a call bills nothing.
 */
const NEVER_CONNECTED = new Set([
  'dial_busy',
  'dial_failed',
  'dial_no_answer',
  'invalid_destination',
  'telephony_provider_permission_denied',
  'telephony_provider_unavailable',
  'sip_routing_error',
  'marked_as_spam',
  'user_declined',
  'registered_call_timeout',
]);

export function importRetellCalls(text: string, options: ImportOptions): ImportResult {
  const { calls, problems } = readJsonCalls(text);
  const collector = new ImportCollector(options);
  for (const problem of problems) collector.problem(problem.line, problem.message);
  for (const { index, value } of calls) {
    const mapped = mapRetellCall(index, value);
    if (typeof mapped === 'string') collector.problem(index, mapped);
    else collector.draft(mapped);
  }
  return collector.result();
}

function mapRetellCall(index: number, value: unknown): CallDraft | string {
  const call = asObject(value);
  if (call === undefined) return 'not a JSON object';
  const callId = stringField(call, 'call_id', 'callId');
  if (callId === '') return 'call_id is missing';

  const callType = stringField(call, 'call_type', 'callType');
  const stated = stringField(call, 'direction');
  let direction: CallDraft['direction'];
  if (callType === 'web_call') direction = 'web';
  else if (stated === 'inbound' || stated === 'outbound') direction = stated;
  else return stated === '' ? 'direction is missing (a phone_call needs inbound or outbound)' : `direction "${stated}" is not inbound or outbound`;
  const from = direction === 'web' ? '' : cleanPhoneNumber(stringField(call, 'from_number', 'fromNumber'));
  const to = direction === 'web' ? '' : cleanPhoneNumber(stringField(call, 'to_number', 'toNumber'));
  if (direction !== 'web' && to === '') return 'to_number is missing';

  const reason = stringField(call, 'disconnection_reason', 'disconnectionReason');
  const status = stringField(call, 'call_status', 'callStatus');
  if (status === 'registered' || status === 'ongoing') return `call_status is "${status}": the call has not ended yet`;
  const connected = status !== 'not_connected' && !NEVER_CONNECTED.has(reason);
  const endMillis = numberField(call, 'end_timestamp', 'endTimestamp');
  // Retell has a single start stamp, the moment the call connected (its own duration_ms runs
  // from it): we use it as both start and answer. A call that never connected may lack it;
  // then it starts and ends at its end stamp. The camelCase shape's `createdAt` is the app's
  // own field, not Retell's, so it is not used.
  const startMillis = numberField(call, 'start_timestamp', 'startTimestamp') ?? (connected ? undefined : endMillis);
  if (startMillis === undefined) return 'start_timestamp is missing';
  if (endMillis === undefined) return 'end_timestamp is missing';
  const startedAt = utcMillisText(instantFromEpochMillis(startMillis));

  return {
    line: index,
    call_id: callId,
    direction,
    from,
    to,
    started_at: startedAt,
    answered_at: connected ? startedAt : '',
    ended_at: utcMillisText(instantFromEpochMillis(endMillis)),
    end_reason: reason,
  };
}
