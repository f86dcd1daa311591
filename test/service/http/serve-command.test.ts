/**
 * `voicebill serve` as a user runs it (the built command): seeds the example into an empty
 * database, prints where to look, answers on the port, and stops cleanly on SIGTERM. On both
 * stores, the database given by `--db` or `DATABASE_URL`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PeriodCloseTimer } from '../../../src/cli/commands/serve.js';
import { REPO, voicebill } from '../../support/cli.js';
import { createTestDatabase, DATABASE_KINDS, type TestDatabase } from '../../support/databases.js';

interface Running {
  readonly child: ChildProcessWithoutNullStreams;
  readonly banner: string;
  readonly baseUrl: string;
  stopped(): Promise<number | null>;
}

/** Starts the command and waits for its "where to look" block. */
function startServe(args: readonly string[], env: Record<string, string> = {}): Promise<Running> {
  const child = spawn(process.execPath, [join(REPO, 'bin/voicebill.js'), 'serve', '--port', '0', ...args], {
    cwd: REPO,
    env: { ...process.env, VOICEBILL_OPERATOR_KEY: '', DATABASE_URL: '', ...env },
  });
  let stdout = '';
  let stderr = '';
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timeout = setTimeout(() => reject(new Error(`serve did not start:\n${stdout}\n${stderr}`)), 60_000);
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const banner = /\nvoicebill serve: listening on (\S+)[\s\S]*?\nTry:\n.*\n.*\n/.exec(stdout);
      if (banner?.[1]) {
        clearTimeout(timeout);
        resolve({ child, banner: banner[0], baseUrl: banner[1], stopped: () => exit });
      }
    });
    void exit.then((code) => reject(new Error(`serve exited ${code}:\n${stdout}\n${stderr}`)));
  });
}

let database: TestDatabase | undefined;
let running: Running | undefined;

afterEach(async () => {
  if (running && running.child.exitCode === null) {
    running.child.kill('SIGKILL');
    await running.stopped();
  }
  running = undefined;
  await database?.drop();
  database = undefined;
});

describe.each(DATABASE_KINDS)('voicebill serve on %s', (kind) => {
  it('seeds the example, prints the keys once, answers, and stops on SIGTERM', async () => {
    database = await createTestDatabase(kind);
    // SQLite by --db, PostgreSQL by DATABASE_URL: both ways of naming the database.
    const where: { args: string[]; env: Record<string, string> } =
      kind === 'sqlite' ? { args: ['--db', database.location], env: {} } : { args: [], env: { DATABASE_URL: database.location } };
    running = await startServe([...where.args, '--seed-example', '--close-interval', '1'], where.env);
    const { banner, baseUrl } = running;
    const operatorKey = /operator key\s+(vb_op_\S+)/.exec(banner)?.[1];
    const accountKey = /account key\s+(vb_acct_\S+)\s+\(acme-dental/.exec(banner)?.[1];
    expect(operatorKey).toBeDefined();
    expect(accountKey).toBeDefined();
    expect(banner).toContain(`${baseUrl}/docs`);
    expect(banner).toMatch(/5 accounts, 3,010 calls rated/);
    if (kind === 'postgres') expect(banner).not.toMatch(/postgres:\/\/[^\s@]*:[^\s@*]+@/);

    expect((await fetch(`${baseUrl}/healthz`)).status).toBe(200);
    const usage = await fetch(`${baseUrl}/v1/accounts/acme-dental/usage?at=2026-11-20T12:00:00Z`, { headers: { authorization: `Bearer ${accountKey}` } });
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ account_id: 'acme-dental', currency: 'USD' });
    const doctor = await fetch(`${baseUrl}/v1/admin/doctor`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(await doctor.json()).toMatchObject({ ok: true });

    running.child.kill('SIGTERM');
    expect(await running.stopped()).toBe(0);

    // A second start: the operator key is not made or printed again, the data is kept.
    running = await startServe([...where.args, '--seed-example'], where.env);
    expect(running.banner).not.toMatch(/operator key/);
    expect(running.banner).toContain('example data    not loaded: this database already has a tariff');
    const again = await fetch(`${running.baseUrl}/v1/accounts/acme-dental`, { headers: { authorization: `Bearer ${operatorKey}` } });
    expect(again.status).toBe(200);
    running.child.kill('SIGINT');
    expect(await running.stopped()).toBe(0);
  });
});

describe('voicebill serve options', () => {
  it('takes the operator key from VOICEBILL_OPERATOR_KEY and does not print it', async () => {
    database = await createTestDatabase('sqlite');
    running = await startServe(['--db', database.location, '--close-interval', '0'], { VOICEBILL_OPERATOR_KEY: 'vb_op_chosen_by_me' });
    expect(running.banner).not.toContain('vb_op_chosen_by_me');
    expect(running.banner).toContain('closing periods off');
    const answer = await fetch(`${running.baseUrl}/v1/admin/close-due-periods`, { method: 'POST', headers: { authorization: 'Bearer vb_op_chosen_by_me' } });
    expect(answer.status).toBe(200);
    running.child.kill('SIGTERM');
    expect(await running.stopped()).toBe(0);
  });
});

describe('voicebill serve refusals', () => {
  it('names a bad option and exits 1', () => {
    const port = voicebill(['serve', '--port', 'eighty']);
    expect(port.status).toBe(1);
    expect(port.stderr).toContain('--port: "eighty" is not a whole number from 0 to 65535');
    const interval = voicebill(['serve', '--close-interval', '-5']);
    expect(interval.status).toBe(1);
  });
});

describe('PeriodCloseTimer', () => {
  it('never overlaps runs, however slow, and stop waits for the run in progress', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    let finished = 0;
    const slowClose = async (): Promise<number> => {
      active++;
      runs++;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 30));
      active--;
      finished++;
      return 1;
    };
    const reports: unknown[] = [];
    const timer = new PeriodCloseTimer(slowClose, 5, (outcome) => reports.push(outcome));
    timer.start();
    await new Promise((resolve) => setTimeout(resolve, 200));
    await timer.stop();
    expect(runs).toBeGreaterThan(2);
    expect(most).toBe(1);
    expect(finished).toBe(runs);
    const after = runs;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(runs).toBe(after);
    expect(reports).toContainEqual({ closed: 1 });
  });

  it('reports a failed run and keeps going; interval 0 never runs', async () => {
    let calls = 0;
    const reports: unknown[] = [];
    const failing = new PeriodCloseTimer(() => (calls++ === 0 ? Promise.reject(new Error('db down')) : Promise.resolve(0)), 5, (outcome) => reports.push(outcome));
    failing.start();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await failing.stop();
    expect(reports[0]).toMatchObject({ error: expect.any(Error) as unknown });
    expect(calls).toBeGreaterThan(1);

    const off = new PeriodCloseTimer(() => Promise.resolve(calls++), 0, () => undefined);
    const before = calls;
    off.start();
    await off.stop();
    expect(calls).toBe(before);
  });
});
