/**
 * `voicebill serve`: the billing service (SPEC §16). Opens the store, optionally seeds the
 * example, serves the HTTP API, and closes due periods on a timer until SIGINT or SIGTERM,
 * then stops in order: the timer (waiting for a run in progress), the HTTP server (waiting
 * for requests in flight), the store.
 */
import { buildHttpApp } from '../../service/http/build-http-app.js';
import { openBillingService } from '../../service/open-service.js';
import { seedExample, type SeedResult } from '../../service/seed-example.js';
import { InputError } from '../../formats/input-error.js';
import type { SmtpOptions } from '../../service/alerts/alert-deliveries.js';
import { EXIT_OK, type ExitStatus } from '../exit-status.js';

export interface ServeOptions {
  readonly port: string;
  readonly host: string;
  readonly db?: string;
  readonly seedExample?: boolean;
  readonly closeInterval: string;
  readonly closeGrace?: string;
  readonly publicUrl?: string;
  readonly smtpUrl?: string;
  readonly mailFrom: string;
  readonly deliverInterval: string;
}

/** `smtp://user:password@host:587` or `smtps://…:465` as nodemailer's options. */
export function smtpOptionsOf(url: string, from: string): SmtpOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('--smtp-url', undefined, `"${withoutPassword(url)}" is not a URL such as smtp://user:password@mail.example.com:587`);
  }
  if (parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') throw new InputError('--smtp-url', undefined, 'must start with smtp:// or smtps://');
  if (parsed.hostname === '') throw new InputError('--smtp-url', undefined, 'names no host');
  const secure = parsed.protocol === 'smtps:';
  return {
    // `smtp://[::1]`: the socket wants the address without its brackets.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port === '' ? (secure ? 465 : 587) : Number(parsed.port),
    secure,
    ...(parsed.username === '' ? {} : { user: decodeURIComponent(parsed.username), password: decodeURIComponent(parsed.password) }),
    from,
  };
}

export const DEFAULT_DB = './voicebill.db';

function wholeNumber(option: string, text: string, max: number): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) > max) throw new InputError(option, undefined, `"${text}" is not a whole number from 0 to ${max}`);
  return Number(text);
}

/** A database URL as it may be printed: the password hidden. */
export function withoutPassword(db: string): string {
  return db.replace(/^([a-z][a-z0-9+.-]*:\/\/[^/:@]*):[^/@]*@/i, '$1:***@');
}

/**
 * Calls `closeDue` now and then every `intervalMs`. The next run is scheduled only when the
 * previous one has finished, so runs never overlap however slow the database is; `stop`
 * waits for a run in progress, so the store is not closed under it.
 */
export class PeriodCloseTimer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly closeDue: () => Promise<number>,
    private readonly intervalMs: number,
    private readonly report: (outcome: { closed: number } | { error: unknown }) => void,
  ) {}

  start(): void {
    if (this.intervalMs > 0) this.run();
  }

  private run(): void {
    this.running = this.closeDue()
      .then((closed) => this.report({ closed }), (error: unknown) => this.report({ error }))
      .finally(() => {
        this.running = undefined;
        if (!this.stopped) this.timer = setTimeout(() => this.run(), this.intervalMs);
      });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }
}

function describeStart(options: { baseUrl: string; db: string; operatorKey: string | undefined; seed: SeedResult | undefined; closeIntervalSeconds: number }): string {
  const { baseUrl, seed } = options;
  const lines = [
    '',
    `voicebill serve: listening on ${baseUrl} (database ${withoutPassword(options.db)})`,
    `  API reference   ${baseUrl}/docs`,
    `  OpenAPI         ${baseUrl}/openapi.json`,
  ];
  if (options.operatorKey) {
    lines.push(`  operator key    ${options.operatorKey}`, '                  (made now and shown this once: keep it; or set VOICEBILL_OPERATOR_KEY)');
  }
  let exampleKey = options.operatorKey ?? '$VOICEBILL_OPERATOR_KEY';
  let exampleAccount = 'ACCOUNT_ID';
  if (seed?.seeded) {
    const { rated, duplicate, rejected } = seed.calls;
    lines.push(
      `  example data    ${seed.accounts.length} accounts, ${rated.toLocaleString('en-US')} calls rated (${duplicate} duplicates, ${rejected} rejected)`,
      `  account key     ${seed.accountKey.key}  (${seed.accountKey.account_id}: reads its own account only)`,
    );
    exampleKey = seed.accountKey.key;
    exampleAccount = seed.accountKey.account_id;
  } else if (seed) {
    lines.push('  example data    not loaded: this database already has a tariff');
  }
  lines.push(
    `  closing periods ${options.closeIntervalSeconds > 0 ? `every ${options.closeIntervalSeconds} s` : 'off (POST /v1/admin/close-due-periods)'}`,
    '',
    'Try:',
    `  curl -H "Authorization: Bearer ${exampleKey}" ${baseUrl}/v1/accounts/${exampleAccount}/usage`,
    `  curl -H "Authorization: Bearer ${exampleKey}" "${baseUrl}/v1/accounts/${exampleAccount}/invoices/2026-11?format=text"`,
    '',
  );
  return lines.join('\n');
}

