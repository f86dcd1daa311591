/**
 * A file the command cannot use (SPEC §13 exit status 1): the message names the file, and
 * the field or line, so the user can go straight to it.
 */
import type { z } from 'zod';

export class InputError extends Error {
  override readonly name = 'InputError';

  constructor(
    readonly file: string,
    readonly where: string | undefined,
    readonly reason: string,
  ) {
    super(where ? `${file}: ${where}: ${reason}` : `${file}: ${reason}`);
  }
}

/** `plans.p0.minute_price` from a zod issue path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.map((part) => (typeof part === 'number' ? `[${part}]` : String(part))).join('.').replace(/\.\[/g, '[');
}

/** The first zod issue as an InputError. */
export function fromZodError(file: string, error: z.ZodError, prefix: readonly PropertyKey[] = []): InputError {
  const issue = error.issues[0];
  if (!issue) return new InputError(file, undefined, 'invalid');
  const where = fieldPath([...prefix, ...issue.path]);
  return new InputError(file, where === '' ? undefined : where, issue.message);
}
