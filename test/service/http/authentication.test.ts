/**
 * SPEC §16 keys: no key or an unknown one is 401; an account key reads only its own account
 * and gets 404 for another's (never 403: that would say the account exists); every write
 * needs the operator key (403 for an account key).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../../support/databases.js';
import { exampleCallsOf, expectErrorShape, startTestServer, type TestServer } from './test-server.js';

// Every check runs on both stores.
describe.each(DATABASE_KINDS)('on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ kind });
    const calls = [...(await exampleCallsOf('acme-dental', 3)), ...(await exampleCallsOf('bright-realty', 3))];
    expect((await server.request('POST', '/v1/calls', { body: { calls } })).status).toBe(200);
  });
  afterAll(async () => server.close());

  // Everything an account key may read of its own account.
  const ACCOUNT_READS: readonly [method: string, path: (account: string) => string, body?: unknown][] = [
    ['GET', (account) => `/v1/accounts/${account}`],
    ['GET', (account) => `/v1/accounts/${account}/usage`],
    ['GET', (account) => `/v1/accounts/${account}/usage?at=2026-11-20T12:00:00Z`],
    ['GET', (account) => `/v1/accounts/${account}/calls`],
    ['GET', (account) => `/v1/accounts/${account}/invoices`],
    ['GET', (account) => `/v1/accounts/${account}/invoices/2026-11`],
    ['GET', (account) => `/v1/accounts/${account}/invoices/2026-11?format=text`],
    ['GET', (account) => `/v1/accounts/${account}/numbers`],
    ['GET', (account) => `/v1/accounts/${account}/bundles`],
    ['POST', (account) => `/v1/accounts/${account}/authorize`, { direction: 'outbound', to: '+14155550100' }],
  ];

  const WRITES: readonly [method: string, path: string, body?: unknown][] = [
    ['PUT', '/v1/tariff', { currency: 'USD', plans: {} }],
    ['GET', '/v1/tariff'],
    ['GET', '/v1/accounts'],
    ['PUT', '/v1/accounts/acme-dental', { plan: 'starter', timezone: 'America/New_York', billing_anchor: '2026-01-15', country: 'US' }],
    ['POST', '/v1/accounts/acme-dental/keys'],
    ['POST', '/v1/accounts/acme-dental/numbers', { number: '+12125550111', type: 'local' }],
    ['POST', '/v1/accounts/acme-dental/numbers/+12125550142/release', {}],
    ['POST', '/v1/accounts/acme-dental/bundles', { bundle: 'topup-200' }],
    ['POST', '/v1/calls', { calls: [{ call_id: 'x' }] }],
    ['GET', '/v1/admin/doctor'],
    ['POST', '/v1/admin/close-due-periods'],
  ];

  describe('authentication', () => {
    it('needs no key for /healthz, /openapi.json and /docs', async () => {
      for (const path of ['/healthz', '/openapi.json', '/docs']) expect((await server.request('GET', path, { key: null })).status).toBe(200);
    });

    it('answers 401 with WWW-Authenticate for a missing, malformed or unknown key', async () => {
      const cases = [
        await server.request('GET', '/v1/accounts/acme-dental', { key: null }),
        await server.request('GET', '/v1/accounts/acme-dental', { key: null, headers: { authorization: 'Basic dXNlcjpwYXNz' } }),
        await server.request('GET', '/v1/accounts/acme-dental', { key: 'vb_op_wrong' }),
        await server.request('POST', '/v1/calls', { key: 'vb_op_wrong', body: { calls: 'not even valid' } }),
      ];
      for (const answer of cases) {
        expect(answer.status).toBe(401);
        expect(expectErrorShape(answer).code).toBe('unauthorized');
        expect(answer.headers.get('www-authenticate')).toBe('Bearer');
      }
    });

    it.each(ACCOUNT_READS)('lets an account key %s its own %s, and answers 404 for another account', async (method, path, body) => {
      const own = await server.request(method, path('acme-dental'), { key: server.accountKeys.acme, body });
      expect(own.status, own.text).toBe(200);
      const other = await server.request(method, path('bright-realty'), { key: server.accountKeys.acme, body });
      expect(other.status).toBe(404);
      // Exactly as for an account that does not exist: nothing tells the two apart.
      const missing = await server.request(method, path('no-such-account'), { key: server.accountKeys.acme, body });
      expect(missing.status).toBe(404);
      expect(expectErrorShape(other).message).toBe('account "bright-realty" not found');
      expect(expectErrorShape(missing).message).toBe('account "no-such-account" not found');
      // The operator reads any account.
      expect((await server.request(method, path('bright-realty'), { body })).status).toBe(200);
    });

    it.each(WRITES)('answers 403 to an account key for %s %s', async (method, path, body) => {
      const answer = await server.request(method, path, { key: server.accountKeys.acme, body });
      expect(answer.status).toBe(403);
      expect(expectErrorShape(answer).code).toBe('forbidden');
    });

    it('shows a call by id to its own account only; another account\'s call is 404 like an unknown one', async () => {
      const [acmeCall] = await exampleCallsOf('acme-dental', 1);
      const [brightCall] = await exampleCallsOf('bright-realty', 1);
      const own = await server.request('GET', `/v1/calls/${acmeCall?.call_id}`, { key: server.accountKeys.acme });
      expect(own.status).toBe(200);
      expect((own.json as { account_id: string }).account_id).toBe('acme-dental');
      const other = await server.request('GET', `/v1/calls/${brightCall?.call_id}`, { key: server.accountKeys.acme });
      const unknown = await server.request('GET', '/v1/calls/no-such-call', { key: server.accountKeys.acme });
      expect(other.status).toBe(404);
      expect(unknown.status).toBe(404);
      expect(expectErrorShape(other).message).toBe(`call "${brightCall?.call_id}" not found`);
      expect(expectErrorShape(unknown).message).toBe('call "no-such-call" not found');
      expect((await server.request('GET', `/v1/calls/${brightCall?.call_id}`)).status).toBe(200);
    });

    it('gives an account a working key once, through the operator', async () => {
      const made = await server.request('POST', '/v1/accounts/pacific-auto/keys');
      expect(made.status).toBe(201);
      const { key, account_id: accountId } = made.json as { key: string; account_id: string };
      expect(accountId).toBe('pacific-auto');
      expect((await server.request('GET', '/v1/accounts/pacific-auto/usage', { key })).status).toBe(200);
      expect((await server.request('GET', '/v1/accounts/acme-dental/usage', { key })).status).toBe(404);
    });
  });
});
