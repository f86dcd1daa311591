/**
 * Reading a CSV call log into rows that know their 1-based line in the file. A malformed row
 * (an unclosed quote) becomes a problem and the rows after it are still read.
 */
import { parse, type Info } from 'csv-parse/sync';
import type { ImportProblem } from './importer.js';

export interface CsvRow {
  /** Line where the row begins (a header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

export function readCsvRows(text: string): { rows: CsvRow[]; problems: ImportProblem[] } {
  const problems: ImportProblem[] = [];
  // With `info: true` each row comes as `{record, info}`; the typings only know plain rows.
  const parsed = parse(text, {
    bom: true,
    info: true,
    relax_column_count: true,
    skip_empty_lines: true,
    skip_records_with_error: true,
    on_skip: (error) => {
      if (error !== undefined) problems.push({ line: typeof error['lines'] === 'number' ? error['lines'] : 0, message: `unreadable CSV: ${error.message}` });
      return undefined;
    },
  }) as unknown as { record: string[]; info: Info }[];
  const rows = parsed.map(({ record, info }) => {
    // csv-parse counts lines up to the end of the row; a quoted field may span lines.
    const spannedLines = record.reduce((count, field) => count + (field.match(/\n/g)?.length ?? 0), 0);
    return { line: info.lines - spannedLines, fields: record };
  });
  return { rows, problems };
}
