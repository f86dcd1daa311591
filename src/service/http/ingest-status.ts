/**
 * The status of `POST /v1/calls`. A batch is answered record by record, so the status only
 * says whether anything was taken: 200 when at least one record was rated or recognised as a
 * duplicate (a retry of a batch that already went through must look like success); when none
 * was, 409 if every refusal is a conflicting duplicate (the client sent different data under
 * known call ids), else 422.
 */
import type { CallResult } from '../billing-service.js';

export function ingestStatus(results: readonly CallResult[]): 200 | 409 | 422 {
  if (results.length === 0 || results.some((result) => result.status !== 'rejected')) return 200;
  const allConflicts = results.every((result) => result.status === 'rejected' && result.error.code === 'conflicting_duplicate');
  return allConflicts ? 409 : 422;
}
