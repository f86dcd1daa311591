/**
 * What `voicebill serve` can do, independent of HTTP: the routes call these methods and the
 * tests may too. Shapes are the JSON documents the API answers (snake_case, decimal strings
 * for money and usage, RFC 3339 instants), so the HTTP layer only checks and forwards.
 * Every method throws `ServiceError` for a refusal; a refused call changes nothing.
 */
import type { InvoiceDocument, UsageDocument } from '../formats/invoice-document.js';

/** A call record as the platform sends it (SPEC §2); fields are checked by the service. */
export type CallRecordInput = Record<string, unknown>;

export interface TariffVersionDocument {
  version: number;
  loaded_at: string;
  /** The tariff as loaded (SPEC §13, carrier rates inline). */
  tariff: unknown;
}

export interface AccountDocumentOut {
  account_id: string;
  name: string | null;
  plan: string;
  /** A plan change waits for the next period (SPEC §7): the plan and the period it starts. */
  next_plan: { plan: string; from: string } | null;
  timezone: string;
  billing_anchor: string;
  country: string;
  overage: 'allow' | 'block';
  spend_cap: string | null;
  created_at: string;
  updated_at: string;
}

export interface NumberDocument {
  number: string;
  type: string;
  country: string;
  rented_at: string;
  released_at: string | null;
  monthly_fee: string;
  /** The next charge's instant, null once released or when no charge is left. */
  next_charge_at: string | null;
}

export interface BundleDocument {
  purchase_id: number;
  bundle: string;
  purchased_at: string;
  expires_at: string;
  minutes: string;
  price: string;
  left_seconds: string;
}

/** One result per record of `POST /v1/calls`, in the order sent. */
export type CallResult =
  | ({ index: number; call_id: string; status: 'rated'; late: boolean } & RatedCallFields)
  | { index: number; call_id: string; status: 'duplicate'; duplicate_of: string }
  | { index: number; call_id: string | null; status: 'rejected'; error: { code: string; message: string } };

/** The §13 `rate` fields of a call, with how it was drawn. */
export interface RatedCallFields {
  account_id: string;
  direction: string;
  billable_seconds: number;
  ai_seconds: number;
  carrier_prefix: string | null;
  carrier_country: string | null;
  carrier_seconds: number;
  carrier_cost: string;
  surcharge_cost: string;
  carrier_usage_seconds: string;
  usage_seconds: string;
  included_seconds: string;
  bundle_seconds: string;
  payg_seconds: string;
  period_start: string;
}

export interface CallDocument extends RatedCallFields {
  call_id: string;
  from: string;
  to: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  end_reason: string;
  /** Rounding the plan applied (e.g. `1`, `30/6`), for the breakdown. */
  rounding: string;
  /** The bundles this call drew from. */
  bundle_draws: { purchase_id: number; bundle: string; seconds: string }[];
  /** Set when the call arrived after its period closed: billed as an adjustment. */
  adjusted_on_period: string | null;
  received_at: string;
}

export interface InvoiceSummary {
  /** `null` for the draft of an open period. */
  number: string | null;
  status: 'draft' | 'closed';
  month: string;
  period_start: string;
  period_end: string;
  total: string;
  currency: string;
}

export interface ClosedOrDraftInvoice extends InvoiceDocument {
  number: string | null;
  status: 'draft' | 'closed';
  closed_at: string | null;
}

export interface AuthorizationDocument {
  account_id: string;
  at: string;
  allowed: boolean;
  /** null: unlimited (overage allowed, no spend cap). */
  max_seconds: number | null;
  reason: string | null;
}

export interface Page<T> {
  items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  next: string | null;
}

export interface DoctorReport {
  ok: boolean;
  checked: { accounts: number; periods: number; bundles: number; calls: number; ledger_entries: number };
  differences: { account_id: string; what: string; expected: string; found: string }[];
}

export const ALERT_METRICS = ['included_used_percent', 'usage_minutes', 'payg_amount', 'estimated_total', 'bundle_minutes_left'] as const;
export type AlertMetricName = (typeof ALERT_METRICS)[number];

export type AlertChannelInput = { type: 'webhook'; url: string } | { type: 'email'; address: string };

/** A webhook channel as stored: its Standard Webhooks secret is shown to whoever may manage the rule. */
export type AlertChannelDocument = { type: 'webhook'; url: string; secret: string } | { type: 'email'; address: string };

export interface AlertRuleInput {
  metric: string;
  /** Decimal strings (or numbers); `bundle_minutes_left` fires at or below, the others at or above. */
  thresholds: (string | number)[];
  channels: AlertChannelInput[];
}

export interface AlertRuleDocument {
  rule_id: number;
  account_id: string;
  metric: AlertMetricName;
  thresholds: string[];
  channels: AlertChannelDocument[];
  created_at: string;
  updated_at: string;
}

