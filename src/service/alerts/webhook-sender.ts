/**
 * One webhook attempt (SPEC §11): the event's JSON POSTed as stored, signed with the Standard
 * Webhooks scheme (`webhook-id`, `webhook-timestamp`, `webhook-signature`) by the maintained
 * `standardwebhooks` package, so receivers can verify it with any Standard Webhooks library
 * and drop repeats by `webhook-id`, which is the event id on every attempt.
 */
import { performance } from 'node:perf_hooks';
import { Webhook } from 'standardwebhooks';
import { MICROS_PER_SECOND, type EpochMicros } from '../../core/instant.js';
import { clipped, errorText, type DeliveryOutcome } from './delivery-outcome.js';

export interface WebhookRequest {
  readonly url: string;
  /** The endpoint's secret (`whsec_…`). */
  readonly secret: string | null;
  readonly eventId: string;
  /** The event's JSON exactly as stored: the signature covers these bytes. */
  readonly payload: string;
  /** When the attempt is made: the signed `webhook-timestamp`. */
  readonly at: EpochMicros;
}

/** Headers of a signed webhook request (exported for tests and for documentation). */
export function webhookHeaders(request: Pick<WebhookRequest, 'secret' | 'eventId' | 'payload' | 'at'> & { secret: string }): Record<string, string> {
  const seconds = Math.floor(request.at / MICROS_PER_SECOND);
  return {
    'content-type': 'application/json',
    'user-agent': 'voicebill',
    'webhook-id': request.eventId,
    'webhook-timestamp': String(seconds),
    // Signed at the whole second the header names: the receiver recomputes it from the header.
    'webhook-signature': new Webhook(request.secret).sign(request.eventId, new Date(seconds * 1000), request.payload),
  };
}

export async function sendWebhook(request: WebhookRequest, options: { fetch: typeof fetch; timeoutMs: number }): Promise<DeliveryOutcome> {
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  if (!request.secret) return { ok: false, statusCode: null, error: 'the webhook endpoint has no signing secret', latencyMs: 0 };
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), options.timeoutMs);
  try {
    const response = await options.fetch(request.url, {
      method: 'POST',
      headers: webhookHeaders({ ...request, secret: request.secret }),
      body: request.payload,
      signal: abort.signal,
      // A redirect is a failed attempt, not followed: following it would send the signed event
      // to an address the account never configured (and re-POSTing after 301/302 is unreliable).
      redirect: 'manual',
    });
    if (response.status >= 200 && response.status < 300) {
      // The answer's body means nothing to us; cancel it so the connection is freed.
      await response.body?.cancel().catch(() => undefined);
      return { ok: true, statusCode: response.status, error: null, latencyMs: latency() };
    }
    // Only the status is logged, never the answer's body or redirect target: an account key
    // chooses the URL, and the delivery log must not let it read what an address it cannot
    // reach itself (the server's own network) would answer.
    await response.body?.cancel().catch(() => undefined);
    const redirect = response.status >= 300 && response.status < 400 ? ' (redirects are not followed)' : '';
    return { ok: false, statusCode: response.status, error: `HTTP ${response.status}${redirect}`, latencyMs: latency() };
  } catch (error) {
    const message = abort.signal.aborted ? `no answer within ${options.timeoutMs} ms` : clipped(errorText(error));
    return { ok: false, statusCode: null, error: message, latencyMs: latency() };
  } finally {
    clearTimeout(timer);
  }
}
