/**
 * `POST /v1/calls` answers one result per record in order, with a status that says whether
 * anything was taken; invoices come as JSON, text, CSV or PDF by `?format=` or Accept, each
 * with its content type.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CallResult } from '../../../src/service/billing-service.js';
import { ingestStatus } from '../../../src/service/http/ingest-status.js';
import { chooseInvoiceFormat } from '../../../src/service/http/invoice-rendering.js';
import { DATABASE_KINDS } from '../../support/databases.js';
import { exampleCallsOf, expectErrorShape, startTestServer, type TestServer } from './test-server.js';

// Every check runs on both stores.
describe.each(DATABASE_KINDS)('on %s', (kind) => {
  let server: TestServer;
  let acmeCalls: Record<string, string>[];

  beforeAll(async () => {
    server = await startTestServer({ kind });
    acmeCalls = await exampleCallsOf('acme-dental', 5);
  });
  afterAll(async () => server.close());

  type Results = { results: CallResult[] };

  describe('POST /v1/calls', () => {
    it('answers 200 with one result per record, in order, when some are rated', async () => {
      const [first, second] = acmeCalls;
      const bad = { ...second, call_id: 'bad-1', ended_at: 'not a time' };
      const answer = await server.request('POST', '/v1/calls', { body: { calls: [first, bad, second] } });
      expect(answer.status).toBe(200);
      const { results } = answer.json as Results;
      expect(results.map((result) => [result.index, result.call_id, result.status])).toEqual([
        [0, first?.call_id, 'rated'],
        [1, 'bad-1', 'rejected'],
        [2, second?.call_id, 'rated'],
      ]);
      expect(results[0]).toMatchObject({ account_id: 'acme-dental', billable_seconds: expect.any(Number) as unknown, carrier_cost: expect.stringMatching(/^\d+\.\d{6}$/) as unknown });
    });

    it('answers 200 to a retry of the same batch: every record a duplicate', async () => {
      const answer = await server.request('POST', '/v1/calls', { body: { calls: acmeCalls.slice(0, 2) } });
      expect(answer.status).toBe(200);
      expect((answer.json as Results).results.map((result) => result.status)).toEqual(['duplicate', 'duplicate']);
    });

    it('answers 409 when every record is a conflicting duplicate, with the results', async () => {
      const changed = acmeCalls.slice(0, 2).map((record) => ({ ...record, end_reason: 'changed-my-mind' }));
      const answer = await server.request('POST', '/v1/calls', { body: { calls: changed } });
      expect(answer.status).toBe(409);
      const { results } = answer.json as Results;
      expect(results.map((result) => (result.status === 'rejected' ? result.error.code : result.status))).toEqual(['conflicting_duplicate', 'conflicting_duplicate']);
    });

    it('answers 422 when every record is refused for other reasons, with the results', async () => {
      const answer = await server.request('POST', '/v1/calls', { body: { calls: [{ call_id: 'lost-1', account_id: 'nobody' }, 'not an object'] } });
      expect(answer.status).toBe(422);
      const { results } = answer.json as Results;
      expect(results).toHaveLength(2);
      expect(results.every((result) => result.status === 'rejected')).toBe(true);
    });

    it('chooses the status from the results alone', () => {
      const rated = { index: 0, call_id: 'a', status: 'duplicate', duplicate_of: 'a' } as const;
      const conflict = { index: 0, call_id: 'a', status: 'rejected', error: { code: 'conflicting_duplicate', message: '' } } as const;
      const unknown = { index: 0, call_id: 'a', status: 'rejected', error: { code: 'unknown_account', message: '' } } as const;
      expect(ingestStatus([rated, conflict, unknown])).toBe(200);
      expect(ingestStatus([conflict, conflict])).toBe(409);
      expect(ingestStatus([conflict, unknown])).toBe(422);
    });

    it('lists an account\'s calls a page at a time, and filters by direction', async () => {
      const page = await server.request('GET', '/v1/accounts/acme-dental/calls?limit=1');
      expect(page.status).toBe(200);
      const { items, next } = page.json as { items: { call_id: string }[]; next: string | null };
      expect(items).toHaveLength(1);
      expect(next).not.toBeNull();
      const rest = await server.request('GET', `/v1/accounts/acme-dental/calls?limit=1000&after=${encodeURIComponent(next ?? '')}`);
      const restItems = (rest.json as { items: { call_id: string }[] }).items;
      expect(restItems.map((call) => call.call_id)).not.toContain(items[0]?.call_id);
      expect(restItems.length + 1).toBe(2);
      for (const direction of ['inbound', 'outbound', 'web']) {
        const filtered = await server.request('GET', `/v1/accounts/acme-dental/calls?direction=${direction}`);
        const sent = acmeCalls.slice(0, 2).filter((record) => record.direction === direction);
        const listed = (filtered.json as { items: { call_id: string; direction: string }[] }).items;
        expect(listed.map((call) => call.call_id).sort()).toEqual(sent.map((record) => record.call_id).sort());
      }
    });
  });

  describe('GET /v1/accounts/{account_id}/invoices/{month}', () => {
    const path = '/v1/accounts/acme-dental/invoices/2026-11';

    it('answers the §13 JSON invoice by default, a draft while the period is open', async () => {
      const answer = await server.request('GET', path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.json).toMatchObject({ account_id: 'acme-dental', currency: 'USD', status: expect.stringMatching(/^(draft|closed)$/) as unknown, usage: { calls: 2 } });
    });

    it.each<[string, Record<string, string>, string, RegExp]>([
      ['?format=text', {}, 'text/plain; charset=utf-8', /^={10,}\nDRAFT INVOICE \(period still open\)/],
      ['?format=csv', {}, 'text/csv; charset=utf-8', /^account_id,period_start,period_end,currency,kind/],
      ['', { accept: 'text/plain' }, 'text/plain; charset=utf-8', /INVOICE/],
      ['', { accept: 'text/html;q=0.9, text/csv;q=0.8, application/json;q=0.5' }, 'text/csv; charset=utf-8', /^account_id,/],
      ['?format=json', { accept: 'text/csv' }, 'application/json; charset=utf-8', /^\{"account_id"/],
    ])('renders %s (Accept %j) as %s', async (query, headers, contentType, start) => {
      const answer = await server.request('GET', `${path}${query}`, { headers });
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe(contentType);
      expect(answer.text).toMatch(start);
    });

    it('renders a PDF as a download', async () => {
      const asks: { query: string; headers: Record<string, string> }[] = [
        { query: '?format=pdf', headers: {} },
        { query: '', headers: { accept: 'application/pdf' } },
      ];
      for (const options of asks) {
        const answer = await server.request('GET', `${path}${options.query}`, { headers: options.headers });
        expect(answer.status).toBe(200);
        expect(answer.headers.get('content-type')).toBe('application/pdf');
        expect(answer.headers.get('content-disposition')).toBe('attachment; filename="invoice-acme-dental-2026-11.pdf"');
        expect(answer.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      }
    });

    it('answers errors as JSON even when a PDF was asked for', async () => {
      const answer = await server.request('GET', '/v1/accounts/nobody/invoices/2026-11?format=pdf');
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expectErrorShape(answer);
    });

    it('refuses an unknown format, naming the parameter', async () => {
      const answer = await server.request('GET', `${path}?format=docx`);
      expect(answer.status).toBe(400);
      expect(expectErrorShape(answer).message).toMatch(/^querystring\.format: /);
    });

    it('chooses the format: ?format first, then the best Accept type it can render, else JSON', () => {
      expect(chooseInvoiceFormat('pdf', 'text/csv')).toBe('pdf');
      expect(chooseInvoiceFormat(undefined, undefined)).toBe('json');
      expect(chooseInvoiceFormat(undefined, '*/*')).toBe('json');
      expect(chooseInvoiceFormat(undefined, 'text/csv;q=0.2, application/pdf')).toBe('pdf');
      expect(chooseInvoiceFormat(undefined, 'application/pdf;q=0, text/plain')).toBe('text');
    });
  });
});
