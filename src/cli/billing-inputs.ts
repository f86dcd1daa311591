/**
 * The shell shared by the batch commands: read the tariff and accounts, stream the call
 * records through a billing run, and collect what was rejected. No billing rule lives here.
 */
import { closeSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { makeBillingBook, type BillingBook } from '../core/billing-book.js';
import { BillingRun, NOT_STORED, type RecordOutcome, type SettledRun } from '../core/billing-run.js';
import type { RawCallRecord } from '../core/call-record.js';
import { checkTimeZone } from '../core/billing-period.js';
import { normalizePhoneNumber } from '../core/call-validation.js';
import { readAccountsFile } from '../formats/accounts-file.js';
import { readCallFile } from '../formats/call-records.js';
import type { ImporterName } from '../formats/importers/importer.js';
import { InputError } from '../formats/input-error.js';
import { readTariffFile } from '../formats/tariff-file.js';
import { partitionOf, startPartitionHelper, type PartitionHelper, type Rejected } from './call-partition.js';
import { progressFor } from './progress.js';
import { rejectionText } from './rejection-text.js';

export const IMPORTER_NAMES = ['vapi', 'retell', 'twilio', 'asterisk', 'freeswitch'] as const satisfies readonly ImporterName[];

export interface BillingInputOptions {
  readonly tariff: string;
  readonly accounts: string;
  readonly calls: string;
  readonly from?: ImporterName;
  readonly timezone?: string;
  readonly account?: string;
}

export interface RunResult {
  readonly settled: SettledRun;
  /** Every record's outcome in input order; only kept when asked for (`rate`). */
  readonly outcomes: RecordOutcome[];
  /** Rejected records, for the report on stderr. */
  readonly rejections: Extract<RecordOutcome, { kind: 'rejected' }>[];
}

/** Options that only make sense together are checked before any file is read. */
function checkImportOptions(options: BillingInputOptions): void {
  if (!options.from && (options.timezone !== undefined || options.account !== undefined)) {
    throw new InputError(options.timezone !== undefined ? '--timezone' : '--account', undefined, 'is only used with --from (platform exports); generic call records carry their own offsets and accounts');
  }
  if (options.timezone !== undefined) {
    try {
      checkTimeZone(options.timezone);
    } catch {
      throw new InputError('--timezone', undefined, `unknown time zone "${options.timezone}" (expected an IANA name such as Europe/Moscow)`);
    }
  }
}

export function loadBook(options: BillingInputOptions): BillingBook {
  checkImportOptions(options);
  const tariff = readTariffFile(options.tariff);
  return makeBillingBook(tariff, readAccountsFile(options.accounts, tariff));
}

const SAMPLE_BYTES = 1 << 18;

/**
 * About how many records a file holds, from the length of the lines in its first 256 KB:
 * sizes the call columns once, close to what they will hold (growing them by half again
 * copies them and, for a moment, holds both; sizing them blindly wastes hundreds of MB).
 */
export function expectedRecords(path: string): number {
  let descriptor: number | undefined;
  try {
    const size = statSync(path).size;
    descriptor = openSync(path, 'r');
    const sample = Buffer.alloc(Math.min(size, SAMPLE_BYTES));
    const read = readSync(descriptor, sample, 0, sample.length, 0);
    let lines = 0;
    for (let index = sample.indexOf(10); index >= 0 && index < read; index = sample.indexOf(10, index + 1)) lines++;
    return lines === 0 ? 1024 : Math.ceil((size / read) * lines * 1.02) + 16;
  } catch {
    return 1024; // a missing file is reported with its name when it is read
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Maps a platform's own number (digits) to the account that rents it. */
function accountByNumber(book: BillingBook): (digits: string) => string | undefined {
  const owners = new Map<string, string>();
  for (const { account } of book.accounts.values()) {
    for (const rental of account.numbers) owners.set(normalizePhoneNumber(rental.number) ?? rental.number, account.id);
  }
  return (digits) => owners.get(digits);
}

/**
 * Reads the call file in two threads (see `call-partition.ts`): this one keeps the records
 * of partition 0 (and those without a call_id); the helper's calls and rejections are then
 * merged in.
 */
async function runCallsWithHelper(book: BillingBook, options: BillingInputOptions, helper: PartitionHelper): Promise<RunResult> {
  const run = new BillingRun(book, expectedRecords(options.calls));
  const rejections: [number, Rejected][] = [];
  let ordinal = 0;
  const sink = {
    record: (raw: RawCallRecord) => {
      if (run.take(raw) === NOT_STORED && run.refused?.kind === 'rejected') rejections.push([ordinal, run.refused]);
      ordinal++;
    },
    problem: (line: number, callId: string | undefined, message: string) => {
      rejections.push([ordinal++, { kind: 'rejected', line, callId, rejection: { code: 'malformed_record', message } }]);
    },
    skipped: () => ordinal++,
  };
  const progress = progressFor('Reading calls', statSync(options.calls).size);
  try {
    await readCallFile(options.calls, sink, { onProgress: (done, all) => progress.update(done, all), keep: (callId) => callId === '' || partitionOf(callId) === 0 });
  } finally {
    progress.stop();
  }
  const helped = await helper.result;
  if (helped.accounts !== book.accounts.size || helped.rateRows !== book.tariff.rateDeck.rows.length) {
    throw new Error('the call-reading helper thread read different accounts or rate deck (were the files changed meanwhile?)');
  }
  run.absorb(helped.columns, helped.ids);
  // Both lists are in ordinal order: merge them into the order one thread reports. A
  // problem with a line that both threads read (bad quoting, not UTF-8) is in both lists
  // under the same ordinal, and is reported once.
  const merged: RunResult['rejections'] = [];
  const theirs = helped.rejections;
  let m = 0;
  let t = 0;
  while (m < rejections.length || t < theirs.length) {
    const mine = rejections[m];
    const their = theirs[t];
    if (mine && (!their || mine[0] <= their[0])) {
      merged.push(mine[1]);
      m++;
      if (their && their[0] === mine[0]) t++;
    } else if (their) {
      merged.push(their[1]);
      t++;
    }
  }
  return { settled: run.settle(), outcomes: [], rejections: merged };
}

/**
 * Loads the book and settles every call, in two threads when the file is large enough
 * (`invoice` and `usage`: they need no per-record outcome). The helper thread loads the
 * tariff and accounts while this one does.
 */
export async function settleCalls(options: BillingInputOptions): Promise<RunResult> {
  const helper = startPartitionHelper(options);
  try {
    return await runCalls(loadBook(options), options, { keepOutcomes: false, helper });
  } finally {
    helper?.close();
  }
}

export async function runCalls(
  book: BillingBook,
  options: BillingInputOptions,
  { keepOutcomes, helper }: { keepOutcomes: boolean; helper?: PartitionHelper | undefined },
): Promise<RunResult> {
  if (helper && !keepOutcomes) return runCallsWithHelper(book, options, helper);
  const run = new BillingRun(book, expectedRecords(options.calls));
  const outcomes: RecordOutcome[] = [];
  const rejections: RunResult['rejections'] = [];
  const take = (outcome: RecordOutcome): void => {
    if (keepOutcomes) outcomes.push(outcome);
    if (outcome.kind === 'rejected') rejections.push(outcome);
  };
  const sink = {
    record: keepOutcomes
      ? (raw: RawCallRecord) => take(run.add(raw))
      : (raw: RawCallRecord) => {
          // Stored records (nearly all) make no outcome object.
          if (run.take(raw) === NOT_STORED) take(run.refused as RecordOutcome);
        },
    problem: (line: number, callId: string | undefined, message: string) =>
      take({ kind: 'rejected', line, callId, rejection: { code: 'malformed_record', message } }),
  };
  if (options.from) {
    let text: string;
    try {
      text = readFileSync(options.calls === '-' ? 0 : options.calls, 'utf8');
    } catch (error) {
      throw new InputError(options.calls, undefined, `cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    // Loaded only when asked for: the generic path starts faster without it.
    const { importCalls } = await import('../formats/importers/importer.js');
    let imported;
    try {
      imported = importCalls(options.from, text, {
        ...(options.timezone ? { timeZone: options.timezone } : {}),
        ...(options.account ? { accountId: options.account } : {}),
        accountForNumber: accountByNumber(book),
      });
    } catch (error) {
      if (error instanceof InputError) throw error;
      throw new InputError(options.calls, undefined, error instanceof Error ? error.message : String(error));
    }
    // Problems and records interleave by line so that `rate` prints in input order.
    const problems = [...imported.problems];
    let next = 0;
    for (const record of imported.records) {
      while (next < problems.length && (problems[next]?.line ?? 0) < record.line) {
        const problem = problems[next++];
        if (problem) sink.problem(problem.line, undefined, problem.message);
      }
      sink.record(record);
    }
    for (; next < problems.length; next++) {
      const problem = problems[next];
      if (problem) sink.problem(problem.line, undefined, problem.message);
    }
  } else {
    let total = 0;
    try {
      total = statSync(options.calls).size;
    } catch {
      // readCallFile reports the missing file with its name
    }
    const progress = progressFor('Reading calls', total);
    try {
      await readCallFile(options.calls, sink, { onProgress: (done, all) => progress.update(done, all) });
    } finally {
      progress.stop();
    }
  }
  return { settled: run.settle({ keepDraws: keepOutcomes }), outcomes, rejections };
}

/** Rejected records on stderr, `file:line: call_id: reason`, at most `limit` of them. */
export function reportRejections(file: string, rejections: RunResult['rejections'], limit = 50): void {
  for (const rejected of rejections.slice(0, limit)) {
    process.stderr.write(`${file}:${rejected.line}: ${rejected.callId ?? '(no call_id)'}: ${rejectionText(rejected.rejection)}\n`);
  }
  if (rejections.length > limit) {
    process.stderr.write(`… and ${rejections.length - limit} more rejected records (\`voicebill rate\` lists every record)\n`);
  }
  if (rejections.length > 0) process.stderr.write(`voicebill: ${rejections.length} record${rejections.length === 1 ? ' was' : 's were'} rejected; the rest were billed\n`);
}
