/**
 * FreeSWITCH `mod_cdr_csv` → generic records, for the default ("example") template: one line
 * per call leg, no header, columns caller_id_name, caller_id_number, destination_number,
 * context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid,
 * bleg_uuid, accountcode, read_codec, write_codec.
 */
import { Temporal } from 'temporal-polyfill';
import { readCsvRows, type CsvRow } from './csv-rows.js';
import { ImportCollector, type CallDraft } from './import-collector.js';
import type { ImportOptions, ImportResult } from './importer.js';
import { offsetText, parseWallClock, requireTimeZone, zonedInstant } from './instant-text.js';
import { cleanPhoneNumber, isPublicNumber } from './phone-text.js';

const COLUMNS = [
  'caller_id_name',
  'caller_id_number',
  'destination_number',
  'context',
  'start_stamp',
  'answer_stamp',
  'end_stamp',
  'duration',
  'billsec',
  'hangup_cause',
  'uuid',
  'bleg_uuid',
  'accountcode',
  'read_codec',
  'write_codec',
] as const;
type Column = (typeof COLUMNS)[number];

/** FreeSWITCH's name for a leg it dialled out (`originate`, or the B side of a bridge). */
const DIALLED_LEG_NAME = 'Outbound Call';

export function importFreeswitchCalls(text: string, options: ImportOptions): ImportResult {
  const timeZone = requireTimeZone('freeswitch', options.timeZone);
  const { rows, problems } = readCsvRows(text);
  const collector = new ImportCollector(options);
  for (const problem of problems) collector.problem(problem.line, problem.message);

  // With `legs="ab"` the B leg of a bridge is logged too, under the uuid its A leg names as
  // bleg_uuid. The A leg already is the call (it lasts as long), so B legs add no record.
  const bLegs = new Set(rows.filter((row) => row.fields.length === COLUMNS.length).map((row) => fieldOf(row, 'bleg_uuid')).filter((uuid) => uuid !== ''));
  const firstByUuid = new Map<string, CsvRow>();
  for (const row of rows) {
    if (row.fields.length !== COLUMNS.length) {
      collector.problem(row.line, `${row.fields.length} columns: mod_cdr_csv's default template writes ${COLUMNS.length} (${COLUMNS.join(', ')})`);
      continue;
    }
    const uuid = fieldOf(row, 'uuid');
    if (uuid === '') {
      collector.problem(row.line, 'uuid is empty');
      continue;
    }
    if (bLegs.has(uuid)) continue;
    const earlier = firstByUuid.get(uuid);
    if (earlier !== undefined) {
      // A uuid is logged once, at hang-up; a repeat is an artefact (a spreadsheet re-save, a
      // file appended twice). An identical repeat stays a record with the same call_id, so the
      // rating reports it as a duplicate of the first and bills once (SPEC §13). A repeat that
      // differs cannot be told right from wrong: the first is kept, the repeat reported.
      const differences = COLUMNS.filter((column) => fieldOf(row, column) !== fieldOf(earlier, column));
      if (differences.length > 0) {
        const detail = differences.map((column) => `${column} "${fieldOf(row, column)}" vs "${fieldOf(earlier, column)}"`).join(', ');
        collector.problem(row.line, `uuid ${uuid} repeats line ${earlier.line} with different content (${detail}); line ${earlier.line} kept`);
        continue;
      }
    } else firstByUuid.set(uuid, row);
    const mapped = mapFreeswitchLeg(row, timeZone);
    if (typeof mapped === 'string') collector.problem(row.line, mapped);
    else collector.draft(mapped);
  }
  return collector.result();
}

function fieldOf(row: CsvRow, column: Column): string {
  return (row.fields[COLUMNS.indexOf(column)] ?? '').trim();
}

