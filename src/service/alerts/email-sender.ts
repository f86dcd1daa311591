/**
 * One email attempt over SMTP (SPEC §11), through `nodemailer`: the maintained SMTP client
 * for Node (STARTTLS, implicit TLS, AUTH, MIME with text and HTML parts), so none of that is
 * written here.
 */
import { performance } from 'node:perf_hooks';
import nodemailer, { type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type { AlertEventDocument } from '../billing-service.js';
import type { SmtpOptions } from './alert-deliveries.js';
import { clipped, errorText, type DeliveryOutcome } from './delivery-outcome.js';
import { alertEmail } from './email-message.js';

export const NO_SMTP_ERROR = 'no SMTP server configured: set --smtp-url';

export type EmailTransport = Transporter<SMTPTransport.SentMessageInfo>;

/** One SMTP client per delivery run, each of its waits bounded by `timeoutMs`. */
export function emailTransport(smtp: SmtpOptions, timeoutMs: number): EmailTransport {
  return nodemailer.createTransport({
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure ?? false,
    ...(smtp.user !== undefined ? { auth: { user: smtp.user, pass: smtp.password ?? '' } } : {}),
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
}

function replyCode(error: unknown): number | null {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' ? code : null;
}

export async function sendEmail(transport: EmailTransport | undefined, smtp: SmtpOptions | undefined, to: string, event: AlertEventDocument): Promise<DeliveryOutcome> {
  if (!transport || !smtp) return { ok: false, statusCode: null, error: NO_SMTP_ERROR, latencyMs: 0 };
  const started = performance.now();
  const latency = () => Math.round(performance.now() - started);
  const message = alertEmail(event, smtp.from);
  try {
    const info = await transport.sendMail({
      from: smtp.from,
      to,
      subject: message.subject,
      text: message.text,
      html: message.html,
      messageId: message.messageId,
      // RFC 3834: an automatic message, so out-of-office replies are not sent back to us.
      headers: { 'auto-submitted': 'auto-generated' },
    });
    if (info.rejected.length > 0) return { ok: false, statusCode: replyCode(info), error: clipped(`the SMTP server refused ${to}: ${info.response}`), latencyMs: latency() };
    const accepted = /^(\d{3})/.exec(info.response)?.[1];
    return { ok: true, statusCode: accepted ? Number(accepted) : null, error: null, latencyMs: latency() };
  } catch (error) {
    return { ok: false, statusCode: replyCode(error), error: clipped(`SMTP: ${errorText(error)}`), latencyMs: latency() };
  }
}
