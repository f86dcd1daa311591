/**
 * Asterisk `Master.csv` → generic records. One call writes several lines (legs: each Dial
 * attempt, each Local channel half), all sharing the call's linkedid (Asterisk 12+) or, on
 * older systems, the uniqueid of the channel that started it; they become one record.
 */
import { Temporal } from 'temporal-polyfill';
import { readCsvRows, type CsvRow } from './csv-rows.js';
import { ImportCollector, type CallDraft } from './import-collector.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { offsetText, parseWallClock, requireTimeZone, zonedInstant } from './instant-text.js';
import { cleanPhoneNumber, isPublicNumber } from './phone-text.js';

/** Where each field sits, by layout; the file has no header, so the column count tells them apart. */
interface Layout {
  readonly name: string;
  readonly src: number;
  readonly dst: number;
  readonly start: number;
  readonly answer: number;
  readonly end: number;
  readonly disposition: number;
  readonly uniqueid: number;
  readonly linkedid?: number;
}

/** cdr_csv: accountcode, src, dst, dcontext, clid, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, then uniqueid, userfield, and with `newcdrcolumns` peeraccount, linkedid, sequence. */
const CDR_CSV = { src: 1, dst: 2, start: 9, answer: 10, end: 11, disposition: 14, uniqueid: 16 };
/** cdr_custom's sample Master.csv mapping: clid, src, dst, dcontext, channel, dstchannel, lastapp, lastdata, start, answer, end, duration, billsec, disposition, amaflags, accountcode, uniqueid, userfield, sequence. */
const CDR_CUSTOM = { src: 1, dst: 2, start: 8, answer: 9, end: 10, disposition: 13, uniqueid: 16 };

const LAYOUTS: ReadonlyMap<number, Layout> = new Map([
  [17, { name: 'cdr_csv without userfield', ...CDR_CSV }],
  [18, { name: 'cdr_csv', ...CDR_CSV }],
  [19, { name: 'cdr_custom default', ...CDR_CUSTOM }],
  [21, { name: 'cdr_csv with newcdrcolumns', ...CDR_CSV, linkedid: 19 }],
]);

interface Leg {
  readonly line: number;
  readonly callId: string;
  /** The leg's own channel id: the leg whose uniqueid is the call's id started the call. */
  readonly uniqueid: string;
  readonly src: string;
  readonly dst: string;
  readonly start: Temporal.ZonedDateTime;
  /** Only for legs whose disposition is ANSWERED. */
  readonly answer: Temporal.ZonedDateTime | undefined;
  readonly end: Temporal.ZonedDateTime;
  readonly disposition: string;
}

export function importAsteriskCalls(text: string, options: ImportOptions): ImportResult {
  const timeZone = requireTimeZone('asterisk', options.timeZone);
  const { rows, problems } = readCsvRows(text);
  const collector = new ImportCollector(options);
  for (const problem of problems) collector.problem(problem.line, problem.message);

  const calls = new Map<string, { legs: Leg[]; seen: Set<string>; badLines: number[] }>();
  const callOf = (callId: string) => {
    const call = calls.get(callId) ?? { legs: [], seen: new Set<string>(), badLines: [] };
    calls.set(callId, call);
    return call;
  };
  for (const row of rows) {
    const leg = readLeg(row, timeZone);
    if ('reason' in leg) {
      collector.problem(row.line, leg.reason);
      if (leg.callId !== '') callOf(leg.callId).badLines.push(row.line);
      continue;
    }
    const call = callOf(leg.callId);
    // The same line written twice (a logger retried, files were concatenated) is one leg.
    const content = JSON.stringify(row.fields);
    if (call.seen.has(content)) continue;
    call.seen.add(content);
    call.legs.push(leg);
  }
  for (const [callId, call] of calls) {
    // A call missing a leg could lose its answer and bill nothing: it is not imported at all.
    const [firstLeg] = call.legs;
    if (call.badLines.length > 0) {
      if (firstLeg !== undefined) collector.problem(firstLeg.line, `call ${callId} not imported: its ${call.badLines.length > 1 ? 'legs on lines' : 'leg on line'} ${call.badLines.join(', ')} could not be read`);
    } else collector.draft(mergeLegs(callId, call.legs));
  }
  return collector.result();
}

