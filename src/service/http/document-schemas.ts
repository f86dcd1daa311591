/**
 * The documents the API answers, as zod schemas. Each is checked against its TypeScript
 * interface in `billing-service.ts` (`satisfies`), so the OpenAPI document cannot drift from
 * what the service returns; the response serializer also parses every answer through them.
 */
import { z } from 'zod';
import { INVOICE_LINE_KINDS } from '../../core/invoice.js';
import type { InvoiceDocument, UsageDocument } from '../../formats/invoice-document.js';
import type {
  AccountDocumentOut,
  AuthorizationDocument,
  BundleDocument,
  CallDocument,
  CallResult,
  ClosedOrDraftInvoice,
  DoctorReport,
  InvoiceSummary,
  NumberDocument,
  RatedCallFields,
  TariffVersionDocument,
} from '../billing-service.js';
import { ALERT_METRICS, type AlertChannelDocument, type AlertDeliveryDocument, type AlertEventDocument, type AlertRuleDocument } from '../billing-service.js';
import { moneySchema, usageSecondsSchema } from './common-schemas.js';

/** Instants the service writes (local offsets included); answers are not re-validated as RFC 3339. */
const instantText = z.string().meta({ description: 'RFC 3339 instant', examples: ['2026-11-15T00:00:00-05:00'] });

export const tariffVersionSchema = z
  .object({
    version: z.number().int(),
    loaded_at: instantText,
    tariff: z.unknown().meta({ description: 'the tariff as loaded (SPEC §13, carrier rates inline)' }),
  })
  .meta({ id: 'TariffVersion' }) satisfies z.ZodType<TariffVersionDocument>;

export const accountSchema = z
  .object({
    account_id: z.string(),
    name: z.string().nullable(),
    plan: z.string(),
    next_plan: z
      .object({ plan: z.string(), from: instantText })
      .nullable()
      .meta({ description: 'a plan change waits for the next period (SPEC §7): the plan and when it starts' }),
    timezone: z.string(),
    billing_anchor: z.string(),
    country: z.string(),
    overage: z.enum(['allow', 'block']),
    spend_cap: moneySchema.nullable(),
    created_at: instantText,
    updated_at: instantText,
  })
  .meta({ id: 'Account' }) satisfies z.ZodType<AccountDocumentOut>;

export const numberSchema = z
  .object({
    number: z.string(),
    type: z.string(),
    country: z.string(),
    rented_at: instantText,
    released_at: instantText.nullable(),
    monthly_fee: moneySchema,
    next_charge_at: instantText.nullable().meta({ description: 'null once released or when no charge is left' }),
  })
  .meta({ id: 'Number' }) satisfies z.ZodType<NumberDocument>;

export const bundleSchema = z
  .object({
    purchase_id: z.number().int(),
    bundle: z.string(),
    purchased_at: instantText,
    expires_at: instantText,
    minutes: z.string(),
    price: moneySchema,
    left_seconds: usageSecondsSchema,
  })
  .meta({ id: 'Bundle' }) satisfies z.ZodType<BundleDocument>;

/** The SPEC §13 `rate` fields. */
const ratedCallFields = {
  account_id: z.string(),
  direction: z.string(),
  billable_seconds: z.number().int(),
  ai_seconds: z.number().int(),
  carrier_prefix: z.string().nullable(),
  carrier_country: z.string().nullable(),
  carrier_seconds: z.number().int(),
  carrier_cost: moneySchema,
  surcharge_cost: moneySchema,
  carrier_usage_seconds: usageSecondsSchema,
  usage_seconds: usageSecondsSchema,
  included_seconds: usageSecondsSchema,
  bundle_seconds: usageSecondsSchema,
  payg_seconds: usageSecondsSchema,
  period_start: instantText,
};
const _ratedCallFieldsCheck = z.object(ratedCallFields) satisfies z.ZodType<RatedCallFields>;

