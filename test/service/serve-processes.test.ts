/**
 * Issue 3's checks with real `voicebill serve` processes over real HTTP, on both stores: the
 * example ingested through the API gives `voicebill invoice`'s invoices to the cent, and
 * re-ingesting the whole month changes nothing; a server killed with SIGKILL in the middle of
 * ingesting, restarted and sent the same batches again, ends with exactly the uninterrupted
 * totals; two servers on one PostgreSQL close each period once, numbered without gaps.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { voicebill } from '../support/cli.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../support/databases.js';
import { exampleAccountDocuments, exampleCallRecords, exampleTariffDocument } from '../support/example-data.js';
import { api, startServe, type ServeProcess } from '../support/serve-process.js';

interface CallResultBody {
  results: { status: string }[];
}

interface InvoiceBody {
  number: string | null;
  status: string;
  closed_at: string | null;
  [field: string]: unknown;
}

const ACCOUNTS = Object.keys(exampleAccountDocuments()).sort();

function batchInvoices(): unknown[] {
  const result = voicebill(['invoice', '--tariff', 'examples/tariff.yaml', '--accounts', 'examples/accounts.yaml', '--calls', 'examples/calls.csv', '--period', '2026-11']);
  expect(result.status).toBe(0);
  return JSON.parse(result.stdout) as unknown[];
}

async function loadTariffAndAccounts(server: ServeProcess): Promise<void> {
  expect((await api(server.baseUrl, 'PUT', '/v1/tariff', exampleTariffDocument())).status).toBeLessThan(300);
  for (const [id, document] of Object.entries(exampleAccountDocuments())) {
    expect((await api(server.baseUrl, 'PUT', `/v1/accounts/${id}`, document)).status).toBe(201);
  }
}

function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const batches: T[][] = [];
  for (let start = 0; start < items.length; start += size) batches.push(items.slice(start, start + size));
  return batches;
}

async function postCalls(server: ServeProcess, calls: readonly unknown[]): Promise<string[]> {
  const { status, body } = await api(server.baseUrl, 'POST', '/v1/calls', { calls });
  expect(status).toBe(200);
  return (body as CallResultBody).results.map((result) => result.status);
}

/** The November drafts without what only a closed invoice has. */
async function novemberInvoices(server: ServeProcess): Promise<unknown[]> {
  const invoices = [];
  for (const id of ACCOUNTS) {
    const { status, body } = await api(server.baseUrl, 'GET', `/v1/accounts/${id}/invoices/2026-11`);
    expect(status).toBe(200);
    const { number: _number, status: _status, closed_at: _closedAt, ...invoice } = body as InvoiceBody;
    invoices.push(invoice);
  }
  return invoices;
}

const servers: ServeProcess[] = [];
const databases: TestDatabase[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) await server.kill('SIGKILL');
  for (const database of databases.splice(0)) await database.drop();
});

async function database(kind: 'sqlite' | 'postgres'): Promise<TestDatabase> {
  const made = await createTestDatabase(kind);
  databases.push(made);
  return made;
}

async function serve(db: string): Promise<ServeProcess> {
  const server = await startServe(db);
  servers.push(server);
  return server;
}

describe.each(DATABASE_KINDS)('voicebill serve processes on %s', (kind) => {
  it('bills the example sent through the API exactly as `voicebill invoice` does; sending it again changes nothing', async () => {
    const server = await serve((await database(kind)).location);
    await loadTariffAndAccounts(server);
    const calls = await exampleCallRecords();
    for (const batch of batchesOf(calls, 1000)) expect(new Set(await postCalls(server, batch))).toEqual(new Set(['rated']));
    const expected = batchInvoices();
    expect(await novemberInvoices(server)).toEqual(expected);

    for (const batch of batchesOf(calls, 1000)) expect(new Set(await postCalls(server, batch))).toEqual(new Set(['duplicate']));
    expect(await novemberInvoices(server)).toEqual(expected);
    const doctor = await api(server.baseUrl, 'GET', '/v1/admin/doctor');
    expect(doctor.body).toMatchObject({ ok: true, differences: [] });
  });

  it('ends with the uninterrupted totals after a SIGKILL in the middle of ingesting and the same batches sent again', async () => {
    const { location } = await database(kind);
    let server = await serve(location);
    await loadTariffAndAccounts(server);
    const batches = batchesOf(await exampleCallRecords(), 250);
    for (const batch of batches.slice(0, 5)) await postCalls(server, batch);
    // The sixth batch is in flight when the process dies: it is stored whole or not at all.
    const inFlight = api(server.baseUrl, 'POST', '/v1/calls', { calls: batches[5] }).catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 15));
    await server.kill('SIGKILL');
    await inFlight;

    server = await serve(location);
    const statuses = [];
    for (const batch of batches) statuses.push(...(await postCalls(server, batch)));
    expect(statuses.slice(0, 5 * 250).every((status) => status === 'duplicate')).toBe(true);
    expect(statuses.slice(6 * 250).every((status) => status === 'rated')).toBe(true);
    expect(await novemberInvoices(server)).toEqual(batchInvoices());
    expect((await api(server.baseUrl, 'GET', '/v1/admin/doctor')).body).toMatchObject({ ok: true });
  });
});

describe('two voicebill serve processes on one PostgreSQL', () => {
  it('close every due period exactly once, with invoice numbers 1..N and no gap', async () => {
    const { location } = await database('postgres');
    const first = await serve(location);
    await loadTariffAndAccounts(first);
    for (const batch of batchesOf(await exampleCallRecords(), 1000)) await postCalls(first, batch);
    const second = await serve(location);

    // Both processes close at once, several times over.
    const answers = await Promise.all([first, second, first, second, first, second].map((server) => api(server.baseUrl, 'POST', '/v1/admin/close-due-periods')));
    const closed = answers.reduce((sum, answer) => sum + (answer.body as { closed: number }).closed, 0);
    expect(closed).toBeGreaterThan(ACCOUNTS.length);

    const numbers: number[] = [];
    const periods = new Set<string>();
    for (const id of ACCOUNTS) {
      const { body } = await api(second.baseUrl, 'GET', `/v1/accounts/${id}/invoices`);
      for (const summary of (body as { items: { number: string | null; month: string }[] }).items) {
        if (summary.number === null) continue;
        numbers.push(Number(summary.number.replace(/^INV-/, '')));
        const key = `${id} ${summary.month}`;
        expect(periods.has(key)).toBe(false);
        periods.add(key);
      }
    }
    expect(numbers).toHaveLength(closed);
    expect(numbers.sort((a, b) => a - b)).toEqual(Array.from({ length: closed }, (_, index) => index + 1));
    expect((await api(first.baseUrl, 'GET', '/v1/admin/doctor')).body).toMatchObject({ ok: true });
  });
});
