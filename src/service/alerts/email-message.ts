/**
 * The alert email a person reads (SPEC §11): what crossed which threshold, the value now, the
 * period, the included minutes left, the estimated total and the dashboard link, as plain
 * text and as simple HTML. Pure: figures are the event's decimal strings, printed as they are.
 */
import type { AlertEventDocument, AlertMetricName } from '../billing-service.js';

export interface EmailMessage {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** `<evt_…@domain>`: every retry of an event is the same message to mail clients. */
  readonly messageId: string;
}

type EventData = AlertEventDocument['data'];

/** A figure of `metric` with its unit: `82.5%`, `1200 minutes`, `120.50 USD`. */
function figure(metric: AlertMetricName, value: string, currency: string): string {
  switch (metric) {
    case 'included_used_percent':
      return `${value}%`;
    case 'usage_minutes':
    case 'bundle_minutes_left':
      return `${value} minutes`;
    case 'payg_amount':
    case 'estimated_total':
      return `${value} ${currency}`;
  }
}

/** What happened, after the account's name: "reached 80% of its included minutes". */
function crossed(data: EventData): string {
  const threshold = figure(data.metric, data.threshold, data.currency);
  switch (data.metric) {
    case 'included_used_percent':
      return `reached ${threshold} of its included minutes`;
    case 'usage_minutes':
      return `reached ${threshold} of calls this period`;
    case 'payg_amount':
      return `reached ${threshold} of pay-as-you-go charges this period`;
    case 'estimated_total':
      return `reached an estimated total of ${threshold} this period`;
    case 'bundle_minutes_left':
      return `has ${data.threshold} or fewer bundle minutes left`;
  }
}

const METRIC_LABELS: Readonly<Record<AlertMetricName, string>> = {
  included_used_percent: 'Included minutes used',
  usage_minutes: 'Minutes of calls',
  payg_amount: 'Pay-as-you-go charges',
  estimated_total: 'Estimated total',
  bundle_minutes_left: 'Bundle minutes left',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** The domain of the From address (`Alerts <alerts@example.com>` → `example.com`), for the Message-ID. */
function fromDomain(from: string): string {
  return /@([A-Za-z0-9.-]+)/.exec(from)?.[1] ?? 'voicebill.invalid';
}

export function alertEmail(event: AlertEventDocument, from: string): EmailMessage {
  const data = event.data;
  const who = data.account_id;
  const named = data.account_name && data.account_name !== data.account_id ? `${data.account_name} (${data.account_id})` : data.account_id;
  const headline = `${named} ${crossed(data)}.`;
  const rows: [string, string][] = [
    [METRIC_LABELS[data.metric], figure(data.metric, data.value, data.currency)],
    ['Threshold', `${figure(data.metric, data.threshold, data.currency)} (${data.direction === 'at_or_below' ? 'at or below' : 'at or above'})`],
    ['Billing period', `${data.period_start} to ${data.period_end}`],
    ['Included minutes left', `${data.included_minutes_left} minutes`],
    ['Estimated total this period', `${data.estimated_total} ${data.currency}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const footer = `Event ${event.id}, ${event.created_at}. You receive this email because an alert rule of account ${data.account_id} names this address.`;
  const text = [
    headline,
    '',
    ...rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`),
    '',
    `Dashboard: ${data.dashboard_url}`,
    '',
    '-- ',
    `voicebill. ${footer}`,
    '',
  ].join('\n');
  const html = [
    '<!doctype html>',
    '<html><body style="font-family: sans-serif; color: #222;">',
    `<p style="font-size: 16px;"><strong>${escapeHtml(headline)}</strong></p>`,
    '<table cellpadding="4" style="border-collapse: collapse;">',
    ...rows.map(([label, value]) => `<tr><td style="color: #666;">${escapeHtml(label)}</td><td>${escapeHtml(value)}</td></tr>`),
    '</table>',
    `<p><a href="${escapeHtml(data.dashboard_url)}">Open the dashboard</a></p>`,
    `<p style="color: #888; font-size: 12px;">voicebill. ${escapeHtml(footer)}</p>`,
    '</body></html>',
    '',
  ].join('\n');
  return {
    subject: `voicebill: ${who} ${crossed(data)}`,
    text,
    html,
    messageId: `<${event.id}@${fromDomain(from)}>`,
  };
}
