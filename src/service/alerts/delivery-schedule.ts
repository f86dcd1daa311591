/**
 * When a failed alert delivery is tried again (SPEC §11: retried with back-off for at least
 * 24 hours). Pure: the attempt's instant, the count and the random source are arguments.
 */
import { MICROS_PER_SECOND, type EpochMicros } from '../../core/instant.js';

/**
 * Seconds to wait after the 1st, 2nd, … failed attempt; the last step repeats. Short at first
 * (a receiver that was restarting is back within a minute), then hours apart, so a receiver
 * that is down for a day is not hammered and still gets the event when it returns.
 */
export const RETRY_DELAYS_SECONDS: readonly number[] = [10, 30, 120, 600, 1_800, 3_600, 7_200, 14_400, 28_800];

/** How long retries go on at least: `give_up_at` is at least this long after the event. */
export const RETRY_WINDOW_MICROS = 24 * 3600 * MICROS_PER_SECOND;

/** ±10 %: deliveries that failed together (one receiver down) do not all come back at once. */
const JITTER = 0.1;

/** The wait after the `attempts`-th attempt failed (attempts ≥ 1), with jitter from `random` ∈ [0, 1). */
export function retryDelayMicros(attempts: number, random: () => number): number {
  const step = RETRY_DELAYS_SECONDS[Math.min(Math.max(attempts, 1), RETRY_DELAYS_SECONDS.length) - 1] ?? 0;
  const factor = 1 - JITTER + 2 * JITTER * random();
  return Math.round(step * factor * MICROS_PER_SECOND);
}

export type AfterFailure = { readonly status: 'pending'; readonly nextAttemptAt: EpochMicros } | { readonly status: 'failed' };

/**
 * What follows a failed attempt made at `attemptedAt`, the `attempts`-th in all. Retries go on
 * while the attempt was before `giveUpAt`; the last wait is cut short so that one attempt is
 * made at `giveUpAt` itself: a receiver down for exactly the window still gets one more try,
 * which is what "at least 24 hours" promises.
 */
export function afterFailedAttempt(options: { attemptedAt: EpochMicros; attempts: number; giveUpAt: EpochMicros; random: () => number }): AfterFailure {
  if (options.attemptedAt >= options.giveUpAt) return { status: 'failed' };
  const next = options.attemptedAt + retryDelayMicros(options.attempts, options.random);
  return { status: 'pending', nextAttemptAt: Math.min(next, options.giveUpAt) };
}
