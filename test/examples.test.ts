/**
 * The bundled example (examples/): the first thing a newcomer runs. These tests hold its
 * story in place: five invoices, one account in pay-as-you-go after buying a top-up bundle,
 * one drawing on an older bundle, a passthrough plan, and the bad-input demo exiting 3.
 * The exact totals were worked out by hand from the tariff (fees, numbers, taxes) and from
 * independent sums over `voicebill rate` output (usage, pay-as-you-go, carrier costs).
 */
import { copyFileSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REPO, voicebill } from './support/cli.js';

const inputs = ['--tariff', 'examples/tariff.yaml', '--accounts', 'examples/accounts.yaml'];
const good = [...inputs, '--calls', 'examples/calls.csv'];
const bad = [...inputs, '--calls', 'examples/bad-calls.csv'];
const ACCOUNTS = ['acme-dental', 'bright-realty', 'kraft-logistik', 'mumbai-clinic', 'pacific-auto'];

interface Line {
  kind: string;
  description: string;
  quantity: string;
  unit_price: string | null;
  amount: string;
}
interface Invoice {
  account_id: string;
  period_start: string;
  period_end: string;
  currency: string;
  lines: Line[];
  subtotal: string;
  tax: string;
  total: string;
  usage: { included_seconds: string; included_used_seconds: string; bundle_used_seconds: string; payg_seconds: string; calls: number };
}
interface Rated {
  line: number;
  call_id: string;
  account_id?: string;
  error?: string;
  duplicate_of_line?: number;
  carrier_prefix?: string | null;
  carrier_cost?: string;
  surcharge_cost?: string;
  usage_seconds?: string;
  included_seconds?: string;
  bundle_seconds?: string;
  payg_seconds?: string;
  period_start?: string;
}

function invoices(args: readonly string[]): { status: number | null; invoices: Invoice[]; stderr: string } {
  const result = voicebill(['invoice', ...args, '--period', '2026-11']);
  return { status: result.status, invoices: JSON.parse(result.stdout) as Invoice[], stderr: result.stderr };
}
const byAccount = (list: Invoice[], id: string): Invoice => {
  const invoice = list.find((candidate) => candidate.account_id === id);
  if (!invoice) throw new Error(`no invoice for ${id}`);
  return invoice;
};
const linesOf = (invoice: Invoice, kind: string) => invoice.lines.filter((line) => line.kind === kind);

/** A decimal string as an integer count of 10^-6 units (exact, no floats). */
const micros = (text: string): bigint => {
  const [whole = '0', fraction = ''] = text.split('.');
  const sign = whole.startsWith('-') ? -1n : 1n;
  return sign * (BigInt(whole.replace('-', '')) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6)));
};
const sumMicros = (values: string[]) => values.reduce((sum, value) => sum + micros(value), 0n);
/** micro-units rounded half away from zero to cents, as a "1.23" string (non-negative here). */
const cents = (value: bigint): string => {
  const c = (value + 5_000n) / 10_000n;
  return `${c / 100n}.${String(c % 100n).padStart(2, '0')}`;
};
const seconds3 = (value: bigint): string => `${value / 1_000_000n}.${String((value % 1_000_000n) / 1_000n).padStart(3, '0')}`;

