/** zod field types for the decimal and increment values of tariff and account files. */
import { z } from 'zod';
import { DecimalError, parseScaled } from '../core/decimal.js';
import { IncrementError, parseIncrement } from '../core/increment.js';
import { parseInstant } from '../core/instant.js';

const decimalText = z.union([z.string(), z.number()]);

/** A non-negative decimal with at most `scale` decimals, as integer units of 10^-scale. */
export function scaledDecimal(scale: number, { positive = false } = {}) {
  return decimalText.transform((value, context) => {
    try {
      const units = parseScaled(value, scale);
      if (units < 0n || (positive && units === 0n)) {
        context.addIssue({ code: 'custom', message: `must be ${positive ? 'greater than 0' : '0 or more'}, got ${String(value)}` });
        return z.NEVER;
      }
      return units;
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof DecimalError ? error.message : String(error) });
      return z.NEVER;
    }
  });
}

/** The decimal as written, checked to be a non-negative decimal (taxes keep their text). */
export const decimalString = decimalText.transform((value, context) => {
  const text = String(value).trim();
  try {
    if (parseScaled(text, 12) < 0n) throw new DecimalError(`must be 0 or more, got ${text}`);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : String(error) });
    return z.NEVER;
  }
  return text;
});

export const increment = z.union([z.string(), z.number()]).transform((value, context) => {
  try {
    return parseIncrement(value);
  } catch (error) {
    context.addIssue({ code: 'custom', message: error instanceof IncrementError ? error.message : String(error) });
    return z.NEVER;
  }
});

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** An RFC 3339 instant with offset; with `dateMeansUtcMidnight`, a bare date is 00:00 UTC. */
export function instantField({ dateMeansUtcMidnight = false } = {}) {
  return z.union([z.string(), z.date()]).transform((value, context) => {
    const text = value instanceof Date ? value.toISOString() : value.trim();
    const instant = parseInstant(dateMeansUtcMidnight && DATE_ONLY.test(text) ? `${text}T00:00:00Z` : text);
    if (instant === undefined) {
      context.addIssue({ code: 'custom', message: `"${text}" is not an RFC 3339 instant with offset (e.g. 2026-05-01T09:00:00+02:00)` });
      return z.NEVER;
    }
    return instant;
  });
}
