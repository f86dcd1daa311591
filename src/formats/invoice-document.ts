/**
 * The JSON shapes of SPEC §13 (invoice) and §10 (usage view): decimal strings for money and
 * usage, RFC 3339 instants. The batch commands print them, the service will answer them, and
 * the renderers (text, CSV, PDF) read them, so every output shows the same figures.
 */
import { formatScaled } from '../core/decimal.js';
import { formatInstantUtc } from '../core/instant.js';
import type { Invoice, InvoiceLineKind } from '../core/invoice.js';
import type { UsageView } from '../core/usage-view.js';
import { toZonedDateTime, formatZoned } from '../core/billing-period.js';

export interface InvoiceLineDocument {
  kind: InvoiceLineKind;
  description: string;
  quantity: string;
  unit_price: string | null;
  amount: string;
}

/** What the service adds to a §13 invoice: its number once closed, and whether it is final. */
export interface InvoiceIdentity {
  /** `INV-000001`…; null for a draft. */
  number?: string | null;
  status?: 'draft' | 'closed';
}

/** How an invoice names itself for people: its number, or that it is a draft. */
export function invoiceTitle(invoice: InvoiceIdentity): string {
  if (invoice.status === 'draft') return 'DRAFT INVOICE (period still open)';
  return invoice.number ? `INVOICE ${invoice.number}` : 'INVOICE';
}

export interface InvoiceDocument extends InvoiceIdentity {
  account_id: string;
  period_start: string;
  period_end: string;
  currency: string;
  lines: InvoiceLineDocument[];
  subtotal: string;
  tax: string;
  total: string;
  usage: {
    included_seconds: string;
    included_used_seconds: string;
    bundle_used_seconds: string;
    payg_seconds: string;
    calls: number;
  };
}

/** Usage seconds with exactly three decimals, from milliseconds. */
export function formatUsageSeconds(millis: number): string {
  return formatScaled(millis, 3);
}

export function toInvoiceDocument(invoice: Invoice): InvoiceDocument {
  const money = (amount: bigint): string => formatScaled(amount, invoice.minorUnits);
  return {
    account_id: invoice.accountId,
    period_start: invoice.period.startText,
    period_end: invoice.period.endText,
    currency: invoice.currency,
    lines: invoice.lines.map((line) => ({
      kind: line.kind,
      description: line.description,
      quantity: line.quantity,
      unit_price: line.unitPrice,
      amount: money(line.amountMinor),
    })),
    subtotal: money(invoice.subtotalMinor),
    tax: money(invoice.taxMinor),
    total: money(invoice.totalMinor),
    usage: {
      included_seconds: formatUsageSeconds(invoice.usage.includedMillis),
      included_used_seconds: formatUsageSeconds(invoice.usage.includedUsedMillis),
      bundle_used_seconds: formatUsageSeconds(invoice.usage.bundleUsedMillis),
      payg_seconds: formatUsageSeconds(invoice.usage.paygMillis),
      calls: invoice.usage.calls,
    },
  };
}

export interface UsageDocument {
  account_id: string;
  at: string;
  period_start: string;
  period_end: string;
  currency: string;
  included_seconds: string;
  included_used_seconds: string;
  included_left_seconds: string;
  bundle_left_seconds: string;
  bundles: { bundle: string; purchased_at: string; expires_at: string; left_seconds: string }[];
  payg_seconds: string;
  payg_amount: string;
  estimated_total: string;
  forecast_total: string;
}

export function toUsageDocument(view: UsageView, timeZone: string): UsageDocument {
  const money = (amount: bigint): string => formatScaled(amount, view.minorUnits);
  const local = (instant: number): string => formatZoned(toZonedDateTime(instant, timeZone));
  return {
    account_id: view.accountId,
    at: formatInstantUtc(view.at),
    period_start: view.period.startText,
    period_end: view.period.endText,
    currency: view.currency,
    included_seconds: formatUsageSeconds(view.includedMillis),
    included_used_seconds: formatUsageSeconds(view.includedUsedMillis),
    included_left_seconds: formatUsageSeconds(view.includedLeftMillis),
    bundle_left_seconds: formatUsageSeconds(view.bundleLeftMillis),
    bundles: view.bundles.map((balance) => ({
      bundle: balance.product.id,
      purchased_at: local(balance.purchasedAt),
      expires_at: local(balance.expiresAt),
      left_seconds: formatUsageSeconds(balance.left),
    })),
    payg_seconds: formatUsageSeconds(view.paygMillis),
    payg_amount: money(view.paygAmountMinor),
    estimated_total: money(view.estimate.totalMinor),
    forecast_total: money(view.forecastTotalMinor),
  };
}
