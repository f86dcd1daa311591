/**
 * Webhook deliveries end to end on both stores (SPEC §11): a real HTTP receiver on 127.0.0.1,
 * signatures checked with the `standardwebhooks` reference verifier, retries driven by the
 * `now` passed in (no sleeping for back-off), the delivery log and manual redelivery, and two
 * delivery runs at once delivering each event once.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { formatInstantUtc } from '../../../src/core/instant.js';
import type { AccountRow, LedgerContext } from '../../../src/service/account-ledger.js';
import { deliverDue, listDeliveries, redeliver } from '../../../src/service/alerts/alert-deliveries.js';
import { RETRY_DELAYS_SECONDS, RETRY_WINDOW_MICROS } from '../../../src/service/alerts/delivery-schedule.js';
import type { AlertEventDocument } from '../../../src/service/billing-service.js';
import { ServiceError } from '../../../src/service/service-error.js';
import { TariffVersions } from '../../../src/service/tariff-versions.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';
import { startWebhookReceiver, type WebhookReceiver } from '../../support/webhook-receiver.js';
import { sampleAlertEvent } from '../../support/alert-event.js';

const SECOND = 1_000_000;
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
/** The jitter's middle: waits are exactly the schedule's. */
const NO_JITTER = () => 0.5;

let nextRule = 1;

function eventOf(eventId: string, accountId: string, createdAt: number): AlertEventDocument {
  return sampleAlertEvent(eventId, createdAt, { account_id: accountId, dashboard_url: `http://127.0.0.1:8080/v1/accounts/${accountId}/usage` });
}

