import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  DecimalError,
  divideRoundHalfAway,
  divideRoundHalfAwayBig,
  formatScaled,
  parseScaled,
} from '../../src/core/decimal.js';

describe('parseScaled / formatScaled', () => {
  it('reads decimal strings into integer units', () => {
    expect(parseScaled('0.0130', 9)).toBe(13_000_000n);
    expect(parseScaled('49', 2)).toBe(4900n);
    expect(parseScaled('-1.5', 3)).toBe(-1500n);
    expect(parseScaled(0.1, 9)).toBe(100_000_000n);
    expect(parseScaled('1.2300', 2)).toBe(123n);
  });

  it('refuses more decimals than the scale holds, and non-numbers', () => {
    expect(() => parseScaled('0.0000000001', 9)).toThrow(DecimalError);
    expect(() => parseScaled('1e3', 2)).toThrow(DecimalError);
    expect(() => parseScaled('abc', 2)).toThrow(DecimalError);
    expect(() => parseScaled('', 2)).toThrow(DecimalError);
  });

  it('formats with exactly the scale', () => {
    expect(formatScaled(17000, 6)).toBe('0.017000');
    expect(formatScaled(90000, 3)).toBe('90.000');
    expect(formatScaled(-5n, 2)).toBe('-0.05');
    expect(formatScaled(7n, 0)).toBe('7');
  });

  it('round-trips any integer units', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 18n), max: 10n ** 18n }), fc.integer({ min: 0, max: 9 }), (units, scale) => {
        expect(parseScaled(formatScaled(units, scale), scale)).toBe(units);
      }),
    );
  });
});

describe('rounding half away from zero', () => {
  it.each([
    [5, 10, 1],
    [4, 10, 0],
    [15, 10, 2],
    [-5, 10, -1],
    [-4, 10, 0],
    [-15, 10, -2],
    [100_500, 1000, 101],
  ])('%i / %i → %i', (numerator, denominator, expected) => {
    expect(divideRoundHalfAway(numerator, denominator)).toBe(expected);
    expect(divideRoundHalfAwayBig(BigInt(numerator), BigInt(denominator))).toBe(BigInt(expected));
  });

  it('the number and bigint versions agree everywhere in the safe range', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), fc.integer({ min: 1, max: 2 ** 40 }), (numerator, denominator) => {
        expect(BigInt(divideRoundHalfAway(numerator, denominator))).toBe(divideRoundHalfAwayBig(BigInt(numerator), BigInt(denominator)));
      }),
    );
  });
});
