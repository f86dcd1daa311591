import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCalls } from '../../../src/formats/importers/importer.js';

// Default ("example") template, re-saved by a spreadsheet: `2020/2/10 22:41`, seconds lost.
const SAMPLE = readFileSync(new URL('../../../../shared/samples/freeswitch-cdr-csv-example-template-excel-resaved_Master_Kxingyunliushui-freeswitch_tools.csv', import.meta.url), 'utf8');
const options = { timeZone: 'Asia/Shanghai', accountId: 'acc_fs' };

describe('freeswitch importer', () => {
  it('needs --timezone', () => {
    expect(() => importCalls('freeswitch', SAMPLE, { accountId: 'acc_fs' })).toThrow('--timezone is required for freeswitch CDRs: their timestamps have no offset');
  });

  const { records, problems } = importCalls('freeswitch', SAMPLE, options);
  const atLine = (line: number) => records.find((record) => record.line === line);

  it('rebuilds minute-truncated stamps from duration and billsec', () => {
    // 22:41 / 22:41 / 22:41, duration 11, billsec 9.
    expect(atLine(1)).toEqual({
      line: 1,
      call_id: 'd80e22e0-4c15-11ea-97a0-9dd79410affb',
      account_id: 'acc_fs',
      direction: 'outbound',
      from: '',
      to: '1002',
      started_at: '2020-02-10T22:41:00+08:00',
      answered_at: '2020-02-10T22:41:02+08:00',
      ended_at: '2020-02-10T22:41:11+08:00',
      end_reason: 'NORMAL_CLEARING',
    });
    // 11:05 / 11:05 / 11:06, duration 43: the call cannot have started before 11:05:17.
    expect(atLine(7)).toEqual({
      line: 7,
      call_id: '559758f2-4c7b-11ea-b071-2bfc2a06d67d',
      account_id: 'acc_fs',
      direction: 'inbound',
      from: '1002',
      to: '1004',
      started_at: '2020-02-11T11:05:17+08:00',
      answered_at: '2020-02-11T11:05:28+08:00',
      ended_at: '2020-02-11T11:06:00+08:00',
      end_reason: 'RECOVERY_ON_TIMER_EXPIRE',
    });
  });

  it('leaves a call with no answer_stamp unanswered', () => {
    expect(atLine(3)).toMatchObject({ call_id: 'f1542038-4c15-11ea-97ca-9dd79410affb', direction: 'inbound', from: '0', to: '1002', started_at: '2020-02-10T22:41:00+08:00', answered_at: '', ended_at: '2020-02-10T22:41:02+08:00', end_reason: 'NO_USER_RESPONSE' });
  });

  it('passes an identical repeat on (rating bills it once) and reports a conflicting one', () => {
    const first = atLine(8);
    expect(first).toMatchObject({ call_id: '7adced1a-4c7c-11ea-b08c-2bfc2a06d67d', started_at: '2020-02-11T11:13:29+08:00', answered_at: '2020-02-11T11:13:40+08:00', ended_at: '2020-02-11T11:14:00+08:00' });
    expect(atLine(9)).toEqual({ ...first, line: 9 });
    expect(records.map((record) => record.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(problems).toEqual([
      { line: 10, message: 'uuid 7adced1a-4c7c-11ea-b08c-2bfc2a06d67d repeats line 8 with different content (hangup_cause "USER_BUSY" vs "NORMAL_CLEARING"); line 8 kept' },
    ]);
  });

  it('asks for --account on originated calls, whose own number the template lacks', () => {
    const withoutAccount = importCalls('freeswitch', SAMPLE, { timeZone: 'Asia/Shanghai', accountForNumber: (digits) => (digits === '1002' || digits === '1004' ? 'acc_pbx' : undefined) });
    expect(withoutAccount.records.map((record) => record.line)).toEqual([3, 7]);
    expect(withoutAccount.problems[0]).toEqual({ line: 1, message: "no account: the platform's number (from) is not in the record; pass --account" });
  });

  it('uses stamps with seconds as they are, folds logged B legs into their call, and reports bad lines', () => {
    const csv = [
      '"Caller","+14155550123","+16505550100","public","2024-07-01 09:00:00","2024-07-01 09:00:04","2024-07-01 09:01:30","90","86","NORMAL_CLEARING","a-leg-1","b-leg-1","","PCMU","PCMU"',
      '"Outbound Call","1001","+16505550100","public","2024-07-01 09:00:01","2024-07-01 09:00:04","2024-07-01 09:01:30","89","86","NORMAL_CLEARING","b-leg-1","","","PCMU","PCMU"',
      '"Caller","+14155550124","+16505550100","public","2024/7/1 9:10","2024/7/1 9:10","2024/7/1 9:12","20","10","NORMAL_CLEARING","a-leg-2","","","PCMU","PCMU"',
      '"Caller","+14155550125","+16505550100","public","2024-07-01 09:20:00","","2024-07-01 09:20:30","30","0","NO_ANSWER","a-leg-3"',
    ].join('\n');
    const result = importCalls('freeswitch', csv, { timeZone: 'Europe/London', accountId: 'acc_1' });
    expect(result.records).toEqual([
      { line: 1, call_id: 'a-leg-1', account_id: 'acc_1', direction: 'inbound', from: '+14155550123', to: '+16505550100', started_at: '2024-07-01T09:00:00+01:00', answered_at: '2024-07-01T09:00:04+01:00', ended_at: '2024-07-01T09:01:30+01:00', end_reason: 'NORMAL_CLEARING' },
    ]);
    expect(result.problems).toEqual([
      // A 20 s call started in minute 9:10 cannot end in minute 9:12.
      { line: 3, message: 'start_stamp, answer_stamp, end_stamp disagree with duration and billsec' },
      { line: 4, message: "11 columns: mod_cdr_csv's default template writes 15 (caller_id_name, caller_id_number, destination_number, context, start_stamp, answer_stamp, end_stamp, duration, billsec, hangup_cause, uuid, bleg_uuid, accountcode, read_codec, write_codec)" },
    ]);
  });
});
