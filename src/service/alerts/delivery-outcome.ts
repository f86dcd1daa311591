/**
 * What one delivery attempt came to, whatever the channel: the row of
 * `alert_delivery_attempts` and what `alert_deliveries` keeps of its last attempt.
 */
export interface DeliveryOutcome {
  /** A 2xx answer (webhook) or a message the SMTP server accepted (email). */
  readonly ok: boolean;
  /** The HTTP status, or the SMTP reply code (250, 550, …); null when no answer came. */
  readonly statusCode: number | null;
  /** Why the attempt failed, for the delivery log; null when it succeeded. */
  readonly error: string | null;
  readonly latencyMs: number;
}

/** One line for the log: the cause of a network error (`ECONNREFUSED …`) rather than `fetch failed`. */
export function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' && !cause.message.includes(code) ? `${code}: ${cause.message}` : cause.message;
  }
  return error.message;
}

/** Keeps log texts bounded: a receiver's error page can be megabytes. */
export function clipped(text: string, max = 300): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
