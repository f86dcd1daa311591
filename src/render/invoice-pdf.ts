/**
 * PDF invoices (`voicebill invoice --format pdf`) drawn with pdfkit's built-in Helvetica, so
 * nothing is read from the network or embedded. Each invoice starts on a new A4 page and runs
 * onto more pages when its lines do not fit, repeating the table heading; every page has a
 * footer naming the account and the page within that invoice.
 *
 * The output is deterministic: the document's creation date (which pdfkit also hashes into the
 * file id) is the latest period end of the invoices, not the clock, so the same invoices give
 * the same bytes. Helvetica here speaks WinAnsi: text outside Latin-1 (rare in account ids
 * and descriptions) does not render faithfully.
 */
import PDFDocument from 'pdfkit';
import type { InvoiceDocument } from '../formats/invoice-document.js';
import {
  describePeriod,
  describeQuantity,
  describeUnitPrice,
  describeUsage,
  groupThousands,
} from './invoice-figures.js';

const ISSUER = 'voicebill';
const MARGIN = 50;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const INK = '#1f2328';
const MUTED = '#6e7781';
const RULE = '#d0d7de';
const BAND = '#f3f4f6';
const ACCENT = '#0b5cad';

const BODY_SIZE = 9.5;
const CELL_PADDING = 5;

interface Column {
  heading: string;
  x: number;
  width: number;
  align: 'left' | 'right';
}

type Doc = PDFKit.PDFDocument;

export async function renderInvoicesPdf(invoices: InvoiceDocument[]): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: MARGIN,
    autoFirstPage: false,
    bufferPages: true,
    info: {
      Title: documentTitle(invoices),
      Author: ISSUER,
      Creator: ISSUER,
      Producer: ISSUER,
      CreationDate: creationDate(invoices),
    },
  });
  const done = collect(doc);

  const pageRanges: { account: string; first: number; count: number }[] = [];
  if (invoices.length === 0) {
    doc.addPage();
    drawLetterhead(doc);
    doc.font(FONT).fontSize(11).fillColor(INK).text('No invoices.', MARGIN, doc.y + 20);
    pageRanges.push({ account: '', first: 0, count: 1 });
  }
  for (const invoice of invoices) {
    const first = doc.bufferedPageRange().count;
    doc.addPage();
    drawInvoice(doc, invoice);
    pageRanges.push({ account: invoice.account_id, first, count: doc.bufferedPageRange().count - first });
  }
  for (const range of pageRanges) {
    for (let index = 0; index < range.count; index += 1) {
      doc.switchToPage(range.first + index);
      drawFooter(doc, range.account, index + 1, range.count);
    }
  }
  doc.end();
  return done;
}

function collect(doc: Doc): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

function documentTitle(invoices: InvoiceDocument[]): string {
  const [only] = invoices;
  if (invoices.length === 1 && only) return `Invoice ${only.account_id} ${only.period_start.slice(0, 10)}`;
  return 'Invoices';
}

/** The latest period end: invoices are issued when their period closes. */
function creationDate(invoices: InvoiceDocument[]): Date {
  let latest = 0;
  for (const invoice of invoices) {
    const end = Date.parse(invoice.period_end);
    if (Number.isFinite(end) && end > latest) latest = end;
  }
  return new Date(latest);
}

function contentWidth(doc: Doc): number {
  return doc.page.width - 2 * MARGIN;
}

function drawLetterhead(doc: Doc): void {
  const width = contentWidth(doc);
  doc.font(BOLD).fontSize(22).fillColor(ACCENT).text(ISSUER, MARGIN, MARGIN, { lineBreak: false });
  doc.font(BOLD).fontSize(22).fillColor(INK).text('INVOICE', MARGIN, MARGIN, { width, align: 'right', lineBreak: false });
  doc
    .font(FONT)
    .fontSize(9)
    .fillColor(MUTED)
    .text('Billing for AI voice calls', MARGIN, MARGIN + 28, { lineBreak: false });
  const ruleY = MARGIN + 48;
  doc.moveTo(MARGIN, ruleY).lineTo(MARGIN + width, ruleY).lineWidth(1.5).strokeColor(ACCENT).stroke();
  doc.y = ruleY + 16;
}

function drawInvoice(doc: Doc, invoice: InvoiceDocument): void {
  drawLetterhead(doc);
  drawParticulars(doc, invoice);
  const columns = lineColumns(doc, invoice.currency);
  drawLines(doc, invoice, columns);
  drawTotals(doc, invoice, columns);
  drawUsage(doc, invoice);
}

