/**
 * One error shape for every failure, with the request id in the body and the `x-request-id`
 * header; validation errors name the field; body limits answer 413; a bug answers 500
 * without its details.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BillingService } from '../../../src/service/billing-service.js';
import { exampleCallsOf, expectErrorShape, startTestServer, type TestServer } from './test-server.js';

let server: TestServer;

beforeAll(async () => {
  // The real service, except that the doctor has a bug: to see what a 500 looks like.
  const withBrokenDoctor = (service: BillingService): BillingService =>
    new Proxy(service, {
      get: (target, name, receiver) =>
        name === 'doctor' ? () => Promise.reject(new Error('secret detail: connection string postgres://u:p@h')) : (Reflect.get(target, name, receiver) as unknown),
    });
  server = await startTestServer({ wrap: withBrokenDoctor });
});
afterAll(async () => server.close());

describe('errors', () => {
  it('sends a fresh request id on every answer, the same in the header and the error body', async () => {
    const first = await server.request('GET', '/healthz');
    const second = await server.request('GET', '/healthz');
    expect(first.headers.get('x-request-id')).toMatch(/^req_[0-9a-f-]{36}$/);
    expect(first.headers.get('x-request-id')).not.toBe(second.headers.get('x-request-id'));
    const failed = await server.request('GET', '/v1/accounts/nobody');
    expect(failed.status).toBe(404);
    expect(expectErrorShape(failed).code).toBe('not_found');
  });

  it('does not take a request id from the client', async () => {
    const answer = await server.request('GET', '/v1/accounts/nobody', { headers: { 'x-request-id': 'forged' } });
    expect(expectErrorShape(answer).request_id).not.toBe('forged');
  });

  it('answers an unknown route 404 not_found, with or without a key', async () => {
    for (const key of [null, undefined]) {
      const answer = await server.request('GET', '/v1/nothing-here?x=1', key === null ? { key } : {});
      expect(answer.status).toBe(404);
      const error = expectErrorShape(answer);
      expect(error.code).toBe('not_found');
      expect(error.message).toBe('no route GET /v1/nothing-here');
    }
  });

  it('names the field of a validation error: body, query and path', async () => {
    const body = await server.request('POST', '/v1/accounts/acme-dental/authorize', { body: { direction: 'sideways' } });
    expect(body.status).toBe(400);
    expect(expectErrorShape(body)).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(/^body\.direction: /) as unknown });

    const nested = await server.request('POST', '/v1/accounts/acme-dental/numbers', { body: { number: '+12125550111', type: 'local', rented_at: 'last tuesday' } });
    expect(expectErrorShape(nested).message).toMatch(/^body\.rented_at: must be an RFC 3339 instant/);

    const query = await server.request('GET', '/v1/accounts/acme-dental/usage?at=yesterday');
    expect(query.status).toBe(400);
    expect(expectErrorShape(query).message).toMatch(/^querystring\.at: /);

    const limit = await server.request('GET', '/v1/accounts?limit=5000');
    expect(expectErrorShape(limit).message).toMatch(/^querystring\.limit: /);

    const path = await server.request('GET', '/v1/accounts/acme-dental/invoices/2026-13');
    expect(path.status).toBe(400);
    expect(expectErrorShape(path).message).toBe('params.month: must be a month YYYY-MM');

    const tariff = await server.request('PUT', '/v1/tariff', { body: { currency: 'USD', plans: { basic: { monthly_fee: 10, minute_price: '0.10' } } } });
    expect(tariff.status).toBe(400);
    expect(expectErrorShape(tariff).message).toMatch(/^body\.plans\.basic\.monthly_fee: /);
  });

  it('passes on the service\'s refusals with their code and status', async () => {
    const answer = await server.request('PUT', '/v1/accounts/newcomer', { body: { plan: 'no-such-plan', timezone: 'UTC', billing_anchor: '2026-11-01', country: 'US' } });
    expect(answer.status).toBe(400);
    expect(expectErrorShape(answer).code).toBe('invalid_request');
  });

  it('answers bad JSON 400 and a body that is not JSON 415, in the same shape', async () => {
    const bad = await server.request('POST', '/v1/calls', { rawBody: '{"calls": [' });
    expect(bad.status).toBe(400);
    expect(expectErrorShape(bad).code).toBe('invalid_request');
    const text = await server.request('POST', '/v1/calls', { rawBody: 'call-1,acme', headers: { 'content-type': 'text/csv' } });
    expect(text.status).toBe(415);
    expect(expectErrorShape(text).code).toBe('invalid_request');
  });

  it('limits bodies to 256 KB, except 16 MB for calls and the tariff', async () => {
    const padding = 'x'.repeat(300 * 1024);
    const small = await server.request('POST', '/v1/accounts/acme-dental/bundles', { body: { bundle: 'topup-200', padding } });
    expect(small.status).toBe(413);
    expect(expectErrorShape(small)).toMatchObject({ code: 'payload_too_large' });

    // 300 KB of calls is fine on POST /v1/calls…
    const [record] = await exampleCallsOf('acme-dental', 1);
    const calls = Array.from({ length: 1500 }, () => ({ ...record, end_reason: 'x'.repeat(150) }));
    const taken = await server.request('POST', '/v1/calls', { body: { calls } });
    expect(JSON.stringify({ calls }).length).toBeGreaterThan(256 * 1024);
    expect(taken.status).not.toBe(413);

    // …but not 17 MB.
    const huge = await server.request('POST', '/v1/calls', { body: { calls: [{ call_id: 'x'.repeat(17 * 1024 * 1024) }] } });
    expect(huge.status).toBe(413);
    expect(expectErrorShape(huge).code).toBe('payload_too_large');
  });

  it('refuses more than 10,000 records in one request, naming the field', async () => {
    const answer = await server.request('POST', '/v1/calls', { body: { calls: Array.from({ length: 10_001 }, () => ({})) } });
    expect(answer.status).toBe(400);
    expect(expectErrorShape(answer).message).toMatch(/^body\.calls: /);
  });

  it('answers a bug 500 internal without its details', async () => {
    const answer = await server.request('GET', '/v1/admin/doctor');
    expect(answer.status).toBe(500);
    const error = expectErrorShape(answer);
    expect(error.code).toBe('internal');
    expect(answer.text).not.toContain('secret');
  });
});
