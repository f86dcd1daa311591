#!/usr/bin/env node
/**
 * How fast `voicebill serve` is (issue 3): ingest through HTTP, usage reads with the calls
 * stored, closing the periods, then the doctor. A benchmark, not a test: it prints a table
 * and never fails on a figure. Plain ESM over the compiled `dist/` (run `npm run build`
 * first); every measurement is against a real `voicebill serve` child on 127.0.0.1, started
 * with `--close-interval 0` so nothing closes while loading.
 *
 *   node bench/service.mjs                                 # SQLite then PostgreSQL, 1M calls, 1/2/4 in flight
 *   node bench/service.mjs --db sqlite --calls 200000      # a quick run
 *   node bench/service.mjs --concurrency 2                 # one level only
 *   node bench/service.mjs --reads 500                     # fewer usage reads
 *   node bench/service.mjs --close no --reads 0            # ingest only
 *   node bench/service.mjs --profile DIR                   # the server runs under node --cpu-prof
 *
 * Each concurrency level loads a fresh database (SQLite: a temp file; PostgreSQL: a database
 * made with CREATE DATABASE on --pg and dropped after), so every level ingests into the same
 * empty store. The reads, the close and the doctor run on the database of the last level.
 *
 * The calls are the first --calls records of bench/data/calls-1000000.csv, read with the
 * repo's `readCallFile`, sorted by `ended_at` (a platform sends a call when it ends) and cut
 * into batches of --batch (1,000). Request bodies are serialised before the clock starts, so
 * the client's own JSON work is not timed (it still shares the machine's CPUs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { createServer, Agent, request as httpRequest } from 'node:http';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(HERE, '..');
const DATA = join(HERE, 'data');
const OPERATOR_KEY = 'vb_bench_operator_key_0123456789';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

const dist = (path) => import(pathToFileURL(join(ROOT, 'dist', path)).href);

// ------------------------------------------------------------------------------- inputs

/** The bench tariff as `PUT /v1/tariff` takes it: tariff.yaml with rates.csv's rows inline. */
async function tariffDocument() {
  const yaml = await import('js-yaml');
  const { parse } = await import('csv-parse/sync');
  const tariff = yaml.load(readFileSync(join(DATA, 'tariff.yaml'), 'utf8'));
  const rows = parse(readFileSync(join(DATA, 'rates.csv'), 'utf8'), { columns: true, skip_empty_lines: true });
  tariff.carrier_rates = rows.map((row) => {
    const { effective_from: from, ...rest } = row;
    return from === '' ? rest : { ...rest, effective_from: from };
  });
  return tariff;
}

async function accountDocuments() {
  const yaml = await import('js-yaml');
  return Object.entries(yaml.load(readFileSync(join(DATA, 'accounts.yaml'), 'utf8')).accounts);
}

/** The first `count` records of the 1M file, without `line`, sorted by `ended_at` (stable). */
async function callsByEnd(count) {
  const { readCallFile } = await dist('formats/call-records.js');
  const records = [];
  let problems = 0;
  const Stop = class {};
  try {
    await readCallFile(join(DATA, 'calls-1000000.csv'), {
      record(raw) {
        const { line: _line, ...record } = raw;
        records.push(record);
        if (records.length >= count) throw new Stop();
      },
      problem() {
        problems++;
      },
    });
  } catch (error) {
    if (!(error instanceof Stop)) throw error;
  }
  const ends = new Map(records.map((record) => [record, Date.parse(record.ended_at)]));
  records.sort((a, b) => ends.get(a) - ends.get(b));
  return { records, problems };
}

// --------------------------------------------------------------------------------- HTTP

function freePort() {
  return new Promise((resolvePromise, rejectPromise) => {
    const server = createServer();
    server.once('error', rejectPromise);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolvePromise(port));
    });
  });
}

