/** `voicebill rate`: one JSON line per input record, in input order (SPEC §13). */
import type { RatedCall } from '../../core/billing-run.js';
import type { Draw } from '../../core/draw-down.js';
import { formatScaled } from '../../core/decimal.js';
import { formatUsageSeconds } from '../../formats/invoice-document.js';
import { loadBook, runCalls, type BillingInputOptions } from '../billing-inputs.js';
import { BufferedOutput } from '../output.js';
import { rejectionText } from '../rejection-text.js';
import { EXIT_OK, EXIT_REJECTED_RECORDS, type ExitStatus } from '../exit-status.js';

export function rateLine(rated: RatedCall, draw: Draw): string {
  const { call, rating } = rated;
  return JSON.stringify({
    line: rated.line,
    call_id: call.callId,
    account_id: call.accountId,
    direction: call.direction,
    billable_seconds: rating.billableSeconds,
    ai_seconds: rating.aiSeconds,
    carrier_prefix: rating.carrierPrefix,
    carrier_country: rating.carrierCountry,
    carrier_seconds: rating.carrierSeconds,
    carrier_cost: formatScaled(rating.carrierCost, 6),
    surcharge_cost: formatScaled(rating.surchargeCost, 6),
    carrier_usage_seconds: formatUsageSeconds(rating.carrierUsage),
    usage_seconds: formatUsageSeconds(rating.usage),
    included_seconds: formatUsageSeconds(draw.included),
    bundle_seconds: formatUsageSeconds(draw.bundle),
    payg_seconds: formatUsageSeconds(draw.payg),
    period_start: rated.period.startText,
  });
}

export async function rateCommand(options: BillingInputOptions): Promise<ExitStatus> {
  const book = loadBook(options);
  const { settled, outcomes, rejections } = await runCalls(book, options, { keepOutcomes: true });
  const draws = new Map<RatedCall, Draw>();
  for (const account of settled.accounts.values()) {
    account.calls.forEach((rated, index) => draws.set(rated, account.draws[index] as Draw));
  }
  const output = new BufferedOutput();
  for (const outcome of outcomes) {
    let text: string;
    if (outcome.kind === 'rated') text = rateLine(outcome.rated, draws.get(outcome.rated) as Draw);
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
  return rejections.length > 0 ? EXIT_REJECTED_RECORDS : EXIT_OK;
}
