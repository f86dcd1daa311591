import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { importCalls } from '../../../src/formats/importers/importer.js';

const sample = (name: string) => readFileSync(new URL(`../../../../shared/samples/${name}`, import.meta.url), 'utf8');
const INBOUND_REPORT = sample('vapi-end-of-call-report_inboundPhoneCall_2024-03_xiaohule-Lumin.json');
const WEB_REPORT = sample('vapi-end-of-call-report_webCall_2025-06_itsvineetkr-finzie-assignment.json');
const accountForNumber = (digits: string) => ({ '17065550142': 'acc_lumin', '14155550100': 'acc_out' })[digits];

describe('vapi importer', () => {
  it('maps an early-2024 inbound end-of-call report, deriving the times from its transcript', () => {
    // This report has no startedAt/endedAt: the assistant joined at the system message
    // (secondsFromStart 0, 1710844175066) and the last event is the endCall at 1710844340807.
    expect(importCalls('vapi', INBOUND_REPORT, { accountForNumber })).toEqual({
      records: [
        {
          line: 1,
          call_id: '4bd29b07-b248-4df3-b9db-29dc821e3910',
          account_id: 'acc_lumin',
          direction: 'inbound',
          from: '+33700000001',
          to: '+17065550142',
          started_at: '2024-03-19T10:29:34.426Z',
          answered_at: '2024-03-19T10:29:35.066Z',
          ended_at: '2024-03-19T10:32:20.807Z',
          end_reason: 'customer-ended-call',
        },
      ],
      problems: [],
    });
  });

  it('maps a web call report: startedAt is the answer, the earlier createdAt the start', () => {
    const { records, problems } = importCalls('vapi', WEB_REPORT, { accountId: 'acc_web' });
    expect(problems).toEqual([]);
    expect(records).toEqual([
      {
        line: 1,
        call_id: '73daba4d-2bcc-4cca-8e49-3d7903467ade',
        account_id: 'acc_web',
        direction: 'web',
        from: '',
        to: '',
        started_at: '2025-06-10T09:06:55.710Z',
        answered_at: '2025-06-10T09:07:00.649Z',
        ended_at: '2025-06-10T09:07:25.925Z',
        end_reason: 'customer-ended-call',
      },
    ]);
  });

  it('asks for --account for a web call, which has no platform number', () => {
    expect(importCalls('vapi', WEB_REPORT, { accountForNumber })).toEqual({
      records: [],
      problems: [{ line: 1, message: 'no account for a web call (it has no platform number); pass --account' }],
    });
  });

  it('maps GET /call objects, reports bad ones by index and keeps the good ones around them', () => {
    const calls = [
      {
        id: 'call-out-1',
        type: 'outboundPhoneCall',
        createdAt: '2025-02-03T14:00:00.000Z',
        startedAt: '2025-02-03T14:00:07.250Z',
        endedAt: '2025-02-03T14:02:07.251Z',
        endedReason: 'assistant-ended-call',
        phoneNumber: { number: '+14155550100' },
        customer: { number: '+442071838750' },
      },
      { id: 'call-bad', type: 'smsCall', startedAt: '2025-02-03T14:05:00Z', endedAt: '2025-02-03T14:06:00Z' },
      {
        id: 'call-out-2',
        type: 'outboundPhoneCall',
        createdAt: '2025-02-03T14:10:00.000Z',
        endedAt: '2025-02-03T14:10:31.000Z',
        endedReason: 'customer-did-not-answer',
        phoneNumber: { number: '+14155550100' },
        customer: { number: '+14155550199' },
      },
      { id: 'call-in-unknown', type: 'inboundPhoneCall', phoneNumberId: 'pn-1', customer: { number: '+14155550111' } },
      {
        id: 'call-out-3',
        type: 'outboundPhoneCall',
        startedAt: '2025-02-03T15:00:00Z',
        endedAt: '2025-02-03T15:01:00Z',
        phoneNumber: { number: '+19995550100' },
        customer: { number: '+14155550122' },
      },
    ];
    const { records, problems } = importCalls('vapi', JSON.stringify(calls), { accountForNumber });
    expect(records).toEqual([
      {
        line: 1,
        call_id: 'call-out-1',
        account_id: 'acc_out',
        direction: 'outbound',
        from: '+14155550100',
        to: '+442071838750',
        started_at: '2025-02-03T14:00:00.000Z',
        answered_at: '2025-02-03T14:00:07.250Z',
        ended_at: '2025-02-03T14:02:07.251Z',
        end_reason: 'assistant-ended-call',
      },
      {
        line: 3,
        call_id: 'call-out-2',
        account_id: 'acc_out',
        direction: 'outbound',
        from: '+14155550100',
        to: '+14155550199',
        started_at: '2025-02-03T14:10:00.000Z',
        answered_at: '',
        ended_at: '2025-02-03T14:10:31.000Z',
        end_reason: 'customer-did-not-answer',
      },
    ]);
    expect(problems).toEqual([
      { line: 2, message: 'call.type "smsCall" is not inboundPhoneCall, outboundPhoneCall or webCall' },
      { line: 4, message: 'phoneNumber.number is missing (the Vapi number the call came in on)' },
      { line: 5, message: 'no account for number +19995550100; pass --account' },
    ]);
  });

  it('reads JSON Lines, reporting an unparseable line and a non-final webhook by line', () => {
    const lines = [
      JSON.stringify({ message: { type: 'status-update', status: 'in-progress', call: { id: 'c1', type: 'webCall' } } }),
      '{"message": {"type": "end-of-call-report",',
      JSON.stringify({ message: { type: 'end-of-call-report', startedAt: '2025-06-10T09:07:00Z', endedAt: '2025-06-10T09:08:00Z', endedReason: 'silence-timed-out', call: { id: 'c2', type: 'webCall' } } }),
    ].join('\n');
    const { records, problems } = importCalls('vapi', lines, { accountId: 'acc_1' });
    expect(records.map((record) => [record.line, record.call_id, record.started_at, record.answered_at, record.ended_at])).toEqual([
      [3, 'c2', '2025-06-10T09:07:00.000Z', '2025-06-10T09:07:00.000Z', '2025-06-10T09:08:00.000Z'],
    ]);
    expect(problems.map((problem) => problem.line)).toEqual([1, 2]);
    expect(problems[0]?.message).toBe('message.type is "status-update", not an end-of-call-report (only those carry the call\'s end)');
    expect(problems[1]?.message).toMatch(/^not JSON: /);
  });
});
