import { describe, expect, it } from 'vitest';
import { BillingRun } from '../../src/core/billing-run.js';
import { callRecord, makeBook } from '../support/book.js';

const ACCOUNTS = `
accounts:
  acme: {plan: starter, timezone: America/New_York, billing_anchor: 2026-01-31, country: US, bundles: [{bundle: small, purchased_at: "2026-11-01T00:00:00Z"}]}
  beta: {plan: pass, timezone: Europe/Berlin, billing_anchor: 2026-01-15, country: DE}
  gamma: {plan: starter, timezone: Asia/Kolkata, billing_anchor: 2026-02-28, country: IN}
`;

describe('settle', () => {
  it('gives the same draws, totals and draw order whether the accounts are gathered in one chunk or many', () => {
    const book = makeBook(undefined, ACCOUNTS);
    const run = new BillingRun(book);
    const accounts = ['acme', 'beta', 'gamma'];
    for (let index = 0; index < 300; index++) {
      const minute = String((index * 7) % 60).padStart(2, '0');
      const day = String(1 + ((index * 13) % 28)).padStart(2, '0');
      // Many calls share an instant, so the call_id tie-break is exercised too.
      const at = `2026-11-${day}T1${index % 3}:${minute}:00Z`;
      const ended = `2026-11-${day}T1${index % 3}:${minute}:${String(5 + ((index * 17) % 50)).padStart(2, '0')}Z`;
      const to = index % 4 === 0 ? '+442071234567' : '+15557654321';
      run.add(callRecord({ call_id: `id-${(index * 37) % 301}`, account_id: accounts[index % 3], to, started_at: at, answered_at: index % 5 === 0 ? '' : at, ended_at: ended, direction: index % 7 === 0 ? 'web' : 'outbound' }, index + 2));
    }
    const shape = (chunkRows?: number) => {
      const settled = run.settle({ keepDraws: true, ...(chunkRows === undefined ? {} : { chunkRows }) });
      return {
        accounts: [...settled.accounts].map(([id, account]) => ({ id, rows: [...account.rows], totals: [...account.totals], left: account.bundles.map((bundle) => bundle.left) })),
        draws: settled.draws && [[...settled.draws.included], [...settled.draws.bundle], [...settled.draws.payg]],
      };
    };
    const whole = shape();
    expect(whole.accounts.map((account) => account.rows.length)).toEqual([100, 100, 100]);
    expect(shape(1)).toEqual(whole);
    expect(shape(150)).toEqual(whole);
    // The usage view's path (rows already in draw order, read from the table) agrees too.
    const settled = run.settle();
    for (const account of settled.accounts.values()) {
      expect([...run.settleAccount(account.entry, account.rows, Number.POSITIVE_INFINITY).totals]).toEqual([...account.totals]);
    }
  });
});
