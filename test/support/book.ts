/** Builds billing books and runs from inline YAML, the way the batch commands do from files. */
import { makeBillingBook, type BillingBook } from '../../src/core/billing-book.js';
import { BillingRun, type RecordOutcome, type SettledRun } from '../../src/core/billing-run.js';
import type { RawCallRecord } from '../../src/core/call-record.js';
import { accountsFromDocument } from '../../src/formats/accounts-file.js';
import { parseStructuredText } from '../../src/formats/structured-file.js';
import { tariffFromDocument } from '../../src/formats/tariff-file.js';

/** The plan and rates of SPEC §15. */
export const SPEC_TARIFF = `
currency: USD
plans:
  starter: {name: Starter, monthly_fee: "49.00", included_minutes: 500, minute_price: "0.10", rounding: 1, carrier: minutes}
  pass: {name: Pass, monthly_fee: "10.00", included_minutes: 10, minute_price: "0.10", rounding: 1, carrier: passthrough}
bundles:
  boost: {minutes: 1000, price: "80.00", valid_days: 365}
  small: {minutes: 1, price: "1.00", valid_days: 1}
carrier_rates:
  - {direction: outbound, prefix: "1", country: US, per_minute: "0.0130", connect_fee: "0", increment: "60/60"}
  - {direction: outbound, prefix: "44", country: GB, per_minute: "0.0200", connect_fee: "0.0100", increment: "1/1"}
  - {direction: inbound, prefix: "1", country: US, per_minute: "0.0085", connect_fee: "0", increment: "60/60"}
numbers:
  - {country: US, type: local, monthly_fee: "1.15"}
taxes:
  - {country: DE, percent: "19"}
`;

export const SPEC_ACCOUNTS = `
accounts:
  acme: {plan: starter, timezone: America/New_York, billing_anchor: 2026-01-31, country: US}
`;

export function makeBook(tariffYaml = SPEC_TARIFF, accountsYaml = SPEC_ACCOUNTS): BillingBook {
  const tariff = tariffFromDocument('tariff.yaml', parseStructuredText('tariff.yaml', tariffYaml));
  return makeBillingBook(tariff, accountsFromDocument('accounts.yaml', parseStructuredText('accounts.yaml', accountsYaml), tariff));
}

export type CallFields = Partial<Omit<RawCallRecord, 'line'>>;

let nextId = 1;

/** A record with sensible defaults: an answered outbound US call for `acme`. */
export function callRecord(fields: CallFields, line = 0): RawCallRecord {
  return {
    line,
    call_id: fields.call_id ?? `c${nextId++}`,
    account_id: fields.account_id ?? 'acme',
    direction: fields.direction ?? 'outbound',
    from: fields.from ?? '+15550001111',
    to: fields.to ?? '+15557654321',
    started_at: fields.started_at ?? '2026-11-03T10:00:00Z',
    answered_at: fields.answered_at ?? '2026-11-03T10:00:05Z',
    ended_at: fields.ended_at ?? '2026-11-03T10:01:05Z',
    end_reason: fields.end_reason ?? 'customer-ended-call',
  };
}

export interface RunOutput {
  readonly settled: SettledRun;
  readonly outcomes: RecordOutcome[];
}

export function runRecords(book: BillingBook, records: readonly RawCallRecord[]): RunOutput {
  const run = new BillingRun(book);
  const outcomes = records.map((record, index) => run.add({ ...record, line: record.line || index + 2 }));
  return { settled: run.settle({ keepDraws: true }), outcomes };
}

/** The rated fields of a record's outcome, as `voicebill rate` would print them (numbers). */
export function ratedRow(output: RunOutput, index: number) {
  const outcome = output.outcomes[index];
  if (!outcome || outcome.kind !== 'rated') throw new Error(`record ${index} was not rated: ${JSON.stringify(outcome)}`);
  const { run, draws } = output.settled;
  const row = outcome.row;
  return {
    rating: run.rating(row),
    included: draws?.included[row] ?? 0,
    bundle: draws?.bundle[row] ?? 0,
    payg: draws?.payg[row] ?? 0,
  };
}