export const callResultSchema = z
  .discriminatedUnion('status', [
    z.object({ index: z.number().int(), call_id: z.string(), status: z.literal('rated'), late: z.boolean().meta({ description: 'arrived after its period closed: billed as an adjustment' }), ...ratedCallFields }),
    z.object({ index: z.number().int(), call_id: z.string(), status: z.literal('duplicate'), duplicate_of: z.string() }),
    z.object({
      index: z.number().int(),
      call_id: z.string().nullable(),
      status: z.literal('rejected'),
      error: z.object({ code: z.string().meta({ description: 'e.g. `unparseable_timestamp`, `unknown_account`, `conflicting_duplicate`' }), message: z.string() }),
    }),
  ])
  .meta({ id: 'CallResult', description: 'One per record sent, in order: rated, a duplicate of an earlier record (billed once), or rejected with a reason.' }) satisfies z.ZodType<CallResult>;

export const callSchema = z
  .object({
    call_id: z.string(),
    from: z.string(),
    to: z.string(),
    started_at: instantText,
    answered_at: instantText.nullable(),
    ended_at: instantText,
    end_reason: z.string(),
    ...ratedCallFields,
    rounding: z.string().meta({ description: 'the plan rounding applied, e.g. `1` or `30/6`' }),
    bundle_draws: z.array(z.object({ purchase_id: z.number().int(), bundle: z.string(), seconds: usageSecondsSchema })),
    adjusted_on_period: instantText.nullable().meta({ description: 'set when the call arrived after its period closed' }),
    received_at: instantText,
  })
  .meta({ id: 'Call' }) satisfies z.ZodType<CallDocument>;

const invoiceFields = {
  account_id: z.string(),
  period_start: instantText,
  period_end: instantText,
  currency: z.string(),
  lines: z.array(
    z.object({
      kind: z.enum(INVOICE_LINE_KINDS),
      description: z.string(),
      quantity: z.string(),
      unit_price: z.string().nullable(),
      amount: moneySchema,
    }),
  ),
  subtotal: moneySchema,
  tax: moneySchema,
  total: moneySchema,
  usage: z.object({
    included_seconds: usageSecondsSchema,
    included_used_seconds: usageSecondsSchema,
    bundle_used_seconds: usageSecondsSchema,
    payg_seconds: usageSecondsSchema,
    calls: z.number().int(),
  }),
};
const _invoiceFieldsCheck = z.object(invoiceFields) satisfies z.ZodType<InvoiceDocument>;

export const invoiceSchema = z
  .object({
    ...invoiceFields,
    number: z.string().nullable().meta({ description: 'null for the draft of an open period' }),
    status: z.enum(['draft', 'closed']),
    closed_at: instantText.nullable(),
  })
  .meta({ id: 'Invoice', description: 'The SPEC §13 invoice, with its number and status (a draft while the period is open).' }) satisfies z.ZodType<ClosedOrDraftInvoice>;

export const invoiceSummarySchema = z
  .object({
    number: z.string().nullable(),
    status: z.enum(['draft', 'closed']),
    month: z.string(),
    period_start: instantText,
    period_end: instantText,
    total: moneySchema,
    currency: z.string(),
  })
  .meta({ id: 'InvoiceSummary' }) satisfies z.ZodType<InvoiceSummary>;

export const usageSchema = z
  .object({
    account_id: z.string(),
    at: instantText,
    period_start: instantText,
    period_end: instantText,
    currency: z.string(),
    included_seconds: usageSecondsSchema,
    included_used_seconds: usageSecondsSchema,
    included_left_seconds: usageSecondsSchema,
    bundle_left_seconds: usageSecondsSchema,
    bundles: z.array(z.object({ bundle: z.string(), purchased_at: instantText, expires_at: instantText, left_seconds: usageSecondsSchema })),
    payg_seconds: usageSecondsSchema,
    payg_amount: moneySchema,
    estimated_total: moneySchema,
    forecast_total: moneySchema,
  })
  .meta({ id: 'Usage', description: 'The SPEC §10 usage view at an instant.' }) satisfies z.ZodType<UsageDocument>;

export const authorizationSchema = z
  .object({
    account_id: z.string(),
    at: instantText,
    allowed: z.boolean(),
    max_seconds: z.number().int().nullable().meta({ description: 'the longest call the balances can pay for; null: unlimited' }),
    reason: z.string().nullable(),
  })
  .meta({ id: 'Authorization' }) satisfies z.ZodType<AuthorizationDocument>;

