/** The retry schedule of alert deliveries (pure): back-off, jitter bounds, the 24-hour window. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { afterFailedAttempt, RETRY_DELAYS_SECONDS, RETRY_WINDOW_MICROS, retryDelayMicros } from '../../../src/service/alerts/delivery-schedule.js';

const SECOND = 1_000_000;

describe('retryDelayMicros', () => {
  it('follows 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 2 h, 4 h, then 8 h for ever', () => {
    const waits = Array.from({ length: 12 }, (_, index) => retryDelayMicros(index + 1, () => 0.5) / SECOND);
    expect(waits).toEqual([10, 30, 120, 600, 1800, 3600, 7200, 14400, 28800, 28800, 28800, 28800]);
  });

  it('stays within ±10 % whatever the random source says', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempts, random) => {
        const step = RETRY_DELAYS_SECONDS[Math.min(attempts, RETRY_DELAYS_SECONDS.length) - 1]! * SECOND;
        const wait = retryDelayMicros(attempts, () => random);
        return Number.isSafeInteger(wait) && wait >= step * 0.9 - 1 && wait <= step * 1.1 + 1;
      }),
    );
  });
});

describe('afterFailedAttempt', () => {
  it('retries until give_up_at, with one last attempt exactly then, so retries cover at least 24 hours', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (random) => {
        const createdAt = 1_800_000_000 * SECOND;
        const giveUpAt = createdAt + RETRY_WINDOW_MICROS;
        let at = createdAt;
        const attempts: number[] = [];
        for (;;) {
          attempts.push(at);
          const next = afterFailedAttempt({ attemptedAt: at, attempts: attempts.length, giveUpAt, random: () => random });
          if (next.status === 'failed') break;
          expect(next.nextAttemptAt).toBeGreaterThan(at);
          expect(next.nextAttemptAt).toBeLessThanOrEqual(giveUpAt);
          at = next.nextAttemptAt;
        }
        expect(attempts.at(-1)).toBe(giveUpAt);
        expect(attempts.length).toBeGreaterThanOrEqual(11);
        expect(attempts.length).toBeLessThanOrEqual(14);
      }),
      { numRuns: 50 },
    );
  });

  it('gives up at once when the attempt was at or after give_up_at', () => {
    expect(afterFailedAttempt({ attemptedAt: 100, attempts: 1, giveUpAt: 100, random: () => 0 })).toEqual({ status: 'failed' });
  });
});
