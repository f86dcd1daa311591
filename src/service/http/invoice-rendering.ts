/**
 * One invoice for people, through the same renderers the batch command uses (`src/render/`),
 * so an invoice downloaded from the API reads exactly like `voicebill invoice --format …`.
 * The format comes from `?format=` or else the Accept header; JSON is the default.
 */
import type { ClosedOrDraftInvoice } from '../billing-service.js';
import { renderInvoicesCsv } from '../../render/invoice-csv.js';
import { renderInvoicesText } from '../../render/invoice-text.js';

export const INVOICE_FORMATS = ['json', 'text', 'csv', 'pdf'] as const;
export type InvoiceFormat = (typeof INVOICE_FORMATS)[number];

export const CONTENT_TYPE_OF: Readonly<Record<InvoiceFormat, string>> = {
  json: 'application/json; charset=utf-8',
  text: 'text/plain; charset=utf-8',
  csv: 'text/csv; charset=utf-8',
  pdf: 'application/pdf',
};

const FORMAT_OF_MEDIA_TYPE: Readonly<Record<string, InvoiceFormat>> = {
  'application/json': 'json',
  'text/plain': 'text',
  'text/csv': 'csv',
  'application/pdf': 'pdf',
};

/**
 * The format asked for: `?format=` wins; else the Accept media type with the highest q (ties
 * in the order written) that we can render; JSON when there is none or only wildcards.
 */
export function chooseInvoiceFormat(format: InvoiceFormat | undefined, accept: string | undefined): InvoiceFormat {
  if (format) return format;
  if (!accept) return 'json';
  let best: { format: InvoiceFormat; quality: number } | undefined;
  for (const range of accept.split(',')) {
    const [mediaType = '', ...parameters] = range.split(';').map((part) => part.trim().toLowerCase());
    const candidate = FORMAT_OF_MEDIA_TYPE[mediaType];
    if (!candidate) continue;
    const qualityText = parameters.find((parameter) => parameter.startsWith('q='))?.slice(2);
    const quality = qualityText === undefined ? 1 : Number(qualityText);
    if (!Number.isFinite(quality) || quality <= 0) continue;
    if (!best || quality > best.quality) best = { format: candidate, quality };
  }
  return best?.format ?? 'json';
}

/** `invoice-acme-dental-2026-11.pdf`: a name that says what the file is when saved. */
export function invoiceFileName(invoice: ClosedOrDraftInvoice, month: string, format: Exclude<InvoiceFormat, 'json'>): string {
  const extension = format === 'text' ? 'txt' : format;
  const safeAccount = invoice.account_id.replace(/[^A-Za-z0-9._-]/g, '_');
  return `invoice-${safeAccount}-${month}.${extension}`;
}

export async function renderInvoice(invoice: ClosedOrDraftInvoice, format: Exclude<InvoiceFormat, 'json'>): Promise<string | Buffer> {
  switch (format) {
    case 'text':
      return renderInvoicesText([invoice]);
    case 'csv':
      return renderInvoicesCsv([invoice]);
    case 'pdf': {
      // pdfkit takes ~300 ms to load: only when a PDF is first asked for.
      const { renderInvoicesPdf } = await import('../../render/invoice-pdf.js');
      return renderInvoicesPdf([invoice]);
    }
  }
}
