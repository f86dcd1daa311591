/**
 * Where an importer puts what it mapped: finished drafts get their account here (the one rule
 * every platform shares), and the result lists records and problems in file order.
 */
import type { RawCallRecord } from '../../core/call-record.js';
import type { ImportOptions, ImportProblem, ImportResult } from './importer.js';

/** A mapped record before its account is known. */
export type CallDraft = Omit<RawCallRecord, 'account_id'>;

export class ImportCollector {
  private readonly records: RawCallRecord[] = [];
  private readonly problems: ImportProblem[] = [];

  constructor(private readonly options: ImportOptions) {}

  problem(line: number, message: string): void {
    this.problems.push({ line, message });
  }

  /** Adds the draft with its account, or a problem when no account can be found for it. */
  draft(draft: CallDraft): void {
    const account = accountOf(draft, this.options);
    if (account.accountId === undefined) this.problem(draft.line, account.reason);
    else this.records.push({ ...draft, account_id: account.accountId });
  }

  result(): ImportResult {
    const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
    return { records: [...this.records].sort(byLine), problems: [...this.problems].sort(byLine) };
  }
}

type AccountOutcome = { accountId: string; reason?: undefined } | { accountId?: undefined; reason: string };

/** `--account` wins; otherwise the platform's own number (inbound: to, outbound: from) names it. */
function accountOf(draft: CallDraft, options: ImportOptions): AccountOutcome {
  if (options.accountId !== undefined && options.accountId !== '') return { accountId: options.accountId };
  if (draft.direction === 'web') return { reason: 'no account for a web call (it has no platform number); pass --account' };
  const side = draft.direction === 'outbound' ? 'from' : 'to';
  const number = draft[side];
  const digits = number.replace(/\D/g, '');
  if (digits === '') return { reason: `no account: the platform's number (${side}) is not in the record; pass --account` };
  const accountId = options.accountForNumber?.(digits);
  if (accountId === undefined || accountId === '') return { reason: `no account for number ${number}; pass --account` };
  return { accountId };
}