describe('examples/: the month of November 2026', () => {
  const run = invoices(good);

  it('bills every record and prints one invoice per account, in account order', () => {
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.invoices.map((invoice) => invoice.account_id)).toEqual(ACCOUNTS);
    expect(run.invoices.map((invoice) => invoice.usage.calls)).toEqual([180, 1050, 960, 560, 260]);
    expect(run.invoices.every((invoice) => invoice.currency === 'USD')).toBe(true);
  });

  it('covers each account’s period that starts in November, in its own time zone', () => {
    expect(run.invoices.map((invoice) => [invoice.period_start, invoice.period_end])).toEqual([
      ['2026-11-15T00:00:00-05:00', '2026-12-15T00:00:00-05:00'],
      ['2026-11-30T00:00:00+00:00', '2026-12-30T00:00:00+00:00'],
      ['2026-11-30T00:00:00+01:00', '2026-12-31T00:00:00+01:00'], // anchor 31: Nov 30, then Dec 31
      ['2026-11-01T00:00:00+05:30', '2026-12-01T00:00:00+05:30'],
      ['2026-11-05T00:00:00-08:00', '2026-12-05T00:00:00-08:00'],
    ]);
  });

  it('has the totals worked out by hand', () => {
    expect(run.invoices.map((invoice) => [invoice.account_id, invoice.subtotal, invoice.tax, invoice.total])).toEqual([
      ['acme-dental', '52.30', '0.00', '52.30'], // 49.00 + numbers 1.15 + 2.15; no US tax
      ['bright-realty', '216.50', '43.30', '259.80'], // 199.00 + 1.50 + 12.00 + 4.00; GB 20%
      ['kraft-logistik', '1092.10', '207.50', '1299.60'], // 999.00 + carrier 64.60 + 2.50 + 6.00 + 20.00; DE 19% of 1092.10 = 207.499
      ['mumbai-clinic', '119.95', '21.59', '141.54'], // 49.00 + overage 27.95 + top-up 15.00 + 8.00 + 10.00 + 10.00; IN 18%
      ['pacific-auto', '53.15', '0.00', '53.15'], // 49.00 + 1.15 + 3.00
    ]);
  });

  it('mumbai-clinic runs through its included minutes and a top-up bundle into pay-as-you-go', () => {
    const mumbai = byAccount(run.invoices, 'mumbai-clinic');
    expect(mumbai.usage).toEqual({ included_seconds: '30000.000', included_used_seconds: '30000.000', bundle_used_seconds: '12000.000', payg_seconds: '16772.170', calls: 560 });
    expect(linesOf(mumbai, 'overage')).toMatchObject([{ quantity: '279.536167', unit_price: '0.10', amount: '27.95' }]);
    expect(linesOf(mumbai, 'bundle')).toMatchObject([{ quantity: '1', amount: '15.00' }]);
    expect(linesOf(mumbai, 'bundle')[0]?.description).toContain('topup-200');
    // The number released on 20 Nov was charged on 9 Nov, its monthly anniversary: no refund.
    expect(linesOf(mumbai, 'number_rental').map((line) => line.amount)).toEqual(['8.00', '10.00', '10.00']);
    expect(linesOf(mumbai, 'number_rental').map((line) => line.description).join('\n')).toContain('+918655512345');
  });

  it('bright-realty uses all its included minutes and part of a bundle bought in October', () => {
    const bright = byAccount(run.invoices, 'bright-realty');
    expect(bright.usage).toEqual({ included_seconds: '150000.000', included_used_seconds: '150000.000', bundle_used_seconds: '43258.954', payg_seconds: '0.000', calls: 1050 });
    expect(linesOf(bright, 'overage')).toMatchObject([{ amount: '0.00' }]);
    expect(linesOf(bright, 'bundle')).toEqual([]); // bought in the previous period
  });

  it('the others stay within their included minutes; kraft-logistik passes carrier costs through', () => {
    expect(byAccount(run.invoices, 'acme-dental').usage).toMatchObject({ included_used_seconds: '20776.220', bundle_used_seconds: '0.000', payg_seconds: '0.000' });
    expect(byAccount(run.invoices, 'pacific-auto').usage).toMatchObject({ included_used_seconds: '21029.100', bundle_used_seconds: '0.000', payg_seconds: '0.000' });
    const kraft = byAccount(run.invoices, 'kraft-logistik');
    expect(kraft.usage).toMatchObject({ included_seconds: '900000.000', included_used_seconds: '141198.000', payg_seconds: '0.000' });
    expect(linesOf(kraft, 'carrier')).toMatchObject([{ quantity: '834', amount: '64.60' }]);
  });

  it('reconciles with the per-call figures of `voicebill rate`', () => {
    const rate = voicebill(['rate', ...good]);
    expect(rate.status).toBe(0);
    const rated = rate.stdout.trim().split('\n').map((line) => JSON.parse(line) as Rated);
    expect(rated).toHaveLength(3010);
    expect(rated.filter((call) => call.error !== undefined || call.duplicate_of_line !== undefined)).toEqual([]);
    for (const invoice of run.invoices) {
      const calls = rated.filter((call) => call.account_id === invoice.account_id && call.period_start === invoice.period_start);
      expect(calls).toHaveLength(invoice.usage.calls);
      expect(seconds3(sumMicros(calls.map((call) => call.included_seconds ?? '0')))).toBe(invoice.usage.included_used_seconds);
      expect(seconds3(sumMicros(calls.map((call) => call.bundle_seconds ?? '0')))).toBe(invoice.usage.bundle_used_seconds);
      expect(seconds3(sumMicros(calls.map((call) => call.payg_seconds ?? '0')))).toBe(invoice.usage.payg_seconds);
    }
    const kraft = rated.filter((call) => call.account_id === 'kraft-logistik' && call.carrier_prefix);
    expect(kraft).toHaveLength(834);
    expect(cents(sumMicros(kraft.flatMap((call) => [call.carrier_cost ?? '0', call.surcharge_cost ?? '0'])))).toBe('64.60');
  });

  it('applies the Indian mobile price change of 16 Nov 2026 from that day on', () => {
    const rate = voicebill(['rate', ...good]);
    const rated = rate.stdout.trim().split('\n').map((line) => JSON.parse(line) as Rated & { carrier_seconds?: number; direction?: string });
    const calls = new Map(readFileSync(join(REPO, 'examples/calls.csv'), 'utf8').trim().split('\n').slice(1).map((row) => [row.split(',')[0], row.split(',')] as const));
    const perMinute = (call: Rated & { carrier_seconds?: number }) => (micros(call.carrier_cost ?? '0') * 60n) / BigInt(call.carrier_seconds ?? 1);
    const mobileOut = rated.filter((call) => call.direction === 'outbound' && ['917', '918', '919'].includes(call.carrier_prefix ?? '') && (call.carrier_seconds ?? 0) > 0);
    const before = mobileOut.filter((call) => (calls.get(call.call_id)?.[6] ?? '') < '2026-11-16T05:30');
    const after = mobileOut.filter((call) => (calls.get(call.call_id)?.[6] ?? '') >= '2026-11-16T05:30');
    expect(before.length).toBeGreaterThan(50);
    expect(after.length).toBeGreaterThan(50);
    expect(new Set(before.map(perMinute))).toEqual(new Set([28_000n]));
    expect(new Set(after.map(perMinute))).toEqual(new Set([32_000n]));
  });

  it('renders the same invoices as text for people (npm run example)', () => {
    const text = voicebill(['invoice', ...good, '--period', '2026-11', '--format', 'text']);
    expect(text.status).toBe(0);
    expect(text.stdout.match(/^INVOICE\b/gm)).toHaveLength(5);
    for (const id of ACCOUNTS) expect(text.stdout).toMatch(new RegExp(`^Account: +${id}$`, 'm'));
    expect(text.stdout).toMatch(/Total USD +1,299\.60/);
    expect(text.stdout).toMatch(/Total USD +141\.54/);
  });

  it('calls.csv and bad-calls.csv are exactly what generate-calls.js writes', () => {
    const folder = mkdtempSync(join(tmpdir(), 'voicebill-example-'));
    // .mjs: outside the repo there is no package.json saying the script is an ES module.
    copyFileSync(join(REPO, 'examples/generate-calls.js'), join(folder, 'generate-calls.mjs'));
    const result = spawnSync(process.execPath, [join(folder, 'generate-calls.mjs')], { encoding: 'utf8' });
    expect(result.status).toBe(0);
    for (const name of ['calls.csv', 'bad-calls.csv']) {
      expect(readFileSync(join(folder, name), 'utf8')).toBe(readFileSync(join(REPO, 'examples', name), 'utf8'));
    }
  });
});