function mapFreeswitchLeg(row: CsvRow, timeZone: string): CallDraft | string {
  const field = (column: Column) => fieldOf(row, column);
  const times = legTimes(field, timeZone);
  if (typeof times === 'string') return times;

  const callerNumber = cleanPhoneNumber(field('caller_id_number'));
  const destination = field('destination_number');
  let direction: 'inbound' | 'outbound';
  let from: string;
  let to: string;
  if (destination.startsWith('&') || field('caller_id_name') === DIALLED_LEG_NAME) {
    // `originate <endpoint> &app(…)` writes the inline application as destination_number, and
    // on a leg FreeSWITCH dialled the caller-id fields hold the dialled party (the directory
    // user's effective_caller_id_number): the switch called out to caller_id_number. Its own
    // number is not in the template, so `from` stays empty and the account needs --account.
    direction = 'outbound';
    from = '';
    to = callerNumber;
  } else {
    // The CDR has no direction column: as for Asterisk, a call is inbound to the platform
    // unless an extension (short) dialled a public number (7+ digits).
    direction = isPublicNumber(destination) && !isPublicNumber(callerNumber) ? 'outbound' : 'inbound';
    from = callerNumber;
    to = cleanPhoneNumber(destination);
  }
  if (to === '') return direction === 'outbound' ? 'caller_id_number is empty (the dialled party of an originated leg)' : 'destination_number is empty';

  return {
    line: row.line,
    call_id: field('uuid'),
    direction,
    from,
    to,
    started_at: offsetText(times.start),
    answered_at: times.answer === undefined ? '' : offsetText(times.answer),
    ended_at: offsetText(times.end),
    end_reason: field('hangup_cause'),
  };
}

interface LegTimes {
  readonly start: Temporal.ZonedDateTime;
  readonly answer: Temporal.ZonedDateTime | undefined;
  readonly end: Temporal.ZonedDateTime;
}

function legTimes(field: (column: Column) => string, timeZone: string): LegTimes | string {
  const stamps: Partial<Record<'start_stamp' | 'answer_stamp' | 'end_stamp', { instant: Temporal.ZonedDateTime; hasSeconds: boolean }>> = {};
  for (const column of ['start_stamp', 'answer_stamp', 'end_stamp'] as const) {
    const text = field(column);
    if (text === '' && column === 'answer_stamp') continue; // never answered
    const parsed = parseWallClock(text);
    if (parsed === undefined) return `${column} "${text}" is not a "YYYY-MM-DD HH:MM:SS" time`;
    stamps[column] = { instant: zonedInstant(parsed.dateTime, timeZone), hasSeconds: parsed.hasSeconds };
  }
  const { start_stamp: start, answer_stamp: answer, end_stamp: end } = stamps;
  if (start === undefined || end === undefined) return 'start_stamp or end_stamp is missing';
  if (start.hasSeconds && end.hasSeconds && (answer?.hasSeconds ?? true)) {
    return { start: start.instant, answer: answer?.instant, end: end.instant };
  }
  return rebuildFromDurations(field, start.instant, answer?.instant, end.instant);
}

/**
 * A spreadsheet re-save cuts the stamps to the minute (`2020/2/10 22:41`), which would make a
 * 9-second call last 0 or 60 seconds. The whole-second `duration` (start→end) and `billsec`
 * (answer→end) survive, and they are what is billed; so the call is rebuilt from them,
 * starting at the earliest second consistent with all three truncated stamps. The call may
 * sit up to 59 s earlier than it really did; its length is exact.
 */
function rebuildFromDurations(
  field: (column: Column) => string,
  startMinute: Temporal.ZonedDateTime,
  answerMinute: Temporal.ZonedDateTime | undefined,
  endMinute: Temporal.ZonedDateTime,
): LegTimes | string {
  const duration = wholeSeconds(field('duration'));
  if (duration === undefined) return `duration "${field('duration')}" is not whole seconds (needed: the stamps have no seconds)`;
  const billsec = answerMinute === undefined ? 0 : wholeSeconds(field('billsec'));
  if (billsec === undefined || billsec > duration) return `billsec "${field('billsec')}" is not whole seconds up to duration (needed: the stamps have no seconds)`;
  const ringSeconds = duration - billsec;
  // Each truncated stamp bounds the true start: start ∈ [stamp − offset, stamp − offset + 59 s].
  const windows = [
    startMinute.epochMilliseconds,
    endMinute.epochMilliseconds - duration * 1000,
    ...(answerMinute === undefined ? [] : [answerMinute.epochMilliseconds - ringSeconds * 1000]),
  ];
  const earliest = Math.max(...windows);
  const latest = Math.min(...windows) + 59_000;
  if (earliest > latest) return 'start_stamp, answer_stamp, end_stamp disagree with duration and billsec';
  const start = Temporal.Instant.fromEpochMilliseconds(earliest).toZonedDateTimeISO(startMinute.timeZoneId);
  return {
    start,
    answer: answerMinute === undefined ? undefined : start.add({ seconds: ringSeconds }),
    end: start.add({ seconds: duration }),
  };
}

function wholeSeconds(text: string): number | undefined {
  return /^\d+$/.test(text) ? Number(text) : undefined;
}