export async function serveCommand(options: ServeOptions): Promise<ExitStatus> {
  const port = wholeNumber('--port', options.port, 65_535);
  const closeIntervalSeconds = wholeNumber('--close-interval', options.closeInterval, 86_400 * 365);
  const closeGraceSeconds = options.closeGrace === undefined ? undefined : wholeNumber('--close-grace', options.closeGrace, 86_400 * 365);
  const db = options.db ?? (process.env.DATABASE_URL || DEFAULT_DB);
  const operatorKey = process.env.VOICEBILL_OPERATOR_KEY || undefined;
  const deliverIntervalSeconds = wholeNumber('--deliver-interval', options.deliverInterval, 86_400);
  const smtpUrl = options.smtpUrl ?? (process.env.VOICEBILL_SMTP_URL || undefined);
  const smtp = smtpUrl === undefined ? undefined : smtpOptionsOf(smtpUrl, options.mailFrom);
  const publicUrl = options.publicUrl ?? `http://${options.host}:${port}`;

  let opened;
  try {
    opened = await openBillingService({ db, operatorKey, closeGraceSeconds, publicUrl, alerts: smtp ? { smtp } : {} });
  } catch (error) {
    throw new InputError('--db', withoutPassword(db), `cannot open: ${error instanceof Error ? error.message : String(error)}`);
  }
  const { service, createdOperatorKey } = opened;
  let app;
  try {
    const seed = options.seedExample ? await seedExample(service) : undefined;
    app = await buildHttpApp({ service, logger: true });
    let baseUrl: string;
    try {
      baseUrl = await app.listen({ host: options.host, port });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') {
        throw new InputError(code === 'EADDRINUSE' || code === 'EACCES' ? '--port' : '--host', undefined, `cannot listen on ${options.host}:${port}: ${code}`);
      }
      throw error;
    }
    process.stdout.write(`${describeStart({ baseUrl, db, operatorKey: createdOperatorKey, seed, closeIntervalSeconds })}\n`);
  } catch (error) {
    await app?.close();
    await service.close();
    throw error;
  }

  const log = app.log;
  const timer = new PeriodCloseTimer(() => service.closeDuePeriods(new Date()), closeIntervalSeconds * 1000, (outcome) => {
    if ('error' in outcome) log.error({ err: outcome.error }, 'closing due periods failed; trying again at the next interval');
    else if (outcome.closed > 0) log.info({ closed: outcome.closed }, 'closed due periods');
  });
  timer.start();
  // Alert deliveries: the outbox is read on its own timer, so a slow receiver never holds up closing.
  const deliveries = new PeriodCloseTimer(
    () => service.deliverDueAlerts(new Date()).then((outcome) => outcome.delivered + outcome.retrying + outcome.failed),
    deliverIntervalSeconds * 1000,
    (outcome) => {
      if ('error' in outcome) log.error({ err: outcome.error }, 'delivering alerts failed; trying again at the next interval');
    },
  );
  deliveries.start();

  // Once each: a second Ctrl-C during a slow shutdown falls back to Node's default and ends
  // the process at once.
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  log.info(`${signal}: shutting down`);
  await timer.stop();
  await deliveries.stop();
  await app.close();
  await service.close();
  return EXIT_OK;
}
