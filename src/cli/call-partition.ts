/**
 * The second core: a large CSV call file is read by two threads at once. Both read and
 * split the whole file (cheap), but each checks and stores only the records whose call_id
 * falls in its half (`partitionOf`): every record of one id, its duplicates and conflicts,
 * is judged by one thread, in file order, so "first read wins" holds as in one thread. The
 * helper (a worker_thread) starts before the main thread loads the tariff and accounts, loads
 * them itself, and hands back its calls as columns (moved, not copied) and its rejections;
 * the main thread absorbs them into its billing run and merges the rejections into the order
 * one thread would have reported them in (each carries the ordinal of its record among all
 * records and problems, which both threads count alike). Settling then runs once, on the
 * main thread, over all calls.
 *
 * Only for CSV or JSON Lines files of `VOICEBILL_SPLIT_MIN_BYTES` (8 MB) up to
 * `VOICEBILL_SPLIT_MAX_BYTES` (1 GiB: above it the helper's copy of its half, while it is
 * handed over, would push ten million calls past 1 GB of memory); not for standard input,
 * platform exports (`--from`) or `voicebill rate` (which prints every record in order).
 */
import { statSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import type { CallIdParts } from '../core/call-id-index.js';
import type { CallColumns } from '../core/call-table.js';
import type { RecordOutcome } from '../core/billing-run.js';
import type { BillingInputOptions } from './billing-inputs.js';

export type Rejected = Extract<RecordOutcome, { kind: 'rejected' }>;

/** What the helper sends back. */
export interface PartitionResult {
  readonly accounts: number;
  readonly rateRows: number;
  readonly columns: CallColumns;
  readonly ids: CallIdParts;
  /** [ordinal of the record among all records and problems, its rejection], in file order. */
  readonly rejections: [number, Rejected][];
}

export interface PartitionRequest {
  readonly tariff: string;
  readonly accounts: string;
  readonly calls: string;
}

const MIN_BYTES = 8 * 1024 * 1024;
const MAX_BYTES = 1024 * 1024 * 1024;

function bytesFromEnv(name: string, fallback: number): number {
  const text = process.env[name];
  const value = text === undefined || text === '' ? Number.NaN : Number(text);
  return Number.isFinite(value) && value >= 0 ? value : fallback;
}

/** 0 for the main thread's half, 1 for the helper's; records without a call_id stay on the main thread. */
export function partitionOf(callId: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < callId.length; index++) hash = Math.imul(hash ^ callId.charCodeAt(index), 0x01000193);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash & 1;
}

export interface PartitionHelper {
  /** The helper's calls, once it has read the whole file. */
  readonly result: Promise<PartitionResult>;
  close(): void;
}

/** Starts the helper thread when `options` and the file's size call for it, else undefined. */
export function startPartitionHelper(options: BillingInputOptions, worker = new URL('./partition-worker.js', import.meta.url)): PartitionHelper | undefined {
  if (options.from || options.calls === '-') return undefined;
  let size: number;
  try {
    const stats = statSync(options.calls);
    if (!stats.isFile()) return undefined;
    size = stats.size;
  } catch {
    return undefined; // reported with its name when read
  }
  if (size < bytesFromEnv('VOICEBILL_SPLIT_MIN_BYTES', MIN_BYTES) || size > bytesFromEnv('VOICEBILL_SPLIT_MAX_BYTES', MAX_BYTES)) return undefined;
  const request: PartitionRequest = { tariff: options.tariff, accounts: options.accounts, calls: options.calls };
  const thread = new Worker(worker, { workerData: request, stdout: false, stderr: false });
  let closed = false;
  const result = new Promise<PartitionResult>((resolve, reject) => {
    thread.once('message', (message: PartitionResult) => resolve(message));
    thread.once('error', reject);
    thread.once('exit', (code) => {
      if (!closed) reject(new Error(`the call-reading helper thread stopped (exit code ${code})`));
    });
  });
  // The main thread reports its own errors first (a bad file fails both alike).
  result.catch(() => {});
  return {
    result,
    close() {
      closed = true;
      void thread.terminate();
    },
  };
}