class Client {
  constructor(port, sockets) {
    this.port = port;
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** Resolves { status, text, ms }; `body` is a Buffer or a JSON-able value. */
  send(method, path, body) {
    const payload = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
    const headers = { authorization: `Bearer ${OPERATOR_KEY}` };
    if (payload) {
      headers['content-type'] = 'application/json';
      headers['content-length'] = payload.length;
    }
    const started = performance.now();
    return new Promise((resolvePromise, rejectPromise) => {
      const request = httpRequest({ host: '127.0.0.1', port: this.port, method, path, headers, agent: this.agent }, (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolvePromise({ status: response.statusCode, text: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
        response.on('error', rejectPromise);
      });
      request.on('error', rejectPromise);
      request.end(payload);
    });
  }

  async json(method, path, body, expected = [200]) {
    const answer = await this.send(method, path, body);
    if (!expected.includes(answer.status)) throw new Error(`${method} ${path}: ${answer.status} ${answer.text.slice(0, 500)}`);
    return { ...answer, body: JSON.parse(answer.text) };
  }

  close() {
    this.agent.destroy();
  }
}

// ------------------------------------------------------------------------------- server

/** Peak and current resident set of a process, in KB, from /proc. */
function memoryOf(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { hwmKb: field('VmHWM'), rssKb: field('VmRSS') };
  } catch {
    return { hwmKb: NaN, rssKb: NaN };
  }
}

async function startServer(db, profileDir) {
  const port = await freePort();
  const args = [...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), join(ROOT, 'bin', 'voicebill.js'), 'serve', '--port', String(port), '--db', db, '--close-interval', '0'];
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, VOICEBILL_OPERATOR_KEY: OPERATOR_KEY }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  let errors = '';
  child.stderr.on('data', (chunk) => {
    errors += chunk;
  });
  // Request logs (pino, one JSON line per request) are read and dropped, so the pipe never fills.
  await new Promise((resolvePromise, rejectPromise) => {
    const onData = (chunk) => {
      output += chunk;
      if (output.includes('listening on')) {
        child.stdout.off('data', onData);
        child.stdout.on('data', () => {});
        resolvePromise();
      }
    };
    child.stdout.on('data', onData);
    child.once('exit', (code) => rejectPromise(new Error(`voicebill serve exited (${code}) before listening:\n${output}${errors}`)));
  });
  const exited = new Promise((resolvePromise) => child.once('exit', (code, signal) => resolvePromise({ code, signal })));
  return {
    pid: child.pid,
    port,
    errors: () => errors,
    async stop() {
      child.kill('SIGTERM');
      const result = await exited;
      if (result.code !== 0) throw new Error(`voicebill serve stopped with ${result.code ?? result.signal}: ${errors.slice(-2000)}`);
    },
  };
}

// ------------------------------------------------------------------------------ databases

const PG_ADMIN = option('pg', 'postgres://postgres@127.0.0.1:5432/test');

function psql(sql) {
  const result = spawnSync('psql', [PG_ADMIN, '-v', 'ON_ERROR_STOP=1', '-At', '-c', sql], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`psql: ${(result.stderr || result.stdout).trim()}`);
  return result.stdout.trim();
}

/** A fresh, empty database: { url, drop() }. */
function freshDatabase(kind, label) {
  if (kind === 'sqlite') {
    const scratch = mkdtempSync(join(tmpdir(), 'voicebill-service-bench-'));
    return { url: join(scratch, 'bench.db'), drop: () => rmSync(scratch, { recursive: true, force: true }) };
  }
  const name = `voicebill_bench_${process.pid}_${label}`;
  psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  psql(`CREATE DATABASE ${name}`);
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  return { url: url.href, drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

// --------------------------------------------------------------------------- measurements

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function count(text, needle) {
  let found = 0;
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + needle.length)) found++;
  return found;
}

async function loadSetup(client, tariff, accounts) {
  const started = performance.now();
  await client.json('PUT', '/v1/tariff', tariff);
  const tariffMs = performance.now() - started;
  const accountsStarted = performance.now();
  for (const [id, document] of accounts) await client.json('PUT', `/v1/accounts/${encodeURIComponent(id)}`, document, [200, 201]);
  return { tariffMs, accountsMs: performance.now() - accountsStarted };
}

