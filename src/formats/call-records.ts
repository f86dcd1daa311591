/**
 * Reading call records in the generic format (SPEC §2) as a stream: CSV with a header, or
 * JSON Lines. Records are handed over one at a time, so memory does not grow with the file;
 * a record that cannot be read is reported with its line and reading goes on.
 */
import { createReadStream, statSync } from 'node:fs';
import Papa from 'papaparse';
import { CALL_RECORD_FIELDS, type RawCallRecord } from '../core/call-record.js';
import { CsvRecordReader } from './csv-record-reader.js';
import { InputError } from './input-error.js';
import { LineSplitter } from './line-splitter.js';

export interface CallRecordSink {
  record(raw: RawCallRecord): void;
  /** A line that is not a record at all (wrong number of fields, not JSON). */
  problem(line: number, callId: string | undefined, message: string): void;
  /** A record left to another reader by `ReadOptions.keep` (only called when `keep` is given). */
  skipped?(line: number): void;
}

export interface ReadOptions {
  readonly onProgress?: (bytesRead: number, totalBytes: number) => void;
  /**
   * Which records to read (by their trimmed call_id); the others go to `sink.skipped`, each
   * as one call in the place its record would have had. Lines that are not records (blank,
   * the header, bad quoting, not UTF-8) are handled as without it; an unquoted line of the
   * wrong width is reported only by the reader that keeps its call_id field. So two readers
   * with complementary `keep`s make the same number of calls to `sink` up to each point of
   * the file, see every record once, and between them report every problem (some twice).
   */
  readonly keep?: (callId: string) => boolean;
}

const REQUIRED_COLUMNS = ['call_id', 'account_id', 'direction', 'started_at', 'ended_at'] as const;

/** Opens `path` (`-` is standard input) and hands its lines to the record readers. */
export async function readCallFile(path: string, sink: CallRecordSink, options: ReadOptions = {}): Promise<void> {
  let totalBytes = 0;
  if (path !== '-') {
    try {
      const stats = statSync(path);
      if (stats.isDirectory()) throw new InputError(path, undefined, 'is a folder, not a file of call records');
      totalBytes = stats.size;
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(path, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  const stream: AsyncIterable<Buffer> = path === '-' ? process.stdin : createReadStream(path, { highWaterMark: 1 << 20 });
  const reader = new CallLineReader(path, sink, options.keep);
  const splitter = new LineSplitter((text, line) => reader.line(text, line));
  let bytesRead = 0;
  for await (const chunk of stream) {
    splitter.push(chunk);
    bytesRead += chunk.length;
    options.onProgress?.(bytesRead, totalBytes);
  }
  splitter.end();
  reader.end();
}

/**
 * Decides from the first line that is not blank whether the file is JSON Lines (it starts
 * with `{`) or CSV (it is the header), then reads every line as such.
 */
class CallLineReader {
  private format: 'csv' | 'jsonl' | undefined;
  private csv: CsvRecordReader | undefined;
  /** Column index of each generic field in the header; -1 when absent. */
  private columns: number[] = [];
  private width = 0;

  constructor(
    private readonly path: string,
    private readonly sink: CallRecordSink,
    private readonly keep?: (callId: string) => boolean,
  ) {}

  line(text: string, line: number): void {
    if (this.format === 'jsonl') return this.jsonLine(text, line);
    // The decoder turns bytes that are not UTF-8 into U+FFFD: such a line's ids and numbers
    // cannot be trusted (two different ids could read the same), so it is not billed.
    if (text.indexOf('\uFFFD') >= 0) {
      this.sink.problem(line, undefined, 'is not valid UTF-8 text');
      return;
    }
    if (this.format === 'csv') {
      this.csv?.line(text, line);
      return;
    }
    const trimmed = text.trimStart();
    if (trimmed === '') return;
    if (trimmed.startsWith('[')) {
      throw new InputError(this.path, `line ${line}`, 'is a JSON array: give call records as JSON Lines (one object per line) or CSV, or a platform export with --from');
    }
    if (trimmed.startsWith('{')) {
      this.format = 'jsonl';
      return this.jsonLine(text, line);
    }
    this.format = 'csv';
    this.readHeader(text);
  }

  end(): void {
    this.csv?.end();
    if (this.format === undefined) throw new InputError(this.path, undefined, 'is empty: expected a CSV header line and call records, or JSON Lines');
  }

  private readHeader(text: string): void {
    // Tolerate `"call_id", "account_id"`: spaces after the commas, quotes around the names.
    const header = (Papa.parse<string[]>(text, { delimiter: ',' }).data[0] ?? []).map((name) => name.trim().replace(/^"(.*)"$/, '$1'));
    const missing = REQUIRED_COLUMNS.filter((name) => !header.includes(name));
    if (missing.length > 0) {
      throw new InputError(this.path, 'line 1', `the header lacks column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} (expected ${CALL_RECORD_FIELDS.join(',')})`);
    }
    this.columns = CALL_RECORD_FIELDS.map((name) => header.indexOf(name));
    this.width = header.length;
    this.csv = new CsvRecordReader(
      {
        record: (fields, line, kept) => this.csvRecord(fields, line, kept),
        problem: (line, firstField, message) => this.sink.problem(line, firstField, message),
        skipped: (line) => this.sink.skipped?.(line),
      },
      header.length,
      this.keep ? keepLineOf(this.keep, this.columns[0] as number) : undefined,
    );
  }

  /** `kept`: `keep` already said yes to this record's line. */
  private csvRecord(fields: readonly string[], line: number, kept: boolean): void {
    const at = (index: number): string => (index < 0 ? '' : (fields[index] ?? '').trim());
    const [callId, accountId, direction, from, to, startedAt, answeredAt, endedAt, endReason] = this.columns as [number, number, number, number, number, number, number, number, number];
    if (fields.length !== this.width) {
      const id = at(callId);
      this.sink.problem(line, id === '' ? undefined : id, `has ${fields.length} fields, the header has ${this.width}`);
      return;
    }
    if (!kept && this.keep && !this.keep(at(callId))) {
      this.sink.skipped?.(line);
      return;
    }
    this.sink.record({
      line,
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
  }

  private jsonLine(text: string, line: number): void {
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.sink.problem(line, undefined, `not valid JSON: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.sink.problem(line, undefined, 'not a JSON object');
      return;
    }
    const record = recordFromObject(line, value as Record<string, unknown>);
    if (this.keep && !this.keep(record.call_id)) this.sink.skipped?.(line);
    else this.sink.record(record);
  }
}

/**
 * `keep` for an unquoted CSV line, decided without splitting it: by its trimmed field
 * `callIdColumn`. A line of the wrong width is decided the same way, and the reader that
 * keeps it reports it.
 */
function keepLineOf(keep: (callId: string) => boolean, callIdColumn: number): (text: string) => boolean {
  return (text) => {
    let start = 0;
    for (let field = 0; field < callIdColumn && start >= 0; field++) {
      const comma = text.indexOf(',', start);
      start = comma < 0 ? -1 : comma + 1;
    }
    if (start < 0) return keep('');
    const end = text.indexOf(',', start);
    return keep(text.slice(start, end < 0 ? text.length : end).trim());
  };
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
