/**
 * Billing increments written `I/R` (SPEC §4): an initial block of I seconds, then blocks of
 * R seconds. Plans use them for AI time, rate-deck rows for carrier time.
 */

export interface Increment {
  readonly initial: number;
  readonly recurring: number;
}

export class IncrementError extends Error {
  override readonly name = 'IncrementError';
}

/** A day: no plan or carrier bills in blocks longer than that, and larger blocks would overflow exact arithmetic. */
export const MAX_INCREMENT_SECONDS = 86_400;

const INCREMENT_PATTERN = /^\s*(\d+)\s*(?:\/\s*(\d+)\s*)?$/;

/** Reads `"60/6"`, `"30"` or the number `1`; both parts must be whole seconds from 1 to 86,400. */
export function parseIncrement(text: string | number): Increment {
  const match = INCREMENT_PATTERN.exec(String(text));
  if (!match) throw new IncrementError(`"${String(text)}" is not an increment (expected I/R or N, whole seconds)`);
  const initial = Number(match[1]);
  const recurring = match[2] === undefined ? initial : Number(match[2]);
  if (initial < 1 || recurring < 1) throw new IncrementError(`"${String(text)}": increments must be at least 1 second`);
  if (initial > MAX_INCREMENT_SECONDS || recurring > MAX_INCREMENT_SECONDS) {
    throw new IncrementError(`"${String(text)}": increments must be at most ${MAX_INCREMENT_SECONDS} seconds (a day)`);
  }
  return { initial, recurring };
}

export function formatIncrement(increment: Increment): string {
  return `${increment.initial}/${increment.recurring}`;
}

/** Seconds billed for `seconds` of billable time under `increment`. */
export function applyIncrement(increment: Increment, seconds: number): number {
  if (seconds <= 0) return 0;
  const { initial, recurring } = increment;
  if (seconds <= initial) return initial;
  return initial + Math.ceil((seconds - initial) / recurring) * recurring;
}
