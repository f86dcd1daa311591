import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCalls } from '../../../src/formats/importers/importer.js';

const SAMPLE = readFileSync(new URL('../../../../shared/samples/retell-call-cost-shape_demo-data_baldisheagle-Voicebridge-Phone.json', import.meta.url), 'utf8');

describe('retell importer', () => {
  it('maps the camelCase shape: epoch ms become UTC instants with milliseconds', () => {
    expect(importCalls('retell', SAMPLE, { accountForNumber: (digits) => (digits === '16505550100' ? 'acc_voicebridge' : undefined) })).toEqual({
      records: [
        {
          line: 1,
          call_id: 'call_7a1f7402d32f0916c9931ae2795',
          account_id: 'acc_voicebridge',
          direction: 'inbound',
          from: '+14155550101',
          to: '+16505550100',
          // startTimestamp 1705629420000; the app's createdAt (a year later) is not Retell's.
          started_at: '2024-01-19T01:57:00.000Z',
          answered_at: '2024-01-19T01:57:00.000Z',
          ended_at: '2024-01-19T01:59:00.000Z',
          end_reason: '',
        },
      ],
      problems: [],
    });
  });

  it('names the platform number when no account has it', () => {
    expect(importCalls('retell', SAMPLE, { accountForNumber: () => undefined }).problems).toEqual([
      { line: 1, message: 'no account for number +16505550100; pass --account' },
    ]);
  });

  it('maps Retell call objects: web calls, calls that never connected, bad records by index', () => {
    const calls = [
      { call_id: 'call_web', call_type: 'web_call', agent_id: 'agent_1', call_status: 'ended', start_timestamp: 1736000000123, end_timestamp: 1736000045678, disconnection_reason: 'user_hangup' },
      { call_id: 'call_busy', call_type: 'phone_call', direction: 'outbound', from_number: '+16505550100', to_number: '+14155550199', call_status: 'not_connected', end_timestamp: 1736000100000, disconnection_reason: 'dial_busy' },
      { call_id: 'call_nodir', call_type: 'phone_call', from_number: '+14155550101', to_number: '+16505550100', start_timestamp: 1736000200000, end_timestamp: 1736000260000 },
      { call_id: 'call_live', call_type: 'phone_call', direction: 'inbound', to_number: '+16505550100', call_status: 'ongoing', start_timestamp: 1736000300000 },
      { call_id: 'call_out', call_type: 'phone_call', direction: 'outbound', from_number: '+16505550100', to_number: '+442071838750', call_status: 'ended', start_timestamp: 1736000400000, end_timestamp: 1736000461001, disconnection_reason: 'agent_hangup' },
    ];
    const { records, problems } = importCalls('retell', JSON.stringify(calls), { accountId: 'acc_1' });
    expect(records).toEqual([
      { line: 1, call_id: 'call_web', account_id: 'acc_1', direction: 'web', from: '', to: '', started_at: '2025-01-04T14:13:20.123Z', answered_at: '2025-01-04T14:13:20.123Z', ended_at: '2025-01-04T14:14:05.678Z', end_reason: 'user_hangup' },
      { line: 2, call_id: 'call_busy', account_id: 'acc_1', direction: 'outbound', from: '+16505550100', to: '+14155550199', started_at: '2025-01-04T14:15:00.000Z', answered_at: '', ended_at: '2025-01-04T14:15:00.000Z', end_reason: 'dial_busy' },
      { line: 5, call_id: 'call_out', account_id: 'acc_1', direction: 'outbound', from: '+16505550100', to: '+442071838750', started_at: '2025-01-04T14:20:00.000Z', answered_at: '2025-01-04T14:20:00.000Z', ended_at: '2025-01-04T14:21:01.001Z', end_reason: 'agent_hangup' },
    ]);
    expect(problems).toEqual([
      { line: 3, message: 'direction is missing (a phone_call needs inbound or outbound)' },
      { line: 4, message: 'call_status is "ongoing": the call has not ended yet' },
    ]);
  });
});
