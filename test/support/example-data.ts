/**
 * The bundled example (examples/) as API documents: the tariff with its rate deck inline
 * (what `PUT /v1/tariff` takes), each account's document, and the call records.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { load, JSON_SCHEMA } from 'js-yaml';
import { readCallFile } from '../../src/formats/call-records.js';

export const EXAMPLES = join(import.meta.dirname, '..', '..', 'examples');

export function exampleTariffDocument(): Record<string, unknown> {
  const tariff = load(readFileSync(join(EXAMPLES, 'tariff.yaml'), 'utf8')) as Record<string, unknown>;
  tariff.carrier_rates = parse<Record<string, string>>(readFileSync(join(EXAMPLES, 'rates.csv')), { columns: true }).map((row) => {
    const { effective_from: effectiveFrom, ...rest } = row;
    return effectiveFrom === '' || effectiveFrom === undefined ? rest : { ...rest, effective_from: effectiveFrom };
  });
  return tariff;
}

export function exampleAccountDocuments(): Record<string, unknown> {
  return (load(readFileSync(join(EXAMPLES, 'accounts.yaml'), 'utf8'), { schema: JSON_SCHEMA }) as { accounts: Record<string, unknown> }).accounts;
}

export async function exampleCallRecords(file = join(EXAMPLES, 'calls.csv')): Promise<Record<string, string>[]> {
  const records: Record<string, string>[] = [];
  await readCallFile(file, {
    record: ({ line: _line, ...record }) => records.push(record),
    problem: () => undefined,
  });
  return records;
}
