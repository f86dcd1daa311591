/**
 * Exact decimal arithmetic on scaled integers.
 *
 * Money and usage are held as integers in a fixed unit: per-call money in millionths
 * (micros), usage in milliseconds, tariff prices in billionths (nanos). The hot path works on
 * JavaScript numbers while every intermediate stays inside the safe-integer range and falls
 * back to bigint otherwise, so results are exact either way. The only rounding is
 * `divideRoundHalfAway`, half away from zero, which is the one the spec allows.
 */

export class DecimalError extends Error {
  override readonly name = 'DecimalError';
}

const DECIMAL_PATTERN = /^([+-])?(\d+)(?:\.(\d+))?$/;

/** Parses a decimal string (or a JS number written by YAML) into integer units of 10^-scale. */
export function parseScaled(text: string | number, scale: number): bigint {
  const source = typeof text === 'number' ? numberToPlainString(text) : text.trim();
  const match = DECIMAL_PATTERN.exec(source);
  if (!match) throw new DecimalError(`"${String(text)}" is not a decimal number`);
  const [, sign, whole = '0', fraction = ''] = match;
  if (fraction.length > scale && /[1-9]/.test(fraction.slice(scale))) {
    throw new DecimalError(`"${String(text)}" has more than ${scale} decimals`);
  }
  const digits = whole + fraction.slice(0, scale).padEnd(scale, '0');
  const units = BigInt(digits);
  return sign === '-' ? -units : units;
}

function numberToPlainString(value: number): string {
  if (!Number.isFinite(value)) throw new DecimalError(`${value} is not a finite number`);
  // YAML turns `0.10` into the number 0.1; its shortest round-trip form is the decimal the
  // author wrote, as long as it is not in exponent notation.
  const text = String(value);
  if (/e/i.test(text)) {
    const fixed = value.toFixed(20).replace(/0+$/, '').replace(/\.$/, '');
    return fixed;
  }
  return text;
}

/** Formats integer units of 10^-scale as a decimal string with exactly `scale` decimals. */
export function formatScaled(units: bigint | number, scale: number): string {
  const big = typeof units === 'bigint' ? units : BigInt(units);
  const negative = big < 0n;
  const digits = (negative ? -big : big).toString().padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale);
  const text = scale === 0 ? whole : `${whole}.${digits.slice(digits.length - scale)}`;
  return negative ? `-${text}` : text;
}

/** Exact `numerator / denominator` rounded half away from zero (denominator > 0). */
export function divideRoundHalfAwayBig(numerator: bigint, denominator: bigint): bigint {
  const negative = numerator < 0n;
  const magnitude = negative ? -numerator : numerator;
  let quotient = magnitude / denominator;
  const remainder = magnitude - quotient * denominator;
  if (remainder * 2n >= denominator) quotient += 1n;
  return negative ? -quotient : quotient;
}

/**
 * Exact `numerator / denominator` rounded half away from zero, on numbers. Both arguments
 * must be safe integers and denominator > 0; callers check the numerator's range (see
 * `isSafe`) and use the bigint version past it.
 */
export function divideRoundHalfAway(numerator: number, denominator: number): number {
  const negative = numerator < 0;
  const magnitude = negative ? -numerator : numerator;
  let quotient = Math.floor(magnitude / denominator);
  let remainder = magnitude - quotient * denominator;
  // Float division can land one off near an integer; the remainder says which way.
  if (remainder < 0) {
    quotient -= 1;
    remainder += denominator;
  } else if (remainder >= denominator) {
    quotient += 1;
    remainder -= denominator;
  }
  if (remainder * 2 >= denominator) quotient += 1;
  return negative && quotient !== 0 ? -quotient : quotient;
}

export function isSafe(value: number): boolean {
  return value <= Number.MAX_SAFE_INTEGER && value >= -Number.MAX_SAFE_INTEGER;
}
