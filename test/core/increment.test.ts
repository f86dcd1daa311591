import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { applyIncrement, IncrementError, parseIncrement } from '../../src/core/increment.js';

interface IncrementCase {
  rule: string;
  seconds: number;
  billed: number;
  source: string;
}

const cases = (JSON.parse(readFileSync(new URL('../../../shared/cases/increments.json', import.meta.url), 'utf8')) as { cases: IncrementCase[] }).cases;

describe('applyIncrement: every published example (shared/cases/increments.json)', () => {
  it.each(cases)('rule $rule: $seconds s bills $billed s ($source)', ({ rule, seconds, billed }) => {
    expect(applyIncrement(parseIncrement(rule), seconds)).toBe(billed);
  });
});

describe('applyIncrement: SPEC §4 examples', () => {
  it.each([
    ['1', 90, 90],
    ['30', 1, 30],
    ['30', 30, 30],
    ['30', 31, 60],
    ['60/6', 5, 60],
    ['60/6', 65, 66],
    ['60/6', 67, 72],
    ['60/6', 0, 0],
  ])('rule %s: %i s → %i s', (rule, seconds, billed) => {
    expect(applyIncrement(parseIncrement(rule), seconds)).toBe(billed);
  });
});

describe('parseIncrement', () => {
  it('reads I/R, a single N, a number and spaces', () => {
    expect(parseIncrement('60/6')).toEqual({ initial: 60, recurring: 6 });
    expect(parseIncrement('30')).toEqual({ initial: 30, recurring: 30 });
    expect(parseIncrement(1)).toEqual({ initial: 1, recurring: 1 });
    expect(parseIncrement(' 60 / 10 ')).toEqual({ initial: 60, recurring: 10 });
  });

  it.each(['', '0', '60/0', '1.5', '-1', '60/6/6', 'sixty', '6 0'])('refuses %j', (text) => {
    expect(() => parseIncrement(text)).toThrow(IncrementError);
  });
});

describe('increment bounds', () => {
  it('refuses blocks longer than a day, which no plan bills in and which would overflow exact arithmetic', () => {
    expect(parseIncrement('86400/86400')).toEqual({ initial: 86_400, recurring: 86_400 });
    expect(() => parseIncrement('99999999999999999999')).toThrow(/at most 86400 seconds/);
    expect(() => parseIncrement('60/86401')).toThrow(/at most 86400 seconds/);
  });
});
