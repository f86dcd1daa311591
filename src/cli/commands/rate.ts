/** `voicebill rate`: one JSON line per input record, in input order (SPEC §13). */
import type { BillingRun, CallDraws } from '../../core/billing-run.js';
import { formatScaled } from '../../core/decimal.js';
import { formatUsageSeconds } from '../../formats/invoice-document.js';
import { loadBook, runCalls, type BillingInputOptions } from '../billing-inputs.js';
import { BufferedOutput } from '../output.js';
import { rejectionText } from '../rejection-text.js';
import { EXIT_OK, EXIT_REJECTED_RECORDS, type ExitStatus } from '../exit-status.js';

export function rateLine(run: BillingRun, draws: CallDraws, row: number): string {
  const rating = run.rating(row);
  const entry = run.entryOf(row);
  return JSON.stringify({
    line: run.table.line[row],
    call_id: run.ids.callId(row),
    account_id: entry.account.id,
    direction: run.table.direction(row),
    billable_seconds: rating.billableSeconds,
    ai_seconds: rating.aiSeconds,
    carrier_prefix: rating.carrierPrefix,
    carrier_country: rating.carrierCountry,
    carrier_seconds: rating.carrierSeconds,
    carrier_cost: formatScaled(rating.carrierCost, 6),
    surcharge_cost: formatScaled(rating.surchargeCost, 6),
    carrier_usage_seconds: formatUsageSeconds(rating.carrierUsage),
    usage_seconds: formatUsageSeconds(rating.usage),
    included_seconds: formatUsageSeconds(draws.included[row] as number),
    bundle_seconds: formatUsageSeconds(draws.bundle[row] as number),
    payg_seconds: formatUsageSeconds(draws.payg[row] as number),
    period_start: entry.calendar.period(run.table.period[row] as number).startText,
  });
}

export async function rateCommand(options: BillingInputOptions): Promise<ExitStatus> {
  const book = loadBook(options);
  const { settled, outcomes, rejections } = await runCalls(book, options, { keepOutcomes: true });
  const draws = settled.draws as CallDraws;
  const output = new BufferedOutput();
  for (const outcome of outcomes) {
    let text: string;
    if (outcome.kind === 'rated') text = rateLine(settled.run, draws, outcome.row);
    else if (outcome.kind === 'duplicate') text = JSON.stringify({ line: outcome.line, call_id: outcome.callId, duplicate_of_line: outcome.duplicateOfLine });
    else {
      text = JSON.stringify({
        line: outcome.line,
        ...(outcome.callId === undefined ? {} : { call_id: outcome.callId }),
        error: rejectionText(outcome.rejection),
        reason: outcome.rejection.code,
      });
    }
    await output.write(`${text}\n`);
  }
  await output.flush();
  // The records are on stdout with their errors; stderr says it happened (stdout is often a file).
  if (rejections.length > 0) {
    process.stderr.write(`voicebill: ${rejections.length} of ${outcomes.length} records were rejected (their lines carry "error"); the rest were rated\n`);
  }
  return rejections.length > 0 ? EXIT_REJECTED_RECORDS : EXIT_OK;
}
