#!/usr/bin/env node
/**
 * How fast `voicebill invoice` is, and what bounds it. A benchmark, not a test: it prints a
 * table and never fails on a figure. Plain ESM over the compiled `dist/` (run `npm run build`
 * first), so it needs nothing that is not installed.
 *
 *   node bench/generate.mjs [--large]      # once: bench/data/
 *   node bench/invoice.mjs                 # 1M calls: CLI, CSV floor, core, PostgreSQL
 *   node bench/invoice.mjs --large         # and the same CLI run over 10M calls
 *   node bench/invoice.mjs --only cli      # one row (cli | parse | core | settle | pg)
 *   node bench/invoice.mjs --runs 3        # best of 3 for the timed rows
 *
 * Every row runs in a fresh child process, so one measurement's memory or JIT state never
 * leaks into the next. Peak memory is the child's own `process.resourceUsage().maxRSS`,
 * reported by a tiny preload (bench/report-rss.mjs) as it exits.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const DATA = join(HERE, 'data');
const PERIOD = '2026-05';
const TARIFF = join(DATA, 'tariff.yaml');
const ACCOUNTS = join(DATA, 'accounts.yaml');
const callFile = (count) => join(DATA, `calls-${count}.csv`);

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);

// ------------------------------------------------------------------ phases (in children)

/** (a) The floor: papaparse over the same stream, with the same options, doing nothing per row. */
async function phaseParse(file) {
  const { createReadStream } = await import('node:fs');
  const { default: Papa } = await import('papaparse');
  const started = performance.now();
  let rows = 0;
  let characters = 0;
  await new Promise((resolvePromise, rejectPromise) => {
    Papa.parse(createReadStream(file, { encoding: 'utf8', highWaterMark: 1 << 20 }), {
      skipEmptyLines: false,
      step: (results) => {
        rows++;
        characters += results.data.length;
      },
      complete: resolvePromise,
      error: rejectPromise,
    });
  });
  return { ms: performance.now() - started, calls: rows - 1, check: characters };
}

/** (b) The pure core over records already read into memory: check, rate, draw down, invoice. */
async function phaseCore(file, runs) {
  const { readCallFile } = await dist('formats/call-records.js');
  const { readTariffFile } = await dist('formats/tariff-file.js');
  const { readAccountsFile } = await dist('formats/accounts-file.js');
  const { makeBillingBook } = await dist('core/billing-book.js');
  const { BillingRun } = await dist('core/billing-run.js');
  const { invoicesOfMonth } = await dist('cli/commands/invoice.js');
  const records = [];
  await readCallFile(file, { record: (raw) => records.push(raw), problem: () => {} });
  const tariff = readTariffFile(TARIFF);
  const accounts = readAccountsFile(ACCOUNTS, tariff);
  let best = Number.POSITIVE_INFINITY;
  let first = 0;
  let invoices = 0;
  for (let run = 0; run < runs; run++) {
    // A fresh book each time: calendars cache their periods, and the first run pays for them.
    const book = makeBillingBook(tariff, accounts);
    const started = performance.now();
    const billing = new BillingRun(book, records.length);
    // `take`, as `voicebill invoice` runs it: no outcome object for a stored record.
    for (let index = 0; index < records.length; index++) billing.take(records[index]);
    invoices = invoicesOfMonth(billing.settle(), PERIOD).length;
    const ms = performance.now() - started;
    if (run === 0) first = ms;
    best = Math.min(best, ms);
  }
  return { ms: best, firstMs: first, calls: records.length, check: invoices };
}

/**
 * (c) The rating core alone: the 1M calls are read and checked into a billing run once (not
 * timed), then `settle` (draw order, rate-deck row → rating, draw-down, period totals) and
 * the month's invoices are timed, best of N, on the main thread. This is "the core rates":
 * what remains once the calls are in the table.
 */
