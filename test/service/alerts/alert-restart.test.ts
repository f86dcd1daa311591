/**
 * Issue 4, with real processes on both stores: a threshold crossed through the API while
 * `serve` delivers nothing, then `serve` killed (SIGKILL) and started again with delivery on:
 * the receiver (a real HTTP server on 127.0.0.1) gets the event once, signed with the
 * Standard Webhooks scheme, and the signature verifies with the library's own check.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';
import { exampleTariffDocument } from '../../support/example-data.js';
import { api, startServe, type ServeProcess } from '../../support/serve-process.js';

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

async function startReceiver(): Promise<{ server: Server; url: string; received: Received[] }> {
  const received: Received[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      received.push({ headers: request.headers, body });
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

const servers: ServeProcess[] = [];
const databases: TestDatabase[] = [];
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined;

afterEach(async () => {
  for (const server of servers.splice(0)) await server.kill('SIGKILL');
  for (const database of databases.splice(0)) await database.drop();
  await new Promise((resolve) => receiver?.server.close(resolve) ?? resolve(undefined));
});

describe.each(DATABASE_KINDS)('alerts across a restart on %s', (kind) => {
  it('delivers an event queued before a SIGKILL once the server is back, signed', async () => {
    receiver = await startReceiver();
    const database = await createTestDatabase(kind);
    databases.push(database);
    // Last month's period is still open (nothing closes with --close-interval 0).
    const now = new Date();
    const lastMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    const anchor = lastMonth.toISOString().slice(0, 10);

    let server = await startServe(database.location, ['--deliver-interval', '0']);
    servers.push(server);
    expect((await api(server.baseUrl, 'PUT', '/v1/tariff', exampleTariffDocument())).status).toBe(200);
    expect((await api(server.baseUrl, 'PUT', '/v1/accounts/clinic', { plan: 'starter', timezone: 'UTC', billing_anchor: anchor, country: 'US' })).status).toBe(201);
    const rule = await api(server.baseUrl, 'POST', '/v1/accounts/clinic/alert-rules', { metric: 'included_used_percent', thresholds: ['80'], channels: [{ type: 'webhook', url: receiver.url }] });
    expect(rule.status).toBe(201);
    const secret = (rule.body as { channels: { secret: string }[] }).channels[0]?.secret as string;
    // Forty ten-minute calls: 400 of starter's 500 included minutes.
    const calls = Array.from({ length: 40 }, (_, index) => {
      const start = new Date(lastMonth.getTime() + index * 3_600_000);
      return { call_id: `c${index}`, account_id: 'clinic', direction: 'web', started_at: start.toISOString(), answered_at: start.toISOString(), ended_at: new Date(start.getTime() + 600_000).toISOString() };
    });
    expect((await api(server.baseUrl, 'POST', '/v1/calls', { calls })).status).toBe(200);
    await server.kill('SIGKILL');
    expect(receiver.received).toHaveLength(0);

    server = await startServe(database.location, ['--deliver-interval', '1']);
    servers.push(server);
    for (let waited = 0; receiver.received.length === 0 && waited < 15_000; waited += 100) await new Promise((resolve) => setTimeout(resolve, 100));
    await new Promise((resolve) => setTimeout(resolve, 1_500)); // a second delivery, if any, would come now
    expect(receiver.received).toHaveLength(1);
    const [delivery] = receiver.received as [Received];
    const event = new Webhook(secret).verify(delivery.body, delivery.headers as Record<string, string>) as { id: string; data: { threshold: string; account_id: string } };
    expect(delivery.headers['webhook-id']).toBe(event.id);
    expect(event.data).toMatchObject({ account_id: 'clinic', threshold: '80' });
  });
});
