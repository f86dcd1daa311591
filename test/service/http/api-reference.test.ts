/**
 * `/openapi.json` is an OpenAPI 3.1 document generated from the routes' schemas, listing
 * every route; `/docs` is the reference page, served entirely from this machine.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './test-server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => server.close());

const ROUTES = [
  'post /v1/accounts/{account_id}/alert-rules',
  'get /v1/accounts/{account_id}/alert-rules',
  'post /v1/accounts/{account_id}/alert-rules/defaults',
  'get /v1/accounts/{account_id}/alert-rules/{rule_id}',
  'put /v1/accounts/{account_id}/alert-rules/{rule_id}',
  'delete /v1/accounts/{account_id}/alert-rules/{rule_id}',
  'get /v1/accounts/{account_id}/alert-deliveries',
  'post /v1/accounts/{account_id}/alert-deliveries/{delivery_id}/redeliver',
  'get /healthz',
  'put /v1/tariff',
  'get /v1/tariff',
  'get /v1/accounts',
  'put /v1/accounts/{account_id}',
  'get /v1/accounts/{account_id}',
  'post /v1/accounts/{account_id}/keys',
  'post /v1/accounts/{account_id}/numbers',
  'get /v1/accounts/{account_id}/numbers',
  'post /v1/accounts/{account_id}/numbers/{number}/release',
  'post /v1/accounts/{account_id}/bundles',
  'get /v1/accounts/{account_id}/bundles',
  'post /v1/calls',
  'get /v1/calls/{call_id}',
  'get /v1/accounts/{account_id}/calls',
  'get /v1/accounts/{account_id}/usage',
  'post /v1/accounts/{account_id}/authorize',
  'get /v1/accounts/{account_id}/invoices',
  'get /v1/accounts/{account_id}/invoices/{month}',
  'get /v1/admin/doctor',
  'post /v1/admin/close-due-periods',
];

interface Operation {
  summary?: string;
  description?: string;
  security?: unknown[];
  parameters?: { name: string; in: string }[];
  responses?: Record<string, unknown>;
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
}

function refsIn(value: unknown, found: string[] = []): string[] {
  if (Array.isArray(value)) for (const item of value) refsIn(item, found);
  else if (value && typeof value === 'object') {
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string') found.push(inner);
      else refsIn(inner, found);
    }
  }
  return found;
}

describe('API reference', () => {
  it('serves an OpenAPI 3.1 document listing every route, each with a summary and responses', async () => {
    const answer = await server.request('GET', '/openapi.json', { key: null });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    const document = JSON.parse(answer.text) as OpenApiDocument;
    expect(document.openapi).toBe('3.1.0');
    expect(document.info).toMatchObject({ title: 'voicebill', version: expect.any(String) as unknown });
    const listed = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method} ${path}`));
    expect(listed.sort()).toEqual([...ROUTES].sort());
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect(operation.summary, `${method} ${path}`).toBeTruthy();
        expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toContain('500');
        // Every /v1 route says it needs a key; /healthz says it does not.
        expect(operation.security, `${method} ${path}`).toEqual(path.startsWith('/v1/') ? [{ bearerAuth: [] }] : []);
        for (const name of path.match(/\{(\w+)\}/g) ?? []) {
          expect(operation.parameters?.some((parameter) => parameter.in === 'path' && `{${parameter.name}}` === name), `${method} ${path} ${name}`).toBe(true);
        }
      }
    }
    expect(document.components.securitySchemes).toHaveProperty('bearerAuth');
  });

  it('resolves every $ref inside the document', async () => {
    const document = (await server.request('GET', '/openapi.json', { key: null })).json as OpenApiDocument;
    const refs = refsIn(document);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) {
      expect(ref).toMatch(/^#\/components\/schemas\//);
      expect(document.components.schemas, ref).toHaveProperty(ref.replace('#/components/schemas/', ''));
    }
  });

  it('documents the status rule of POST /v1/calls', async () => {
    const document = (await server.request('GET', '/openapi.json', { key: null })).json as OpenApiDocument;
    const ingest = document.paths['/v1/calls']?.post;
    expect(Object.keys(ingest?.responses ?? {})).toEqual(expect.arrayContaining(['200', '409', '422', '413']));
    expect(ingest?.description).toMatch(/\*\*409\*\* if all of them are `conflicting_duplicate`/);
  });

  it('serves /docs with every script and style from this server, none from outside', async () => {
    const page = await server.request('GET', '/docs', { key: null });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.text).not.toMatch(/(https?:)?\/\/[a-z0-9.-]+\.[a-z]{2,}/i);
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(assets.length).toBeGreaterThan(2);
    for (const asset of assets) {
      expect(asset.startsWith('/docs/')).toBe(true);
      expect((await server.request('GET', asset, { key: null })).status, asset).toBe(200);
    }
    // The script that starts the page points it at our own document, with no online validator.
    const initializer = await server.request('GET', '/docs/static/swagger-initializer.js', { key: null });
    expect(initializer.text).toContain('validatorUrl: null');
    expect(initializer.text).not.toMatch(/url: ["']https?:/);
  });
});