/** A leg, or why its line cannot be read (with its call's id when that much is known). */
function readLeg(row: CsvRow, timeZone: string): Leg | { callId: string; reason: string } {
  const layout = LAYOUTS.get(row.fields.length);
  if (layout === undefined) {
    return { callId: '', reason: `${row.fields.length} columns: not a Master.csv layout this importer knows (17, 18 or 21 for cdr_csv, 19 for cdr_custom's default)` };
  }
  const field = (at: number) => (row.fields[at] ?? '').trim();
  const uniqueid = field(layout.uniqueid);
  const callId = (layout.linkedid === undefined ? '' : field(layout.linkedid)) || uniqueid;
  if (callId === '') return { callId, reason: 'uniqueid is empty: cannot tell which call this leg belongs to' };
  const disposition = field(layout.disposition);
  const start = wallClock('start', field(layout.start), timeZone);
  if (typeof start === 'string') return { callId, reason: start };
  const end = wallClock('end', field(layout.end), timeZone);
  if (typeof end === 'string') return { callId, reason: end };
  let answer: Temporal.ZonedDateTime | undefined;
  // Only the disposition says a leg was answered: some versions copy start into answer.
  if (disposition === 'ANSWERED') {
    const answered = wallClock('answer', field(layout.answer), timeZone);
    if (typeof answered === 'string') return { callId, reason: `${answered} (disposition is ANSWERED)` };
    answer = answered;
  }
  return { line: row.line, callId, uniqueid, src: field(layout.src), dst: field(layout.dst), start, answer, end, disposition };
}

function wallClock(name: string, text: string, timeZone: string): Temporal.ZonedDateTime | string {
  const parsed = parseWallClock(text);
  if (parsed === undefined) return `${name} "${text}" is not a "YYYY-MM-DD HH:MM:SS" time`;
  return zonedInstant(parsed.dateTime, timeZone);
}

/** One call from its legs: earliest start, earliest answer of an ANSWERED leg, latest end. */
function mergeLegs(callId: string, legs: readonly Leg[]): CallDraft {
  // Numbers come from the leg of the channel that started the call (its uniqueid is the
  // linkedid); the Local/… halves and Dial attempts carry internal names like `ch1` as dst.
  const first = legs.find((leg) => leg.uniqueid === callId) ?? legs[0];
  if (first === undefined) throw new Error(`call ${callId} has no legs`);
  const byTime = (pick: (leg: Leg) => Temporal.ZonedDateTime | undefined, later: boolean) =>
    legs
      .map(pick)
      .filter((instant) => instant !== undefined)
      .reduce<Temporal.ZonedDateTime | undefined>((best, instant) => {
        if (best === undefined) return instant;
        const order = Temporal.ZonedDateTime.compare(instant, best);
        return (later ? order > 0 : order < 0) ? instant : best;
      }, undefined);
  const start = byTime((leg) => leg.start, false);
  const answer = byTime((leg) => leg.answer, false);
  const end = byTime((leg) => leg.end, true);
  if (start === undefined || end === undefined) throw new Error(`call ${callId} has no times`);

  // Direction: a CDR does not record it. An AI platform's PBX mostly answers, so a call is
  // inbound, unless a short extension (a SIP user, an AI endpoint) dialled a public number (7+
  // digits): then the platform placed it. 6-digit city numbers both ways stay inbound.
  const direction = isPublicNumber(first.dst) && !isPublicNumber(first.src) ? 'outbound' : 'inbound';
  return {
    line: Math.min(...legs.map((leg) => leg.line)),
    call_id: callId,
    direction,
    from: cleanPhoneNumber(first.src),
    to: cleanPhoneNumber(first.dst),
    started_at: offsetText(start),
    answered_at: answer === undefined ? '' : offsetText(answer),
    ended_at: offsetText(end),
    end_reason: answer === undefined ? first.disposition : 'ANSWERED',
  };
}