async function phaseSettle(file, runs) {
  const { readCallFile } = await dist('formats/call-records.js');
  const { readTariffFile } = await dist('formats/tariff-file.js');
  const { readAccountsFile } = await dist('formats/accounts-file.js');
  const { makeBillingBook } = await dist('core/billing-book.js');
  const { BillingRun, NOT_STORED } = await dist('core/billing-run.js');
  const { invoicesOfMonth } = await dist('cli/commands/invoice.js');
  const tariff = readTariffFile(TARIFF);
  const book = makeBillingBook(tariff, readAccountsFile(ACCOUNTS, tariff));
  const billing = new BillingRun(book, 1_050_000);
  let refused = 0;
  await readCallFile(file, { record: (raw) => (billing.take(raw) === NOT_STORED ? refused++ : 0), problem: () => refused++ });
  let best = Number.POSITIVE_INFINITY;
  let first = 0;
  let invoices = 0;
  for (let run = 0; run < runs; run++) {
    const started = performance.now();
    invoices = invoicesOfMonth(billing.settle(), PERIOD).length;
    const ms = performance.now() - started;
    if (run === 0) first = ms;
    best = Math.min(best, ms);
  }
  return { ms: best, firstMs: first, calls: billing.table.count, check: invoices };
}

function runChild(args, { env = {}, stdout = 'ignore' } = {}) {
  return new Promise((resolvePromise, rejectPromise) => {
    const started = performance.now();
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', stdout, 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    child.stdout?.on('data', (chunk) => (out += chunk));
    child.stderr.on('data', (chunk) => (err += chunk));
    child.on('error', rejectPromise);
    child.on('close', (code) => resolvePromise({ code, ms: performance.now() - started, out, err }));
  });
}

