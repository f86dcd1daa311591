/** `voicebill invoice --period YYYY-MM`: the invoices of the periods starting in that month (SPEC §9, §13). */
import { writeFileSync } from 'node:fs';
import type { SettledRun } from '../../core/billing-run.js';
import { buildInvoice } from '../../core/invoice.js';
import { emptyTotals } from '../../core/period-totals.js';
import { toInvoiceDocument, type InvoiceDocument } from '../../formats/invoice-document.js';
import { InputError } from '../../formats/input-error.js';
import { renderInvoicesCsv } from '../../render/invoice-csv.js';
import { renderInvoicesText } from '../../render/invoice-text.js';
import { reportRejections, settleCalls, type BillingInputOptions } from '../billing-inputs.js';
import { EXIT_OK, EXIT_REJECTED_RECORDS, type ExitStatus } from '../exit-status.js';

export const INVOICE_FORMATS = ['json', 'text', 'csv', 'pdf'] as const;
export type InvoiceFormat = (typeof INVOICE_FORMATS)[number];

export interface InvoiceOptions extends BillingInputOptions {
  readonly period: string;
  readonly format: InvoiceFormat;
  readonly output?: string;
}

const MONTH = /^\d{4}-(0[1-9]|1[0-2])$/;

export function invoicesOfMonth(settled: SettledRun, month: string): InvoiceDocument[] {
  const documents: InvoiceDocument[] = [];
  for (const account of settled.accounts.values()) {
    const period = account.entry.calendar.periodStartingIn(month);
    if (!period) continue;
    const { entry } = account;
    const totals = account.totals.get(period.index) ?? emptyTotals();
    documents.push(toInvoiceDocument(buildInvoice({ tariff: settled.run.book.tariff, account: entry.account, plan: entry.plan, period, totals })));
  }
  return documents;
}

export async function invoiceCommand(options: InvoiceOptions): Promise<ExitStatus> {
  if (!MONTH.test(options.period)) throw new InputError('--period', undefined, `"${options.period}" is not a month YYYY-MM`);
  const { settled, rejections } = await settleCalls(options);
  const documents = invoicesOfMonth(settled, options.period);
  let rendered: string | Buffer;
  switch (options.format) {
    case 'json':
      rendered = `${JSON.stringify(documents, null, 1)}\n`;
      break;
    case 'text':
      rendered = renderInvoicesText(documents);
      break;
    case 'csv':
      rendered = renderInvoicesCsv(documents);
      break;
    case 'pdf': {
      // pdfkit takes ~300 ms to load: only when a PDF is asked for.
      const { renderInvoicesPdf } = await import('../../render/invoice-pdf.js');
      rendered = await renderInvoicesPdf(documents);
      break;
    }
  }
  if (options.output) {
    try {
      writeFileSync(options.output, rendered);
    } catch (error) {
      throw new InputError('--output', options.output, `cannot write: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  else if (options.format === 'pdf' && process.stdout.isTTY) {
    throw new InputError('--output', undefined, 'a PDF is binary: give --output FILE.pdf or redirect stdout to a file');
  } else process.stdout.write(rendered);
  reportRejections(options.calls, rejections);
  return rejections.length > 0 ? EXIT_REJECTED_RECORDS : EXIT_OK;
}
