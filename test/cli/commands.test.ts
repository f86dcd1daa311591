import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASES, folderWith, REPO, voicebill } from '../support/cli.js';

const spec = (name: string) => join(CASES, 'spec-examples', name);
const specInputs = ['--tariff', spec('tariff.yaml'), '--accounts', spec('accounts.yaml')];

const TARIFF = `currency: USD
plans:
  starter: {name: Starter, monthly_fee: "49.00", included_minutes: 500, minute_price: "0.10", rounding: 1}
carrier_rates:
  - {direction: outbound, prefix: "1", country: US, per_minute: "0.0130", increment: "60/60"}
`;
const ACCOUNTS = `accounts:
  acme: {plan: starter, timezone: America/New_York, billing_anchor: 2026-10-31, country: US}
`;
const HEADER = 'call_id,account_id,direction,from,to,started_at,answered_at,ended_at,end_reason';

describe('voicebill rate', () => {
  it('prints the SPEC §15 figures and exits 3 when a record is rejected', () => {
    const result = voicebill(['rate', ...specInputs, '--calls', spec('calls.csv')]);
    expect(result.status).toBe(3);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => line.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(lines[0]).toMatchObject({ call_id: 'c1', billable_seconds: 91, carrier_cost: '0.017000', usage_seconds: '101.200', period_start: '2026-10-31T00:00:00-04:00' });
    expect(lines[4]).toEqual({ line: 6, call_id: 'c4', duplicate_of_line: 5 });
    expect(lines[5]).toMatchObject({ line: 7, call_id: 'c5', reason: 'unknown_account' });
    expect(String(lines[5]?.error)).toMatch(/^unknown account/);
  });

  it('reads JSON Lines, numbering lines from 1, and reports a line that is not JSON', () => {
    const folder = folderWith({
      'tariff.yaml': TARIFF,
      'accounts.yaml': ACCOUNTS,
      'calls.jsonl': [
        JSON.stringify({ call_id: 'j1', account_id: 'acme', direction: 'web', started_at: '2026-11-02T10:00:00Z', answered_at: '2026-11-02T10:00:00Z', ended_at: '2026-11-02T10:00:30Z' }),
        '{not json',
        '',
        JSON.stringify({ call_id: 'j2', account_id: 'acme', direction: 'web', started_at: '2026-11-02T11:00:00Z', answered_at: null, ended_at: '2026-11-02T11:00:30Z' }),
      ].join('\n'),
    });
    const result = voicebill(['rate', '--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml'), '--calls', join(folder, 'calls.jsonl')]);
    expect(result.status).toBe(3);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.line, line.usage_seconds ?? line.reason])).toEqual([
      [1, '30.000'],
      [2, 'malformed_record'],
      [4, '0.000'],
    ]);
  });

  it('a CSV row with the wrong number of fields is reported with its line; the rest are rated', () => {
    const folder = folderWith({
      'tariff.yaml': TARIFF,
      'accounts.yaml': ACCOUNTS,
      'calls.csv': `${HEADER}\nx1,acme,web,,,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,2026-11-02T10:00:10Z,ok\nx2,acme,web,,2026-11-02T10:00:00Z\n"x3",acme,web,,,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,2026-11-02T10:00:20Z,"a, quoted\nreason"\nx4,acme,web,,,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,2026-11-02T10:00:40Z,ok\n`,
    });
    const result = voicebill(['rate', '--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml'), '--calls', join(folder, 'calls.csv')]);
    expect(result.status).toBe(3);
    const lines = result.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((line) => [line.line, line.call_id, line.billable_seconds ?? line.reason])).toEqual([
      [2, 'x1', 10],
      [3, 'x2', 'malformed_record'],
      [4, 'x3', 20],
      [6, 'x4', 40],
    ]);
  });
});

