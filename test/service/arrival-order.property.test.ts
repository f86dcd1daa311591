/**
 * Property (fast-check), on both stores: whatever order and batches the calls arrive in, the
 * service's invoices equal the batch core's over the same calls, and the ledger's balances
 * equal its entries. The calls are a random sample of the example month for the two
 * accounts with bundles, with few included minutes so that draw order matters, sent shuffled
 * in random batches.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { makeBillingBook } from '../../src/core/billing-book.js';
import { BillingRun } from '../../src/core/billing-run.js';
import { invoicesOfMonth } from '../../src/cli/commands/invoice.js';
import { accountsFromDocument } from '../../src/formats/accounts-file.js';
import { tariffFromDocument } from '../../src/formats/tariff-file.js';
import { openBillingService } from '../../src/service/open-service.js';
import { createTestDatabase, DATABASE_KINDS } from '../support/databases.js';
import { exampleAccountDocuments, exampleCallRecords, exampleTariffDocument } from '../support/example-data.js';

const NOW = new Date('2026-12-03T12:00:00Z');
const ACCOUNTS = ['bright-realty', 'mumbai-clinic'];

describe.each(DATABASE_KINDS)('arrival order on %s', (kind) => {
  it('never changes an invoice', async () => {
    // Few included minutes: they run out early, so which calls fall to bundles (bought mid-month)
    // or to pay-as-you-go depends on the draw order, which is what arrival order must not change.
    const tariffDocument = exampleTariffDocument() as { plans: Record<string, Record<string, unknown>> };
    for (const plan of Object.values(tariffDocument.plans)) plan.included_minutes = 20;
    const accountDocuments = Object.fromEntries(Object.entries(exampleAccountDocuments()).filter(([id]) => ACCOUNTS.includes(id)));
    const tariff = tariffFromDocument('tariff', tariffDocument);
    const book = makeBillingBook(tariff, accountsFromDocument('accounts', { accounts: accountDocuments }, tariff));
    const all = (await exampleCallRecords()).filter((record) => ACCOUNTS.includes(record.account_id ?? ''));

    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(all, { minLength: 1, maxLength: 400 }),
        fc.integer({ min: 1, max: 150 }),
        async (calls, batchSize) => {
          const run = new BillingRun(book);
          calls.forEach((call, index) => run.add({ line: index + 1, call_id: '', account_id: '', direction: '', from: '', to: '', started_at: '', answered_at: '', ended_at: '', end_reason: '', ...call }));
          const settled = run.settle();
          const expected = ['2026-10', '2026-11'].flatMap((month) => invoicesOfMonth(settled, month));

          const database = await createTestDatabase(kind);
          const { service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_property' });
          try {
            await service.putTariff(tariffDocument);
            for (const [id, document] of Object.entries(accountDocuments)) await service.putAccount(id, document);
            for (let start = 0; start < calls.length; start += batchSize) await service.ingestCalls(calls.slice(start, start + batchSize), NOW);
            const actual = [];
            for (const month of ['2026-10', '2026-11']) {
              for (const id of ACCOUNTS) {
                const { number: _n, status: _s, closed_at: _c, ...invoice } = await service.getInvoice(id, month, NOW);
                actual.push(invoice);
              }
            }
            expect(actual).toEqual(expected);
            expect((await service.doctor()).differences).toEqual([]);
          } finally {
            await service.close();
            await database.drop();
          }
        },
      ),
      { numRuns: 8 },
    );
    // Each run makes its own database; PostgreSQL's CREATE DATABASE dominates.
  }, 300_000);
});
