/**
 * CSV records from physical lines. A line without a quote is split on commas, which is exact
 * RFC 4180 for such a line and the fast path for nearly every call record. A line with quotes
 * goes through papaparse. A quoted field may continue over the next lines, but a stray quote
 * must spoil only its own record, so the continuation stops, the first line is reported and
 * every line after it is read again as a record of its own, when:
 * - it would run past `MAX_RECORD_LINES` lines;
 * - a continuation line looks like a whole record by itself (as many commas as the header);
 * - the joined lines do not parse as exactly one clean record.
 */
import Papa from 'papaparse';

const MAX_RECORD_LINES = 20;

export interface CsvRecordHandler {
  /** `kept`: the line was asked about and kept (see `keepLine`). */
  record(fields: readonly string[], line: number, kept: boolean): void;
  /** `keepLine` said no to this (unquoted, non-blank) line: it is one record, not read. */
  skipped(line: number): void;
  problem(line: number, firstField: string | undefined, message: string): void;
}

function countQuotes(text: string): number {
  let count = 0;
  for (let index = text.indexOf('"'); index >= 0; index = text.indexOf('"', index + 1)) count++;
  return count;
}

function countCommas(text: string): number {
  let count = 0;
  for (let index = text.indexOf(','); index >= 0; index = text.indexOf(',', index + 1)) count++;
  return count;
}

function firstFieldOf(text: string): string | undefined {
  return text.split(',')[0]?.replace(/"/g, '').trim() || undefined;
}

export class CsvRecordReader {
  /** Lines of a record whose quoted field is still open: [text, line number]. */
  private open: [string, number][] = [];
  private openQuotes = 0;

  /**
   * `width`: the header's number of fields. `keepLine`, when given, is asked about each
   * unquoted, non-blank line before it is split: false hands it to `handler.skipped`.
   */
  constructor(
    private readonly handler: CsvRecordHandler,
    private readonly width: number,
    private readonly keepLine?: (text: string) => boolean,
  ) {}

  line(text: string, lineNumber: number): void {
    if (this.open.length === 0) {
      if (text.indexOf('"') < 0) {
        if (text.trim() === '') return;
        if (this.keepLine && !this.keepLine(text)) this.handler.skipped(lineNumber);
        else this.handler.record(text.split(','), lineNumber, this.keepLine !== undefined);
        return;
      }
      this.openQuotes = countQuotes(text);
      if (this.openQuotes % 2 === 0) this.single(text, lineNumber);
      else this.open.push([text, lineNumber]);
      return;
    }
    if (countCommas(text) >= this.width - 1) {
      // A whole record's worth of fields: the open quote was a stray one.
      this.abandonOpen([text, lineNumber]);
      return;
    }
    this.open.push([text, lineNumber]);
    this.openQuotes += countQuotes(text);
    if (this.openQuotes % 2 === 0) {
      const lines = this.open;
      this.open = [];
      const fields = this.parseOne(lines.map(([part]) => part).join('\n'));
      if (fields) this.handler.record(fields, (lines[0] as [string, number])[1], false);
      else this.reportAndReread(lines, 'a quoted field spans lines but they do not form one record (stray ")');
    } else if (this.open.length >= MAX_RECORD_LINES) {
      this.abandonOpen();
    }
  }

  end(): void {
    if (this.open.length > 0) this.abandonOpen();
  }

  /** The first open line had an unmatched quote: report it and read the others afresh. */
  private abandonOpen(next?: [string, number]): void {
    const lines = next ? [...this.open, next] : this.open;
    this.open = [];
    this.reportAndReread(lines, 'a quoted field is not closed (unmatched ")');
  }

  private reportAndReread(lines: [string, number][], message: string): void {
    const [[text, lineNumber], ...rest] = lines as [[string, number], ...[string, number][]];
    this.handler.problem(lineNumber, firstFieldOf(text), message);
    for (const [again, againNumber] of rest) this.line(again, againNumber);
  }

  private single(text: string, lineNumber: number): void {
    const fields = this.parseOne(text);
    if (fields) this.handler.record(fields, lineNumber, false);
    else this.handler.problem(lineNumber, firstFieldOf(text), `malformed quoting: ${Papa.parse(text, { delimiter: ',', newline: '\n' }).errors[0]?.message ?? 'not one CSV record'}`);
  }

  /** The fields of `text` when it is exactly one clean CSV record. */
  private parseOne(text: string): string[] | undefined {
    const parsed = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', quoteChar: '"' });
    const [fields] = parsed.data;
    return parsed.errors.length === 0 && parsed.data.length === 1 ? fields : undefined;
  }
}
