/**
 * CSV records from physical lines. A line without a quote is split on commas, which is exact
 * RFC 4180 for such a line and the fast path for nearly every call record. A line with quotes
 * goes through papaparse; a quoted field may continue over the next lines, but never over
 * more than `MAX_RECORD_LINES`: a stray quote spoils its own record only, and every line
 * after it is read again as a record of its own.
 */
import Papa from 'papaparse';

const MAX_RECORD_LINES = 20;

export interface CsvRecordHandler {
  record(fields: readonly string[], line: number): void;
  problem(line: number, firstField: string | undefined, message: string): void;
}

function countQuotes(text: string): number {
  let count = 0;
  for (let index = text.indexOf('"'); index >= 0; index = text.indexOf('"', index + 1)) count++;
  return count;
}

export class CsvRecordReader {
  /** Lines of a record whose quoted field is still open: [text, line number]. */
  private open: [string, number][] = [];
  private openQuotes = 0;

  constructor(private readonly handler: CsvRecordHandler) {}

  line(text: string, lineNumber: number): void {
    if (this.open.length === 0) {
      if (text.indexOf('"') < 0) {
        this.handler.record(text.split(','), lineNumber);
        return;
      }
      this.openQuotes = countQuotes(text);
      if (this.openQuotes % 2 === 0) {
        this.quoted(text, lineNumber);
        return;
      }
      this.open.push([text, lineNumber]);
      return;
    }
    this.open.push([text, lineNumber]);
    this.openQuotes += countQuotes(text);
    if (this.openQuotes % 2 === 0) {
      const lines = this.open;
      this.open = [];
      this.quoted(lines.map(([part]) => part).join('\n'), (lines[0] as [string, number])[1]);
    } else if (this.open.length >= MAX_RECORD_LINES) {
      this.abandonOpen();
    }
  }

  end(): void {
    while (this.open.length > 0) this.abandonOpen();
  }

  /** Whether a quoted field is open: a blank line then belongs to it. */
  isOpen(): boolean {
    return this.open.length > 0;
  }

  /** The first open line had an unmatched quote: report it and read the others afresh. */
  private abandonOpen(): void {
    const [[text, lineNumber], ...rest] = this.open as [[string, number], ...[string, number][]];
    this.open = [];
    this.handler.problem(lineNumber, text.split(',')[0]?.replace(/"/g, '') || undefined, 'a quoted field is not closed (unmatched ")');
    for (const [again, againNumber] of rest) this.line(again, againNumber);
  }

  private quoted(text: string, lineNumber: number): void {
    const parsed = Papa.parse<string[]>(text, { delimiter: ',', newline: '\n', quoteChar: '"' });
    const [fields] = parsed.data;
    if (parsed.errors.length > 0 || parsed.data.length !== 1 || !fields) {
      const reason = parsed.errors[0]?.message ?? 'not one CSV record';
      this.handler.problem(lineNumber, text.split(',')[0]?.replace(/"/g, '') || undefined, `malformed quoting: ${reason}`);
      return;
    }
    this.handler.record(fields, lineNumber);
  }
}