describe('voicebill invoice and usage', () => {
  it('bills the good records of a file with bad ones, lists the bad ones on stderr, exits 3', () => {
    const result = voicebill(['invoice', ...specInputs, '--calls', spec('calls.csv'), '--period', '2026-10']);
    expect(result.status).toBe(3);
    const [invoice] = JSON.parse(result.stdout) as { total: string; usage: { calls: number } }[];
    expect(invoice).toMatchObject({ total: '49.00', usage: { calls: 4 } });
    expect(result.stderr).toContain('calls.csv:7: c5: unknown account');
  });

  it('renders text, CSV and PDF', () => {
    const base = ['invoice', ...specInputs, '--calls', spec('calls.csv'), '--period', '2026-10'];
    expect(voicebill([...base, '--format', 'text']).stdout).toMatch(/Total USD\s+49\.00/);
    expect(voicebill([...base, '--format', 'csv']).stdout.split('\n')[0]).toContain('account_id');
    const folder = folderWith({});
    const pdf = voicebill([...base, '--format', 'pdf', '--output', join(folder, 'invoice.pdf')]);
    expect(pdf.status).toBe(3);
  });

  it('usage --at prints the §10 view', () => {
    const result = voicebill(['usage', ...specInputs, '--calls', spec('calls.csv'), '--at', '2026-11-03T10:00:30Z']);
    const [view] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(view).toMatchObject({ account_id: 'acme', included_used_seconds: '101.200', estimated_total: '49.00', at: '2026-11-03T10:00:30+00:00' });
    expect(view).toHaveProperty('forecast_total');
  });
});