/** A firing and its pending deliveries, as the firing logic writes them (due at once, 24 h window). */
async function insertFiring(store: Store, options: { eventId: string; accountId?: string; createdAt: number; webhooks: string[] }): Promise<number[]> {
  const accountId = options.accountId ?? 'acme-dental';
  const event = eventOf(options.eventId, accountId, options.createdAt);
  await store.db
    .insertInto('alert_firings')
    .values({ event_id: options.eventId, rule_id: nextRule++, account_id: accountId, period_index: 10, threshold: '80', metric: 'included_used_percent', value: '81.25', payload: JSON.stringify(event), created_at: options.createdAt })
    .execute();
  const ids: number[] = [];
  for (const url of options.webhooks) {
    const row = await store.db
      .insertInto('alert_deliveries')
      .values({
        event_id: options.eventId,
        account_id: accountId,
        channel: 'webhook',
        target: url,
        secret: SECRET,
        status: 'pending',
        attempts: 0,
        next_attempt_at: options.createdAt,
        give_up_at: options.createdAt + RETRY_WINDOW_MICROS,
        last_status_code: null,
        last_error: null,
        created_at: options.createdAt,
        delivered_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    ids.push(row.id);
  }
  return ids;
}

async function deliveryRow(store: Store, id: number) {
  return store.db.selectFrom('alert_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

async function attemptRows(store: Store, id: number) {
  return store.db.selectFrom('alert_delivery_attempts').selectAll().where('delivery_id', '=', id).orderBy('id').execute();
}

function contextOf(store: Store, now: number): LedgerContext {
  return { trx: store.db, store, dialect: store.dialect, tariffs: new TariffVersions(), now, publicUrl: 'http://127.0.0.1:8080' };
}

/** The delivery functions read only the account's id. */
function accountRow(id: string): AccountRow {
  return { id } as AccountRow;
}

describe.each(DATABASE_KINDS)('webhook deliveries on %s', (kind) => {
  let database: TestDatabase;
  let store: Store;
  let receiver: WebhookReceiver | undefined;

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    store = await openStore(database.location);
  });

  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
    await store.close();
    await database.drop();
  });

  it('POSTs the stored event, signed so that the reference verifier accepts it', async () => {
    receiver = await startWebhookReceiver();
    const now = Date.now() * 1000;
    const [id] = await insertFiring(store, { eventId: 'evt_signed', createdAt: now, webhooks: [receiver.url] });

    expect(await deliverDue(store, now, {})).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    expect(receiver.requests).toHaveLength(1);
    const request = receiver.requests[0]!;
    const stored = await store.db.selectFrom('alert_firings').select('payload').where('event_id', '=', 'evt_signed').executeTakeFirstOrThrow();
    expect(request.method).toBe('POST');
    expect(request.body).toBe(stored.payload);
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['user-agent']).toBe('voicebill');
    expect(request.headers['webhook-id']).toBe('evt_signed');
    expect(Number(request.headers['webhook-timestamp'])).toBe(Math.floor(now / SECOND));
    expect(new Webhook(SECRET).verify(request.body, receiver.headersOf(0))).toEqual(JSON.parse(stored.payload));
    // Another endpoint's secret does not verify it.
    expect(() => new Webhook('whsec_' + Buffer.from('another secret of 24 byte').toString('base64')).verify(request.body, receiver!.headersOf(0))).toThrow();

    const row = await deliveryRow(store, id!);
    expect(row).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 200, last_error: null });
    expect(row.delivered_at).toBeGreaterThanOrEqual(now);
    const attempts = await attemptRows(store, id!);
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ status_code: 200, error: null });

    // Delivered is done: a later run sends nothing.
    expect(await deliverDue(store, now + 3600 * SECOND, {})).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(receiver.requests).toHaveLength(1);
  });

  it('retries a failing receiver with back-off and the same webhook-id, logging each attempt', async () => {
    receiver = await startWebhookReceiver((count) => (count <= 2 ? 500 : 204));
    const now = Date.now() * 1000;
    const [id] = await insertFiring(store, { eventId: 'evt_retried', createdAt: now, webhooks: [receiver.url] });

    expect(await deliverDue(store, now, { random: NO_JITTER })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    let row = await deliveryRow(store, id!);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500, last_error: 'HTTP 500' });
    const firstAttempt = (await attemptRows(store, id!))[0]!.attempted_at;
    expect(row.next_attempt_at).toBe(firstAttempt + 10 * SECOND);

    // Not due yet: nothing is sent.
    expect(await deliverDue(store, now + 5 * SECOND, { random: NO_JITTER })).toEqual({ delivered: 0, retrying: 0, failed: 0 });
    expect(receiver.requests).toHaveLength(1);

    expect(await deliverDue(store, row.next_attempt_at, { random: NO_JITTER })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    row = await deliveryRow(store, id!);
    const secondAttempt = (await attemptRows(store, id!))[1]!.attempted_at;
    expect(row.next_attempt_at).toBe(secondAttempt + 30 * SECOND);

    expect(await deliverDue(store, row.next_attempt_at, { random: NO_JITTER })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    row = await deliveryRow(store, id!);
    expect(row).toMatchObject({ status: 'delivered', attempts: 3, last_status_code: 204, last_error: null });

    expect(receiver.requests.map((request) => request.headers['webhook-id'])).toEqual(['evt_retried', 'evt_retried', 'evt_retried']);
    expect(new Set(receiver.requests.map((request) => request.body)).size).toBe(1);
    // Each attempt is signed at its own instant and verifies (all within the verifier's 5 minutes of now).
    for (let index = 0; index < 3; index++) expect(() => new Webhook(SECRET).verify(receiver!.requests[index]!.body, receiver!.headersOf(index))).not.toThrow();
    const attempts = await attemptRows(store, id!);
    expect(attempts.map((attempt) => [attempt.status_code, attempt.error])).toEqual([
      [500, 'HTTP 500'],
      [500, 'HTTP 500'],
      [204, null],
    ]);
    for (const attempt of attempts) expect(attempt.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('keeps trying for 24 hours, makes a last attempt at give_up_at, then marks it failed', async () => {
    receiver = await startWebhookReceiver(() => 503);
    const createdAt = Date.UTC(2026, 10, 20, 12) * 1000;
    const [id] = await insertFiring(store, { eventId: 'evt_given_up', createdAt, webhooks: [receiver.url] });

    let now = createdAt;
    let runs = 0;
    for (;;) {
      const result = await deliverDue(store, now, { random: NO_JITTER });
      runs += 1;
      const row = await deliveryRow(store, id!);
      if (row.status !== 'pending') {
        expect(result).toEqual({ delivered: 0, retrying: 0, failed: 1 });
        break;
      }
      expect(result).toEqual({ delivered: 0, retrying: 1, failed: 0 });
      expect(runs).toBeLessThan(40);
      now = row.next_attempt_at;
    }

    const row = await deliveryRow(store, id!);
    expect(row).toMatchObject({ status: 'failed', last_status_code: 503 });
    const attempts = await attemptRows(store, id!);
    expect(row.attempts).toBe(attempts.length);
    const times = attempts.map((attempt) => attempt.attempted_at);
    // The waits follow the schedule (8 h once it is reached), the last one cut short to give_up_at.
    const waits = times.slice(1).map((time, index) => Math.round((time - times[index]!) / SECOND));
    const expected = waits.map((_, index) => RETRY_DELAYS_SECONDS[Math.min(index, RETRY_DELAYS_SECONDS.length - 1)]!);
    expect(waits.slice(0, -1)).toEqual(expected.slice(0, -1));
    expect(waits.at(-1)).toBeLessThanOrEqual(expected.at(-1)!);
    expect(times.at(-1)! - createdAt).toBeGreaterThanOrEqual(RETRY_WINDOW_MICROS);
    expect(times.at(-1)! - createdAt).toBeLessThan(RETRY_WINDOW_MICROS + SECOND);
    expect(receiver.requests).toHaveLength(attempts.length);
    expect(new Set(receiver.requests.map((request) => request.headers['webhook-id']))).toEqual(new Set(['evt_given_up']));

    // Failed stays failed.
    expect(await deliverDue(store, now + 7 * 24 * 3600 * SECOND, {})).toEqual({ delivered: 0, retrying: 0, failed: 0 });
  });

  it('counts a receiver that does not answer in time, a refused connection and a redirect as failed attempts', async () => {
    receiver = await startWebhookReceiver((_count, request) => (request.path.endsWith('/slow') ? 'hang' : 302));
    const closed = await startWebhookReceiver();
    const closedUrl = closed.url;
    await closed.close();
    const now = Date.now() * 1000;
    const [slow] = await insertFiring(store, { eventId: 'evt_slow', createdAt: now, webhooks: [`${receiver.url}/slow`] });
    const [refused] = await insertFiring(store, { eventId: 'evt_refused', createdAt: now, webhooks: [closedUrl] });
    const [moved] = await insertFiring(store, { eventId: 'evt_moved', createdAt: now, webhooks: [`${receiver.url}/moved`] });

    expect(await deliverDue(store, now, { timeoutMs: 300 })).toEqual({ delivered: 0, retrying: 3, failed: 0 });

    expect(await deliveryRow(store, slow!)).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null, last_error: 'no answer within 300 ms' });
    const [slowAttempt] = await attemptRows(store, slow!);
    expect(slowAttempt!.latency_ms).toBeGreaterThanOrEqual(290);
    expect((await deliveryRow(store, refused!)).last_error).toMatch(/ECONNREFUSED/);
    expect(await deliveryRow(store, moved!)).toMatchObject({ last_status_code: 302, last_error: expect.stringMatching(/^HTTP 302 \(redirects are not followed/) as unknown });
  });

  it('lists deliveries newest first with their attempt log and event, and redelivers the same event id', async () => {
    receiver = await startWebhookReceiver((count) => (count === 1 ? 500 : 200));
    const now = Date.now() * 1000;
    const [first] = await insertFiring(store, { eventId: 'evt_first', createdAt: now, webhooks: [receiver.url] });
    const [second, third] = await insertFiring(store, { eventId: 'evt_second', createdAt: now + SECOND, webhooks: [receiver.url, `${receiver.url}?copy`] });
    await insertFiring(store, { eventId: 'evt_other', accountId: 'bright-realty', createdAt: now, webhooks: [receiver.url] });
    await deliverDue(store, now + SECOND, { batchSize: 1 });

    const account = accountRow('acme-dental');
    const page1 = await listDeliveries(contextOf(store, now), account, { limit: 2 });
    expect(page1.items.map((item) => item.delivery_id)).toEqual([third, second]);
    expect(page1.next).not.toBeNull();
    const page2 = await listDeliveries(contextOf(store, now), account, { limit: 2, after: page1.next! });
    expect(page2.items.map((item) => item.delivery_id)).toEqual([first]);
    expect(page2.next).toBeNull();

    const failedOnce = [...page1.items, ...page2.items].find((item) => item.attempt_log[0]?.status_code === 500)!;
    expect(failedOnce).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 500 });
    expect(failedOnce.next_attempt_at).toMatch(/\+00:00$/);
    const delivered = page2.items[0]!.delivery_id === failedOnce.delivery_id ? page1.items[0]! : page2.items[0]!;
    expect(delivered).toMatchObject({ channel: 'webhook', status: 'delivered', attempts: 1, next_attempt_at: null, last_error: null });
    expect(delivered.attempt_log).toEqual([{ attempted_at: expect.stringMatching(/\+00:00$/) as unknown, status_code: 200, latency_ms: expect.any(Number) as unknown, error: null }]);
    expect(delivered.event.id).toBe(delivered.event_id);
    expect(delivered.event.data.account_id).toBe('acme-dental');

    await expect(listDeliveries(contextOf(store, now), account, { limit: 2, after: 'abc' })).rejects.toMatchObject({ code: 'invalid_request' });

    // Redelivering a delivered one sends the same event, with the same id, again.
    const sentBefore = receiver.requests.length;
    const later = now + 3 * 24 * 3600 * SECOND;
    const redelivered = await redeliver(contextOf(store, later), account, first!);
    expect(redelivered).toMatchObject({ delivery_id: first, event_id: 'evt_first', status: 'pending', next_attempt_at: formatInstantUtc(later), delivered_at: null });
    expect((await deliveryRow(store, first!)).give_up_at).toBe(later + RETRY_WINDOW_MICROS);
    expect(await deliverDue(store, later, {})).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    expect(receiver.requests.slice(sentBefore).map((request) => request.headers['webhook-id'])).toEqual(['evt_first']);
    const again = (await listDeliveries(contextOf(store, later), account, { limit: 10 })).items.find((item) => item.delivery_id === first)!;
    expect(again.status).toBe('delivered');
    expect(again.attempt_log.length).toBe(again.attempts);

    // Another account's delivery, or none at all: not found.
    const [others] = (await listDeliveries(contextOf(store, now), accountRow('bright-realty'), { limit: 10 })).items;
    await expect(redeliver(contextOf(store, later), account, others!.delivery_id)).rejects.toBeInstanceOf(ServiceError);
    await expect(redeliver(contextOf(store, later), account, others!.delivery_id)).rejects.toMatchObject({ code: 'not_found' });
    await expect(redeliver(contextOf(store, later), account, 999_999)).rejects.toMatchObject({ code: 'not_found' });
  });

  it('delivers each event once when two runs go at once', async () => {
    // Slow answers keep the first run's claims open while the second looks for work.
    receiver = await startWebhookReceiver(() => new Promise<number>((resolve) => setTimeout(() => resolve(200), 20)));
    // PostgreSQL: a second pool, as a second `serve` process has. SQLite: the same store, since
    // two better-sqlite3 connections in one process block each other's event loop while waiting
    // for the file lock (two processes do not), and its transactions queue on one connection.
    const other = kind === 'postgres' ? await openStore(database.location) : store;
    try {
      const now = Date.now() * 1000;
      for (let index = 0; index < 30; index++) await insertFiring(store, { eventId: `evt_race_${index}`, createdAt: now, webhooks: [receiver.url] });
      const [a, b] = await Promise.all([deliverDue(store, now, { batchSize: 4 }), deliverDue(other, now, { batchSize: 4 })]);
      expect(a.delivered + b.delivered).toBe(30);
      expect(a.retrying + b.retrying + a.failed + b.failed).toBe(0);
      const ids = receiver.requests.map((request) => request.headers['webhook-id']);
      expect(ids).toHaveLength(30);
      expect(new Set(ids).size).toBe(30);
      const attempts = await store.db.selectFrom('alert_delivery_attempts').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      expect(Number(attempts.count)).toBe(30);
    } finally {
      if (other !== store) await other.close();
    }
  });
});
