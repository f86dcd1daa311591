/** `--from <platform>` end to end: the shared samples billed through the command line. */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { folderWith, voicebill } from '../support/cli.js';

const SAMPLES = fileURLToPath(new URL('../../../shared/samples/', import.meta.url));

const TARIFF = `currency: USD
plans:
  p: {name: Any, monthly_fee: "10.00", included_minutes: 100, minute_price: "0.10", rounding: 1}
carrier_rates:
${['inbound', 'outbound'].flatMap((direction) => ['1', '2', '3', '4', '5', '6', '7', '8', '9'].map((prefix) => `  - {direction: ${direction}, prefix: "${prefix}", country: US, per_minute: "0.01", increment: "60/60"}`)).join('\n')}
numbers:
  - {country: US, type: local, monthly_fee: "1.00"}
`;

function inputs(accounts: string): string[] {
  const folder = folderWith({ 'tariff.yaml': TARIFF, 'accounts.yaml': accounts });
  return ['--tariff', join(folder, 'tariff.yaml'), '--accounts', join(folder, 'accounts.yaml')];
}

const ONE_ACCOUNT = 'accounts:\n  pbx: {plan: p, timezone: Europe/Moscow, billing_anchor: 2019-01-01, country: US}\n';

function rateLines(stdout: string): Record<string, unknown>[] {
  return stdout.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('voicebill --from', () => {
  it('asterisk: legs grouped, local times read in --timezone, every call rated', () => {
    const result = voicebill(['rate', ...inputs(ONE_ACCOUNT), '--from', 'asterisk', '--timezone', 'Europe/Moscow', '--account', 'pbx', '--calls', join(SAMPLES, 'asterisk-cdr-csv_Master_mineevburyat-dj-asterisk-cdr.csv')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const lines = rateLines(result.stdout);
    expect(lines).toHaveLength(36);
    expect(lines[0]).toMatchObject({ line: 1, call_id: '1706368044.0', billable_seconds: 27, period_start: '2024-01-01T00:00:00+03:00' });
  });

  it('asterisk without --timezone exits 1 and says why', () => {
    const result = voicebill(['rate', ...inputs(ONE_ACCOUNT), '--from', 'asterisk', '--account', 'pbx', '--calls', join(SAMPLES, 'asterisk-cdr-csv_Master_mineevburyat-dj-asterisk-cdr.csv')]);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/--timezone is required/);
  });

  it('vapi: the account is found from the rented number the call came in on', () => {
    const accounts = `accounts:
  lumin: {plan: p, timezone: UTC, billing_anchor: 2024-01-01, country: US, numbers: [{number: "+17065550142", type: local, rented_at: "2024-01-01T00:00:00Z"}]}
`;
    const result = voicebill(['invoice', ...inputs(accounts), '--from', 'vapi', '--period', '2024-03', '--calls', join(SAMPLES, 'vapi-end-of-call-report_inboundPhoneCall_2024-03_xiaohule-Lumin.json')]);
    expect(result.status).toBe(0);
    const [invoice] = JSON.parse(result.stdout) as { account_id: string; usage: { calls: number } }[];
    expect(invoice).toMatchObject({ account_id: 'lumin', usage: { calls: 1 } });
  });

  it('retell and freeswitch samples import and rate (freeswitch reports its conflicting repeat)', () => {
    const retell = voicebill(['rate', ...inputs(ONE_ACCOUNT), '--from', 'retell', '--account', 'pbx', '--calls', join(SAMPLES, 'retell-call-cost-shape_demo-data_baldisheagle-Voicebridge-Phone.json')]);
    expect(retell.status).toBe(0);
    expect(rateLines(retell.stdout)[0]).toMatchObject({ call_id: 'call_7a1f7402d32f0916c9931ae2795', billable_seconds: 120 });
    const freeswitch = voicebill(['rate', ...inputs(ONE_ACCOUNT), '--from', 'freeswitch', '--timezone', 'Asia/Shanghai', '--account', 'pbx', '--calls', join(SAMPLES, 'freeswitch-cdr-csv-example-template-excel-resaved_Master_Kxingyunliushui-freeswitch_tools.csv')]);
    expect(freeswitch.status).toBe(3);
    const lines = rateLines(freeswitch.stdout);
    expect(lines.filter((line) => 'error' in line)).toHaveLength(1);
    expect(lines.filter((line) => 'usage_seconds' in line).length).toBeGreaterThan(5);
  });
});
