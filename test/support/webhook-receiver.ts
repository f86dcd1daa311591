/**
 * A real HTTP receiver on 127.0.0.1 for webhook tests: records every request (headers and
 * the raw body, which the signature covers) and answers the status `respond` chooses for the
 * n-th request (1-based), possibly after a while (a promise), or never (`'hang'`) to test
 * timeouts.
 */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** The headers of request `index` as the reference verifier takes them. */
  headersOf(index: number): Record<string, string>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(respond: (count: number, request: ReceivedRequest) => number | 'hang' | Promise<number> = () => 200): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
    incoming.on('end', () => {
      const request: ReceivedRequest = { method: incoming.method ?? '', path: incoming.url ?? '', headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') };
      requests.push(request);
      void Promise.resolve(respond(requests.length, request)).then((status) => {
        if (status === 'hang') {
          hanging.push(response);
          return;
        }
        response.writeHead(status, { 'content-type': 'text/plain' });
        response.end(status >= 200 && status < 300 ? 'ok' : `receiver says no (${status})`);
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/voicebill`,
    requests,
    headersOf(index) {
      const headers = requests[index]?.headers ?? {};
      return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, Array.isArray(value) ? value.join(', ') : (value ?? '')]));
    },
    async close() {
      for (const response of hanging) response.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
