/**
 * The tables of the service's store, as Kysely sees them. Instants are epoch microseconds and
 * usage is milliseconds (both exact integers below 2^53), money is integer minor units or
 * micro-units; documents the API answers are stored as JSON text. `Generated` marks columns
 * the database fills in.
 */
import type { Generated } from 'kysely';

export interface CountersTable {
  name: string;
  value: number;
}

export interface TariffsTable {
  version: number;
  /** The tariff document as loaded (carrier rates inline), JSON. */
  document: string;
  loaded_at: number;
}

export interface AccountsTable {
  id: string;
  /** The account settings document (plan, timezone, billing_anchor, country, name, overage, spend_cap), JSON. */
  document: string;
  plan: string;
  next_plan: string | null;
  /** Period index from which `next_plan` applies. */
  next_plan_from: number | null;
  /** Index of the last closed period; -1 before the first close. */
  closed_through: number;
  /** End of the next period to close (epoch micros): what the scheduler looks for. */
  next_close_at: number;
  /** Latest `ended_at` of its calls: the live usage view is exact for any instant after it. */
  max_ended_at: number;
  /**
   * The last call drawn in the account's open periods, in draw order: a new call after it is
   * drawn straight on; one before it makes the calls after it draw again.
   */
  drawn_time: number;
  drawn_call: string;
  created_at: number;
  updated_at: number;
}

export interface BundlePurchasesTable {
  id: Generated<number>;
  account_id: string;
  bundle: string;
  purchased_at: number;
  expires_at: number;
  millis: number;
  left_millis: number;
  price_minor: number;
  created_at: number;
}

export interface NumbersTable {
  account_id: string;
  number: string;
  type: string;
  country: string;
  rented_at: number;
  released_at: number | null;
}

export interface CallsTable {
  call_id: string;
  account_id: string;
  /** 53-bit fingerprint of the parsed record: the same record again is a duplicate. */
  fingerprint: number;
  /** The record as received (generic format, JSON): the call log shows it as sent. */
  record: string;
  direction: string;
  /** Draw order: answered_at, or started_at for an unanswered call; ties by call_id. */
  time: number;
  ended_at: number;
  period_index: number;
  billable_seconds: number;
  ai_seconds: number;
  carrier_prefix: string | null;
  carrier_country: string | null;
  carrier_seconds: number;
  carrier_micros: number;
  surcharge_micros: number;
  carrier_usage_millis: number;
  usage_millis: number;
  included_millis: number;
  bundle_millis: number;
  payg_millis: number;
  /** JSON `[[purchase_id, millis], …]` when it drew from bundles, else null. */
  bundle_takes: string | null;
  /** The period index whose invoice carries this late call's adjustment; null for a call in time. */
  adjusted_on: number | null;
  received_at: number;
}

export interface AccountPeriodsTable {
  account_id: string;
  period_index: number;
  period_start: number;
  period_end: number;
  plan: string;
  tariff_version: number;
  included_millis: number;
  included_used: number;
  bundle_used: number;
  payg: number;
  calls: number;
  carrier_calls: number;
  carrier_micros: number;
  status: 'open' | 'closed';
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  account_id: string;
  kind: 'call_rated' | 'call_redrawn' | 'bundle_bought' | 'number_charged' | 'period_closed' | 'adjustment';
  /** What the entry comes from: a call id, a bundle purchase id, a number, an invoice number. */
  source: string;
  period_index: number | null;
  included_millis: number;
  bundle_millis: number;
  payg_millis: number;
  calls: number;
  carrier_calls: number;
  carrier_micros: number;
  /** JSON `[[purchase_id, millis], …]` of bundle draws, or null. */
  bundle_takes: string | null;
  amount_minor: number;
  created_at: number;
}

export interface AdjustmentsTable {
  id: Generated<number>;
  account_id: string;
  corrects_period_index: number;
  corrects_period_start: number;
  corrects_period_end: number;
  amount_minor: number;
  calls: number;
  /** The period whose invoice bills it; null until that invoice closes. */
  billed_in: number | null;
  created_at: number;
}

export interface InvoicesTable {
  /** Gapless, from 1, across the whole service (the issuer). */
  number: number;
  account_id: string;
  period_index: number;
  period_start: number;
  month: string;
  /** The closed invoice as the API answers it, JSON; never changed after close. */
  document: string;
  total_minor: number;
  closed_at: number;
}

export interface ApiKeysTable {
  /** SHA-256 of the key, hex: keys are random 256-bit strings, so a fast hash is enough. */
  hash: string;
  account_id: string | null;
  created_at: number;
}

export type AlertMetric = 'included_used_percent' | 'usage_minutes' | 'payg_amount' | 'estimated_total' | 'bundle_minutes_left';

export interface AlertRulesTable {
  id: Generated<number>;
  account_id: string;
  metric: AlertMetric;
  /** JSON array of decimal strings, e.g. `["80","100"]`. */
  thresholds: string;
  /** JSON array of `{type: 'webhook', url, secret}` / `{type: 'email', address}`. */
  channels: string;
  created_at: number;
  updated_at: number;
}

export interface AlertFiringsTable {
  id: Generated<number>;
  /** Stable id of the event (`evt_…`): the webhook-id of every delivery and retry. */
  event_id: string;
  rule_id: number;
  account_id: string;
  period_index: number;
  threshold: string;
  metric: AlertMetric;
  value: string;
  /** The event as delivered (JSON). */
  payload: string;
  created_at: number;
}

export interface AlertDeliveriesTable {
  id: Generated<number>;
  event_id: string;
  account_id: string;
  channel: 'webhook' | 'email';
  /** The URL or the email address. */
  target: string;
  /** The endpoint's Standard Webhooks secret (`whsec_…`); null for email. */
  secret: string | null;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: number;
  /** Retries stop after this instant (at least 24 hours after the event). */
  give_up_at: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: number;
  delivered_at: number | null;
}

export interface AlertDeliveryAttemptsTable {
  id: Generated<number>;
  delivery_id: number;
  attempted_at: number;
  status_code: number | null;
  latency_ms: number;
  error: string | null;
}

export interface StoreSchema {
  alert_rules: AlertRulesTable;
  alert_firings: AlertFiringsTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_delivery_attempts: AlertDeliveryAttemptsTable;
  counters: CountersTable;
  tariffs: TariffsTable;
  accounts: AccountsTable;
  bundle_purchases: BundlePurchasesTable;
  numbers: NumbersTable;
  calls: CallsTable;
  account_periods: AccountPeriodsTable;
  ledger_entries: LedgerEntriesTable;
  adjustments: AdjustmentsTable;
  invoices: InvoicesTable;
  api_keys: ApiKeysTable;
}
