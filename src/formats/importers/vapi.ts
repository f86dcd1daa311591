/**
 * Vapi → generic records. Reads both shapes Vapi gives out: the `end-of-call-report` webhook
 * (`{message: {type, call, startedAt, endedAt, endedReason, phoneNumber, …}}`, also without
 * the `message` envelope) and the call object of `GET /call` (`id`, `type`, `startedAt`, …).
 */
import { Temporal } from 'temporal-polyfill';
import { ImportCollector, type CallDraft } from './import-collector.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { instantFromEpochMillis, parseOffsetInstant, utcMillisText } from './instant-text.js';
import { asObject, numberField, readJsonCalls, stringField, type JsonObject } from './json-calls.js';
import { cleanPhoneNumber } from './phone-text.js';

const DIRECTION_OF_TYPE: Readonly<Record<string, CallDraft['direction']>> = {
  inboundPhoneCall: 'inbound',
  outboundPhoneCall: 'outbound',
  webCall: 'web',
};

/**
 * Ended reasons of calls the other side never picked up (Vapi has renamed these over time,
 * hence the patterns). Such a call bills nothing, whatever `startedAt` holds.
 */
const NEVER_ANSWERED = /did-not-answer|customer-busy|failed-to-connect|misdialed|before-call-connect|rejected/;

export function importVapiCalls(text: string, options: ImportOptions): ImportResult {
  const { calls, problems } = readJsonCalls(text);
  const collector = new ImportCollector(options);
  for (const problem of problems) collector.problem(problem.line, problem.message);
  for (const { index, value } of calls) {
    const mapped = mapVapiCall(index, value);
    if (typeof mapped === 'string') collector.problem(index, mapped);
    else collector.draft(mapped);
  }
  return collector.result();
}

/** The draft, or the reason (naming the field) it cannot be made. */
function mapVapiCall(index: number, value: unknown): CallDraft | string {
  const object = asObject(value);
  if (object === undefined) return 'not a JSON object';
  // The webhook wraps the report in `message`; a stored report may come without the wrapper.
  const report = asObject(object['message']) ?? (object['type'] === 'end-of-call-report' ? object : undefined);
  if (report !== undefined && report['type'] !== 'end-of-call-report') {
    return `message.type is "${stringField(report, 'type')}", not an end-of-call-report (only those carry the call's end)`;
  }
  const call = report === undefined ? object : asObject(report['call']);
  if (call === undefined) return 'message.call is missing';
  const callId = stringField(call, 'id');
  if (callId === '') return 'call.id is missing';

  const type = stringField(call, 'type');
  const direction = DIRECTION_OF_TYPE[type];
  if (direction === undefined) return `call.type "${type}" is not inboundPhoneCall, outboundPhoneCall or webCall`;
  // The report repeats the number and customer beside the call; the call's own copy wins.
  const platformNumber = cleanPhoneNumber(stringField(asObject(call['phoneNumber']), 'number') || stringField(asObject(report?.['phoneNumber']), 'number'));
  const customerNumber = cleanPhoneNumber(stringField(asObject(call['customer']), 'number') || stringField(asObject(report?.['customer']), 'number'));
  if (direction === 'inbound' && platformNumber === '') return 'phoneNumber.number is missing (the Vapi number the call came in on)';
  if (direction === 'outbound' && customerNumber === '') return 'customer.number is missing (the number Vapi called)';

  const endedReason = stringField(report, 'endedReason') || stringField(call, 'endedReason');
  const times = callTimes(call, report);
  if (typeof times === 'string') return times;
  const answered = times.connectedAt !== undefined && !NEVER_ANSWERED.test(endedReason);
  // Vapi's startedAt is when the assistant joined the call: for us the answer. The call began
  // no later than that, and at createdAt (the dial, or the inbound ring) when that is earlier.
  const startedAt = earliest(times.connectedAt, times.createdAt);
  if (startedAt === undefined) return 'startedAt and createdAt are both missing';
  if (times.endedAt === undefined) return 'endedAt is missing';

  return {
    line: index,
    call_id: callId,
    direction,
    from: direction === 'inbound' ? customerNumber : direction === 'outbound' ? platformNumber : '',
    to: direction === 'inbound' ? platformNumber : direction === 'outbound' ? customerNumber : '',
    started_at: utcMillisText(startedAt),
    answered_at: answered && times.connectedAt !== undefined ? utcMillisText(times.connectedAt) : '',
    ended_at: utcMillisText(times.endedAt),
    end_reason: endedReason,
  };
}

interface VapiTimes {
  readonly createdAt: Temporal.Instant | undefined;
  readonly connectedAt: Temporal.Instant | undefined;
  readonly endedAt: Temporal.Instant | undefined;
}

function callTimes(call: JsonObject, report: JsonObject | undefined): VapiTimes | string {
  const fields: Record<string, Temporal.Instant | undefined> = {};
  for (const [name, text] of [
    ['createdAt', stringField(call, 'createdAt')],
    ['startedAt', stringField(report, 'startedAt') || stringField(call, 'startedAt')],
    ['endedAt', stringField(report, 'endedAt') || stringField(call, 'endedAt')],
  ] as const) {
    if (text === '') continue;
    const instant = parseOffsetInstant(text);
    if (instant === undefined) return `${name} "${text}" is not an ISO 8601 instant`;
    fields[name] = instant;
  }
  let connectedAt = fields['startedAt'];
  let endedAt = fields['endedAt'];
  if (connectedAt === undefined || endedAt === undefined) {
    // Reports of early 2024 carry no startedAt/endedAt at all (only the transcript). Its
    // messages are stamped on Vapi's clock: `time − secondsFromStart` is the moment the
    // assistant joined, and the last message's end the last moment the call is known to be
    // live. That under-counts the seconds between the last word and the hang-up, never over.
    const span = transcriptSpan(report?.['messages'] ?? call['messages']);
    connectedAt ??= span?.first;
    endedAt ??= span?.last;
  }
  return { createdAt: fields['createdAt'], connectedAt, endedAt };
}

function transcriptSpan(messages: unknown): { first: Temporal.Instant; last: Temporal.Instant } | undefined {
  if (!Array.isArray(messages)) return undefined;
  let first: number | undefined;
  let last: number | undefined;
  for (const entry of messages) {
    const message = asObject(entry);
    const time = numberField(message, 'time');
    if (time === undefined) continue;
    const start = time - (numberField(message, 'secondsFromStart') ?? 0) * 1000;
    const end = Math.max(time, numberField(message, 'endTime') ?? time);
    first = first === undefined ? start : Math.min(first, start);
    last = last === undefined ? end : Math.max(last, end);
  }
  if (first === undefined || last === undefined) return undefined;
  return { first: instantFromEpochMillis(first), last: instantFromEpochMillis(last) };
}

function earliest(...instants: (Temporal.Instant | undefined)[]): Temporal.Instant | undefined {
  let result: Temporal.Instant | undefined;
  for (const instant of instants) {
    if (instant !== undefined && (result === undefined || Temporal.Instant.compare(instant, result) < 0)) result = instant;
  }
  return result;
}