async function measureCli(file) {
  const scratch = mkdtempSync(join(tmpdir(), 'voicebill-bench-'));
  const rssFile = join(scratch, 'rss');
  try {
    const result = await runChild(
      ['--import', pathToFileURL(join(HERE, 'report-rss.mjs')).href, 'bin/voicebill.js', 'invoice', '--tariff', TARIFF, '--accounts', ACCOUNTS, '--calls', file, '--period', PERIOD, '--output', join(scratch, 'invoices.json')],
      { env: { VOICEBILL_BENCH_RSS: rssFile } },
    );
    if (result.code !== 0 && result.code !== 3) throw new Error(`voicebill invoice exited ${result.code}: ${result.err}`);
    const invoices = JSON.parse(readFileSync(join(scratch, 'invoices.json'), 'utf8')).length;
    return { ms: result.ms, rssKb: Number(readFileSync(rssFile, 'utf8')), check: invoices };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

async function measurePhase(phase, file, runs) {
  const result = await runChild([fileURLToPath(import.meta.url), '--phase', phase, '--file', file, '--runs', String(runs)], { stdout: 'pipe' });
  if (result.code !== 0) throw new Error(`phase ${phase} failed: ${result.err}`);
  return JSON.parse(result.out);
}

// ---------------------------------------------------------------------------- PostgreSQL

const PSQL = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', process.env.PGHOST ?? '127.0.0.1', '-p', process.env.PGPORT ?? '5432', '-U', process.env.PGUSER ?? 'postgres', '-d', process.env.PGDATABASE ?? 'test'];

/**
 * (d) The same per-call arithmetic in SQL: billable seconds (ceil), the plan's and the rate
 * row's I/R increments, the longest in-force prefix, carrier cost rounded to 6 decimals, and
 * per-account totals. COPY and query are timed apart. Duplicates and the sequential
 * draw-down are not done in SQL: this is a floor for "the database does it", not a rival.
 */
async function measurePostgres(file) {
  if (spawnSync('psql', ['--version']).status !== 0) return { skipped: 'psql not found' };
  const { readTariffFile } = await dist('formats/tariff-file.js');
  const { readAccountsFile } = await dist('formats/accounts-file.js');
  const tariff = readTariffFile(TARIFF);
  const accounts = readAccountsFile(ACCOUNTS, tariff);
  const plans = [...tariff.plans.values()].map((plan) => `('${plan.id}', ${plan.rounding.initial}, ${plan.rounding.recurring}, ${plan.freeBelowSeconds})`);
  const accountRows = accounts.map((account) => `('${account.id}', '${account.plan}')`);
  const scratch = mkdtempSync(join(tmpdir(), 'voicebill-bench-pg-'));
  const script = join(scratch, 'bench.sql');
  writeFileSync(
    script,
    `
CREATE TEMP TABLE plans (id text PRIMARY KEY, i int, r int, free_below int);
INSERT INTO plans VALUES ${plans.join(',')};
CREATE TEMP TABLE accounts (account_id text PRIMARY KEY, plan text);
INSERT INTO accounts VALUES ${accountRows.join(',')};
CREATE TEMP TABLE rates (direction text, prefix text, country text, per_minute numeric, connect_fee numeric, increment text, effective_from text);
\\copy rates FROM '${join(DATA, 'rates.csv')}' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE rate_rows AS SELECT direction, prefix, country, per_minute, connect_fee,
  split_part(increment, '/', 1)::int AS i, coalesce(nullif(split_part(increment, '/', 2), ''), split_part(increment, '/', 1))::int AS r,
  coalesce(CASE WHEN effective_from ~ 'T' THEN effective_from::timestamptz ELSE (effective_from || 'T00:00:00Z')::timestamptz END, '-infinity') AS effective_from
  FROM rates;
CREATE INDEX ON rate_rows (direction, prefix, effective_from DESC);
ANALYZE rate_rows;
CREATE FUNCTION pg_temp.incr(s int, i int, r int) RETURNS int LANGUAGE sql IMMUTABLE AS
  $$ SELECT CASE WHEN s <= 0 THEN 0 WHEN s <= i THEN i ELSE i + ((s - i + r - 1) / r) * r END $$;
CREATE TEMP TABLE calls (call_id text, account_id text, direction text, "from" text, "to" text, started_at text, answered_at text, ended_at text, end_reason text);
\\timing on
\\copy calls FROM '${file}' WITH (FORMAT csv, HEADER true)
\\o ${join(scratch, 'totals.txt')}
WITH timed AS (
  SELECT c.account_id, c.direction, ltrim(c."to", '+') AS digits, p.i, p.r, p.free_below,
         c.answered_at::timestamptz AS answered,
         CASE WHEN c.answered_at = '' OR c.answered_at IS NULL THEN 0
              ELSE ceil(extract(epoch FROM c.ended_at::timestamptz - c.answered_at::timestamptz))::int END AS billable
  FROM calls c JOIN accounts a USING (account_id) JOIN plans p ON p.id = a.plan
), rated AS (
  SELECT t.account_id, t.billable,
         CASE WHEN t.billable < t.free_below THEN 0 ELSE pg_temp.incr(t.billable, t.i, t.r) END AS ai_seconds,
         CASE WHEN t.billable < t.free_below THEN 0 ELSE coalesce(pg_temp.incr(t.billable, rr.i, rr.r), 0) END AS carrier_seconds,
         rr.per_minute, rr.connect_fee
  FROM timed t
  LEFT JOIN LATERAL (
    SELECT x.i, x.r, x.per_minute, x.connect_fee FROM rate_rows x
    WHERE t.answered IS NOT NULL AND t.direction <> 'web' AND x.direction = t.direction
      AND x.prefix = ANY (ARRAY[left(t.digits, 1), left(t.digits, 2), left(t.digits, 3), left(t.digits, 4), left(t.digits, 5), left(t.digits, 6), left(t.digits, 7), left(t.digits, 8)])
      AND x.effective_from <= t.answered
    ORDER BY length(x.prefix) DESC, x.effective_from DESC LIMIT 1
  ) rr ON true
)
SELECT account_id, count(*) AS calls, sum(billable) AS billable, sum(ai_seconds) AS ai_seconds, sum(carrier_seconds) AS carrier_seconds,
       sum(CASE WHEN per_minute IS NULL THEN 0 ELSE round(connect_fee + per_minute * carrier_seconds / 60, 6) END) AS carrier_cost
FROM rated GROUP BY account_id ORDER BY account_id;
\\o
`,
  );
  try {
    const psql = spawnSync('psql', [...PSQL, '-f', script], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (psql.status !== 0) return { skipped: `psql failed: ${(psql.stderr || psql.stdout).trim().split('\n')[0]}` };
    const times = [...psql.stdout.matchAll(/Time: ([\d.]+) ms/g)].map((match) => Number(match[1]));
    const accountsTotalled = readFileSync(join(scratch, 'totals.txt'), 'utf8').split('\n').filter((line) => /^\s*acc_/.test(line)).length;
    return { copyMs: times[0], queryMs: times[1], check: accountsTotalled };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------- main

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const rate = (calls, ms) => `${Math.round(calls / (ms / 1000)).toLocaleString('en-US')}/s`;
const megabytes = (kb) => `${Math.round(kb / 1024)} MB`;

async function main() {
  const phase = option('phase', undefined);
  const runs = Number(option('runs', '1'));
  if (phase) {
    const file = option('file', callFile(1_000_000));
    const result = phase === 'parse' ? await phaseParse(file) : phase === 'settle' ? await phaseSettle(file, Math.max(runs, 10)) : await phaseCore(file, Math.max(runs, 3));
    process.stdout.write(JSON.stringify(result));
    return;
  }
  const only = option('only', undefined);
  const want = (name) => only === undefined || only.split(',').includes(name);
  const small = callFile(1_000_000);
  if (!existsSync(small)) throw new Error('no bench/data/calls-1000000.csv: run `node bench/generate.mjs` first');
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('no dist/: run `npm run build` first');
  const calls = 1_000_000;
  const rows = [['measurement', 'calls', 'time', 'calls/s', 'peak RSS', 'check']];
  const best = async (measure) => {
    let chosen;
    for (let run = 0; run < runs; run++) {
      const result = await measure();
      if (!chosen || result.ms < chosen.ms) chosen = result;
    }
    return chosen;
  };
  console.log(`node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB; ${statSync(small).size.toLocaleString('en-US')} bytes per 1M calls`);
  if (want('cli')) {
    const cli = await best(() => measureCli(small));
    rows.push(['voicebill invoice (end to end)', calls, seconds(cli.ms), rate(calls, cli.ms), megabytes(cli.rssKb), `${cli.check} invoices`]);
  }
  if (want('cli') && process.argv.includes('--large')) {
    const large = callFile(10_000_000);
    if (!existsSync(large)) throw new Error('no bench/data/calls-10000000.csv: run `node bench/generate.mjs --large` first');
    const cli = await best(() => measureCli(large));
    rows.push(['voicebill invoice (end to end)', 10_000_000, seconds(cli.ms), rate(10_000_000, cli.ms), megabytes(cli.rssKb), `${cli.check} invoices`]);
  }
  if (want('parse')) {
    const parse = await best(() => measurePhase('parse', small, 1));
    rows.push(['(a) papaparse alone, same stream', parse.calls, seconds(parse.ms), rate(parse.calls, parse.ms), '', 'floor']);
  }
  if (want('core')) {
    const core = await measurePhase('core', small, runs);
    rows.push(['(b) core: check+rate+draw+invoice, in memory, 1 core', core.calls, `${seconds(core.ms)} (1st ${seconds(core.firstMs)})`, rate(core.calls, core.ms), '', `${core.check} invoices`]);
  }
  if (want('settle')) {
    const settle = await measurePhase('settle', small, runs);
    rows.push(['(c) core rating: settle + invoices over the stored calls, 1 core', settle.calls, `${seconds(settle.ms)} (1st ${seconds(settle.firstMs)})`, rate(settle.calls, settle.ms), '', `${settle.check} invoices`]);
  }
  if (want('pg')) {
    const pg = await measurePostgres(small);
    if (pg.skipped) rows.push(['(d) PostgreSQL', calls, '', '', '', pg.skipped]);
    else {
      rows.push(['(d) PostgreSQL: \\copy CSV into a temp table', calls, seconds(pg.copyMs), rate(calls, pg.copyMs), '', '']);
      rows.push(['(d) PostgreSQL: per-call rounding + per-account totals', calls, seconds(pg.queryMs), rate(calls, pg.queryMs), '', `${pg.check} accounts`]);
    }
  }
  console.log(table(rows));
}

await main();
