/** `voicebill usage --at INSTANT`: the §10 usage view of every account that has begun by then. */
import { parseInstant } from '../../core/instant.js';
import { buildUsageView } from '../../core/usage-view.js';
import { toUsageDocument, type UsageDocument } from '../../formats/invoice-document.js';
import { InputError } from '../../formats/input-error.js';
import { reportRejections, settleCalls, type BillingInputOptions } from '../billing-inputs.js';
import { EXIT_OK, EXIT_REJECTED_RECORDS, type ExitStatus } from '../exit-status.js';

export interface UsageOptions extends BillingInputOptions {
  readonly at: string;
}

export async function usageCommand(options: UsageOptions): Promise<ExitStatus> {
  const at = parseInstant(options.at);
  if (at === undefined) throw new InputError('--at', undefined, `"${options.at}" is not an RFC 3339 instant with offset (e.g. 2026-05-20T12:00:00Z)`);
  const { settled, rejections } = await settleCalls(options);
  const views: UsageDocument[] = [];
  for (const account of settled.accounts.values()) {
    const view = buildUsageView(settled.run, account, at);
    if (view) views.push(toUsageDocument(view, account.entry.account.timeZone));
  }
  process.stdout.write(`${JSON.stringify(views, null, 1)}\n`);
  reportRejections(options.calls, rejections);
  return rejections.length > 0 ? EXIT_REJECTED_RECORDS : EXIT_OK;
}
