/**
 * Email deliveries on both stores (SPEC §11), to a real SMTP server process on 127.0.0.1
 * (`smtp-server`), read back as MIME: both a plain-text and an HTML part a person can read,
 * a Message-ID made from the event id; an SMTP refusal or no SMTP configured is a failed
 * attempt, retried.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { deliverDue, type SmtpOptions } from '../../../src/service/alerts/alert-deliveries.js';
import { RETRY_WINDOW_MICROS } from '../../../src/service/alerts/delivery-schedule.js';
import { alertEmail } from '../../../src/service/alerts/email-message.js';
import { NO_SMTP_ERROR } from '../../../src/service/alerts/email-sender.js';
import type { AlertEventDocument } from '../../../src/service/billing-service.js';
import { openStore, type Store } from '../../../src/store/database.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';
import { parseMime, startSmtpProcess, type SmtpProcess } from '../../support/smtp-process.js';
import { sampleAlertEvent } from '../../support/alert-event.js';

const SECOND = 1_000_000;
const FROM = 'voicebill alerts <alerts@voicebill.example>';

let nextRule = 1;

function eventOf(eventId: string, createdAt: number, data: Partial<AlertEventDocument['data']> = {}): AlertEventDocument {
  return sampleAlertEvent(eventId, createdAt, data);
}

async function insertEmailFiring(store: Store, eventId: string, createdAt: number, address: string): Promise<number> {
  const event = eventOf(eventId, createdAt);
  await store.db
    .insertInto('alert_firings')
    .values({ event_id: eventId, rule_id: nextRule++, account_id: 'acme-dental', period_index: 10, threshold: '80', metric: 'included_used_percent', value: '81.25', payload: JSON.stringify(event), created_at: createdAt })
    .execute();
  const row = await store.db
    .insertInto('alert_deliveries')
    .values({
      event_id: eventId,
      account_id: 'acme-dental',
      channel: 'email',
      target: address,
      secret: null,
      status: 'pending',
      attempts: 0,
      next_attempt_at: createdAt,
      give_up_at: createdAt + RETRY_WINDOW_MICROS,
      last_status_code: null,
      last_error: null,
      created_at: createdAt,
      delivered_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function deliveryRow(store: Store, id: number) {
  return store.db.selectFrom('alert_deliveries').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

describe('the alert email', () => {
  it('says what crossed, the value, the threshold, the period, minutes left, the estimated total and the link', () => {
    const message = alertEmail(eventOf('evt_words', Date.UTC(2026, 10, 20) * 1000), FROM);
    expect(message.subject).toBe('voicebill: acme-dental reached 80% of its included minutes');
    expect(message.messageId).toBe('<evt_words@voicebill.example>');
    expect(message.text).toContain('Acme Dental (acme-dental) reached 80% of its included minutes.');
    for (const figure of ['81.25%', '80% (at or above)', '2026-11-15T05:00:00+00:00 to 2026-12-15T05:00:00+00:00', '93.75 minutes', '49.00 USD', 'https://billing.example/accounts/acme-dental?tab=usage&period=2026-11']) {
      expect(message.text).toContain(figure);
    }
    // The HTML escapes what it quotes, the link included.
    expect(message.html).toContain('<a href="https://billing.example/accounts/acme-dental?tab=usage&#38;period=2026-11">');
    expect(message.html).toContain('<td>49.00 USD</td>');
  });

  it('words each metric with its unit', () => {
    const subject = (data: Partial<AlertEventDocument['data']>) => alertEmail(eventOf('evt_metric', 0, data), FROM).subject;
    expect(subject({ metric: 'usage_minutes', threshold: '1000' })).toBe('voicebill: acme-dental reached 1000 minutes of calls this period');
    expect(subject({ metric: 'payg_amount', threshold: '25.5', currency: 'EUR' })).toBe('voicebill: acme-dental reached 25.5 EUR of pay-as-you-go charges this period');
    expect(subject({ metric: 'estimated_total', threshold: '500' })).toBe('voicebill: acme-dental reached an estimated total of 500 USD this period');
    expect(subject({ metric: 'bundle_minutes_left', direction: 'at_or_below', threshold: '100' })).toBe('voicebill: acme-dental has 100 or fewer bundle minutes left');
    const named = alertEmail(eventOf('evt_html', 0, { account_name: 'Smith & <Sons>' }), FROM);
    expect(named.html).toContain('Smith &#38; &#60;Sons&#62;');
  });
});

describe.each(DATABASE_KINDS)('email deliveries on %s', (kind) => {
  let smtp: SmtpProcess;
  let database: TestDatabase;
  let store: Store;
  let options: SmtpOptions;

  beforeAll(async () => {
    smtp = await startSmtpProcess({ user: 'voicebill', password: 'smtp secret', refuse: 'nobody@acme-dental.example' });
    options = { host: '127.0.0.1', port: smtp.port, user: 'voicebill', password: 'smtp secret', from: FROM };
  });
  afterAll(async () => smtp.stop());

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    store = await openStore(database.location);
    smtp.messages.length = 0;
  });
  afterEach(async () => {
    await store.close();
    await database.drop();
  });

  it('sends a plain-text and an HTML part over SMTP, with a Message-ID from the event id', async () => {
    const now = Date.now() * 1000;
    const id = await insertEmailFiring(store, 'evt_mailed', now, 'owner@acme-dental.example');

    expect(await deliverDue(store, now, { smtp: options })).toEqual({ delivered: 1, retrying: 0, failed: 0 });

    const [email] = await smtp.waitFor(1);
    expect(email).toMatchObject({ from: 'alerts@voicebill.example', to: ['owner@acme-dental.example'], user: 'voicebill' });
    const mime = parseMime(email!.raw);
    expect(mime.headers.get('subject')).toBe('voicebill: acme-dental reached 80% of its included minutes');
    expect(mime.headers.get('message-id')).toBe('<evt_mailed@voicebill.example>');
    expect(mime.headers.get('auto-submitted')).toBe('auto-generated');
    const text = mime.parts.find((part) => part.headers.get('content-type')?.startsWith('text/plain'));
    const html = mime.parts.find((part) => part.headers.get('content-type')?.startsWith('text/html'));
    expect(text?.body).toContain('Acme Dental (acme-dental) reached 80% of its included minutes.');
    expect(text?.body).toContain('93.75 minutes');
    expect(text?.body).toContain('Dashboard: https://billing.example/accounts/acme-dental?tab=usage&period=2026-11');
    expect(html?.body).toContain('<td>81.25%</td>');
    expect(html?.body).toContain('href="https://billing.example/accounts/acme-dental?tab=usage&#38;period=2026-11"');

    expect(await deliveryRow(store, id)).toMatchObject({ status: 'delivered', attempts: 1, last_status_code: 250, last_error: null });
  });

  it('retries a recipient the SMTP server refuses, with its reply code in the log', async () => {
    const now = Date.now() * 1000;
    const id = await insertEmailFiring(store, 'evt_refused', now, 'nobody@acme-dental.example');
    expect(await deliverDue(store, now, { smtp: options })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const row = await deliveryRow(store, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: 550 });
    expect(row.last_error).toMatch(/^SMTP: .*No such mailbox/);
  });

  it('fails the attempt with wrong credentials', async () => {
    const now = Date.now() * 1000;
    const id = await insertEmailFiring(store, 'evt_wrong_password', now, 'owner@acme-dental.example');
    expect(await deliverDue(store, now, { smtp: { ...options, password: 'wrong' } })).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    expect(await deliveryRow(store, id)).toMatchObject({ last_status_code: 535, last_error: expect.stringMatching(/^SMTP: /) as unknown });
  });

  it('says no SMTP server is configured, and sends once one is', async () => {
    const now = Date.now() * 1000;
    const id = await insertEmailFiring(store, 'evt_no_smtp', now, 'owner@acme-dental.example');
    expect(await deliverDue(store, now, {})).toEqual({ delivered: 0, retrying: 1, failed: 0 });
    const row = await deliveryRow(store, id);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_status_code: null, last_error: NO_SMTP_ERROR });
    expect(NO_SMTP_ERROR).toBe('no SMTP server configured: set --smtp-url');

    expect(await deliverDue(store, row.next_attempt_at + SECOND, { smtp: options })).toEqual({ delivered: 1, retrying: 0, failed: 0 });
    const [email] = await smtp.waitFor(1);
    expect(parseMime(email!.raw).headers.get('message-id')).toBe('<evt_no_smtp@voicebill.example>');
  });
});
