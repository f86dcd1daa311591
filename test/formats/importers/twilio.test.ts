import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCalls } from '../../../src/formats/importers/importer.js';

// There is no public sample of a Twilio call-log export: this fixture is written by hand from
// the REST Call resource's fields (snake_case names, RFC 2822 times in UTC, as the API gives).
const FIXTURE = readFileSync(new URL('fixtures/twilio-calls.csv', import.meta.url), 'utf8');
const accountForNumber = (digits: string) => (digits === '16505550100' ? 'acc_acme' : undefined);

describe('twilio importer', () => {
  const { records, problems } = importCalls('twilio', FIXTURE, { accountForNumber });
  const byId = (sid: string) => records.find((record) => record.call_id === `CA1b2c3d4e5f60718293a4b5c6d7e8f9${sid}`);

  it('maps a completed inbound call: StartTime is the answer', () => {
    expect(byId('01')).toEqual({
      line: 2,
      call_id: 'CA1b2c3d4e5f60718293a4b5c6d7e8f901',
      account_id: 'acc_acme',
      direction: 'inbound',
      from: '+14155550123',
      to: '+16505550100',
      started_at: '2024-11-04T15:00:02Z',
      answered_at: '2024-11-04T15:00:02Z',
      ended_at: '2024-11-04T15:03:33Z',
      end_reason: 'completed',
    });
  });

  it('maps outbound-api calls; no-answer and busy were never answered', () => {
    expect(byId('02')).toMatchObject({ line: 3, direction: 'outbound', from: '+16505550100', to: '+442071838750', answered_at: '2024-11-04T16:10:05Z', ended_at: '2024-11-04T16:11:06Z' });
    expect(byId('03')).toMatchObject({ line: 4, direction: 'outbound', started_at: '2024-11-04T16:20:00Z', answered_at: '', ended_at: '2024-11-04T16:20:30Z', end_reason: 'no-answer' });
    expect(byId('04')).toMatchObject({ line: 5, answered_at: '', end_reason: 'busy' });
  });

  it('makes a browser (client:) caller a web call, and starts a call canceled before dialling at DateCreated', () => {
    const withAccount = importCalls('twilio', FIXTURE, { accountId: 'acc_acme' }).records;
    expect(withAccount.find((record) => record.line === 7)).toMatchObject({ direction: 'web', from: '', to: '', answered_at: '2024-11-04T16:40:01Z', account_id: 'acc_acme' });
    expect(byId('08')).toMatchObject({ line: 9, started_at: '2024-11-04T17:00:00Z', answered_at: '', ended_at: '2024-11-04T17:00:00Z', end_reason: 'canceled' });
  });

  it('reports what it cannot map by line, and imports the rest', () => {
    expect(records.map((record) => record.line)).toEqual([2, 3, 4, 5, 9]);
    expect(problems).toEqual([
      // An outbound-dial leg (a transfer) carries the caller's number as From: no account has it.
      { line: 6, message: 'no account for number +14155550123; pass --account' },
      { line: 7, message: 'no account for a web call (it has no platform number); pass --account' },
      { line: 8, message: 'Status "in-progress": the call has not ended yet (or the status is unknown), so it cannot be billed' },
      { line: 10, message: 'StartTime "04/11/2024 17:05" is not a time Twilio writes' },
    ]);
  });

  it('with --account, the transfer leg imports as an outbound call', () => {
    const withAccount = importCalls('twilio', FIXTURE, { accountId: 'acc_acme' });
    expect(withAccount.records.find((record) => record.line === 6)).toMatchObject({ direction: 'outbound', from: '+14155550123', to: '+16505550199', answered_at: '2024-11-04T15:01:00Z' });
    expect(withAccount.problems.map((problem) => problem.line)).toEqual([8, 10]);
  });

  it('finds columns by name in the console/CLI spellings and reads their time formats', () => {
    const csv = [
      'Call Sid,Start Time,End Time,Duration,From,To,Direction,Status',
      'CA01,2024-11-04 15:00:02 UTC,2024-11-04 15:01:02 UTC,60,+14155550123,+16505550100,inbound,completed',
      'CA02,Mon Nov 04 2024 10:00:02 GMT-0500 (Eastern Standard Time),2024-11-04T15:01:02.000Z,60,+16505550100,(415) 555-0124,outbound-api,completed',
    ].join('\r\n');
    expect(importCalls('twilio', csv, { accountId: 'acc_1' }).records.map((record) => [record.line, record.to, record.started_at, record.ended_at])).toEqual([
      [2, '+16505550100', '2024-11-04T15:00:02Z', '2024-11-04T15:01:02Z'],
      [3, '4155550124', '2024-11-04T15:00:02Z', '2024-11-04T15:01:02Z'],
    ]);
  });

  it('refuses a CSV without the needed columns, naming them', () => {
    expect(() => importCalls('twilio', 'sid,from,to,status\nCA01,+1,+2,completed\n', { accountId: 'a' })).toThrow(
      'Twilio call log: no direction, startTime, endTime column (header: sid,from,to,status)',
    );
  });
});