describe('examples/bad-calls.csv: the bad-input demo', () => {
  it('exits 3, names each bad record by line and reason, and still bills the good ones', () => {
    const run = invoices(bad);
    expect(run.status).toBe(3);
    const reports = run.stderr.trim().split('\n');
    expect(reports.slice(0, 6).map((report) => report.replace(/: .*?: (.*?):.*$/, ' $1'))).toEqual([
      'examples/bad-calls.csv:4 unknown account',
      'examples/bad-calls.csv:8 unknown direction',
      'examples/bad-calls.csv:11 ended before answered',
      'examples/bad-calls.csv:14 unparseable timestamp',
      'examples/bad-calls.csv:17 no carrier rate',
      'examples/bad-calls.csv:21 conflicting duplicate',
    ]);
    expect(reports.slice(6)).toEqual(['voicebill: 6 records were rejected; the rest were billed']);
    expect(run.invoices.map((invoice) => invoice.account_id)).toEqual(ACCOUNTS);
    expect(run.invoices.map((invoice) => invoice.usage.calls)).toEqual([5, 5, 5, 5, 5]);
    expect(run.invoices.map((invoice) => invoice.total)).toEqual(['52.30', '259.80', '1222.93', '108.56', '53.15']);
  });

  it('bills an exact repeat of a call once, without calling it an error', () => {
    const rate = voicebill(['rate', ...bad]);
    expect(rate.status).toBe(3);
    const rated = rate.stdout.trim().split('\n').map((line) => JSON.parse(line) as Rated);
    expect(rated).toHaveLength(32); // 25 good calls, 6 bad records, 1 exact repeat
    expect(rated.filter((call) => call.error !== undefined).map((call) => call.line)).toEqual([4, 8, 11, 14, 17, 21]);
    expect(rated.filter((call) => call.duplicate_of_line !== undefined)).toEqual([{ line: 25, call_id: rated[14]?.call_id, duplicate_of_line: 16 }]);
  });
});
