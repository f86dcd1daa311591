/**
 * Opening the service: the store (SQLite file by default, PostgreSQL for a `postgres://`
 * URL), migrated, with an operator key. `VOICEBILL_OPERATOR_KEY` (passed as `operatorKey`)
 * is stored hashed; without one, a key is made at the first start and returned once for
 * `serve` to print.
 */
import { openStore } from '../store/database.js';
import { hasOperatorKey, newKey, storeKey } from './api-keys.js';
import type { BillingService } from './billing-service.js';
import { StoreBillingService } from './store-billing-service.js';
import type { DeliveryOptions } from './alerts/alert-deliveries.js';

export interface ServiceOptions {
  /** A SQLite file path or a `postgres://` URL. */
  readonly db: string;
  readonly operatorKey?: string | undefined;
  /** How long after a period's end it closes, so calls still on their way make it (default 1 hour). */
  readonly closeGraceSeconds?: number | undefined;
  /** Where the service is reached from outside, for links in alert events (default http://127.0.0.1:8080). */
  readonly publicUrl?: string | undefined;
  /** Delivery of alerts: SMTP for email. */
  readonly alerts?: DeliveryOptions | undefined;
}

export const DEFAULT_CLOSE_GRACE_SECONDS = 3600;

export async function openBillingService(options: ServiceOptions): Promise<{ service: BillingService; createdOperatorKey: string | undefined }> {
  const store = await openStore(options.db);
  try {
    const now = Date.now() * 1000;
    let createdOperatorKey: string | undefined;
    if (options.operatorKey !== undefined && options.operatorKey !== '') {
      await storeKey(store.db, options.operatorKey, null, now);
    } else if (!(await hasOperatorKey(store.db))) {
      createdOperatorKey = newKey('operator');
      await storeKey(store.db, createdOperatorKey, null, now);
    }
    const grace = options.closeGraceSeconds ?? DEFAULT_CLOSE_GRACE_SECONDS;
    return { service: new StoreBillingService(store, grace * 1_000_000, options.alerts ?? {}, options.publicUrl ?? 'http://127.0.0.1:8080'), createdOperatorKey };
  } catch (error) {
    await store.close();
    throw error;
  }
}
