/**
 * A real `voicebill serve` app for HTTP tests: the store-backed service from
 * `openBillingService` on a fresh database, the example tariff and accounts loaded, keys for
 * the operator and two accounts, listening on a free port and reached with `fetch`.
 */
import type { FastifyInstance } from 'fastify';
import type { BillingService } from '../../../src/service/billing-service.js';
import { buildHttpApp } from '../../../src/service/http/build-http-app.js';
import { openBillingService } from '../../../src/service/open-service.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../../support/databases.js';
import { exampleAccountDocuments, exampleCallRecords, exampleTariffDocument } from '../../support/example-data.js';

export const OPERATOR_KEY = 'vb_op_http_test';

export interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON (undefined when it is not JSON). */
  readonly json: unknown;
  readonly bytes: Buffer;
}

export interface RequestOptions {
  /** The bearer key; `null` sends no Authorization header. Default: the operator key. */
  readonly key?: string | null;
  readonly body?: unknown;
  /** Sent as is instead of JSON-encoding `body`. */
  readonly rawBody?: string;
  readonly headers?: Record<string, string>;
}

export interface TestServer {
  readonly baseUrl: string;
  readonly service: BillingService;
  readonly app: FastifyInstance;
  /** Keys of `acme-dental` and `bright-realty`. */
  readonly accountKeys: { readonly acme: string; readonly bright: string };
  request(method: string, path: string, options?: RequestOptions): Promise<Answer>;
  close(): Promise<void>;
}

export async function startTestServer(options: { kind?: TestDatabaseKind; wrap?: (service: BillingService) => BillingService } = {}): Promise<TestServer> {
  const database: TestDatabase = await createTestDatabase(options.kind ?? 'sqlite');
  const { service: real } = await openBillingService({ db: database.location, operatorKey: OPERATOR_KEY });
  const service = options.wrap ? options.wrap(real) : real;
  await service.putTariff(exampleTariffDocument());
  for (const [accountId, document] of Object.entries(exampleAccountDocuments())) await service.putAccount(accountId, document);
  const acme = (await service.createAccountKey('acme-dental')).key;
  const bright = (await service.createAccountKey('bright-realty')).key;
  const app = await buildHttpApp({ service });
  const baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });

  async function request(method: string, path: string, { key = OPERATOR_KEY, body, rawBody, headers = {} }: RequestOptions = {}): Promise<Answer> {
    const sent: Record<string, string> = { ...headers };
    if (key !== null) sent.authorization = `Bearer ${key}`;
    let payload: string | undefined = rawBody;
    if (payload === undefined && body !== undefined) payload = JSON.stringify(body);
    if (payload !== undefined && sent['content-type'] === undefined) sent['content-type'] = 'application/json';
    const response = await fetch(`${baseUrl}${path}`, { method, headers: sent, body: payload });
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = bytes.toString('utf8');
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json, bytes };
  }

  return {
    baseUrl,
    service,
    app,
    accountKeys: { acme, bright },
    request,
    async close() {
      await app.close();
      await real.close();
      await database.drop();
    },
  };
}

/** A few example records of one account (the example month, 2026-11). */
export async function exampleCallsOf(accountId: string, count: number): Promise<Record<string, string>[]> {
  return (await exampleCallRecords()).filter((record) => record.account_id === accountId).slice(0, count);
}

/** The error body every failure answers, checked for shape and its request id. */
export function expectErrorShape(answer: Answer): { code: string; message: string; request_id: string } {
  const body = answer.json as { error?: { code?: unknown; message?: unknown; request_id?: unknown } } | undefined;
  const error = body?.error;
  if (!error || typeof error.code !== 'string' || typeof error.message !== 'string' || typeof error.request_id !== 'string') {
    throw new Error(`not an error body (status ${answer.status}): ${answer.text.slice(0, 300)}`);
  }
  if (Object.keys(body).length !== 1 || Object.keys(error).length !== 3) throw new Error(`extra fields in error body: ${answer.text}`);
  if (answer.headers.get('x-request-id') !== error.request_id) throw new Error(`x-request-id ${answer.headers.get('x-request-id')} is not the body's ${error.request_id}`);
  return { code: error.code, message: error.message, request_id: error.request_id };
}