function drawParticulars(doc: Doc, invoice: InvoiceDocument): void {
  const top = doc.y;
  const width = contentWidth(doc);
  const leftWidth = width * 0.45;
  label(doc, 'BILLED TO', MARGIN, top);
  doc.font(BOLD).fontSize(12).fillColor(INK).text(invoice.account_id, MARGIN, top + 13, { width: leftWidth });
  const leftBottom = doc.y;

  const rightX = MARGIN + width * 0.5;
  const rightWidth = width * 0.5;
  const keyWidth = 62;
  let y = top;
  const details: [string, string][] = [
    ...(invoice.status === undefined ? [] : [['Invoice', invoice.status === 'draft' ? 'DRAFT: period still open' : (invoice.number ?? '')] as [string, string]]),
    ['Period', describePeriod(invoice).replace(' to ', ' to\n')],
    ['Currency', invoice.currency],
    ['Amount due', `${invoice.currency} ${groupThousands(invoice.total)}`],
  ];
  for (const [key, value] of details) {
    label(doc, key.toUpperCase(), rightX, y + 1);
    doc
      .font(key === 'Amount due' ? BOLD : FONT)
      .fontSize(BODY_SIZE)
      .fillColor(INK)
      .text(value, rightX + keyWidth, y, { width: rightWidth - keyWidth });
    y = doc.y + 4;
  }
  doc.y = Math.max(leftBottom, y) + 18;
}

function label(doc: Doc, text: string, x: number, y: number): void {
  doc.font(BOLD).fontSize(7.5).fillColor(MUTED).text(text, x, y, { lineBreak: false, characterSpacing: 0.5 });
}

function lineColumns(doc: Doc, currency: string): Column[] {
  const width = contentWidth(doc);
  const amount = 88;
  const unitPrice = 70;
  const quantity = 70;
  const description = width - amount - unitPrice - quantity;
  return [
    { heading: 'Description', x: MARGIN, width: description, align: 'left' },
    { heading: 'Quantity', x: MARGIN + description, width: quantity, align: 'right' },
    { heading: 'Unit price', x: MARGIN + description + quantity, width: unitPrice, align: 'right' },
    { heading: `Amount (${currency})`, x: MARGIN + width - amount, width: amount, align: 'right' },
  ];
}

function drawTableHeading(doc: Doc, columns: Column[]): void {
  const top = doc.y;
  const height = 20;
  doc.rect(MARGIN, top, contentWidth(doc), height).fill(BAND);
  for (const column of columns) {
    doc
      .font(BOLD)
      .fontSize(8.5)
      .fillColor(INK)
      .text(column.heading, column.x + CELL_PADDING, top + 6, {
        width: column.width - 2 * CELL_PADDING,
        align: column.align,
        lineBreak: false,
      });
  }
  doc.y = top + height;
}

function drawLines(doc: Doc, invoice: InvoiceDocument, columns: Column[]): void {
  drawTableHeading(doc, columns);
  // Tax is not an item: it is shown below the subtotal it is computed from.
  for (const line of invoice.lines.filter((item) => item.kind !== 'tax')) {
    const cells = [line.description, describeQuantity(line), describeUnitPrice(line), groupThousands(line.amount)];
    const [descriptionColumn] = columns;
    if (!descriptionColumn) return;
    doc.font(FONT).fontSize(BODY_SIZE);
    const textHeight = doc.heightOfString(line.description, { width: descriptionColumn.width - 2 * CELL_PADDING });
    const rowHeight = textHeight + 2 * CELL_PADDING + 2;
    if (doc.y + rowHeight > pageBottom(doc)) {
      doc.addPage();
      doc.y = MARGIN;
      drawTableHeading(doc, columns);
    }
    const top = doc.y;
    columns.forEach((column, index) => {
      const text = cells[index] ?? '';
      const innerWidth = column.width - 2 * CELL_PADDING;
      doc.fillColor(INK);
      if (column.align === 'left') {
        doc.font(FONT).fontSize(BODY_SIZE).text(text, column.x + CELL_PADDING, top + CELL_PADDING + 1, { width: innerWidth });
      } else {
        fitFontSize(doc, { text, width: innerWidth, font: FONT, size: BODY_SIZE });
        doc.text(text, column.x + CELL_PADDING, top + CELL_PADDING + 1, { width: innerWidth, align: 'right', lineBreak: false });
      }
    });
    const bottom = top + rowHeight;
    doc.moveTo(MARGIN, bottom).lineTo(MARGIN + contentWidth(doc), bottom).lineWidth(0.5).strokeColor(RULE).stroke();
    doc.y = bottom;
  }
}

