/**
 * Twilio → generic records, from the Calls log CSV (the console's export or
 * `twilio api:core:calls:list -o csv`). Columns are found by name, whatever the spelling:
 * `Sid`, `sid`, `Call Sid`, `start_time`, `StartTime`, `Start Time` all match.
 */
import { Temporal } from 'temporal-polyfill';
import { readCsvRows } from './csv-rows.js';
import { ImportCollector, type CallDraft } from './import-collector.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { parseOffsetInstant } from './instant-text.js';
import { cleanPhoneNumber } from './phone-text.js';

const COLUMNS = {
  sid: ['sid', 'callsid'],
  from: ['from'],
  to: ['to'],
  direction: ['direction'],
  status: ['status', 'callstatus'],
  startTime: ['starttime'],
  endTime: ['endtime'],
  dateCreated: ['datecreated'],
} as const;
type Column = keyof typeof COLUMNS;
const REQUIRED: readonly Column[] = ['sid', 'from', 'to', 'direction', 'status', 'startTime', 'endTime'];

/**
 * `outbound-api` is a call the platform placed; `outbound-dial` a leg `<Dial>` placed from
 * inside another call (a transfer): both reach a carrier, both are outbound. Elastic SIP
 * Trunking reports from the PSTN's side: `trunking-originating` came in from it.
 */
const DIRECTIONS: Readonly<Record<string, 'inbound' | 'outbound'>> = {
  inbound: 'inbound',
  'outbound-api': 'outbound',
  'outbound-dial': 'outbound',
  'trunking-originating': 'inbound',
  'trunking-terminating': 'outbound',
};

/** Statuses of calls that reached an end without being answered. */
const NEVER_ANSWERED = new Set(['busy', 'no-answer', 'failed', 'canceled']);

export function importTwilioCalls(text: string, options: ImportOptions): ImportResult {
  const { rows, problems } = readCsvRows(text);
  const collector = new ImportCollector(options);
  for (const problem of problems) collector.problem(problem.line, problem.message);
  const [header, ...records] = rows;
  if (header === undefined) return collector.result();
  const position = columnPositions(header.fields);
  for (const row of records) {
    const field = (column: Column) => {
      const at = position.get(column);
      return at === undefined ? '' : (row.fields[at] ?? '').trim();
    };
    const mapped = mapTwilioCall(row.line, field);
    if (typeof mapped === 'string') collector.problem(row.line, mapped);
    else collector.draft(mapped);
  }
  return collector.result();
}

function columnPositions(header: readonly string[]): Map<Column, number> {
  const normalized = header.map((name) => name.toLowerCase().replace(/[^a-z0-9]/g, ''));
  const positions = new Map<Column, number>();
  for (const [column, names] of Object.entries(COLUMNS) as [Column, readonly string[]][]) {
    const at = normalized.findIndex((name) => names.includes(name));
    if (at >= 0) positions.set(column, at);
  }
  const missing = REQUIRED.filter((column) => !positions.has(column));
  if (missing.length > 0) {
    throw new Error(`Twilio call log: no ${missing.join(', ')} column (header: ${header.join(',')})`);
  }
  return positions;
}

function mapTwilioCall(line: number, field: (column: Column) => string): CallDraft | string {
  const sid = field('sid');
  if (sid === '') return 'Sid is empty';
  const stated = field('direction');
  let direction: CallDraft['direction'] | undefined = DIRECTIONS[stated];
  if (direction === undefined) return `Direction "${stated}" is not inbound, outbound-api or outbound-dial`;
  const status = field('status');
  if (!NEVER_ANSWERED.has(status) && status !== 'completed') {
    return `Status "${status}": the call has not ended yet (or the status is unknown), so it cannot be billed`;
  }

  let from = cleanPhoneNumber(field('from'));
  let to = cleanPhoneNumber(field('to'));
  // A Voice SDK identity (`client:alice`) on the far side is a browser or app, not a phone:
  // no carrier leg, so a web call.
  const farSide = direction === 'inbound' ? field('from') : field('to');
  if (farSide.startsWith('client:')) {
    direction = 'web';
    from = '';
    to = '';
  } else if (to === '') return 'To is empty';

  const times: Partial<Record<'startTime' | 'endTime' | 'dateCreated', Temporal.Instant>> = {};
  for (const column of ['startTime', 'endTime', 'dateCreated'] as const) {
    const text = field(column);
    if (text === '') continue;
    const instant = parseTwilioTime(text);
    if (instant === undefined) return `${column === 'startTime' ? 'StartTime' : column === 'endTime' ? 'EndTime' : 'DateCreated'} "${text}" is not a time Twilio writes`;
    times[column] = instant;
  }
  const answered = status === 'completed';
  // For a completed call Twilio's StartTime is the answer (Duration runs from it). A call that
  // was canceled before dialling has no StartTime: DateCreated is then its start.
  const startedAt = times.startTime ?? (answered ? undefined : times.dateCreated);
  if (startedAt === undefined) return 'StartTime is empty';
  const endedAt = times.endTime ?? (answered ? undefined : startedAt);
  if (endedAt === undefined) return 'EndTime is empty';

  return {
    line,
    call_id: sid,
    direction,
    from,
    to,
    started_at: startedAt.toString(),
    answered_at: answered ? startedAt.toString() : '',
    ended_at: endedAt.toString(),
    end_reason: status,
  };
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The forms Twilio's tools write: RFC 2822 (`Tue, 19 Mar 2024 10:29:34 +0000`, the REST API),
 * ISO 8601 with an offset or `UTC` (`2024-03-19 10:29:34 UTC`, `2024-03-19T10:29:34Z`), and a
 * JavaScript date (`Tue Mar 19 2024 10:29:34 GMT+0000 (…)`, older CLI versions). All carry
 * their offset: Twilio reports in UTC.
 */
export function parseTwilioTime(text: string): Temporal.Instant | undefined {
  const rfc2822 = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3})\s+(\d{4})\s+(\d{2}:\d{2}:\d{2})\s+([+-]\d{4}|GMT|UTC|Z)$/.exec(text);
  if (rfc2822 !== null) {
    const [, day, month, year, time, zone] = rfc2822;
    return fromParts(year, month, day, time, zone);
  }
  const javascript = /^[A-Za-z]{3}\s+([A-Za-z]{3})\s+(\d{1,2})\s+(\d{4})\s+(\d{2}:\d{2}:\d{2})\s+GMT([+-]\d{4})/.exec(text);
  if (javascript !== null) {
    const [, month, day, year, time, zone] = javascript;
    return fromParts(year, month, day, time, zone);
  }
  const iso = text.replace(/^(\d{4}-\d{2}-\d{2}) /, '$1T').replace(/\s*(UTC|GMT)$/i, 'Z');
  return parseOffsetInstant(iso);
}

function fromParts(year = '', monthName = '', day = '', time = '', zone = ''): Temporal.Instant | undefined {
  const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
  if (month === 0) return undefined;
  const offset = /^[+-]\d{4}$/.test(zone) ? `${zone.slice(0, 3)}:${zone.slice(3)}` : 'Z';
  return parseOffsetInstant(`${year}-${String(month).padStart(2, '0')}-${day.padStart(2, '0')}T${time}${offset}`);
}
