/**
 * Reading a large call file in two threads (src/cli/call-partition.ts) must give exactly what
 * one thread gives: the same invoices, the same rejections in the same order with the same
 * lines, the same exit status. The size threshold is lowered so that a small file is split.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { partitionOf } from '../../src/cli/call-partition.js';
import { REPO, folderWith } from '../support/cli.js';

function run(args: readonly string[], split: boolean) {
  const result = spawnSync(process.execPath, [join(REPO, 'bin/voicebill.js'), ...args], {
    cwd: REPO,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    env: { ...process.env, VOICEBILL_SPLIT_MIN_BYTES: split ? '0' : '1e15' },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The example calls with every kind of trouble mixed in, and mixed line endings. */
function troubledCalls(): Buffer {
  // 600 records: fewer rejections than the 50 printed, so that all of them are compared.
  const [header, ...records] = readFileSync(join(REPO, 'examples/calls.csv'), 'utf8').trim().split('\n').slice(0, 601);
  const lines: (string | Buffer)[] = [header as string];
  records.forEach((record, index) => {
    lines.push(record);
    const fields = record.split(',');
    if (index % 97 === 5) lines.push(record); // the same record again: a duplicate
    if (index % 101 === 7) lines.push([...fields.slice(0, 7), fields[7]?.replace(/:\d\d\./, ':59.'), fields[8]].join(',')); // conflicting
    if (index % 89 === 3) lines.push([`bad-${index}`, 'no-such-account', ...fields.slice(2)].join(','));
    if (index % 83 === 2) lines.push([`ts-${index}`, fields[1], fields[2], fields[3], fields[4], 'yesterday', fields[6], fields[7], fields[8]].join(','));
    if (index % 79 === 1) lines.push(['', ...fields.slice(1)].join(',')); // no call_id
    if (index % 73 === 4) lines.push(fields.slice(0, 5).join(',')); // too few fields
    if (index % 211 === 9) lines.push(`"stray-${index},${fields.slice(1).join(',')}`); // unmatched quote
    if (index % 223 === 11) lines.push(`"quoted-${index}","${fields[1]}\nspans",${fields.slice(2).join(',')}`);
    if (index % 307 === 13) lines.push(Buffer.concat([Buffer.from(`utf8-${index},`), Buffer.from([0xff, 0xfe]), Buffer.from(`,${fields.slice(2).join(',')}`)]));
    if (index % 127 === 17) lines.push('');
  });
  // A record whose first reading was rejected, then read again correctly (first *stored* wins).
  const again = (records[10] as string).split(',');
  lines.splice(40, 0, ['again-1', again[1], again[2], again[3], again[4], 'garbage', again[6], again[7], again[8]].join(','));
  lines.push(['again-1', ...again.slice(1)].join(','));
  const endings = ['\n', '\r\n', '\r'];
  return Buffer.concat(lines.map((line, index) => Buffer.concat([typeof line === 'string' ? Buffer.from(line) : line, Buffer.from(endings[index % 7 === 0 ? 1 + (index % 2) : 0] as string)])));
}

describe('reading a call file in two threads', () => {
  const folder = folderWith({});
  const calls = join(folder, 'calls.csv');
  writeFileSync(calls, troubledCalls());
  const inputs = ['--tariff', join(REPO, 'examples/tariff.yaml'), '--accounts', join(REPO, 'examples/accounts.yaml'), '--calls', calls];

  it('splits the ids between both threads', () => {
    const ids = readFileSync(calls, 'utf8').split(/\r\n|\r|\n/).map((line) => line.split(',')[0] ?? '').filter((id) => id !== '');
    const helper = ids.filter((id) => partitionOf(id) === 1).length;
    expect(helper).toBeGreaterThan(ids.length * 0.4);
    expect(helper).toBeLessThan(ids.length * 0.6);
  });

  it('gives the same invoices, rejections (order, lines) and exit status as one thread', () => {
    const args = ['invoice', ...inputs, '--period', '2026-11'];
    const one = run(args, false);
    const two = run(args, true);
    expect(one.status).toBe(3);
    expect(one.stderr).toContain('conflicting duplicate');
    expect(one.stderr).toContain('unknown account');
    expect(one.stderr).toContain('not valid UTF-8');
    expect(one.stderr).toContain('unmatched "');
    expect(one.stderr).not.toContain('more rejected records');
    expect(two).toEqual(one);
  });

  it('finds the call_id in another column, with spaces around it', () => {
    const [header, ...records] = readFileSync(join(REPO, 'examples/calls.csv'), 'utf8').trim().split('\n').slice(0, 601);
    const moved = (line: string) => {
      const fields = line.split(',');
      return [fields[1], fields[2], fields[0], ...fields.slice(3)];
    };
    const lines = [moved(header as string).join(',')];
    records.forEach((record, index) => {
      const fields = moved(record);
      lines.push(fields.join(','));
      if (index % 50 === 1) lines.push(fields.join(','));
      if (index % 61 === 2) lines.push([fields[0], fields[1], ` ${fields[2]} `, ...fields.slice(3, 7), '2026-11-30T00:00:00Z', fields[8]].join(','));
      if (index % 67 === 3) lines.push(fields.slice(0, 5).join(','));
    });
    const file = join(folder, 'moved.csv');
    writeFileSync(file, `${lines.join('\n')}\n`);
    const args = ['invoice', '--tariff', join(REPO, 'examples/tariff.yaml'), '--accounts', join(REPO, 'examples/accounts.yaml'), '--calls', file, '--period', '2026-11'];
    const one = run(args, false);
    expect(one.stderr).toContain('conflicting duplicate');
    expect(one.stderr).toContain('has 5 fields');
    expect(run(args, true)).toEqual(one);
  });

  it('gives the same usage view', () => {
    const args = ['usage', ...inputs, '--at', '2026-11-20T12:00:00Z'];
    expect(run(args, true)).toEqual(run(args, false));
  });
});
