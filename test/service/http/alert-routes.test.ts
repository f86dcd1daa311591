/**
 * SPEC §11 over HTTP: alert rules managed by the operator or the account's own key (another
 * account's key answers 404, as everywhere), refused bodies naming the field and changing
 * nothing, the 80%/100% defaults, the delivery log, and the routes in `/openapi.json`.
 */
import { Webhook } from 'standardwebhooks';
import type { AlertDeliveryDocument } from '../../../src/service/billing-service.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_KINDS } from '../../support/databases.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { expectErrorShape, OPERATOR_KEY, startTestServer, type TestServer } from './test-server.js';

interface Channel {
  type: 'webhook' | 'email';
  url?: string;
  secret?: string;
  address?: string;
}
interface Rule {
  rule_id: number;
  account_id: string;
  metric: string;
  thresholds: string[];
  channels: Channel[];
  created_at: string;
  updated_at: string;
}

/** A delivery as the log answers it (the service's own document). */
type Delivery = AlertDeliveryDocument;

const HOOK = 'https://hooks.example.com/voicebill/usage';
const OTHER_HOOK = 'https://automate.example.net/webhook/abc';

describe.each(DATABASE_KINDS)('on %s', (kind) => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ kind });
  });
  afterAll(async () => server.close());

  const keyOf = (who: 'operator' | 'account'): string => (who === 'operator' ? OPERATOR_KEY : server.accountKeys.acme);
  const rulesOf = async (account: string): Promise<Rule[]> => {
    const answer = await server.request('GET', `/v1/accounts/${account}/alert-rules`);
    expect(answer.status, answer.text).toBe(200);
    return (answer.json as { items: Rule[] }).items;
  };

  describe.each(['operator', 'account'] as const)('with the %s key', (who) => {
    it('creates, lists, reads, replaces and deletes a rule', async () => {
      const key = keyOf(who);
      const created = await server.request('POST', '/v1/accounts/acme-dental/alert-rules', {
        key,
        body: { metric: 'payg_amount', thresholds: ['25.50', 10, '100.0'], channels: [{ type: 'webhook', url: HOOK }, { type: 'email', address: 'billing@acme-dental.example' }] },
      });
      expect(created.status, created.text).toBe(201);
      const rule = created.json as Rule;
      expect(rule).toMatchObject({ account_id: 'acme-dental', metric: 'payg_amount', thresholds: ['10', '25.5', '100'] });
      expect(rule.rule_id).toEqual(expect.any(Number));
      expect(rule.created_at).toBe(rule.updated_at);
      const [webhook, email] = rule.channels;
      // The receiver needs the secret to check signatures: shown to whoever manages the rule.
      expect(webhook).toEqual({ type: 'webhook', url: HOOK, secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{16,}$/) as unknown });
      expect(email).toEqual({ type: 'email', address: 'billing@acme-dental.example' });

      const listed = await server.request('GET', '/v1/accounts/acme-dental/alert-rules', { key });
      expect(listed.status).toBe(200);
      expect((listed.json as { items: Rule[] }).items).toContainEqual(rule);

      const read = await server.request('GET', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { key });
      expect(read.status).toBe(200);
      expect(read.json).toEqual(rule);

      // Replacing keeps the secret of a URL the rule already had; a new URL gets its own.
      const replaced = await server.request('PUT', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, {
        key,
        body: { metric: 'usage_minutes', thresholds: [400], channels: [{ type: 'webhook', url: OTHER_HOOK }, { type: 'webhook', url: HOOK }] },
      });
      expect(replaced.status, replaced.text).toBe(200);
      const after = replaced.json as Rule;
      expect(after).toMatchObject({ rule_id: rule.rule_id, account_id: 'acme-dental', metric: 'usage_minutes', thresholds: ['400'], created_at: rule.created_at });
      expect(after.channels[1]).toEqual(webhook);
      expect(after.channels[0]).toMatchObject({ type: 'webhook', url: OTHER_HOOK });
      expect(after.channels[0]?.secret).toMatch(/^whsec_/);
      expect(after.channels[0]?.secret).not.toBe(webhook?.secret);
      expect((await server.request('GET', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { key })).json).toEqual(after);

      const deleted = await server.request('DELETE', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { key });
      expect(deleted.status).toBe(204);
      expect(deleted.text).toBe('');
      const gone = await server.request('GET', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { key });
      expect(gone.status).toBe(404);
      expect(expectErrorShape(gone)).toMatchObject({ code: 'not_found', message: `account acme-dental has no alert rule ${rule.rule_id}` });
      expect((await server.request('DELETE', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { key })).status).toBe(404);
      expect((await rulesOf('acme-dental')).map((each) => each.rule_id)).not.toContain(rule.rule_id);
    });

    it('creates the default rules: 80% and 100% of the included minutes', async () => {
      const answer = await server.request('POST', '/v1/accounts/acme-dental/alert-rules/defaults', { key: keyOf(who), body: { channels: [{ type: 'webhook', url: HOOK }] } });
      expect(answer.status, answer.text).toBe(201);
      const { items } = answer.json as { items: Rule[] };
      expect(items.flatMap((rule) => rule.thresholds.map((threshold) => `${rule.metric} ${threshold}`)).sort()).toEqual(['included_used_percent 100', 'included_used_percent 80']);
      for (const rule of items) {
        expect(rule.account_id).toBe('acme-dental');
        expect(rule.channels).toEqual([{ type: 'webhook', url: HOOK, secret: expect.stringMatching(/^whsec_/) as unknown }]);
      }
      const listed = await rulesOf('acme-dental');
      for (const rule of items) expect(listed).toContainEqual(rule);
    });
  });

  describe('another account', () => {
    let brightRule: Rule;

    beforeAll(async () => {
      const answer = await server.request('POST', '/v1/accounts/bright-realty/alert-rules', {
        body: { metric: 'estimated_total', thresholds: ['200'], channels: [{ type: 'email', address: 'ops@bright-realty.example' }] },
      });
      expect(answer.status, answer.text).toBe(201);
      brightRule = answer.json as Rule;
    });

    const body = { metric: 'usage_minutes', thresholds: ['1'], channels: [{ type: 'webhook', url: HOOK }] };
    const ROUTES: readonly [method: string, path: (account: string) => string, body?: unknown][] = [
      ['POST', (account) => `/v1/accounts/${account}/alert-rules`, body],
      ['POST', (account) => `/v1/accounts/${account}/alert-rules/defaults`, { channels: body.channels }],
      ['GET', (account) => `/v1/accounts/${account}/alert-rules`],
      ['GET', (account) => `/v1/accounts/${account}/alert-rules/1`],
      ['PUT', (account) => `/v1/accounts/${account}/alert-rules/1`, body],
      ['DELETE', (account) => `/v1/accounts/${account}/alert-rules/1`],
      ['GET', (account) => `/v1/accounts/${account}/alert-deliveries`],
      ['GET', (account) => `/v1/accounts/${account}/alert-deliveries?limit=5`],
      ['POST', (account) => `/v1/accounts/${account}/alert-deliveries/1/redeliver`],
    ];

    it.each(ROUTES)('answers an account key %s %s of another account 404, as for no account at all', async (method, path, sent) => {
      const before = await rulesOf('bright-realty');
      for (const account of ['bright-realty', 'no-such-account']) {
        const answer = await server.request(method, path(account), { key: server.accountKeys.acme, body: sent });
        expect(answer.status, answer.text).toBe(404);
        expect(expectErrorShape(answer)).toEqual({ code: 'not_found', message: `account "${account}" not found`, request_id: expect.any(String) as unknown });
      }
      expect(await rulesOf('bright-realty')).toEqual(before);
    });

    it('answers 404 for a rule of another account named under one\'s own', async () => {
      const path = `/v1/accounts/acme-dental/alert-rules/${brightRule.rule_id}`;
      for (const key of [server.accountKeys.acme, OPERATOR_KEY]) {
        for (const [method, sent] of [['GET'], ['PUT', body], ['DELETE']] as const) {
          const answer = await server.request(method, path, { key, body: sent });
          expect(answer.status, `${method} ${answer.text}`).toBe(404);
          expect(expectErrorShape(answer).code).toBe('not_found');
        }
      }
      expect(await rulesOf('bright-realty')).toEqual([brightRule]);
    });
  });

  describe('the delivery log', () => {
    let receiver: WebhookReceiver;
    let rule: Rule;

    beforeAll(async () => {
      receiver = await startWebhookReceiver();
      // A web call of up to a minute that just ended, inside acme-dental's current period.
      const usage = (await server.request('GET', '/v1/accounts/acme-dental/usage')).json as { period_start: string };
      const ended = Date.now() - 1_000;
      const started = new Date(Math.max(Date.parse(usage.period_start), ended - 60_000)).toISOString();
      const call = { call_id: `alert-${kind}`, account_id: 'acme-dental', direction: 'web', started_at: started, answered_at: started, ended_at: new Date(ended).toISOString() };
      expect((await server.request('POST', '/v1/calls', { body: { calls: [call] } })).status).toBe(200);
      // Already past half a minute: the rule fires as it is made, once for each channel.
      const created = await server.request('POST', '/v1/accounts/acme-dental/alert-rules', {
        key: server.accountKeys.acme,
        body: { metric: 'usage_minutes', thresholds: ['0.5'], channels: [{ type: 'webhook', url: receiver.url }, { type: 'email', address: 'billing@acme-dental.example' }] },
      });
      expect(created.status, created.text).toBe(201);
      rule = created.json as Rule;
    });
    afterAll(async () => receiver.close());

    const deliveries = async (query = ''): Promise<{ items: Delivery[]; next: string | null }> => {
      const answer = await server.request('GET', `/v1/accounts/acme-dental/alert-deliveries${query}`, { key: server.accountKeys.acme });
      expect(answer.status, answer.text).toBe(200);
      return answer.json as { items: Delivery[]; next: string | null };
    };

    it('lists the queued deliveries, newest first, a page at a time, with the event', async () => {
      const { items, next } = await deliveries();
      expect(next).toBeNull();
      expect(items.map((delivery) => [delivery.channel, delivery.target, delivery.status, delivery.attempts])).toEqual([
        ['email', 'billing@acme-dental.example', 'pending', 0],
        ['webhook', receiver.url, 'pending', 0],
      ]);
      const [email, webhook] = items as [Delivery, Delivery];
      expect(email.delivery_id).toBeGreaterThan(webhook.delivery_id);
      expect(webhook.event_id).toBe(email.event_id);
      expect(webhook.event).toMatchObject({ type: 'usage.threshold_crossed', id: webhook.event_id, data: { account_id: 'acme-dental', metric: 'usage_minutes', direction: 'at_or_above', threshold: '0.5' } });
      expect(Object.keys(webhook.event.data).sort()).toEqual(
        ['account_id', 'account_name', 'period_start', 'period_end', 'metric', 'direction', 'threshold', 'value', 'included_minutes_left', 'estimated_total', 'currency', 'dashboard_url'].sort(),
      );
      expect(webhook).toMatchObject({ attempt_log: [], delivered_at: null, last_status_code: null, next_attempt_at: expect.any(String) as unknown });

      const first = await deliveries('?limit=1');
      expect(first.items.map((delivery) => delivery.delivery_id)).toEqual([email.delivery_id]);
      expect(first.next).not.toBeNull();
      const second = await deliveries(`?limit=1&after=${first.next ?? ''}`);
      expect(second.items.map((delivery) => delivery.delivery_id)).toEqual([webhook.delivery_id]);
      expect(second.next).toBeNull();
      const badCursor = await server.request('GET', '/v1/accounts/acme-dental/alert-deliveries?after=zzz');
      expect(badCursor.status).toBe(400);
      expect(expectErrorShape(badCursor).message).toMatch(/after/);

      // The other account sees only its own (its estimated_total rule fired as it was made).
      const other = (await server.request('GET', '/v1/accounts/bright-realty/alert-deliveries', { key: server.accountKeys.bright })).json as { items: Delivery[] };
      expect(other.items.map((delivery) => [delivery.event.data.account_id, delivery.target])).toEqual([['bright-realty', 'ops@bright-realty.example']]);
    });

    it('shows each attempt, and redelivers the same event, signed, with the same webhook-id', async () => {
      await server.service.deliverDueAlerts(new Date());
      expect(receiver.requests).toHaveLength(1);
      const secret = rule.channels[0]?.secret ?? '';
      const verified = new Webhook(secret).verify(receiver.requests[0]?.body ?? '', receiver.headersOf(0)) as { id: string };
      let [email, webhook] = (await deliveries()).items as [Delivery, Delivery];
      expect(verified.id).toBe(webhook.event_id);
      expect(receiver.headersOf(0)['webhook-id']).toBe(webhook.event_id);
      expect(webhook).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, last_error: null, next_attempt_at: null, delivered_at: expect.any(String) as unknown });
      expect(webhook.attempt_log).toEqual([{ attempted_at: expect.any(String) as unknown, status_code: 200, latency_ms: expect.any(Number) as unknown, error: null }]);
      // No SMTP server configured: the email attempt fails, is logged, and waits for a retry.
      expect(email).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null, last_error: expect.any(String) as unknown, next_attempt_at: expect.any(String) as unknown });
      expect(email.attempt_log).toHaveLength(1);

      for (const key of [server.accountKeys.acme, OPERATOR_KEY]) {
        const redelivered = await server.request('POST', `/v1/accounts/acme-dental/alert-deliveries/${webhook.delivery_id}/redeliver`, { key });
        expect(redelivered.status, redelivered.text).toBe(200);
        expect(redelivered.json).toMatchObject({ delivery_id: webhook.delivery_id, event_id: webhook.event_id, status: 'pending', delivered_at: null, next_attempt_at: expect.any(String) as unknown });
      }
      await server.service.deliverDueAlerts(new Date());
      expect(receiver.requests).toHaveLength(2);
      expect(receiver.headersOf(1)['webhook-id']).toBe(webhook.event_id);
      expect(receiver.requests[1]?.body).toBe(receiver.requests[0]?.body);
      expect(new Webhook(secret).verify(receiver.requests[1]?.body ?? '', receiver.headersOf(1))).toEqual(verified);
      [email, webhook] = (await deliveries()).items as [Delivery, Delivery];
      expect(webhook).toMatchObject({ status: 'delivered', attempts: 2 });
      expect(webhook.attempt_log.map((entry) => entry.status_code)).toEqual([200, 200]);
    });

    it('answers 404 for a delivery of another account, or none', async () => {
      const [, webhook] = (await deliveries()).items as [Delivery, Delivery];
      for (const [key, account] of [
        [OPERATOR_KEY, 'bright-realty'],
        [server.accountKeys.bright, 'bright-realty'],
      ] as const) {
        const answer = await server.request('POST', `/v1/accounts/${account}/alert-deliveries/${webhook.delivery_id}/redeliver`, { key });
        expect(answer.status, answer.text).toBe(404);
        expect(expectErrorShape(answer)).toMatchObject({ code: 'not_found', message: `account bright-realty has no alert delivery ${webhook.delivery_id}` });
      }
      const none = await server.request('POST', '/v1/accounts/acme-dental/alert-deliveries/999999/redeliver');
      expect(none.status).toBe(404);
      expect(expectErrorShape(none).message).toBe('account acme-dental has no alert delivery 999999');
    });
  });

  describe('bad input', () => {
    const good = { metric: 'included_used_percent', thresholds: ['80'], channels: [{ type: 'webhook', url: HOOK }] };
    // Each refusal names the field; the schema refuses the shape, the service the rest.
    const CASES: readonly [what: string, body: unknown, message: RegExp][] = [
      ['an unknown metric', { ...good, metric: 'minutes' }, /^body\.metric: /],
      ['no metric', { thresholds: good.thresholds, channels: good.channels }, /^body\.metric: /],
      ['empty thresholds', { ...good, thresholds: [] }, /^body\.thresholds: /],
      ['a threshold that is not a number', { ...good, thresholds: ['80', 'eighty'] }, /^body\.thresholds\[1\]: must be a decimal number/],
      ['a threshold of the wrong type', { ...good, thresholds: [true] }, /^body\.thresholds\[0\]: must be a decimal string or a number/],
      ['a negative threshold', { ...good, thresholds: ['-5'] }, /^thresholds\[0\]: must be 0 or more/],
      ['too many decimals', { ...good, thresholds: ['80.1234567'] }, /^thresholds\[0\]: /],
      ['a 0% threshold', { ...good, thresholds: [0] }, /^thresholds\[0\]: a percentage threshold must be above 0/],
      ['no channels', { ...good, channels: [] }, /^body\.channels: /],
      ['a bad URL', { ...good, channels: [{ type: 'webhook', url: 'not a url' }] }, /^body\.channels\[0\]\.url: must be an http or https URL/],
      ['a URL that is not http', { ...good, channels: [{ type: 'webhook', url: 'ftp://files.example.com/x' }] }, /^body\.channels\[0\]\.url: /],
      ['a bad email address', { ...good, channels: [{ type: 'email', address: 'nobody' }] }, /^channels\[0\]\.address: /],
      ['an unknown channel type', { ...good, channels: [{ type: 'sms', to: '+12125550100' }] }, /^body\.channels\[0\]\.type: /],
      ['an unknown channel field', { ...good, channels: [{ type: 'webhook', url: HOOK, secret: 'whsec_mine' }] }, /^body\.channels\[0\]: .*secret/],
      ['an unknown field', { ...good, enabled: true }, /^body: .*enabled/],
    ];

    it.each(CASES)('refuses %s with 400 naming the field, and changes nothing', async (_what, sent, message) => {
      const before = await rulesOf('acme-dental');
      const created = await server.request('POST', '/v1/accounts/acme-dental/alert-rules', { key: server.accountKeys.acme, body: sent });
      expect(created.status, created.text).toBe(400);
      expect(expectErrorShape(created)).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(message) as unknown });
      expect(await rulesOf('acme-dental')).toEqual(before);
    });

    it('refuses a bad replacement the same way, keeping the rule as it was', async () => {
      const rule = (await server.request('POST', '/v1/accounts/acme-dental/alert-rules', { body: good })).json as Rule;
      for (const [, sent, message] of CASES) {
        const answer = await server.request('PUT', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`, { body: sent });
        expect(answer.status, answer.text).toBe(400);
        expect(expectErrorShape(answer).message).toMatch(message);
      }
      expect((await server.request('GET', `/v1/accounts/acme-dental/alert-rules/${rule.rule_id}`)).json).toEqual(rule);
    });

    it('refuses defaults without channels or with a bad one', async () => {
      for (const [sent, message] of [
        [{}, /^body\.channels: /],
        [{ channels: [] }, /^body\.channels: /],
        [{ channels: [{ type: 'webhook', url: 'hooks.example.com' }] }, /^body\.channels\[0\]\.url: /],
        [{ channels: good.channels, metric: 'usage_minutes' }, /^body: .*metric/],
      ] as const) {
        const answer = await server.request('POST', '/v1/accounts/acme-dental/alert-rules/defaults', { body: sent });
        expect(answer.status, answer.text).toBe(400);
        expect(expectErrorShape(answer).message).toMatch(message);
      }
    });

    it('answers a rule id that is not digits 400, and one no store could hold 404', async () => {
      const bad = await server.request('GET', '/v1/accounts/acme-dental/alert-rules/first');
      expect(bad.status).toBe(400);
      expect(expectErrorShape(bad).message).toMatch(/^params\.rule_id: must be a rule id/);
      for (const id of ['0', '99999', '9'.repeat(30)]) {
        const answer = await server.request('GET', `/v1/accounts/acme-dental/alert-rules/${id}`);
        expect(answer.status, `${id}: ${answer.text}`).toBe(404);
        expect(expectErrorShape(answer)).toMatchObject({ code: 'not_found', message: `account acme-dental has no alert rule ${id}` });
      }
      const delivery = await server.request('POST', '/v1/accounts/acme-dental/alert-deliveries/latest/redeliver');
      expect(delivery.status).toBe(400);
      expect(expectErrorShape(delivery).message).toMatch(/^params\.delivery_id: must be a delivery id/);
      const huge = await server.request('POST', `/v1/accounts/acme-dental/alert-deliveries/${'9'.repeat(30)}/redeliver`);
      expect(huge.status).toBe(404);
      expect(expectErrorShape(huge).code).toBe('not_found');
    });

    it('checks the delivery log\'s paging', async () => {
      for (const query of ['limit=0', 'limit=1001', 'limit=ten', 'after=']) {
        const answer = await server.request('GET', `/v1/accounts/acme-dental/alert-deliveries?${query}`, { key: server.accountKeys.acme });
        expect(answer.status, `${query}: ${answer.text}`).toBe(400);
        expect(expectErrorShape(answer).message).toMatch(/^querystring\.(limit|after): /);
      }
    });

    it('needs a key', async () => {
      const answer = await server.request('POST', '/v1/accounts/acme-dental/alert-rules', { key: null, body: good });
      expect(answer.status).toBe(401);
      expect(expectErrorShape(answer).code).toBe('unauthorized');
    });
  });
});

describe('API reference', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => server.close());

  interface Operation {
    summary?: string;
    description?: string;
    tags?: string[];
    responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
    requestBody?: unknown;
  }

  it('lists the alert routes, telling a no-code user what a webhook receives', async () => {
    const document = (await server.request('GET', '/openapi.json', { key: null })).json as {
      paths: Record<string, Record<string, Operation>>;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const expected: [path: string, method: string, status: string][] = [
      ['/v1/accounts/{account_id}/alert-rules', 'post', '201'],
      ['/v1/accounts/{account_id}/alert-rules', 'get', '200'],
      ['/v1/accounts/{account_id}/alert-rules/defaults', 'post', '201'],
      ['/v1/accounts/{account_id}/alert-rules/{rule_id}', 'get', '200'],
      ['/v1/accounts/{account_id}/alert-rules/{rule_id}', 'put', '200'],
      ['/v1/accounts/{account_id}/alert-rules/{rule_id}', 'delete', '204'],
      ['/v1/accounts/{account_id}/alert-deliveries', 'get', '200'],
      ['/v1/accounts/{account_id}/alert-deliveries/{delivery_id}/redeliver', 'post', '200'],
    ];
    for (const [path, method, status] of expected) {
      const operation = document.paths[path]?.[method];
      expect(operation, `${method} ${path}`).toBeDefined();
      expect(operation?.tags).toEqual(['alerts']);
      expect(Object.keys(operation?.responses ?? {}), `${method} ${path}`).toEqual(expect.arrayContaining([status, '401', '404', '500']));
    }
    expect(document.paths['/v1/accounts/{account_id}/alert-rules/{rule_id}']?.delete?.responses?.['204']?.content).toBeUndefined();

    const create = document.paths['/v1/accounts/{account_id}/alert-rules']?.post;
    for (const words of ['usage.threshold_crossed', 'webhook-id', 'webhook-timestamp', 'webhook-signature', 'whsec_', '24 hours', 'included_minutes_left', 'estimated_total', 'dashboard_url', 'Zapier', 'Make', 'n8n']) {
      expect(create?.description).toContain(words);
    }
    expect(document.paths['/v1/accounts/{account_id}/alert-rules/defaults']?.post?.description).toMatch(/80% and at 100%/);
    for (const schema of ['AlertRule', 'AlertChannel', 'AlertEvent', 'AlertDelivery', 'AlertRuleSettingsInput']) expect(document.components.schemas, schema).toHaveProperty(schema);
    expect(Object.keys(document.components.schemas.AlertEvent?.properties ?? {})).toEqual(['type', 'id', 'created_at', 'data']);
  });
});