/** POSTs every body, `inFlight` at a time, in order; latencies per batch. */
async function ingest(client, bodies, sizes, inFlight) {
  const latencies = new Array(bodies.length);
  const totals = { rated: 0, duplicate: 0, rejected: 0 };
  let next = 0;
  const started = performance.now();
  const worker = async () => {
    while (next < bodies.length) {
      const index = next++;
      const answer = await client.send('POST', '/v1/calls', bodies[index]);
      if (answer.status !== 200) throw new Error(`POST /v1/calls batch ${index}: ${answer.status} ${answer.text.slice(0, 500)}`);
      latencies[index] = answer.ms;
      const rated = count(answer.text, '"status":"rated"');
      const duplicate = count(answer.text, '"status":"duplicate"');
      const rejected = count(answer.text, '"status":"rejected"');
      if (rated + duplicate + rejected !== sizes[index]) throw new Error(`batch ${index}: ${rated + duplicate + rejected} results for ${sizes[index]} records`);
      totals.rated += rated;
      totals.duplicate += duplicate;
      totals.rejected += rejected;
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const ms = performance.now() - started;
  return { ms, latencies: latencies.sort((a, b) => a - b), ...totals };
}

/** Sequential GETs of random accounts' usage (a fixed seed: the same accounts every run). */
async function usageReads(client, accountIds, reads, query) {
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const latencies = [];
  const started = performance.now();
  for (let i = 0; i < reads; i++) {
    const id = accountIds[Math.floor(random() * accountIds.length)];
    const answer = await client.send('GET', `/v1/accounts/${encodeURIComponent(id)}/usage${query}`);
    if (answer.status !== 200) throw new Error(`GET usage ${id}${query}: ${answer.status} ${answer.text.slice(0, 300)}`);
    latencies.push(answer.ms);
  }
  const ms = performance.now() - started;
  return { ms, latencies: latencies.sort((a, b) => a - b) };
}

async function closeAll(client) {
  const started = performance.now();
  let closed = 0;
  let requests = 0;
  for (;;) {
    const answer = await client.json('POST', '/v1/admin/close-due-periods');
    requests++;
    if (answer.body.closed === 0) break;
    closed += answer.body.closed;
  }
  return { ms: performance.now() - started, closed, requests };
}

// ---------------------------------------------------------------------------------- main

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => String(row[column]).length)));
  const line = (row) => `| ${row.map((cell, column) => String(cell).padEnd(widths[column])).join(' | ')} |`;
  return [line(rows[0]), `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`, ...rows.slice(1).map(line)].join('\n');
}

