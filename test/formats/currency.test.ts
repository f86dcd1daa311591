import { describe, expect, it } from 'vitest';
import { isCurrencyCode, minorUnitsOf } from '../../src/formats/currency.js';

describe('ISO 4217 minor units (SPEC §1)', () => {
  it.each([
    ['USD', 2],
    ['EUR', 2],
    ['JPY', 0],
    ['KWD', 3],
    ['IQD', 3], // ICU displays 0
    ['HUF', 2], // ICU displays 0
    ['IDR', 2],
    ['PKR', 2],
    ['CLF', 4],
  ])('%s has %i decimals', (code, decimals) => {
    expect(minorUnitsOf(code)).toBe(decimals);
  });

  it('knows ISO codes and refuses others', () => {
    expect(['USD', 'CLF', 'UYW', 'VED', 'HUF'].every(isCurrencyCode)).toBe(true);
    expect(['EUE', 'usd', 'ABC'].some(isCurrencyCode)).toBe(false);
  });
});
