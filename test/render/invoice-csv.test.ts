import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { INVOICE_CSV_COLUMNS, renderInvoicesCsv } from '../../src/render/invoice-csv.js';
import { makeInvoices, TAXED_DESCRIPTION } from './invoice-fixture.js';

function parseRows(csv: string): Record<string, string>[] {
  return parse<Record<string, string>>(csv, { columns: true });
}

describe('renderInvoicesCsv', () => {
  const invoices = makeInvoices();
  const csv = renderInvoicesCsv(invoices);

  it('writes a header and one row per invoice line, in order', () => {
    expect(csv.split('\r\n')[0]).toBe(INVOICE_CSV_COLUMNS.join(','));
    const rows = parseRows(csv);
    expect(rows).toHaveLength(8);
    const expected = invoices.flatMap((invoice) =>
      invoice.lines.map((line) => ({
        account_id: invoice.account_id,
        period_start: invoice.period_start,
        period_end: invoice.period_end,
        currency: invoice.currency,
        kind: line.kind,
        description: line.description,
        quantity: line.quantity,
        unit_price: line.unit_price ?? '',
        amount: line.amount,
        subtotal: invoice.subtotal,
        tax: invoice.tax,
        total: invoice.total,
      })),
    );
    expect(rows).toEqual(expected);
  });

  it('quotes a description with a comma and a quote as RFC 4180 says', () => {
    expect(csv).toContain('"Bundle ""night-owl"", 1,000 minutes, bought 2026-11-03"');
    expect(parseRows(csv).map((row) => row.description)).toContain(TAXED_DESCRIPTION);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(csv.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('keeps the figures as the exact decimal strings', () => {
    const alpha = parseRows(csv).filter((row) => row.account_id === 'acc_alpha');
    expect(alpha.map((row) => row.amount)).toEqual(['1499.00', '16.05', '23.41', '9.00', '1.15', '137.44']);
    expect(alpha.find((row) => row.kind === 'overage')?.quantity).toBe('1234.500000');
    expect(new Set(alpha.map((row) => row.total))).toEqual(new Set(['1686.05']));
    // The line amounts of an invoice, tax included, add up to its total (cents as bigint).
    const cents = alpha.reduce((sum, row) => sum + BigInt(row.amount!.replace('.', '')), 0n);
    expect(cents).toBe(168605n);
  });

  it('writes only the header when there are no invoices, and a row for an invoice without lines', () => {
    expect(renderInvoicesCsv([])).toBe(`${INVOICE_CSV_COLUMNS.join(',')}\r\n`);
    const [, beta] = makeInvoices();
    const rows = parseRows(renderInvoicesCsv([{ ...beta!, lines: [] }]));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ account_id: 'acc_beta', kind: '', amount: '', total: '0.14' });
  });
});
