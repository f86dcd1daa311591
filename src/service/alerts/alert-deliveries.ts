/**
 * Delivering alert events (SPEC §11): a durable outbox (`alert_deliveries`), each due
 * delivery attempted, logged (`alert_delivery_attempts`) and retried with back-off for at
 * least 24 hours; webhooks signed with the Standard Webhooks scheme, email over SMTP.
 * (Being written: issue 4.)
 */
import type { Store } from '../../store/database.js';
import type { AccountRow, LedgerContext } from '../account-ledger.js';
import type { AlertDeliveryDocument, Page } from '../billing-service.js';
import { ServiceError } from '../service-error.js';

export interface SmtpOptions {
  readonly host: string;
  readonly port: number;
  readonly secure?: boolean;
  readonly user?: string;
  readonly password?: string;
  /** The From address of alert emails. */
  readonly from: string;
}

export interface DeliveryOptions {
  readonly smtp?: SmtpOptions;
}

export function listDeliveries(_context: LedgerContext, _account: AccountRow, _options: { after?: string; limit: number }): Promise<Page<AlertDeliveryDocument>> {
  return Promise.reject(new ServiceError('internal', 'alert deliveries are not built yet'));
}

export function redeliver(_context: LedgerContext, _account: AccountRow, _deliveryId: number): Promise<AlertDeliveryDocument> {
  return Promise.reject(new ServiceError('internal', 'alert deliveries are not built yet'));
}

export function deliverDue(_store: Store, _now: number, _options: DeliveryOptions): Promise<{ delivered: number; retrying: number; failed: number }> {
  return Promise.resolve({ delivered: 0, retrying: 0, failed: 0 });
}