describe('bad command lines and files exit 1 and name the file and field', () => {
  const run = (tariff: string, accounts = ACCOUNTS, extra: string[] = ['--period', '2026-10']) => {
    const folder = folderWith({ 'tariff.yaml': tariff, 'accounts.yaml': accounts, 'calls.csv': `${HEADER}\n` });
    return voicebill(['invoice', '--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml'), '--calls', join(folder, 'calls.csv'), ...extra]);
  };

  it.each([
    ['negative price', TARIFF.replace('"0.10"', '"-0.10"'), ACCOUNTS, /tariff\.yaml: plans\.starter\.minute_price: .*0 or more/],
    ['malformed increment', TARIFF.replace('"60/60"', '"60/x"'), ACCOUNTS, /tariff\.yaml: carrier_rates\[0\]\.increment: .*not an increment/],
    ['duplicate ids', `${TARIFF}plans:\n  other: {monthly_fee: "1", minute_price: "1"}\n`, ACCOUNTS, /tariff\.yaml: line \d+: .*unique/i],
    ['unknown plan', TARIFF, ACCOUNTS.replace('plan: starter', 'plan: gold'), /accounts\.yaml: accounts\.acme\.plan: unknown plan "gold"/],
    ['unknown time zone', TARIFF, ACCOUNTS.replace('America/New_York', 'Mars/Olympus'), /accounts\.yaml: accounts\.acme\.timezone: unknown time zone/],
    ['bad anchor', TARIFF, ACCOUNTS.replace('2026-10-31', '2026-02-30'), /accounts\.yaml: accounts\.acme\.billing_anchor/],
    ['missing currency', TARIFF.replace('currency: USD\n', ''), ACCOUNTS, /tariff\.yaml: currency/],
    ['unknown currency', TARIFF.replace('currency: USD', 'currency: EUE'), ACCOUNTS, /tariff\.yaml: currency: is not an ISO 4217 currency code/],
    ['misspelt plan field', TARIFF.replace('rounding: 1}', 'rounding: 1, carier: passthrough}'), ACCOUNTS, /tariff\.yaml: plans\.starter: Unrecognized key: "carier"/],
    ['negative spend cap', TARIFF, ACCOUNTS.replace('country: US}', 'country: US, spend_cap: "-5"}'), /accounts\.yaml: accounts\.acme\.spend_cap: must be 0 or more/],
    ['misspelt account field', TARIFF, ACCOUNTS.replace('country: US}', 'country: US, bundle: []}'), /accounts\.yaml: accounts\.acme: Unrecognized key: "bundle"/],
    ['offset instead of a time zone', TARIFF, ACCOUNTS.replace('America/New_York', "'+05:00'"), /accounts\.yaml: accounts\.acme\.timezone: "\+05:00" is an abbreviation or an offset/],
    ['abbreviation instead of a time zone', TARIFF, ACCOUNTS.replace('America/New_York', 'EST'), /accounts\.yaml: accounts\.acme\.timezone: "EST" is an abbreviation or an offset/],
    [
      'one number rented twice at once',
      `${TARIFF}numbers:\n  - {country: US, type: local, monthly_fee: "1.00"}\n`,
      `accounts:
  acme: {plan: starter, timezone: UTC, billing_anchor: 2026-10-31, country: US, numbers: [{number: "+15550000001", type: local, rented_at: "2026-01-02T00:00:00Z"}]}
  other: {plan: starter, timezone: UTC, billing_anchor: 2026-10-31, country: US, numbers: [{number: "+1 555 000 0001", type: local, rented_at: "2026-03-02T00:00:00Z"}]}
`,
      /accounts\.yaml: accounts\.other\.numbers\[0\]: \+15550000001 is already rented then \(accounts\.acme\.numbers\[0\]\)/,
    ],
  ])('%s', (_name, tariff, accounts, message) => {
    const result = run(tariff, accounts);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(message);
  });

  it('a bad --period, a missing file, a CSV without the needed columns', () => {
    expect(run(TARIFF, ACCOUNTS, ['--period', '2026-13']).stderr).toMatch(/--period: "2026-13" is not a month/);
    const missing = voicebill(['rate', '--tariff', 'nope.yaml', '--accounts', 'nope.yaml', '--calls', 'nope.csv']);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/nope\.yaml: cannot read: ENOENT/);
    const folder = folderWith({ 'tariff.yaml': TARIFF, 'accounts.yaml': ACCOUNTS, 'calls.csv': 'id,who\n1,2\n' });
    const noColumns = voicebill(['rate', '--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml'), '--calls', join(folder, 'calls.csv')]);
    expect(noColumns.status).toBe(1);
    expect(noColumns.stderr).toMatch(/calls\.csv: line 1: the header lacks columns call_id, account_id/);
  });

  it('--timezone and --account only go with --from', () => {
    const result = voicebill(['rate', ...specInputs, '--calls', spec('calls.csv'), '--timezone', 'Europe/Moscow']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--timezone: is only used with --from/);
  });

  it('a rate-deck row with the wrong number of fields is named by file and line', () => {
    const folder = folderWith({
      'tariff.yaml': TARIFF.replace(/carrier_rates:[\s\S]*$/, 'carrier_rates: rates.csv\n'),
      'rates.csv': 'direction,prefix,country,per_minute,connect_fee,increment,effective_from\noutbound,1,US,0.01,0,60/60,\noutbound,44,GB,0.02,0,1,,extra\n',
      'accounts.yaml': ACCOUNTS,
      'calls.csv': `${HEADER}\n`,
    });
    const result = voicebill(['rate', '--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml'), '--calls', join(folder, 'calls.csv')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/rates\.csv: line 3: has 8 fields, the header has 7/);
  });

  it('output piped into a reader that stops early (`| head -1`) ends quietly, without a stack trace', () => {
    const command = `"${process.execPath}" bin/voicebill.js rate --tariff examples/tariff.yaml --accounts examples/accounts.yaml --calls examples/calls.csv | head -1`;
    const result = spawnSync('bash', ['-o', 'pipefail', '-c', command], { cwd: REPO, encoding: 'utf8' });
    expect(result.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(result.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  });

  it('an --output that cannot be written exits 1 naming it', () => {
    const result = voicebill(['invoice', ...specInputs, '--calls', spec('calls.csv'), '--period', '2026-10', '--output', '/nonexistent-folder/x.txt']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--output: \/nonexistent-folder\/x\.txt: cannot write: ENOENT/);
  });

  it('unknown options and missing required ones exit 1 with a hint', () => {
    const result = voicebill(['invoice', '--tariff', 'x']);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/required option|--help/);
  });
});

describe('--help teaches with a working example', () => {
  it.each(['rate', 'invoice', 'usage'])('%s --help', (command) => {
    const result = voicebill([command, '--help']);
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`$ npx voicebill ${command} --tariff examples/tariff.yaml`);
  });
});
