/**
 * Plain-text invoices (`voicebill invoice --format text`), one block per account, laid out for
 * a terminal of 80 columns or more. Figures come straight from the §13 JSON strings; only
 * thousands separators and minutes are added for people.
 */
import { invoiceTitle, type InvoiceDocument, type InvoiceLineDocument } from '../formats/invoice-document.js';
import {
  describePeriod,
  describeQuantity,
  describeUnitPrice,
  describeUsage,
  groupThousands,
} from './invoice-figures.js';

/** The width the layout aims for; a table with very wide figures may run past it. */
const PAGE_WIDTH = 80;
const MIN_DESCRIPTION_WIDTH = 24;
const GAP = '  ';
/** A description too long for its column continues on the next lines, indented by this. */
const CONTINUATION_INDENT = '  ';

const HEADINGS = { description: 'Description', quantity: 'Quantity', unitPrice: 'Unit price', amount: 'Amount' };

export function renderInvoicesText(invoices: InvoiceDocument[]): string {
  if (invoices.length === 0) return 'No invoices.\n';
  return invoices.map(renderInvoiceText).join('\n\n');
}

interface Row {
  description: string;
  quantity: string;
  unitPrice: string;
  amount: string;
}

function renderInvoiceText(invoice: InvoiceDocument): string {
  // Tax is not an item: it is shown below the subtotal it is computed from.
  const rows: Row[] = invoice.lines.filter((line) => line.kind !== 'tax').map((line: InvoiceLineDocument) => ({
    description: line.description,
    quantity: describeQuantity(line),
    unitPrice: describeUnitPrice(line),
    amount: groupThousands(line.amount),
  }));
  const taxLine = invoice.lines.find((line) => line.kind === 'tax');
  const totals: [string, string][] = [
    ['Subtotal', groupThousands(invoice.subtotal)],
    ...(taxLine ? [[taxLine.description, groupThousands(invoice.tax)] as [string, string]] : []),
    [`Total ${invoice.currency}`, groupThousands(invoice.total)],
  ];

  const widthOf = (values: string[]): number => Math.max(...values.map((value) => value.length));
  const quantityWidth = widthOf([HEADINGS.quantity, ...rows.map((row) => row.quantity)]);
  const unitPriceWidth = widthOf([HEADINGS.unitPrice, ...rows.map((row) => row.unitPrice)]);
  const amountWidth = widthOf([HEADINGS.amount, ...rows.map((row) => row.amount), ...totals.map(([, value]) => value)]);
  const figuresWidth = quantityWidth + unitPriceWidth + amountWidth + 3 * GAP.length;
  const descriptionWidth = Math.max(MIN_DESCRIPTION_WIDTH, PAGE_WIDTH - figuresWidth);
  const tableWidth = descriptionWidth + figuresWidth;

  const tableRow = (row: Row): string[] => {
    const [first = '', ...rest] = wrapWords(row.description, descriptionWidth, CONTINUATION_INDENT);
    const figures = [
      row.quantity.padStart(quantityWidth),
      row.unitPrice.padStart(unitPriceWidth),
      row.amount.padStart(amountWidth),
    ].join(GAP);
    return [`${first.padEnd(descriptionWidth)}${GAP}${figures}`.trimEnd(), ...rest];
  };

  const heavyRule = '='.repeat(tableWidth);
  const lightRule = '-'.repeat(tableWidth);
  const title = invoiceTitle(invoice);
  const issuer = 'voicebill';
  const totalsLabelWidth = widthOf(totals.map(([label]) => label));

  const out: string[] = [
    heavyRule,
    `${title}${issuer.padStart(tableWidth - title.length)}`,
    heavyRule,
    `Account:   ${invoice.account_id}`,
    `Period:    ${describePeriod(invoice)}`,
    `Currency:  ${invoice.currency}`,
    '',
    lightRule,
    ...tableRow({
      description: HEADINGS.description,
      quantity: HEADINGS.quantity,
      unitPrice: HEADINGS.unitPrice,
      amount: HEADINGS.amount,
    }),
    lightRule,
    ...rows.flatMap(tableRow),
    lightRule,
    ...totals.map(([label, value]) => `${label.padEnd(totalsLabelWidth)}${GAP}${value.padStart(amountWidth)}`.padStart(tableWidth)),
    heavyRule,
    '',
    'Usage',
  ];
  const usage = describeUsage(invoice);
  const usageLabelWidth = widthOf(usage.map(([label]) => label)) + 1;
  for (const [label, value] of usage) out.push(`  ${`${label}:`.padEnd(usageLabelWidth)}  ${value}`);
  return `${out.join('\n')}\n`;
}

/**
 * Splits text at spaces into lines of at most `width` characters, the lines after the first
 * starting with `indent`; a word longer than a line stands alone.
 */
function wrapWords(text: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let current = '';
  for (const word of text.split(/\s+/).filter((part) => part.length > 0)) {
    const limit = lines.length === 0 ? width : width - indent.length;
    if (current === '') current = word;
    else if (current.length + 1 + word.length <= limit) current = `${current} ${word}`;
    else {
      lines.push(current);
      current = word;
    }
  }
  lines.push(current);
  return lines.map((line, index) => (index === 0 ? line : `${indent}${line}`));
}
