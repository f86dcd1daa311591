/** Every kind of bad record of SPEC §14 is refused with its reason, and the good ones still bill. */
import { describe, expect, it } from 'vitest';
import type { RejectionCode } from '../../src/core/call-record.js';
import { callRecord, makeBook, runRecords, type CallFields } from '../support/book.js';

const book = makeBook();

const bad: [string, CallFields, RejectionCode][] = [
  ['unparseable timestamp', { answered_at: '2026-11-03 10:00' }, 'unparseable_timestamp'],
  ['unparseable started_at', { started_at: 'yesterday' }, 'unparseable_timestamp'],
  ['timestamp without offset', { ended_at: '2026-11-03T10:01:05' }, 'unparseable_timestamp'],
  ['ended before answered', { answered_at: '2026-11-03T10:00:05Z', ended_at: '2026-11-03T10:00:04.999Z' }, 'ended_before_answered'],
  ['unknown account', { account_id: 'nobody' }, 'unknown_account'],
  ['unknown direction', { direction: 'sideways' }, 'unknown_direction'],
  ['no carrier rate', { to: '+33612345678' }, 'no_carrier_rate'],
  ['before the first period', { started_at: '2026-01-30T10:00:00Z', answered_at: '2026-01-30T10:00:05Z', ended_at: '2026-01-30T10:01:05Z' }, 'before_first_period'],
  ['unanswered before the first period', { started_at: '2026-01-30T10:00:00Z', answered_at: '', ended_at: '2026-01-30T10:01:05Z' }, 'before_first_period'],
  ['missing to on a phone call', { to: '' }, 'missing_field'],
  ['not a phone number', { to: '+1 415 CALL ME' }, 'invalid_number'],
  ['empty call_id', { call_id: '' }, 'missing_field'],
  ['ended 1 ns before it was answered', { answered_at: '2026-11-03T10:00:05.000000001Z', ended_at: '2026-11-03T10:00:05Z' }, 'ended_before_answered'],
  ['a call of 74 years', { started_at: '1971-01-01T00:00:00Z', answered_at: '1971-01-01T00:00:00Z', ended_at: '2045-01-01T00:00:00Z' }, 'implausible_duration'],
];

describe('bad records (SPEC §14)', () => {
  it.each(bad)('%s', (_name, fields, code) => {
    const good1 = callRecord({});
    const good2 = callRecord({ answered_at: '2026-11-04T10:00:05Z', started_at: '2026-11-04T10:00:00Z', ended_at: '2026-11-04T10:02:05Z' });
    const { outcomes, settled } = runRecords(book, [good1, callRecord(fields), good2]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['rated', 'rejected', 'rated']);
    const rejected = outcomes[1];
    if (rejected?.kind !== 'rejected') throw new Error('not rejected');
    expect(rejected.rejection.code).toBe(code);
    expect(rejected.line).toBe(3);
    // The good records around it are billed: 60 s + 120 s of AI time plus carrier usage.
    const totals = settled.accounts.get('acme')?.totals.get(9);
    expect(totals?.calls).toBe(2);
    // 60 s: carrier 0.013 → 7.8 s of usage; 120 s: carrier 0.026 → 15.6 s.
    expect(totals?.includedUsed).toBe(60_000 + 7_800 + 120_000 + 15_600);
  });

  it('a repeated call_id with identical fields bills once; with different fields it is rejected', () => {
    const first = callRecord({ call_id: 'dup' });
    const same = { ...first };
    const sameInstantOtherSpelling = { ...first, answered_at: '2026-11-03T05:00:05-05:00' };
    const different = { ...first, ended_at: '2026-11-03T10:09:05Z' };
    const { outcomes, settled } = runRecords(book, [first, same, sameInstantOtherSpelling, different]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['rated', 'duplicate', 'duplicate', 'rejected']);
    expect(outcomes[1]).toMatchObject({ duplicateOfLine: 2 });
    expect(outcomes[3]).toMatchObject({ rejection: { code: 'conflicting_duplicate' } });
    expect(settled.accounts.get('acme')?.totals.get(9)?.calls).toBe(1);
  });

  it('nanosecond timestamps: a fraction past the microsecond still rounds the duration up', () => {
    const web = (ended: string) => callRecord({ direction: 'web', to: '', answered_at: '2026-11-03T10:00:00.000000000Z', ended_at: ended });
    const { settled, outcomes } = runRecords(book, [
      web('2026-11-03T10:01:30.000000100Z'),
      web('2026-11-03T10:01:30.000000000Z'),
      web('2026-11-03T10:01:30.0000000Z'),
      web('2026-11-03T10:01:30.0000000001Z'),
      callRecord({ direction: 'web', to: '', answered_at: '2026-11-03T10:00:00.999999999Z', ended_at: '2026-11-03T10:01:30.999999999Z' }),
    ]);
    const billable = outcomes.map((outcome) => (outcome.kind === 'rated' ? settled.run.rating(outcome.row).billableSeconds : -1));
    expect(billable).toEqual([91, 90, 90, 91, 90]);
  });

  it('a rejected record does not claim its call_id: a corrected record may follow', () => {
    const broken = callRecord({ call_id: 'fixme', direction: 'sidewise' });
    const fixed = callRecord({ call_id: 'fixme' });
    const { outcomes } = runRecords(book, [broken, fixed]);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['rejected', 'rated']);
  });
});
