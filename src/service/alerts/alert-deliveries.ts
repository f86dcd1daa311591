/**
 * Delivering alert events (SPEC §11): a durable outbox (`alert_deliveries`), each due
 * delivery attempted, logged (`alert_delivery_attempts`) and retried with back-off for at
 * least 24 hours; webhooks signed with the Standard Webhooks scheme, email over SMTP.
 *
 * Several `serve` processes may share one PostgreSQL, so a run first *claims* due deliveries
 * in a short transaction (`FOR UPDATE SKIP LOCKED`, pushing `next_attempt_at` forward as a
 * lease), then attempts them with no transaction open (a receiver may take seconds), then
 * records each result in a second short transaction. A process that dies mid-attempt leaves
 * its claim to expire, and the delivery is attempted again: delivery is at least once, and
 * the stable `webhook-id` lets receivers drop the repeat.
 */
import { performance } from 'node:perf_hooks';
import { formatInstantUtc, MICROS_PER_MILLISECOND, MICROS_PER_SECOND, type EpochMicros } from '../../core/instant.js';
import type { Store } from '../../store/database.js';
import type { AlertDeliveriesTable } from '../../store/schema.js';
import type { AccountRow, Db, LedgerContext } from '../account-ledger.js';
import type { AlertDeliveryDocument, AlertEventDocument, Page } from '../billing-service.js';
import { ServiceError } from '../service-error.js';
import type { DeliveryOutcome } from './delivery-outcome.js';
import { afterFailedAttempt, RETRY_WINDOW_MICROS } from './delivery-schedule.js';
import { emailTransport, sendEmail, type EmailTransport } from './email-sender.js';
import { sendWebhook } from './webhook-sender.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  /** Implicit TLS from the first byte (port 465); otherwise STARTTLS when the server offers it. */
  readonly secure?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** The From address of alert emails. */
  readonly from: string;
}

export interface DeliveryOptions {
  /** Without it, email deliveries fail their attempts (and are retried) with a clear error. */
  readonly smtp?: SmtpOptions;
  /** Node's global `fetch` unless given (tests may wrap it). */
  readonly fetch?: typeof fetch;
  /** How long one attempt may take (default 10 s): a slower receiver counts as a failure. */
  readonly timeoutMs?: number;
  /** Deliveries claimed and attempted together (default 10). */
  readonly batchSize?: number;
  /** The jitter of the back-off, in [0, 1) (default `Math.random`). */
  readonly random?: () => number;
}

export const DEFAULT_DELIVERY_TIMEOUT_MS = 10_000;
const DEFAULT_BATCH_SIZE = 10;
/**
 * Bound one run (no new batch is claimed after 15 s), so `serve` stops soon after a signal
 * however large the backlog: it waits for the run in progress. The next run goes on.
 */
const MAX_BATCHES_PER_RUN = 50;
const MAX_RUN_MS = 15_000;

type DeliveryRow = Omit<AlertDeliveriesTable, 'id'> & { id: number };

interface ClaimedDelivery {
  readonly row: DeliveryRow;
  /** The `next_attempt_at` our claim wrote: the result is recorded only while it is still there. */
  readonly leaseUntil: EpochMicros;
}

type Result = 'delivered' | 'retrying' | 'failed';

/**
 * How long a claim holds: longer than anything one batch can take (all its attempts run at
 * once; an email may wait for connection, greeting and each reply in turn, each bounded by
 * the timeout), so a live process never loses its claim to another.
 */
function leaseMicros(timeoutMs: number): number {
  return Math.max(5 * 60 * MICROS_PER_SECOND, 10 * timeoutMs * MICROS_PER_MILLISECOND);
}

async function claimDue(store: Store, now: EpochMicros, limit: number, leaseUntil: EpochMicros): Promise<ClaimedDelivery[]> {
  return store.db.transaction().execute(async (trx) => {
    let query = trx
      .selectFrom('alert_deliveries')
      .selectAll()
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(limit);
    // SQLite's transactions already take the one write lock at BEGIN (IMMEDIATE).
    if (store.dialect === 'postgres') query = query.forUpdate().skipLocked();
    const rows = (await query.execute()) as DeliveryRow[];
    if (rows.length === 0) return [];
    await trx
      .updateTable('alert_deliveries')
      .set({ next_attempt_at: leaseUntil })
      .where('id', 'in', rows.map((row) => row.id))
      .execute();
    return rows.map((row) => ({ row, leaseUntil }));
  });
}

