import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatInstantUtc, parseInstant } from '../../src/core/instant.js';

describe('parseInstant', () => {
  it('reads RFC 3339 with offsets, Z, a space separator and fractions', () => {
    expect(parseInstant('2026-11-02T10:00:00.000-05:00')).toBe(Date.parse('2026-11-02T15:00:00Z') * 1000);
    expect(parseInstant('2026-11-02T15:00:00Z')).toBe(Date.parse('2026-11-02T15:00:00Z') * 1000);
    expect(parseInstant('2026-11-02 15:00:00+00:00')).toBe(Date.parse('2026-11-02T15:00:00Z') * 1000);
    expect(parseInstant('2026-05-06T15:18:58.599+05:30')).toBe(Date.parse('2026-05-06T09:48:58.599Z') * 1000);
    expect(parseInstant('2026-01-01T00:00:00.123456Z')).toBe(Date.parse('2026-01-01T00:00:00.123Z') * 1000 + 456);
    // Finer than a microsecond: rounded up, so an instant written 1 ns later still sorts after.
    expect(parseInstant('2026-01-01T00:00:00.1234561Z')).toBe(Date.parse('2026-01-01T00:00:00.123Z') * 1000 + 457);
    expect(parseInstant('2026-01-01T00:00:00.1234560000Z')).toBe(Date.parse('2026-01-01T00:00:00.123Z') * 1000 + 456);
  });

  it.each([
    '',
    '2026-11-02',
    '2026-11-02T10:00:00',
    '2026-11-02T25:00:00Z',
    '2026-02-30T10:00:00Z',
    '2026-13-01T10:00:00Z',
    '2026-11-02T10:00:00+5:00',
    '2026-11-02T10:00:00.Z',
    'not a time',
    '2026-11-02T10:00:00Zjunk',
    '2300-01-01T00:00:00Z', // past the year 2255, where microseconds stop being exact
  ])('refuses %j', (text) => {
    expect(parseInstant(text)).toBeUndefined();
  });

  it('agrees with Date.parse on any millisecond instant and offset', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.parse('1971-01-01T00:00:00Z'), max: Date.parse('2199-12-31T00:00:00Z') }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (millis, offsetMinutes) => {
          const local = new Date(millis + offsetMinutes * 60_000).toISOString().slice(0, 23);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const magnitude = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(magnitude / 60)).padStart(2, '0')}:${String(magnitude % 60).padStart(2, '0')}`;
          expect(parseInstant(`${local}${offset}`)).toBe(millis * 1000);
        },
      ),
    );
  });

  it('formats in UTC with +00:00', () => {
    expect(formatInstantUtc(Date.parse('2026-05-20T12:00:00Z') * 1000)).toBe('2026-05-20T12:00:00+00:00');
    expect(formatInstantUtc(Date.parse('2026-05-20T12:00:00.5Z') * 1000)).toBe('2026-05-20T12:00:00.5+00:00');
  });
});
