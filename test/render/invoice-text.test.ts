import { describe, expect, it } from 'vitest';
import { renderInvoicesText } from '../../src/render/invoice-text.js';
import { makeInvoices, TAXED_DESCRIPTION } from './invoice-fixture.js';

describe('renderInvoicesText', () => {
  const text = renderInvoicesText(makeInvoices());
  const lines = text.split('\n');

  it('prints a header, the totals and the usage of every account', () => {
    expect(text).toContain('Account:   acc_alpha');
    expect(text).toContain('Account:   acc_beta');
    expect(text).toContain('Period:    2026-11-01 00:00 (UTC-04:00) to 2026-12-01 00:00 (UTC-05:00)');
    expect(text).toContain('Currency:  USD');
    expect(text).toMatch(/Subtotal +1,548\.61\n/);
    expect(text).toMatch(/ {2}Tax US[^\n]* +137\.44\n/); // below the subtotal, not among the items
    expect(text).toMatch(/Total USD +1,686\.05\n/);
    expect(text).toMatch(/Total USD +0\.14\n/);
    expect(text).toContain('Included minutes:       500.00 of 500 used (30,000.000 s of 30,000.000 s)');
    expect(text).toContain('Pay-as-you-go minutes:  1,234.50 (74,070.000 s)');
    expect(text).toContain('Calls:                  1,234');
    // The bundle's description is too long for an 80-column table: it continues, indented.
    expect(text).toMatch(/\nBundle "night-owl", 1,000 minutes, bought +1 +9\.00 +9\.00\n {2}2026-11-03\n/);
    expect(TAXED_DESCRIPTION).toBe('Bundle "night-owl", 1,000 minutes, bought 2026-11-03');
  });

  it('aligns the figures of every line on their right edge', () => {
    const amountRows = lines.filter((line) => /^(Pro plan|Pay-as-you-go|Carrier|Bundle|Number|Tax US)/.test(line));
    expect(amountRows).toHaveLength(6);
    const alphaRows = amountRows.slice(0, 5);
    const ends = new Set(alphaRows.map((row) => row.length));
    expect(ends.size).toBe(1);
    const priceEnd = (row: string, price: string): number => row.indexOf(price) + price.length;
    const plan = alphaRows.find((row) => row.startsWith('Pro plan'))!;
    const overage = alphaRows.find((row) => row.startsWith('Pay-as-you-go'))!;
    expect(priceEnd(plan, '1,499.00 ')).toBe(priceEnd(overage, '0.0130 '));
    expect(plan).toMatch(/ 1,499\.00 +1,499\.00$/);
    expect(overage).toMatch(/ 1,234\.500000 +0\.0130 +16\.05$/);
    const taxRow = lines.find((row) => row.trimStart().startsWith('Tax US'))!;
    expect(taxRow).toMatch(/ +137\.44$/);
    expect(taxRow.length).toBe(plan.length);
    const total = lines.find((line) => line.includes('Total USD') && line.endsWith('1,686.05'));
    expect(total?.length).toBe(plan.length);
  });

  it('fits an 80-column terminal and separates the invoices', () => {
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(80);
    expect(lines.filter((line) => /^INVOICE +voicebill$/.test(line))).toHaveLength(2);
    expect(text).toContain('\n\n\n=====');
    expect(text.endsWith('\n')).toBe(true);
  });

  it('wraps a long description under its column', () => {
    const [alpha] = makeInvoices();
    const long = 'Number +14155550100 (US local), month from 2026-11-05, prorated for a very long reason';
    alpha!.lines[4]!.description = long;
    const wrapped = renderInvoicesText([alpha!]).split('\n');
    const first = wrapped.findIndex((line) => line.startsWith('Number +14155550100'));
    expect(wrapped[first]).toMatch(/1\.15 +1\.15$/);
    expect(wrapped[first + 1]).toMatch(/^ {2}\S/);
    const continued: string[] = [];
    for (let index = first + 1; wrapped[index]?.startsWith('  ') === true; index += 1) continued.push(wrapped[index]!.trim());
    expect(continued.length).toBeGreaterThan(0);
    expect([wrapped[first]!.split(/ {2,}/)[0], ...continued].join(' ')).toBe(long);
    for (const line of wrapped) expect(line.length).toBeLessThanOrEqual(80);
  });

  it('says so when there is nothing to bill', () => {
    expect(renderInvoicesText([])).toBe('No invoices.\n');
  });
});