async function eventPayloads(db: Db, eventIds: readonly string[]): Promise<Map<string, string>> {
  const unique = [...new Set(eventIds)];
  if (unique.length === 0) return new Map();
  const rows = await db.selectFrom('alert_firings').select(['event_id', 'payload']).where('event_id', 'in', unique).execute();
  return new Map(rows.map((row) => [row.event_id, row.payload]));
}

async function attempt(row: DeliveryRow, payload: string | undefined, at: EpochMicros, options: { fetch: typeof fetch; timeoutMs: number; smtp: SmtpOptions | undefined; transport: EmailTransport | undefined }): Promise<DeliveryOutcome> {
  if (payload === undefined) return { ok: false, statusCode: null, error: `event ${row.event_id} is not among the alert firings`, latencyMs: 0 };
  try {
    if (row.channel === 'webhook') return await sendWebhook({ url: row.target, secret: row.secret, eventId: row.event_id, payload, at }, options);
    return await sendEmail(options.transport, options.smtp, row.target, JSON.parse(payload) as AlertEventDocument);
  } catch (error) {
    // A bug here (a payload that does not parse, …) is still a logged, retried attempt, not a
    // claim left to expire and fail the same way every few minutes without a trace.
    return { ok: false, statusCode: null, error: `internal error: ${error instanceof Error ? error.message : String(error)}`, latencyMs: 0 };
  }
}

/**
 * The attempt goes into the log whatever happens; the delivery's state moves on only if our
 * claim still holds (a manual redelivery in between has set it due again, and its attempt
 * will follow).
 */
async function recordAttempt(store: Store, claimed: ClaimedDelivery, attemptedAt: EpochMicros, outcome: DeliveryOutcome, random: () => number): Promise<Result | undefined> {
  const { row } = claimed;
  let result: Result;
  let state: Partial<Pick<AlertDeliveriesTable, 'status' | 'delivered_at' | 'next_attempt_at'>>;
  if (outcome.ok) {
    result = 'delivered';
    state = { status: 'delivered', delivered_at: attemptedAt };
  } else {
    const next = afterFailedAttempt({ attemptedAt, attempts: row.attempts + 1, giveUpAt: row.give_up_at, random });
    result = next.status === 'failed' ? 'failed' : 'retrying';
    state = next.status === 'failed' ? { status: 'failed' } : { next_attempt_at: next.nextAttemptAt };
  }
  return store.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('alert_delivery_attempts')
      .values({ delivery_id: row.id, attempted_at: attemptedAt, status_code: outcome.statusCode, latency_ms: outcome.latencyMs, error: outcome.error })
      .execute();
    await trx
      .updateTable('alert_deliveries')
      .set((eb) => ({ attempts: eb('attempts', '+', 1), last_status_code: outcome.statusCode, last_error: outcome.error }))
      .where('id', '=', row.id)
      .execute();
    const moved = await trx.updateTable('alert_deliveries').set(state).where('id', '=', row.id).where('status', '=', 'pending').where('next_attempt_at', '=', claimed.leaseUntil).executeTakeFirst();
    return Number(moved.numUpdatedRows) === 1 ? result : undefined;
  });
}

export async function deliverDue(store: Store, now: number, options: DeliveryOptions): Promise<{ delivered: number; retrying: number; failed: number }> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const random = options.random ?? Math.random;
  const fetchFunction = options.fetch ?? fetch;
  // `now` is the run's instant; an attempt made later in the run is stamped (and signed) that
  // much later, so a receiver checking `webhook-timestamp` against its clock sees the truth.
  const started = performance.now();
  const clock = (): EpochMicros => now + Math.round((performance.now() - started) * MICROS_PER_MILLISECOND);
  const counts = { delivered: 0, retrying: 0, failed: 0 };
  let transport: EmailTransport | undefined;
  try {
    for (let batch = 0; batch < MAX_BATCHES_PER_RUN && performance.now() - started < MAX_RUN_MS; batch++) {
      const claimed = await claimDue(store, now, batchSize, clock() + leaseMicros(timeoutMs));
      if (claimed.length === 0) break;
      if (options.smtp && !transport && claimed.some(({ row }) => row.channel === 'email')) transport = emailTransport(options.smtp, timeoutMs);
      const payloads = await eventPayloads(store.db, claimed.map(({ row }) => row.event_id));
      // All settle before anything is thrown, so no attempt is still running when the caller
      // goes on (or closes the store).
      const settled = await Promise.allSettled(
        claimed.map(async (delivery) => {
          const attemptedAt = clock();
          const outcome = await attempt(delivery.row, payloads.get(delivery.row.event_id), attemptedAt, { fetch: fetchFunction, timeoutMs, smtp: options.smtp, transport });
          const result = await recordAttempt(store, delivery, attemptedAt, outcome, random);
          if (result) counts[result] += 1;
        }),
      );
      const rejected = settled.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected');
      if (rejected) throw rejected.reason;
      if (claimed.length < batchSize) break;
    }
  } finally {
    transport?.close();
  }
  return counts;
}

