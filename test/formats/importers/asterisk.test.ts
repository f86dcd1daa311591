import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCalls } from '../../../src/formats/importers/importer.js';

const sample = (name: string) => readFileSync(new URL(`../../../../shared/samples/${name}`, import.meta.url), 'utf8');
// cdr_csv with newcdrcolumns (21 columns, linkedid); a PBX in Buryatia: Asia/Irkutsk, +08:00.
const CDR_CSV = sample('asterisk-cdr-csv_Master_mineevburyat-dj-asterisk-cdr.csv');
// cdr_custom's default Master.csv mapping (19 columns, clid first, no linkedid).
const CDR_CUSTOM = sample('asterisk-cdr-custom-default-order_Master_KelySaina-cdr.csv');
const options = { timeZone: 'Asia/Irkutsk', accountForNumber: (digits: string) => ({ '550001': 'acc_a', '550002': 'acc_b' })[digits] };

describe('asterisk importer', () => {
  it('needs --timezone', () => {
    expect(() => importCalls('asterisk', CDR_CSV, { accountId: 'acc_a' })).toThrow('--timezone is required for asterisk CDRs: their timestamps have no offset');
    expect(() => importCalls('asterisk', CDR_CSV, { accountId: 'acc_a', timeZone: 'Asia/Nowhere' })).toThrow('--timezone "Asia/Nowhere" is not an IANA time zone');
  });

  it('groups the legs of each call (84 lines, 36 calls) and reports nothing', () => {
    const { records, problems } = importCalls('asterisk', CDR_CSV, options);
    expect(problems).toEqual([]);
    expect(records).toHaveLength(36);
    expect(new Set(records.map((record) => record.call_id)).size).toBe(36);
    expect(records[0]).toEqual({
      line: 1,
      call_id: '1706368044.0',
      account_id: 'acc_b',
      direction: 'inbound',
      from: '89000000001',
      to: '550002',
      started_at: '2024-01-27T15:07:24+08:00',
      answered_at: '2024-01-27T15:07:24+08:00',
      ended_at: '2024-01-27T15:07:51+08:00',
      end_reason: 'ANSWERED',
    });
  });

  it('takes numbers from the leg that started the call, and leaves a call no leg answered unanswered', () => {
    // Lines 7–13: Local/ch1..ch3 halves and Dial attempts, all NO ANSWER, linkedid 1706372196.12.
    const call = importCalls('asterisk', CDR_CSV, options).records.find((record) => record.call_id === '1706372196.12');
    expect(call).toEqual({
      line: 7,
      call_id: '1706372196.12',
      account_id: 'acc_a',
      direction: 'inbound',
      from: '89000000001',
      to: '550001',
      started_at: '2024-01-27T16:16:36+08:00',
      answered_at: '',
      ended_at: '2024-01-27T16:17:16+08:00',
      end_reason: 'NO ANSWER',
    });
  });

  it('answers a grouped call at its earliest ANSWERED leg and ends it at its latest leg', () => {
    // Lines 22–26: ring group; ch1 answers at 02:04:12, the bridged SIP/301 leg ends at 02:04:29.
    const call = importCalls('asterisk', CDR_CSV, options).records.find((record) => record.call_id === '1706407446.50');
    expect(call).toMatchObject({ line: 22, from: '89000000004', to: '550001', started_at: '2024-01-28T02:04:06+08:00', answered_at: '2024-01-28T02:04:12+08:00', ended_at: '2024-01-28T02:04:29+08:00' });
  });

  it('drops an exactly repeated line: the call is the same', () => {
    const lines = CDR_CSV.split('\n');
    const repeated = [...lines.slice(0, 26), lines[23], ...lines.slice(26)].join('\n');
    const { records, problems } = importCalls('asterisk', repeated, options);
    expect(problems).toEqual([]);
    expect(records).toEqual(importCalls('asterisk', CDR_CSV, options).records.map((record) => (record.line > 26 ? { ...record, line: record.line + 1 } : record)));
  });

  it('does not import a call with an unreadable leg (it might be the answered one), and says so', () => {
    const lines = CDR_CSV.split('\n');
    lines[25] = (lines[25] ?? '').replace('"2024-01-28 02:04:29"', '"28.01.2024 02:04:29"');
    const { records, problems } = importCalls('asterisk', lines.join('\n'), options);
    expect(records).toHaveLength(35);
    expect(records.some((record) => record.call_id === '1706407446.50')).toBe(false);
    expect(problems).toEqual([
      { line: 22, message: 'call 1706407446.50 not imported: its leg on line 26 could not be read' },
      { line: 26, message: 'end "28.01.2024 02:04:29" is not a "YYYY-MM-DD HH:MM:SS" time' },
    ]);
  });

  it("reads cdr_custom's default column order", () => {
    const { records, problems } = importCalls('asterisk', CDR_CUSTOM, { timeZone: 'Indian/Antananarivo', accountId: 'acc_pbx' });
    expect(problems).toEqual([]);
    expect(records).toHaveLength(14);
    expect(records[0]).toEqual({
      line: 1,
      call_id: '1690325492.2',
      account_id: 'acc_pbx',
      direction: 'inbound',
      from: 'client1',
      to: '6789',
      started_at: '2023-07-26T01:51:32+03:00',
      answered_at: '2023-07-26T01:51:50+03:00',
      ended_at: '2023-07-26T01:52:04+03:00',
      end_reason: 'ANSWERED',
    });
    expect(records[1]).toMatchObject({ line: 2, call_id: '1690325531.5', from: 'client2', to: '1234', answered_at: '', ended_at: '2023-07-26T01:52:42+03:00', end_reason: 'NO ANSWER' });
  });

  it('calls it outbound when an extension dials a public number, and looks the account up by from', () => {
    const csv = [
      '"","201","84155550123","from-internal","""AI"" <201>","PJSIP/201-0001","PJSIP/trunk-0002","Dial","PJSIP/84155550123@trunk","2024-03-10 01:59:50","2024-03-10 03:00:05","2024-03-10 03:01:00",70,55,"ANSWERED","DOCUMENTATION","1710053990.1",""',
      '"","201","84155550124","from-internal","""AI"" <201>","PJSIP/201-0003","PJSIP/trunk-0004","Dial","PJSIP/84155550124@trunk","2024-03-10 03:10:00","","2024-03-10 03:10:20",20,0,"BUSY","DOCUMENTATION","1710054600.3",""',
      '"only","three","columns"',
    ].join('\n');
    const { records, problems } = importCalls('asterisk', csv, { timeZone: 'America/New_York', accountForNumber: (digits) => (digits === '201' ? 'acc_ai' : undefined) });
    expect(records).toEqual([
      // 18-column cdr_csv; 02:xx does not exist on 2024-03-10 in New York, so 03:00 is already EDT.
      { line: 1, call_id: '1710053990.1', account_id: 'acc_ai', direction: 'outbound', from: '201', to: '84155550123', started_at: '2024-03-10T01:59:50-05:00', answered_at: '2024-03-10T03:00:05-04:00', ended_at: '2024-03-10T03:01:00-04:00', end_reason: 'ANSWERED' },
      { line: 2, call_id: '1710054600.3', account_id: 'acc_ai', direction: 'outbound', from: '201', to: '84155550124', started_at: '2024-03-10T03:10:00-04:00', answered_at: '', ended_at: '2024-03-10T03:10:20-04:00', end_reason: 'BUSY' },
    ]);
    expect(problems).toEqual([
      { line: 3, message: "3 columns: not a Master.csv layout this importer knows (17, 18 or 21 for cdr_csv, 19 for cdr_custom's default)" },
    ]);
  });
});
