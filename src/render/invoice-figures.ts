/**
 * Figures of an invoice document (SPEC §13) written for people: thousands separators, usage
 * seconds as minutes, period dates. Every figure stays a decimal string (or a bigint while it
 * is divided), never a JS number, so what people read is exactly what the JSON says.
 */
import { divideRoundHalfAwayBig, formatScaled, parseScaled } from '../core/decimal.js';
import type { InvoiceDocument, InvoiceLineDocument } from '../formats/invoice-document.js';

const DECIMAL_TEXT = /^([+-]?)(\d+)(\.\d+)?$/;

/** `"1234567.50"` → `"1,234,567.50"`; text that is not a plain decimal is returned as is. */
export function groupThousands(decimal: string): string {
  const match = DECIMAL_TEXT.exec(decimal);
  if (!match) return decimal;
  const [, sign = '', whole = '', fraction = ''] = match;
  return `${sign}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}${fraction}`;
}

/** Usage seconds (three decimals) as minutes with two decimals, rounded half away from zero. */
export function secondsToMinutes(seconds: string): string {
  const millis = parseScaled(seconds, 3);
  return formatScaled(divideRoundHalfAwayBig(millis, 600n), 2);
}

/** Drops trailing zeros after the point, and the point itself: `"500.00"` → `"500"`. */
export function trimFraction(decimal: string): string {
  return decimal.includes('.') ? decimal.replace(/0+$/, '').replace(/\.$/, '') : decimal;
}

/** The usage summary, as label and value pairs that every renderer prints the same way. */
export function describeUsage(invoice: InvoiceDocument): [label: string, value: string][] {
  const usage = invoice.usage;
  const minutes = (seconds: string): string => groupThousands(secondsToMinutes(seconds));
  const seconds = (value: string): string => `${groupThousands(value)} s`;
  const included = groupThousands(trimFraction(secondsToMinutes(usage.included_seconds)));
  return [
    ['Calls', groupThousands(String(usage.calls))],
    [
      'Included minutes',
      `${minutes(usage.included_used_seconds)} of ${included} used (${seconds(usage.included_used_seconds)} of ${seconds(usage.included_seconds)})`,
    ],
    ['Bundle minutes used', `${minutes(usage.bundle_used_seconds)} (${seconds(usage.bundle_used_seconds)})`],
    ['Pay-as-you-go minutes', `${minutes(usage.payg_seconds)} (${seconds(usage.payg_seconds)})`],
  ];
}

const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;

interface LocalTime {
  date: string;
  time: string;
  offset: string;
}

function splitLocalTime(text: string): LocalTime | undefined {
  const match = LOCAL_TIME.exec(text);
  if (!match) return undefined;
  const [, date = '', time = '', offset = ''] = match;
  return { date, time, offset: offset === 'Z' ? 'UTC' : `UTC${offset}` };
}

/**
 * The billing period as people read it, in the account's local time:
 * `"2026-11-01 00:00 to 2026-12-01 00:00 (UTC-05:00)"`, each end with its own offset when a
 * daylight-saving change falls inside the period. The end is exclusive, as in the JSON.
 */
export function describePeriod(invoice: InvoiceDocument): string {
  const start = splitLocalTime(invoice.period_start);
  const end = splitLocalTime(invoice.period_end);
  if (!start || !end) return `${invoice.period_start} to ${invoice.period_end}`;
  if (start.offset === end.offset) {
    return `${start.date} ${start.time} to ${end.date} ${end.time} (${start.offset})`;
  }
  return `${start.date} ${start.time} (${start.offset}) to ${end.date} ${end.time} (${end.offset})`;
}

/** A line's quantity for people: the tax line's quantity is a percent. */
export function describeQuantity(line: InvoiceLineDocument): string {
  const quantity = groupThousands(line.quantity);
  return line.kind === 'tax' ? `${quantity}%` : quantity;
}

/** A line's unit price for people; lines without one (carrier passthrough, tax) show nothing. */
export function describeUnitPrice(line: InvoiceLineDocument): string {
  return line.unit_price === null ? '' : groupThousands(line.unit_price);
}
