/**
 * `voicebill serve --seed-example`: fills an empty database with the bundled example (the
 * tariff, its five accounts and a month of calls) through the same service methods the API
 * calls, so a newcomer has something to look at in `/docs` within seconds. A database that
 * already has a tariff is left alone: seeding never overwrites anyone's data.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import { parse as parseCsv } from 'csv-parse/sync';
import type { RawCallRecord } from '../core/call-record.js';
import { readCallFile } from '../formats/call-records.js';
import { InputError } from '../formats/input-error.js';
import { readStructuredFile } from '../formats/structured-file.js';
import type { BillingService, CallResult } from './billing-service.js';
import { ServiceError } from './service-error.js';

/** `examples/` of the package: the same relative path from `src/service/` and `dist/service/`. */
export const EXAMPLES_DIRECTORY = resolve(dirname(fileURLToPath(import.meta.url)), '../../examples');

const BATCH_SIZE = 1000;

export type SeedResult =
  | { readonly seeded: false }
  | {
      readonly seeded: true;
      readonly accounts: readonly string[];
      readonly calls: { readonly rated: number; readonly duplicate: number; readonly rejected: number };
      /** A key for the first account, to try the account's view of the API. */
      readonly accountKey: { readonly key: string; readonly account_id: string };
    };

async function hasTariff(service: BillingService): Promise<boolean> {
  try {
    await service.getTariff();
    return true;
  } catch (error) {
    if (error instanceof ServiceError && (error.code === 'no_tariff' || error.code === 'not_found')) return false;
    throw error;
  }
}

/**
 * The tariff file as `PUT /v1/tariff` takes it: a `carrier_rates` CSV path becomes inline
 * rows (empty cells left out, so the tariff's defaults apply).
 */
export function tariffWithInlineRates(tariffPath: string): unknown {
  const document = readStructuredFile(tariffPath) as Record<string, unknown>;
  const rates = document.carrier_rates;
  if (typeof rates !== 'string') return document;
  const ratesPath = resolve(dirname(tariffPath), rates);
  const rows: Record<string, string>[] = parseCsv(readFileSync(ratesPath, 'utf8'), { columns: true, skip_empty_lines: true, trim: true, bom: true });
  const inline = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== '')));
  return { ...document, carrier_rates: inline };
}

/** The request-body form of a record read from a file (its line number is the file's business). */
function requestRecord(raw: RawCallRecord): Record<string, string> {
  const { line: _line, ...fields } = raw;
  return fields;
}

export async function seedExample(service: BillingService, directory = EXAMPLES_DIRECTORY, now: () => Date = () => new Date()): Promise<SeedResult> {
  if (await hasTariff(service)) return { seeded: false };
  await service.putTariff(tariffWithInlineRates(resolve(directory, 'tariff.yaml')));

  const accountsPath = resolve(directory, 'accounts.yaml');
  const accountsDocument = readStructuredFile(accountsPath) as { accounts?: Record<string, unknown> };
  const accounts = Object.entries(accountsDocument.accounts ?? {});
  const [firstAccount] = accounts;
  if (!firstAccount) throw new InputError(accountsPath, 'accounts', 'the example has no accounts');
  for (const [accountId, document] of accounts) await service.putAccount(accountId, document);

  const calls = { rated: 0, duplicate: 0, rejected: 0 };
  const count = (results: readonly CallResult[]): void => {
    for (const result of results) calls[result.status === 'rated' ? 'rated' : result.status === 'duplicate' ? 'duplicate' : 'rejected']++;
  };
  // The reader hands records over synchronously; the batches are sent once it is done.
  const records: Record<string, string>[] = [];
  await readCallFile(resolve(directory, 'calls.csv'), {
    record: (raw) => records.push(requestRecord(raw)),
    problem: () => calls.rejected++,
  });
  for (let start = 0; start < records.length; start += BATCH_SIZE) {
    count(await service.ingestCalls(records.slice(start, start + BATCH_SIZE), now()));
  }

  const accountKey = await service.createAccountKey(firstAccount[0]);
  return { seeded: true, accounts: accounts.map(([accountId]) => accountId), calls, accountKey };
}
