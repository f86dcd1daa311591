import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderInvoicesPdf } from '../../src/render/invoice-pdf.js';
import { makeInvoices } from './invoice-fixture.js';

const hasPdftotext = spawnSync('pdftotext', ['-v']).error === undefined;
const scratch = mkdtempSync(join(tmpdir(), 'voicebill-pdf-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function pdfText(pdf: Buffer, name: string): string {
  const file = join(scratch, `${name}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('renderInvoicesPdf', () => {
  it('writes a PDF document', async () => {
    const pdf = await renderInvoicesPdf(makeInvoices());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).toContain('%%EOF');
  });

  it('gives the same bytes for the same invoices', async () => {
    const first = await renderInvoicesPdf(makeInvoices());
    const second = await renderInvoicesPdf(makeInvoices());
    expect(first.equals(second)).toBe(true);
  });

  it('writes a page even when there are no invoices', async () => {
    const pdf = await renderInvoicesPdf([]);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it.skipIf(!hasPdftotext)('shows each account, its lines, totals and usage (pdftotext)', async () => {
    const text = pdfText(await renderInvoicesPdf(makeInvoices()), 'two');
    const pages = text.split('\f').filter((page) => page.trim() !== '');
    expect(pages).toHaveLength(2);
    expect(pages[0]).toContain('acc_alpha');
    expect(pages[0]).toMatch(/Total USD +1,686\.05/);
    expect(pages[0]).toContain('1,548.61');
    expect(pages[0]).toContain('137.44');
    expect(pages[0]).toContain('Bundle "night-owl", 1,000 minutes');
    expect(pages[0]).toContain('500.00 of 500 used');
    expect(pages[0]).toContain('Page 1 of 1');
    expect(pages[1]).toContain('acc_beta');
    expect(pages[1]).toMatch(/Total USD +0\.14/);
  });

  it.skipIf(!hasPdftotext)('runs a long invoice onto more pages, numbered within the invoice', async () => {
    const [alpha, beta] = makeInvoices();
    const many = Array.from({ length: 60 }, (_, index) => ({ ...alpha!.lines[4]!, description: `Number ${index}` }));
    const text = pdfText(await renderInvoicesPdf([{ ...alpha!, lines: [...alpha!.lines, ...many] }, beta!]), 'long');
    const pages = text.split('\f').filter((page) => page.trim() !== '');
    expect(pages.length).toBeGreaterThanOrEqual(3);
    expect(pages[0]).toMatch(/Page 1 of [2-9]/);
    expect(pages[1]).toContain('Description');
    expect(pages.at(-1)).toContain('Page 1 of 1');
    expect(text).toMatch(/Total USD +1,686\.05/);
  });
});
