import { describe, expect, it } from 'vitest';
import { describePeriod, groupThousands, secondsToMinutes, trimFraction } from '../../src/render/invoice-figures.js';
import { makeInvoices } from './invoice-fixture.js';

describe('invoice figures for people', () => {
  it('groups thousands on the decimal string, keeping every digit', () => {
    expect(groupThousands('0.00')).toBe('0.00');
    expect(groupThousands('999.99')).toBe('999.99');
    expect(groupThousands('1000')).toBe('1,000');
    expect(groupThousands('-1234567.890123')).toBe('-1,234,567.890123');
    expect(groupThousands('123456789012345678901234.5')).toBe('123,456,789,012,345,678,901,234.5');
    expect(groupThousands('n/a')).toBe('n/a');
  });

  it('turns usage seconds into minutes exactly, rounding half away from zero', () => {
    expect(secondsToMinutes('30000.000')).toBe('500.00');
    expect(secondsToMinutes('91.000')).toBe('1.52');
    expect(secondsToMinutes('0.300')).toBe('0.01');
    expect(secondsToMinutes('0.299')).toBe('0.00');
    expect(trimFraction('500.00')).toBe('500');
    expect(trimFraction('90.50')).toBe('90.5');
    expect(trimFraction('100')).toBe('100');
  });

  it('shows the period in local time, with each offset when they differ', () => {
    const [alpha, beta] = makeInvoices();
    expect(describePeriod(alpha!)).toBe('2026-11-01 00:00 (UTC-04:00) to 2026-12-01 00:00 (UTC-05:00)');
    expect(describePeriod(beta!)).toBe('2026-11-15 00:00 to 2026-12-15 00:00 (UTC+01:00)');
  });
});