const seconds = (ms) => `${(ms / 1000).toFixed(2)} s`;
const milliseconds = (ms) => `${ms.toFixed(ms < 10 ? 2 : 1)} ms`;
const perSecond = (n, ms) => `${Math.round(n / (ms / 1000)).toLocaleString('en-US')}/s`;
const megabytes = (kb) => `${Math.round(kb / 1024)} MB`;
const load = () => loadavg().map((value) => value.toFixed(2)).join(' ');
const log = (text) => process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${text}\n`);

async function main() {
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js'))) throw new Error('no dist/: run `npm run build` first');
  if (!existsSync(join(DATA, 'calls-1000000.csv'))) throw new Error('no bench/data/calls-1000000.csv: run `node bench/generate.mjs` first');
  const calls = Number(option('calls', '1000000'));
  const batch = Number(option('batch', '1000'));
  const reads = Number(option('reads', '2000'));
  const levels = option('concurrency', '1,2,4').split(',').map(Number);
  const kinds = option('db', 'sqlite,postgres').split(',');
  const at = option('at', '2026-05-20T12:00:00Z');
  const profileDir = option('profile', undefined);
  const closing = option('close', 'yes') !== 'no';

  const tariff = await tariffDocument();
  const accounts = await accountDocuments();
  const accountIds = accounts.map(([id]) => id);
  const { records, problems } = await callsByEnd(calls);
  const bodies = [];
  const sizes = [];
  for (let start = 0; start < records.length; start += batch) {
    const slice = records.slice(start, start + batch);
    bodies.push(Buffer.from(JSON.stringify({ calls: slice })));
    sizes.push(slice.length);
  }
  const bytes = bodies.reduce((sum, body) => sum + body.length, 0);
  console.log(
    `node ${process.version}, ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${Math.round(totalmem() / 2 ** 30)} GB; ` +
      `${records.length.toLocaleString('en-US')} calls (${problems} unreadable lines) in ${bodies.length} batches of ${batch}, ` +
      `${(bytes / bodies.length / 1024).toFixed(0)} KB a body; ${tariff.carrier_rates.length} rate rows, ${accounts.length} accounts`,
  );

  const rows = [['db', 'measurement', 'n', 'time', 'rate', 'p50', 'p95', 'p99', 'server peak RSS', 'check', 'load avg (1/5/15)']];
  // Each row is also logged as it is measured, so an interrupted run keeps what it measured.
  const push = rows.push.bind(rows);
  rows.push = (...added) => {
    for (const row of added) log(`| ${row.join(' | ')} |`);
    return push(...added);
  };
  for (const kind of kinds) {
    for (const [levelIndex, inFlight] of levels.entries()) {
      const last = levelIndex === levels.length - 1;
      const database = freshDatabase(kind, `c${inFlight}`);
      let server;
      let client;
      try {
        server = await startServer(database.url, profileDir);
        client = new Client(server.port, Math.max(inFlight, 1));
        log(`${kind}, ${inFlight} in flight: serve pid ${server.pid} on port ${server.port}, load ${load()}`);
        const setup = await loadSetup(client, tariff, accounts);
        if (levelIndex === 0) {
          rows.push([kind, 'PUT /v1/tariff (5,000 rate rows)', 1, seconds(setup.tariffMs), '', '', '', '', '', '', load()]);
          rows.push([kind, 'PUT /v1/accounts/{id}, sequential', accounts.length, seconds(setup.accountsMs), perSecond(accounts.length, setup.accountsMs), '', '', '', '', '', '']);
        }
        const loaded = await ingest(client, bodies, sizes, inFlight);
        const afterIngest = memoryOf(server.pid);
        log(`${kind}, ${inFlight} in flight: ${perSecond(records.length, loaded.ms)} in ${seconds(loaded.ms)}, load ${load()}`);
        rows.push([
          kind,
          `POST /v1/calls, ${batch} a batch, ${inFlight} in flight`,
          records.length,
          seconds(loaded.ms),
          perSecond(records.length, loaded.ms),
          milliseconds(percentile(loaded.latencies, 50)),
          milliseconds(percentile(loaded.latencies, 95)),
          milliseconds(percentile(loaded.latencies, 99)),
          megabytes(afterIngest.hwmKb),
          `${loaded.rated} rated, ${loaded.duplicate} dup, ${loaded.rejected} rej`,
          load(),
        ]);
        if (last) {
          for (const [label, query] of [
            ['GET /v1/accounts/{id}/usage (now)', ''],
            [`GET …/usage?at=${at}`, `?at=${encodeURIComponent(at)}`],
          ]) {
            if (reads <= 0) break;
            const read = await usageReads(client, accountIds, reads, query);
            log(`${kind}: ${label}: p99 ${milliseconds(percentile(read.latencies, 99))}`);
            rows.push([kind, `${label}, sequential, random accounts`, reads, seconds(read.ms), perSecond(reads, read.ms), milliseconds(percentile(read.latencies, 50)), milliseconds(percentile(read.latencies, 95)), milliseconds(percentile(read.latencies, 99)), '', `max ${milliseconds(read.latencies.at(-1))}`, load()]);
          }
          if (!closing) continue;
          const closed = await closeAll(client);
          log(`${kind}: closed ${closed.closed} periods in ${seconds(closed.ms)}`);
          rows.push([kind, 'POST /v1/admin/close-due-periods until 0', closed.requests, seconds(closed.ms), perSecond(closed.closed, closed.ms), '', '', '', '', `${closed.closed} periods closed`, load()]);
          const doctorStarted = performance.now();
          const doctor = await client.json('GET', '/v1/admin/doctor');
          const doctorMs = performance.now() - doctorStarted;
          const { differences, ...summary } = doctor.body;
          console.log(`${kind} doctor (${seconds(doctorMs)}): ${JSON.stringify({ ...summary, differences: differences.length })}`);
          for (const difference of differences.slice(0, 10)) console.log(`  ${JSON.stringify(difference)}`);
          const end = memoryOf(server.pid);
          rows.push([kind, 'GET /v1/admin/doctor', 1, seconds(doctorMs), '', '', '', '', megabytes(end.hwmKb), doctor.body.ok ? 'ok' : `NOT ok: ${differences.length} differences`, load()]);
        }
      } finally {
        client?.close();
        await server?.stop().catch((error) => log(String(error)));
        database.drop();
      }
    }
  }
  console.log(table(rows));
}

await main();