/** The event a webhook receives (and an email tells), the same for every retry. */
export interface AlertEventDocument {
  type: 'usage.threshold_crossed';
  /** Stable: the `webhook-id` of every attempt, so a receiver can drop repeats. */
  id: string;
  created_at: string;
  data: {
    account_id: string;
    account_name: string | null;
    period_start: string;
    period_end: string;
    metric: AlertMetricName;
    /** `at or above` for most metrics, `at or below` for bundle_minutes_left. */
    direction: 'at_or_above' | 'at_or_below';
    threshold: string;
    value: string;
    included_minutes_left: string;
    estimated_total: string;
    currency: string;
    dashboard_url: string;
  };
}

export interface AlertDeliveryDocument {
  delivery_id: number;
  event_id: string;
  channel: 'webhook' | 'email';
  target: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  next_attempt_at: string | null;
  last_status_code: number | null;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
  attempt_log: { attempted_at: string; status_code: number | null; latency_ms: number; error: string | null }[];
  event: AlertEventDocument;
}

/** Who is asking: the operator (everything) or one account's key (that account only). */
export type Caller = { readonly kind: 'operator' } | { readonly kind: 'account'; readonly accountId: string };

export interface BillingService {
  putTariff(document: unknown): Promise<TariffVersionDocument>;
  getTariff(): Promise<TariffVersionDocument>;

  /** Creates or updates; `created` tells which. Bundles and numbers in the document are added when new. */
  putAccount(accountId: string, document: unknown): Promise<{ account: AccountDocumentOut; created: boolean }>;
  getAccount(accountId: string): Promise<AccountDocumentOut>;
  listAccounts(options: { after?: string; limit: number }): Promise<Page<AccountDocumentOut>>;

  rentNumber(accountId: string, input: { number: string; type: string; country?: string; rented_at?: string }, now: Date): Promise<NumberDocument>;
  releaseNumber(accountId: string, number: string, input: { released_at?: string }, now: Date): Promise<NumberDocument>;
  listNumbers(accountId: string, now: Date): Promise<NumberDocument[]>;

  buyBundle(accountId: string, input: { bundle: string; purchased_at?: string }, now: Date): Promise<BundleDocument>;
  listBundles(accountId: string, now: Date): Promise<BundleDocument[]>;

  /** Up to 10,000 records; per-record results, good records kept whatever the others. */
  ingestCalls(records: readonly unknown[], now: Date): Promise<CallResult[]>;
  listCalls(accountId: string, options: { after?: string; limit: number; direction?: string; from?: string; to?: string }): Promise<Page<CallDocument>>;
  getCall(callId: string): Promise<CallDocument>;

  usage(accountId: string, at: Date): Promise<UsageDocument>;
  authorize(accountId: string, input: { direction: string; to?: string; at?: string }, now: Date): Promise<AuthorizationDocument>;

  listInvoices(accountId: string, now: Date): Promise<InvoiceSummary[]>;
  /** `month` is `YYYY-MM`: the period starting in that month (a draft while open). */
  getInvoice(accountId: string, month: string, now: Date): Promise<ClosedOrDraftInvoice>;

  /** Closes every period that ended (plus the grace) by `now`; returns how many closed. */
  closeDuePeriods(now: Date): Promise<number>;
  doctor(): Promise<DoctorReport>;

  /** Alert rules (SPEC §11), managed by the operator or the account's own key. */
  createAlertRule(accountId: string, input: AlertRuleInput, now: Date): Promise<AlertRuleDocument>;
  /** The sensible default: 80% and 100% of the included minutes, to the channels given. */
  createDefaultAlertRules(accountId: string, input: { channels: AlertChannelInput[] }, now: Date): Promise<AlertRuleDocument[]>;
  listAlertRules(accountId: string): Promise<AlertRuleDocument[]>;
  getAlertRule(accountId: string, ruleId: number): Promise<AlertRuleDocument>;
  /** Replaces metric, thresholds and channels (a webhook URL kept keeps its secret). */
  updateAlertRule(accountId: string, ruleId: number, input: AlertRuleInput, now: Date): Promise<AlertRuleDocument>;
  deleteAlertRule(accountId: string, ruleId: number): Promise<void>;
  /** The delivery log, newest first. */
  listAlertDeliveries(accountId: string, options: { after?: string; limit: number }): Promise<Page<AlertDeliveryDocument>>;
  /** Sends a delivery again now (a new attempt of the same event, same id). */
  redeliverAlert(accountId: string, deliveryId: number, now: Date): Promise<AlertDeliveryDocument>;
  /** Attempts every delivery that is due; `serve` calls it on a timer. */
  deliverDueAlerts(now: Date): Promise<{ delivered: number; retrying: number; failed: number }>;

  /** API keys: the operator's (at first start) and accounts' (made by the operator). */
  createAccountKey(accountId: string): Promise<{ key: string; account_id: string }>;
  /** The caller a presented key belongs to, or undefined for an unknown key. */
  callerOfKey(key: string): Promise<Caller | undefined>;

  close(): Promise<void>;
}
