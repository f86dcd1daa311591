/**
 * Reading call records in the generic format (SPEC §2) as a stream: CSV with a header, or
 * JSON Lines. Records are handed over one at a time, so memory does not grow with the file;
 * a record that cannot be read is reported with its line and reading goes on.
 */
import { createReadStream, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import Papa from 'papaparse';
import { CALL_RECORD_FIELDS, type RawCallRecord } from '../core/call-record.js';
import { InputError } from './input-error.js';

export interface CallRecordSink {
  record(raw: RawCallRecord): void;
  /** A line that is not a record at all (wrong number of fields, not JSON). */
  problem(line: number, callId: string | undefined, message: string): void;
}

export interface ReadOptions {
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
}

const REQUIRED_COLUMNS = ['call_id', 'account_id', 'direction', 'started_at', 'ended_at'] as const;

export type CallFileFormat = 'csv' | 'jsonl';

export function formatOfCallFile(path: string): CallFileFormat {
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
}

export async function readCallFile(path: string, sink: CallRecordSink, options: ReadOptions = {}): Promise<void> {
  let totalBytes: number;
  try {
    totalBytes = statSync(path).size;
  } catch (error) {
    throw new InputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  const stream = createReadStream(path, { encoding: 'utf8', highWaterMark: 1 << 20 });
  if (options.onProgress) {
    let bytesRead = 0;
    const report = options.onProgress;
    stream.on('data', (chunk) => {
      bytesRead += Buffer.byteLength(chunk);
      report(bytesRead, totalBytes);
    });
  }
  if (formatOfCallFile(path) === 'jsonl') await readJsonLines(stream, sink);
  else await readCsv(path, stream, sink);
}

function fieldText(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** A record from a JSON object (JSON Lines, and the service's request bodies). */
export function recordFromObject(line: number, object: Record<string, unknown>): RawCallRecord {
  return {
    line,
    call_id: fieldText(object.call_id),
    account_id: fieldText(object.account_id),
    direction: fieldText(object.direction),
    from: fieldText(object.from),
    to: fieldText(object.to),
    started_at: fieldText(object.started_at),
    answered_at: fieldText(object.answered_at),
    ended_at: fieldText(object.ended_at),
    end_reason: fieldText(object.end_reason),
  };
}

async function readJsonLines(stream: NodeJS.ReadableStream, sink: CallRecordSink): Promise<void> {
  let line = 0;
  const lines = createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of lines) {
    line++;
    if (text.trim() === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      sink.problem(line, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      sink.problem(line, undefined, 'not a JSON object');
      continue;
    }
    sink.record(recordFromObject(line, value as Record<string, unknown>));
  }
}

async function readCsv(path: string, stream: NodeJS.ReadableStream, sink: CallRecordSink): Promise<void> {
  // Column index of each generic field in this file's header; -1 when absent.
  let columns: number[] | undefined;
  let width = 0;
  let line = 0;
  let headerError: InputError | undefined;
  await new Promise<void>((resolvePromise, rejectPromise) => {
    Papa.parse<string[]>(stream as unknown as File, {
      skipEmptyLines: false,
      step: (results, parser) => {
        const fields = results.data;
        line++;
        const startLine = line;
        // A quoted field may hold line breaks: keep counting physical lines.
        for (const field of fields) if (field.includes('\n')) line += field.split('\n').length - 1;
        if (fields.length === 1 && fields[0] === '') return;
        if (!columns) {
          const header = fields.map((name) => name.trim().replace(/^\uFEFF/, ''));
          const missing = REQUIRED_COLUMNS.filter((name) => !header.includes(name));
          if (missing.length > 0) {
            headerError = new InputError(path, 'line 1', `the header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${CALL_RECORD_FIELDS.join(',')})`);
            parser.abort();
            return;
          }
          columns = CALL_RECORD_FIELDS.map((name) => header.indexOf(name));
          width = header.length;
          return;
        }
        const at = (index: number): string => (index < 0 ? '' : (fields[index] ?? '').trim());
        if (fields.length !== width) {
          const callId = at(columns[0] as number);
          sink.problem(startLine, callId === '' ? undefined : callId, `has ${fields.length} fields, the header has ${width}`);
          return;
        }
        const [callId, accountId, direction, from, to, startedAt, answeredAt, endedAt, endReason] = columns as [number, number, number, number, number, number, number, number, number];
        sink.record({
          line: startLine,
          call_id: at(callId),
          account_id: at(accountId),
          direction: at(direction),
          from: at(from),
          to: at(to),
          started_at: at(startedAt),
          answered_at: at(answeredAt),
          ended_at: at(endedAt),
          end_reason: at(endReason),
        });
      },
      complete: () => resolvePromise(),
      error: (error) => rejectPromise(new InputError(path, undefined, error.message)),
    });
  });
  if (headerError) throw headerError;
  if (!columns) throw new InputError(path, undefined, 'is empty: expected a header line and call records');
}
