import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RawCallRecord } from '../../src/core/call-record.js';
import { readCallFile } from '../../src/formats/call-records.js';
import { LineSplitter } from '../../src/formats/line-splitter.js';
import { folderWith } from '../support/cli.js';

const HEADER = 'call_id,account_id,direction,from,to,started_at,answered_at,ended_at,end_reason';
const row = (id: string, reason = 'ok') => `${id},acme,web,,,2026-11-02T10:00:00Z,2026-11-02T10:00:00Z,2026-11-02T10:00:10Z,${reason}`;

async function read(text: string | Buffer): Promise<string[]> {
  const folder = folderWith({});
  const path = join(folder, 'calls.data');
  writeFileSync(path, text);
  const seen: string[] = [];
  await readCallFile(path, {
    record: (raw: RawCallRecord) => seen.push(`${raw.line} ${raw.call_id} ${raw.end_reason}`),
    problem: (line, callId, message) => seen.push(`${line} ${callId ?? '-'} ! ${message}`),
  });
  return seen;
}

describe('LineSplitter', () => {
  it('numbers lines across chunks whatever the line endings, a \\r\\n split between chunks included', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text, number) => lines.push(`${number}:${text}`));
    for (const chunk of ['\uFEFFa\r', '\nb\n', 'c\rd\r\n', 'e']) splitter.push(Buffer.from(chunk));
    splitter.end();
    expect(lines).toEqual(['1:a', '2:b', '3:c', '4:d', '5:e']);
  });

  it('keeps a multi-byte character cut between chunks', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter((text) => lines.push(text));
    const bytes = Buffer.from('né\n');
    splitter.push(bytes.subarray(0, 2));
    splitter.push(bytes.subarray(2));
    splitter.end();
    expect(lines).toEqual(['né']);
  });
});

describe('readCallFile', () => {
  it('a stray quote spoils only its own record; the records after it are read', async () => {
    expect(await read([HEADER, row('a'), row('b', '"caller said ""bye" and left'), row('c'), row('d', 'he said "hi'), row('e'), ''].join('\n'))).toEqual([
      '2 a ok',
      '3 b ! malformed quoting: Trailing quote on quoted field is malformed',
      '4 c ok',
      '5 d ! a quoted field is not closed (unmatched ")',
      '6 e ok',
    ]);
  });

  it('a stray quote on every line: each record reported, none silently lost', async () => {
    const lines = [HEADER, row('a', 'hung up after 3" silence'), row('b', 'said "no'), row('c')];
    expect(await read(lines.join('\n'))).toEqual([
      '2 a ! a quoted field is not closed (unmatched ")',
      '3 b ! a quoted field is not closed (unmatched ")',
      '4 c ok',
    ]);
  });

  it('a continuation line that is a whole record by itself ends the open quote', async () => {
    expect(await read([HEADER, row('a', '"said hi'), row('b', 'bye'), ''].join('\n'))).toEqual(['2 a ! a quoted field is not closed (unmatched ")', '3 b bye']);
  });

  it('blank lines after an abandoned quote are skipped, not reported', async () => {
    expect(await read([HEADER, row('a', 'x"y'), '', row('b'), '', row('c')].join('\n'))).toEqual([
      '2 a ! a quoted field is not closed (unmatched ")',
      '4 b ok',
      '6 c ok',
    ]);
  });

  it('a line that is not valid UTF-8 is reported, not billed under a garbled id', async () => {
    const bytes = Buffer.concat([Buffer.from(`${HEADER}\n`), Buffer.from('call-'), Buffer.from([0xff]), Buffer.from(`${row('').slice(0)}\n${row('ok1')}\n`)]);
    expect(await read(bytes)).toEqual(['2 - ! is not valid UTF-8 text', '3 ok1 ok']);
  });

  it('a JSON array is refused with advice; a quoted header with spaces is read', async () => {
    await expect(read('[{"call_id": "x"}]')).rejects.toThrow(/is a JSON array: give call records as JSON Lines/);
    const quotedHeader = HEADER.split(',').map((name) => `"${name}"`).join(', ');
    expect(await read(`\uFEFF${quotedHeader}\n${row('q')}\n`)).toEqual(['2 q ok']);
  });

  it('an unclosed quote is reported after at most 20 lines, and those lines are read again', async () => {
    const lines = [HEADER, row('a', '"never closed'), ...Array.from({ length: 25 }, (_, index) => row(`r${index}`))];
    const seen = await read(lines.join('\n'));
    expect(seen[0]).toBe('2 a ! a quoted field is not closed (unmatched ")');
    expect(seen.slice(1)).toEqual(Array.from({ length: 25 }, (_, index) => `${index + 3} r${index} ok`));
  });

  it('a quoted field over several lines is one record, numbered by its first line', async () => {
    expect(await read([HEADER, row('a', '"two\nlines, quoted"'), row('b')].join('\r\n'))).toEqual(['2 a two\nlines, quoted', '4 b ok']);
  });

  it('mixed line endings: every record on its own line', async () => {
    expect(await read(`${HEADER}\r\n${row('a')}\n${row('b')}\r${row('c')}\r\n`)).toEqual(['2 a ok', '3 b ok', '4 c ok']);
  });

  it('JSON Lines are recognised by their content, whatever the file name', async () => {
    expect(await read(`\n${JSON.stringify({ call_id: 'j', end_reason: 'x' })}\n`)).toEqual(['2 j x']);
  });

  it('a byte-order mark and blank lines are ignored; columns may come in any order', async () => {
    expect(await read(`\uFEFFend_reason,ended_at,answered_at,started_at,to,from,direction,account_id,call_id\n\nfine,,,,,,web,acme,z\n`)).toEqual(['3 z fine']);
  });
});
