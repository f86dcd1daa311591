/**
 * CSV invoices (`voicebill invoice --format csv`), RFC 4180: a header row, CRLF line ends,
 * fields quoted when they hold a comma, a quote or a line break (quotes doubled).
 *
 * Layout: one row per invoice line, in the invoice's line order, invoices in the order given.
 * Columns: account_id, period_start, period_end, currency, kind, description, quantity,
 * unit_price, amount, subtotal, tax, total. The invoice totals are columns repeated on every
 * row of that invoice rather than extra rows, so every row stands alone (filter by account,
 * pivot, import into a table) and summing `amount` over the rows never counts a total twice:
 * the `amount`s of one invoice's rows add up to its `total`. A line without a unit price
 * (carrier passthrough, tax) has an empty `unit_price`. Figures are the §13 decimal strings
 * unchanged: no thousands separators, no currency symbols. An invoice without lines (the
 * spec always has at least `plan_fee` and `overage`) still gets one row, with the line fields
 * empty, so that its totals are not lost.
 */
import { stringify } from 'csv-stringify/sync';
import type { InvoiceDocument } from '../formats/invoice-document.js';

export const INVOICE_CSV_COLUMNS = [
  'account_id',
  'period_start',
  'period_end',
  'currency',
  'kind',
  'description',
  'quantity',
  'unit_price',
  'amount',
  'subtotal',
  'tax',
  'total',
] as const;

export type InvoiceCsvColumn = (typeof INVOICE_CSV_COLUMNS)[number];

export function renderInvoicesCsv(invoices: InvoiceDocument[]): string {
  const rows = invoices.flatMap(invoiceRows);
  return stringify(rows, { header: true, columns: [...INVOICE_CSV_COLUMNS], record_delimiter: 'windows' });
}

function invoiceRows(invoice: InvoiceDocument): Record<InvoiceCsvColumn, string>[] {
  const common = {
    account_id: invoice.account_id,
    period_start: invoice.period_start,
    period_end: invoice.period_end,
    currency: invoice.currency,
    subtotal: invoice.subtotal,
    tax: invoice.tax,
    total: invoice.total,
  };
  if (invoice.lines.length === 0) {
    return [{ ...common, kind: '', description: '', quantity: '', unit_price: '', amount: '' }];
  }
  return invoice.lines.map((line) => ({
    ...common,
    kind: line.kind,
    description: line.description,
    quantity: line.quantity,
    unit_price: line.unit_price ?? '',
    amount: line.amount,
  }));
}
