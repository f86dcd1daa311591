/**
 * A real SMTP server process on 127.0.0.1 (`smtp-server-process.mjs`) for the alert email
 * tests, and a small MIME reader for what it received: enough of RFC 2045/2046 to take a
 * multipart message apart and decode its quoted-printable or base64 parts.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface ReceivedEmail {
  readonly from: string | null;
  readonly to: string[];
  /** The user that authenticated, or null. */
  readonly user: string | null;
  readonly raw: string;
}

export interface SmtpProcess {
  readonly port: number;
  readonly messages: ReceivedEmail[];
  /** Resolves once `count` messages have arrived. */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  stop(): Promise<void>;
}

const SCRIPT = fileURLToPath(new URL('./smtp-server-process.mjs', import.meta.url));

export function startSmtpProcess(options: { user?: string; password?: string; refuse?: string } = {}): Promise<SmtpProcess> {
  const args = [SCRIPT];
  if (options.user !== undefined) args.push('--user', options.user, '--password', options.password ?? '');
  if (options.refuse !== undefined) args.push('--refuse', options.refuse);
  const child: ChildProcessWithoutNullStreams = spawn(process.execPath, args);
  const messages: ReceivedEmail[] = [];
  const waiters: (() => void)[] = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let pending = '';
  let errors = '';
  child.stderr.on('data', (chunk: Buffer) => (errors += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`the SMTP server did not start:\n${errors}`)), 20_000);
    void exited.then(() => reject(new Error(`the SMTP server exited:\n${errors}`)));
    child.stdout.on('data', (chunk: Buffer) => {
      pending += chunk.toString();
      let newline;
      while ((newline = pending.indexOf('\n')) >= 0) {
        const line = JSON.parse(pending.slice(0, newline)) as { listening?: number } & ReceivedEmail;
        pending = pending.slice(newline + 1);
        if (line.listening !== undefined) {
          clearTimeout(timeout);
          resolve({
            port: line.listening,
            messages,
            waitFor: (count, waitMs = 10_000) =>
              new Promise((done, fail) => {
                const check = () => messages.length >= count && (done(messages), true);
                if (check()) return;
                const timer = setTimeout(() => fail(new Error(`${messages.length} of ${count} emails arrived`)), waitMs);
                waiters.push(() => check() && clearTimeout(timer));
              }),
            stop: async () => {
              if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
              await exited;
            },
          });
        } else {
          messages.push(line);
          for (const waiter of waiters) waiter();
        }
      }
    });
  });
}

export interface MimePart {
  readonly headers: Map<string, string>;
  /** The decoded body (UTF-8). */
  readonly body: string;
}

function splitHead(raw: string): { headers: Map<string, string>; body: string } {
  const end = raw.search(/\r?\n\r?\n/);
  const head = end < 0 ? raw : raw.slice(0, end);
  const body = end < 0 ? '' : raw.slice(end).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  // Folded header lines continue with white space (RFC 5322 §2.2.3).
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return { headers, body };
}

function decodeBody(body: string, encoding: string | undefined): string {
  if (encoding?.toLowerCase() === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (encoding?.toLowerCase() === 'quoted-printable') {
    const bytes = body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_match, hex: string) => String.fromCharCode(parseInt(hex, 16)));
    return Buffer.from(bytes, 'latin1').toString('utf8');
  }
  return body;
}

/** The message's headers and its leaf parts (text/plain, text/html, …), decoded. */
export function parseMime(raw: string): { headers: Map<string, string>; parts: MimePart[] } {
  const top = splitHead(raw);
  const parts: MimePart[] = [];
  const walk = (headers: Map<string, string>, body: string) => {
    const type = headers.get('content-type') ?? 'text/plain';
    const boundary = /boundary="?([^";]+)"?/i.exec(type)?.[1];
    if (type.toLowerCase().startsWith('multipart/') && boundary) {
      const sections = body.split(`--${boundary}`).slice(1);
      for (const section of sections) {
        if (section.startsWith('--')) break;
        const inner = splitHead(section.replace(/^\r?\n/, ''));
        walk(inner.headers, inner.body.replace(/\r?\n$/, ''));
      }
      return;
    }
    parts.push({ headers, body: decodeBody(body, headers.get('content-transfer-encoding')) });
  };
  walk(top.headers, top.body);
  return { headers: top.headers, parts };
}