/** Sets the font at `size`, or smaller when a long figure would not fit its cell. */
function fitFontSize(doc: Doc, fit: { text: string; width: number; font: string; size: number }): void {
  const { text, width, font } = fit;
  let size = fit.size;
  doc.font(font).fontSize(size);
  while (size > 5 && doc.widthOfString(text) > width) {
    size -= 0.5;
    doc.fontSize(size);
  }
}

function pageBottom(doc: Doc): number {
  return doc.page.height - MARGIN - 20;
}

function drawTotals(doc: Doc, invoice: InvoiceDocument, columns: Column[]): void {
  const blockHeight = 80;
  if (doc.y + blockHeight > pageBottom(doc)) {
    doc.addPage();
    doc.y = MARGIN;
  }
  const amountColumn = columns[columns.length - 1];
  if (!amountColumn) return;
  const labelX = amountColumn.x - 150;
  const labelWidth = 150 - CELL_PADDING;
  const valueX = amountColumn.x + CELL_PADDING;
  const valueWidth = amountColumn.width - 2 * CELL_PADDING;
  let y = doc.y + 10;
  const row = (name: string, value: string, bold: boolean, size: number): void => {
    const font = bold ? BOLD : FONT;
    doc.font(font).fontSize(size).fillColor(INK);
    doc.text(name, labelX, y, { width: labelWidth, align: 'right', lineBreak: false });
    fitFontSize(doc, { text: value, width: valueWidth, font, size });
    doc.text(value, valueX, y, { width: valueWidth, align: 'right', lineBreak: false });
    y += size + 7;
  };
  row('Subtotal', groupThousands(invoice.subtotal), false, BODY_SIZE);
  const taxLine = invoice.lines.find((line) => line.kind === 'tax');
  if (taxLine) row(taxLine.description, groupThousands(invoice.tax), false, BODY_SIZE);
  y += 2;
  doc.moveTo(labelX + 40, y).lineTo(MARGIN + contentWidth(doc), y).lineWidth(1).strokeColor(INK).stroke();
  y += 7;
  row(`Total ${invoice.currency}`, groupThousands(invoice.total), true, 12);
  doc.y = y + 18;
}

function drawUsage(doc: Doc, invoice: InvoiceDocument): void {
  const usage = describeUsage(invoice);
  const blockHeight = 30 + usage.length * 16;
  if (doc.y + blockHeight > pageBottom(doc)) {
    doc.addPage();
    doc.y = MARGIN;
  }
  const width = contentWidth(doc);
  let y = doc.y;
  doc.font(BOLD).fontSize(10.5).fillColor(INK).text('Usage this period', MARGIN, y, { lineBreak: false });
  y += 17;
  doc.moveTo(MARGIN, y).lineTo(MARGIN + width, y).lineWidth(0.5).strokeColor(RULE).stroke();
  y += 7;
  for (const [name, value] of usage) {
    doc.font(FONT).fontSize(BODY_SIZE).fillColor(MUTED).text(name, MARGIN, y, { width: 130, lineBreak: false });
    doc.fillColor(INK).text(value, MARGIN + 130, y, { width: width - 130 });
    y = doc.y + 5;
  }
  doc.y = y;
}

function drawFooter(doc: Doc, account: string, page: number, pages: number): void {
  const bottomMargin = doc.page.margins.bottom;
  doc.page.margins.bottom = 0;
  const y = doc.page.height - MARGIN + 14;
  const width = contentWidth(doc);
  doc.moveTo(MARGIN, y - 8).lineTo(MARGIN + width, y - 8).lineWidth(0.5).strokeColor(RULE).stroke();
  doc.font(FONT).fontSize(7.5).fillColor(MUTED);
  const left = account === '' ? ISSUER : `${ISSUER} · invoice for ${account}`;
  doc.text(left, MARGIN, y, { lineBreak: false });
  doc.text(`Page ${page} of ${pages}`, MARGIN, y, { width, align: 'right', lineBreak: false });
  doc.page.margins.bottom = bottomMargin;
}
