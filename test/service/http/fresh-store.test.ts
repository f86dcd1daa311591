/**
 * A service on an empty database, as an integrator first meets it: calls before any tariff
 * answer 409 `no_tariff` in the error shape, and long ids in paths reach the routes (not a
 * framework 414).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildHttpApp } from '../../../src/service/http/build-http-app.js';
import { openBillingService } from '../../../src/service/open-service.js';
import type { BillingService } from '../../../src/service/billing-service.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';

describe.each(DATABASE_KINDS)('a fresh store on %s', (kind) => {
  let database: TestDatabase;
  let service: BillingService;
  let app: FastifyInstance;
  let baseUrl: string;
  const headers = { authorization: 'Bearer vb_op_fresh', 'content-type': 'application/json' };

  beforeAll(async () => {
    database = await createTestDatabase(kind);
    ({ service } = await openBillingService({ db: database.location, operatorKey: 'vb_op_fresh' }));
    app = await buildHttpApp({ service });
    baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await app.close();
    await service.close();
    await database.drop();
  });

  it('answers calls sent before a tariff 409 no_tariff, in the error shape', async () => {
    const call = { call_id: 'c1', account_id: 'a', direction: 'web', started_at: '2026-11-20T10:00:00Z', ended_at: '2026-11-20T10:01:00Z' };
    const response = await fetch(`${baseUrl}/v1/calls`, { method: 'POST', headers, body: JSON.stringify({ calls: [call] }) });
    expect(response.status).toBe(409);
    const body = (await response.json()) as { error: { code: string; message: string; request_id: string } };
    expect(body.error).toMatchObject({ code: 'no_tariff', request_id: response.headers.get('x-request-id') });
    expect(body.error.message).toContain('PUT /v1/tariff');
  });

  it('takes ids longer than 100 characters in paths', async () => {
    const response = await fetch(`${baseUrl}/v1/calls/${'x'.repeat(150)}`, { headers });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('not_found');
  });
});
