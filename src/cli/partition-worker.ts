/** The helper thread of `call-partition.ts`: reads the call file, keeping the helper's half. */
import { parentPort, workerData } from 'node:worker_threads';
import { BillingRun, NOT_STORED } from '../core/billing-run.js';
import { readCallFile } from '../formats/call-records.js';
import { expectedRecords, loadBook } from './billing-inputs.js';
import { partitionOf, type PartitionRequest, type PartitionResult, type Rejected } from './call-partition.js';

const request = workerData as PartitionRequest;
const book = loadBook({ tariff: request.tariff, accounts: request.accounts, calls: request.calls });
const run = new BillingRun(book, Math.ceil(expectedRecords(request.calls) * 0.55) + 1024);
const rejections: [number, Rejected][] = [];
let ordinal = 0;
await readCallFile(
  request.calls,
  {
    record: (raw) => {
      if (run.take(raw) === NOT_STORED && run.refused?.kind === 'rejected') rejections.push([ordinal, run.refused]);
      ordinal++;
    },
    problem: (line, callId, message) => {
      rejections.push([ordinal++, { kind: 'rejected', line, callId, rejection: { code: 'malformed_record', message } }]);
    },
    skipped: () => ordinal++,
  },
  { keep: (callId) => callId !== '' && partitionOf(callId) === 1 },
);
const columns = run.table.columns();
const ids = run.ids.parts();
const result: PartitionResult = { accounts: book.accounts.size, rateRows: book.tariff.rateDeck.rows.length, columns, ids, rejections };
const buffers = [columns.line, columns.account, columns.period, columns.flags, columns.time, columns.endedAt, columns.billableSeconds, columns.rateRow, columns.fingerprint, ids.bytes, ids.offsets].map((array) => array.buffer);
parentPort?.postMessage(result, buffers as ArrayBuffer[]);