export const doctorReportSchema = z
  .object({
    ok: z.boolean(),
    checked: z.object({ accounts: z.number().int(), periods: z.number().int(), bundles: z.number().int(), calls: z.number().int(), ledger_entries: z.number().int() }),
    differences: z.array(z.object({ account_id: z.string(), what: z.string(), expected: z.string(), found: z.string() })),
  })
  .meta({ id: 'DoctorReport' }) satisfies z.ZodType<DoctorReport>;

/** How an alert reaches someone (SPEC §11): a signed webhook, or an email. */
export const alertChannelSchema = z
  .discriminatedUnion('type', [
    z.object({
      type: z.literal('webhook'),
      url: z.string().meta({ examples: ['https://hooks.zapier.com/hooks/catch/123456/abcdef/'] }),
      secret: z.string().meta({
        description: 'this endpoint\'s Standard Webhooks signing secret (`whsec_…`): give it to the receiver to check `webhook-signature`; kept while the rule keeps this URL',
        examples: ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw'],
      }),
    }),
    z.object({ type: z.literal('email'), address: z.string().meta({ examples: ['billing@acme-dental.example'] }) }),
  ])
  .meta({ id: 'AlertChannel' }) satisfies z.ZodType<AlertChannelDocument>;

export const alertRuleSchema = z
  .object({
    rule_id: z.number().int(),
    account_id: z.string(),
    metric: z.enum(ALERT_METRICS),
    thresholds: z.array(z.string()).meta({ description: 'decimal strings, ascending, each fired at most once per billing period', examples: [['80', '100']] }),
    channels: z.array(alertChannelSchema),
    created_at: instantText,
    updated_at: instantText,
  })
  .meta({ id: 'AlertRule', description: 'One metric of the account\'s current period, its thresholds, and where to say when one is crossed.' }) satisfies z.ZodType<AlertRuleDocument>;

export const alertEventSchema = z
  .object({
    type: z.literal('usage.threshold_crossed'),
    id: z.string().meta({ description: 'the event id, also the `webhook-id` header: the same on every retry and redelivery, so a receiver can drop repeats' }),
    created_at: instantText,
    data: z.object({
      account_id: z.string(),
      account_name: z.string().nullable(),
      period_start: instantText,
      period_end: instantText,
      metric: z.enum(ALERT_METRICS),
      direction: z.enum(['at_or_above', 'at_or_below']).meta({ description: '`at_or_below` for `bundle_minutes_left`, `at_or_above` for the others' }),
      threshold: z.string().meta({ description: 'the threshold crossed, as in the rule', examples: ['80'] }),
      value: z.string().meta({ description: 'the metric when it crossed', examples: ['81.25'] }),
      included_minutes_left: z.string().meta({ examples: ['93.75'] }),
      estimated_total: moneySchema.meta({ description: 'the invoice so far, tax included' }),
      currency: z.string(),
      dashboard_url: z.string(),
    }),
  })
  .meta({ id: 'AlertEvent', description: 'What a webhook receives as its JSON body (and an email tells): the same for every attempt.' }) satisfies z.ZodType<AlertEventDocument>;

export const alertDeliverySchema = z
  .object({
    delivery_id: z.number().int(),
    event_id: z.string(),
    channel: z.enum(['webhook', 'email']),
    target: z.string().meta({ description: 'the webhook URL or email address' }),
    status: z.enum(['pending', 'delivered', 'failed']).meta({ description: '`pending` while being tried or retried, `failed` once retries ran out' }),
    attempts: z.number().int(),
    next_attempt_at: instantText.nullable().meta({ description: 'when the next retry is due; null once delivered or failed' }),
    last_status_code: z.number().int().nullable().meta({ description: 'the HTTP status of the last attempt (null for email, or when no answer came)' }),
    last_error: z.string().nullable(),
    created_at: instantText,
    delivered_at: instantText.nullable(),
    attempt_log: z.array(
      z.object({ attempted_at: instantText, status_code: z.number().int().nullable(), latency_ms: z.number().int(), error: z.string().nullable() }),
    ),
    event: alertEventSchema,
  })
  .meta({ id: 'AlertDelivery', description: 'One event sent to one channel, with every attempt so far.' }) satisfies z.ZodType<AlertDeliveryDocument>;