function parseCursor(after: string): number {
  if (!/^[1-9]\d{0,15}$/.test(after)) throw new ServiceError('invalid_request', 'after: not a cursor this service gave');
  return Number(after);
}

async function deliveryDocuments(db: Db, rows: readonly DeliveryRow[]): Promise<AlertDeliveryDocument[]> {
  if (rows.length === 0) return [];
  const attempts = await db
    .selectFrom('alert_delivery_attempts')
    .selectAll()
    .where('delivery_id', 'in', rows.map((row) => row.id))
    .orderBy('delivery_id')
    .orderBy('id')
    .execute();
  const logs = new Map<number, AlertDeliveryDocument['attempt_log']>();
  for (const entry of attempts) {
    const log = logs.get(entry.delivery_id) ?? [];
    log.push({ attempted_at: formatInstantUtc(entry.attempted_at), status_code: entry.status_code, latency_ms: entry.latency_ms, error: entry.error });
    logs.set(entry.delivery_id, log);
  }
  const payloads = await eventPayloads(db, rows.map((row) => row.event_id));
  return rows.map((row) => {
    const payload = payloads.get(row.event_id);
    // The firing and its deliveries are written in one transaction: a missing one is a bug.
    if (payload === undefined) throw new ServiceError('internal', `delivery ${row.id}: event ${row.event_id} is not among the alert firings`);
    return {
      delivery_id: row.id,
      event_id: row.event_id,
      channel: row.channel,
      target: row.target,
      status: row.status,
      attempts: row.attempts,
      next_attempt_at: row.status === 'pending' ? formatInstantUtc(row.next_attempt_at) : null,
      last_status_code: row.last_status_code,
      last_error: row.last_error,
      created_at: formatInstantUtc(row.created_at),
      delivered_at: row.delivered_at === null ? null : formatInstantUtc(row.delivered_at),
      attempt_log: logs.get(row.id) ?? [],
      event: JSON.parse(payload) as AlertEventDocument,
    };
  });
}

/** The account's deliveries, newest first; `next` is the last id of the page. */
export async function listDeliveries(context: LedgerContext, account: AccountRow, options: { after?: string; limit: number }): Promise<Page<AlertDeliveryDocument>> {
  let query = context.trx
    .selectFrom('alert_deliveries')
    .selectAll()
    .where('account_id', '=', account.id)
    .orderBy('id', 'desc')
    .limit(options.limit + 1);
  if (options.after !== undefined) query = query.where('id', '<', parseCursor(options.after));
  const rows = (await query.execute()) as DeliveryRow[];
  const items = await deliveryDocuments(context.trx, rows.slice(0, options.limit));
  return { items, next: rows.length > options.limit ? String(items.at(-1)?.delivery_id) : null };
}

/**
 * Sends the delivery's event again, soon (the next run), with the same event id, so a receiver
 * that has it already can tell. It is retried like a new one, for 24 hours from now at least;
 * the back-off goes on from its attempt count (a receiver that failed for a day is not
 * hammered; the first attempt is at once either way).
 */
export async function redeliver(context: LedgerContext, account: AccountRow, deliveryId: number): Promise<AlertDeliveryDocument> {
  let query = context.trx.selectFrom('alert_deliveries').selectAll().where('id', '=', deliveryId).where('account_id', '=', account.id);
  if (context.dialect === 'postgres') query = query.forUpdate();
  const row = await query.executeTakeFirst();
  if (!row) throw new ServiceError('not_found', `account ${account.id} has no alert delivery ${deliveryId}`);
  const changed = {
    status: 'pending' as const,
    next_attempt_at: context.now,
    give_up_at: Math.max(row.give_up_at, context.now + RETRY_WINDOW_MICROS),
    // It is not delivered (again) yet; the earlier delivery stays in the attempt log.
    delivered_at: null,
  };
  await context.trx.updateTable('alert_deliveries').set(changed).where('id', '=', row.id).execute();
  const [document] = await deliveryDocuments(context.trx, [{ ...row, ...changed }]);
  if (!document) throw new ServiceError('internal', `delivery ${deliveryId} vanished`);
  return document;
}
