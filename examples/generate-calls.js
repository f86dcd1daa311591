#!/usr/bin/env node
// Writes examples/calls.csv (a month of calls for the accounts in accounts.yaml) and
// examples/bad-calls.csv (a few good calls with one bad record of each kind mixed in).
//
//   node examples/generate-calls.js
//
// Deterministic: a seeded PRNG and no clock, so running it again gives byte-identical
// files. Plain Node, no dependencies. The output is committed; you only need to run this
// after changing it.
//
// Each account gets calls over its billing period that starts in November 2026 (an account
// anchored on the 15th: 15 Nov to 15 Dec), mostly in local business hours on weekdays.
// All the periods here lie outside daylight-saving changes, so a fixed UTC offset per
// account is exact. Timestamps are written in the account's local offset, with milliseconds.

import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { stdout } from 'node:process';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const SEED = 20261101;

// mulberry32: a small, well-known 32-bit PRNG.
function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = prng(SEED);
const int = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1)); // inclusive
const chance = (p) => random() < p;
const pick = (items) => items[Math.floor(random() * items.length)];
const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
function weighted(entries) {
  const total = entries.reduce((sum, [weight]) => sum + weight, 0);
  let r = random() * total;
  for (const [weight, value] of entries) if ((r -= weight) < 0) return value;
  return entries[entries.length - 1][1];
}
// Log-normal duration in seconds with the given median; clamped to [min, max].
function talkSeconds(median, spread, min, max) {
  const u = Math.max(random(), 1e-9);
  const v = random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return Math.min(max, Math.max(min, median * Math.exp(spread * normal)));
}

// Phone numbers of the people the AI talks to, by kind.
const PHONE = {
  US: () => `+1${pick(['212', '646', '718', '917', '415', '510', '650', '312', '617', '305', '512', '206'])}${int(2, 9)}${digits(6)}`,
  US_TOLL_FREE: () => `+1${pick(['800', '833', '844', '855', '866', '877', '888'])}${int(2, 9)}${digits(6)}`,
  GB_MOBILE: () => `+447${pick(['4', '5', '7', '8', '9'])}${digits(8)}`,
  GB_LONDON: () => `+4420${pick(['7', '8', '3'])}${digits(7)}`,
  GB_OTHER: () => `+44${pick(['161', '121', '113', '117', '131'])}${int(2, 9)}${digits(6)}`,
  GB_FREEPHONE: () => `+44${pick(['800', '808'])}${digits(7)}`,
  DE_MOBILE: () => `+49${pick(['151', '152', '160', '162', '170', '171', '176'])}${digits(8)}`,
  DE_LANDLINE: () => `+49${pick(['30', '40', '89', '69', '221'])}${int(2, 9)}${digits(7)}`,
  IN_MOBILE: () => `+91${pick(['7', '8', '9'])}${digits(9)}`,
  IN_LANDLINE: () => `+91${pick(['22', '20', '11', '80'])}${int(2, 6)}${digits(7)}`,
  FR: () => (chance(0.6) ? `+33${pick(['6', '7'])}${digits(8)}` : `+331${digits(8)}`),
  ES: () => (chance(0.6) ? `+346${digits(8)}` : `+3491${digits(7)}`),
  NL: () => (chance(0.5) ? `+316${digits(8)}` : `+3120${digits(7)}`),
  AT: () => (chance(0.5) ? `+43664${digits(7)}` : `+431${digits(7)}`),
  PL: () => (chance(0.6) ? `+485${digits(8)}` : `+4822${digits(7)}`),
  MX: () => `+52${pick(['55', '33', '81'])}${digits(8)}`,
  AE: () => (chance(0.7) ? `+9715${pick(['0', '2', '5', '6'])}${digits(7)}` : `+9714${digits(7)}`),
};

// The accounts of accounts.yaml and how they use the platform this month.
const ACCOUNTS = [
  {
    id: 'acme-dental',
    offset: -5 * 60, // America/New_York, EST all period
    start: [2026, 11, 15],
    days: 30,
    calls: 180,
    mix: { inbound: 0.6, outbound: 0.32, web: 0.08 },
    numbers: [
      { number: '+12125550142', weight: 7 },
      { number: '+18885550199', weight: 3 },
    ],
    callers: [[95, 'US'], [5, 'US_TOLL_FREE']],
    destinations: [[97, 'US'], [3, 'US_TOLL_FREE']],
    talk: { inbound: 95, outbound: 55, web: 120 },
  },
  {
    id: 'bright-realty',
    offset: 0, // Europe/London, GMT all period
    start: [2026, 11, 30],
    days: 30,
    calls: 1050,
    mix: { inbound: 0.35, outbound: 0.57, web: 0.08 },
    numbers: [
      { number: '+442079460123', weight: 5 },
      { number: '+447400123456', weight: 2 },
      { number: '+448081570789', weight: 3 },
    ],
    callers: [[55, 'GB_MOBILE'], [25, 'GB_LONDON'], [10, 'GB_OTHER'], [4, 'ES'], [3, 'FR'], [3, 'AE']],
    destinations: [[58, 'GB_MOBILE'], [20, 'GB_LONDON'], [10, 'GB_OTHER'], [2, 'GB_FREEPHONE'], [5, 'ES'], [3, 'FR'], [2, 'AE']],
    talk: { inbound: 145, outbound: 120, web: 180 },
  },
  {
    id: 'kraft-logistik',
    offset: 60, // Europe/Berlin, CET all period
    start: [2026, 11, 30],
    days: 31,
    calls: 960,
    mix: { inbound: 0.45, outbound: 0.5, web: 0.05 },
    numbers: [
      { number: '+493090182734', weight: 5 },
      { number: '+4915123456789', weight: 2 },
      { number: '+498001234567', weight: 3 },
    ],
    callers: [[45, 'DE_MOBILE'], [35, 'DE_LANDLINE'], [8, 'PL'], [6, 'NL'], [6, 'AT']],
    destinations: [[40, 'DE_MOBILE'], [30, 'DE_LANDLINE'], [10, 'PL'], [8, 'NL'], [7, 'AT'], [5, 'FR']],
    talk: { inbound: 150, outbound: 120, web: 150 },
  },
  {
    id: 'mumbai-clinic',
    offset: 5 * 60 + 30, // Asia/Kolkata
    start: [2026, 11, 1],
    days: 30,
    calls: 560,
    mix: { inbound: 0.3, outbound: 0.65, web: 0.05 },
    numbers: [
      { number: '+912261234567', weight: 5 },
      { number: '+919820012345', weight: 3 },
      { number: '+918655512345', weight: 2, releasedAt: Date.UTC(2026, 10, 20, 12, 30) }, // 18:00 IST
    ],
    callers: [[80, 'IN_MOBILE'], [15, 'IN_LANDLINE'], [5, 'AE']],
    destinations: [[86, 'IN_MOBILE'], [8, 'IN_LANDLINE'], [4, 'AE'], [2, 'GB_MOBILE']],
    talk: { inbound: 85, outbound: 70, web: 90 },
  },
  {
    id: 'pacific-auto',
    offset: -8 * 60, // America/Los_Angeles, PST all period
    start: [2026, 11, 5],
    days: 30,
    calls: 260,
    mix: { inbound: 0.55, outbound: 0.4, web: 0.05 },
    numbers: [
      { number: '+14155550178', weight: 6 },
      { number: '+14155550179', weight: 4 },
    ],
    notBefore: Date.UTC(2026, 10, 5, 16, 30), // its numbers were set up at 08:25 local on day one
    callers: [[92, 'US'], [8, 'MX']],
    destinations: [[90, 'US'], [10, 'MX']],
    talk: { inbound: 80, outbound: 50, web: 80 },
  },
];

function timestamp(ms, offsetMinutes) {
  const local = new Date(ms + offsetMinutes * 60_000);
  const two = (n) => String(n).padStart(2, '0');
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return (
    `${local.getUTCFullYear()}-${two(local.getUTCMonth() + 1)}-${two(local.getUTCDate())}` +
    `T${two(local.getUTCHours())}:${two(local.getUTCMinutes())}:${two(local.getUTCSeconds())}` +
    `.${String(local.getUTCMilliseconds()).padStart(3, '0')}${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
  );
}

// A start instant in local business hours: weekdays busy, Saturday quieter, Sunday quiet.
function startInstant(account) {
  const [y, m, d] = account.start;
  for (;;) {
    const day = int(0, account.days - 1);
    const weekday = new Date(Date.UTC(y, m - 1, d + day)).getUTCDay(); // 0 = Sunday
    if (!chance(weekday === 0 ? 0.15 : weekday === 6 ? 0.4 : 1)) continue;
    const minuteOfDay = Math.round(weighted([[3, 8], [5, 9], [5, 10], [5, 11], [3, 12], [4, 13], [5, 14], [5, 15], [4, 16], [3, 17], [2, 18], [1, 19]]) * 60 + random() * 60);
    const localMs = Date.UTC(y, m - 1, d + day) + minuteOfDay * 60_000 + int(0, 59_999);
    return localMs - account.offset * 60_000;
  }
}

function makeCall(account) {
  const direction = weighted([
    [account.mix.inbound, 'inbound'],
    [account.mix.outbound, 'outbound'],
    [account.mix.web, 'web'],
  ]);
  let startedAt = startInstant(account);
  while (account.notBefore !== undefined && startedAt < account.notBefore) startedAt = startInstant(account);
  let from = '';
  let to = '';
  if (direction === 'inbound') {
    for (;;) {
      const line = weighted(account.numbers.map((n) => [n.weight, n]));
      if (line.releasedAt !== undefined && startedAt >= line.releasedAt) {
        startedAt = startInstant(account);
        continue;
      }
      to = line.number;
      break;
    }
    from = PHONE[weighted(account.callers)]();
  } else if (direction === 'outbound') {
    const usable = account.numbers.filter((n) => n.releasedAt === undefined && !n.number.startsWith('+1888') && !n.number.startsWith('+1833') && !n.number.startsWith('+44808') && !n.number.startsWith('+49800'));
    from = usable[0].number;
    to = PHONE[weighted(account.destinations)]();
  }

  // Unanswered (~10%), voicemail (outbound), very short (wrong numbers), or a conversation.
  const outcome = weighted([
    [direction === 'inbound' ? 4 : direction === 'outbound' ? 15 : 3, 'unanswered'],
    [direction === 'outbound' ? 12 : 0, 'voicemail'],
    [3, 'short'],
    [direction === 'outbound' ? 73 : 93, 'talk'],
  ]);
  const ringMs = direction === 'outbound' ? int(4_000, 22_000) : int(600, 4_000);
  let answeredAt = null;
  let endedAt;
  let endReason;
  if (outcome === 'unanswered') {
    if (direction === 'outbound') {
      endReason = chance(0.75) ? 'no-answer' : 'busy';
      endedAt = startedAt + (endReason === 'busy' ? int(2_000, 8_000) : int(25_000, 45_000));
    } else {
      endReason = 'customer-hung-up-before-answer';
      endedAt = startedAt + int(500, 3_500);
    }
  } else {
    answeredAt = startedAt + ringMs;
    let talkMs;
    if (outcome === 'voicemail') {
      talkMs = int(8_000, 38_000);
      endReason = 'voicemail';
    } else if (outcome === 'short') {
      talkMs = int(400, 4_800);
      endReason = 'customer-ended-call';
    } else {
      const median = account.talk[direction];
      talkMs = Math.round(talkSeconds(median, 0.7, 8, 1500) * 1000);
      endReason = weighted([[58, 'customer-ended-call'], [36, 'assistant-ended-call'], [6, 'silence-timed-out']]);
    }
    endedAt = answeredAt + talkMs;
  }
  return { account, direction, from, to, startedAt, answeredAt, endedAt, endReason };
}

const HEADER = 'call_id,account_id,direction,from,to,started_at,answered_at,ended_at,end_reason';

function row(call) {
  const { account } = call;
  return [
    call.id,
    account.id,
    call.direction,
    call.from,
    call.to,
    timestamp(call.startedAt, account.offset),
    call.answeredAt === null ? '' : timestamp(call.answeredAt, account.offset),
    timestamp(call.endedAt, account.offset),
    call.endReason,
  ].join(',');
}

const calls = [];
for (const account of ACCOUNTS) for (let i = 0; i < account.calls; i++) calls.push(makeCall(account));
calls.sort((a, b) => a.startedAt - b.startedAt);
calls.forEach((call, index) => (call.id = `call-${String(index + 1).padStart(5, '0')}`));

writeFileSync(join(HERE, 'calls.csv'), [HEADER, ...calls.map(row)].join('\n') + '\n');

// bad-calls.csv: five answered calls of each account on 30 Nov (local time), with bad records mixed in, one of each
// kind voicebill rejects, plus an exact repeat (which is not an error: it is billed once).
const onNov30 = (c) => timestamp(c.startedAt, c.account.offset).startsWith('2026-11-30') && c.answeredAt !== null;
const day = ACCOUNTS.flatMap((account) => calls.filter((c) => c.account === account && onNov30(c)).slice(0, 5)).sort((a, b) => a.startedAt - b.startedAt);
const lines = day.map(row);
const acme = ACCOUNTS[0];
const mumbai = ACCOUNTS[3];
const at = (h, m, s) => Date.UTC(2026, 10, 30, h, m, s, 250);
const bad = [
  // unknown account: a typo in the account id
  { account: { ...acme, id: 'acme-dentl' }, id: 'call-90001', direction: 'outbound', from: '+12125550142', to: '+16465550111', startedAt: at(14, 31, 5), answeredAt: at(14, 31, 19), endedAt: at(14, 33, 48), endReason: 'assistant-ended-call' },
  // unknown direction
  { account: mumbai, id: 'call-90002', direction: 'outgoing', from: '+912261234567', to: '+919812345678', startedAt: at(4, 45, 11), answeredAt: at(4, 45, 30), endedAt: at(4, 46, 52), endReason: 'customer-ended-call' },
  // ended before answered (clocks of two systems disagree)
  { account: acme, id: 'call-90003', direction: 'inbound', from: '+12125550987', to: '+12125550142', startedAt: at(15, 2, 10), answeredAt: at(15, 2, 12), endedAt: at(15, 1, 58), endReason: 'customer-ended-call' },
];
const unparseable = `call-90004,mumbai-clinic,outbound,+919820012345,+919876543210,30/11/2026 10:15:02,30/11/2026 10:15:09,30/11/2026 10:16:40,customer-ended-call`;
// no carrier rate: a destination (China, +86) the rate deck does not cover
const noRate = { account: mumbai, id: 'call-90005', direction: 'outbound', from: '+919820012345', to: '+8613800138000', startedAt: at(6, 40, 3), answeredAt: at(6, 40, 17), endedAt: at(6, 43, 2), endReason: 'customer-ended-call' };
// conflicting duplicate: the same call_id again with a different end time
const conflicting = { ...day[5], endedAt: day[5].endedAt + 42_000 };
lines.splice(2, 0, row(bad[0]));
lines.splice(6, 0, row(bad[1]));
lines.splice(9, 0, row(bad[2]));
lines.splice(12, 0, unparseable);
lines.splice(15, 0, row(noRate));
lines.splice(19, 0, row(conflicting));
lines.splice(23, 0, row(day[10])); // exact repeat: billed once, not an error
writeFileSync(join(HERE, 'bad-calls.csv'), [HEADER, ...lines].join('\n') + '\n');

stdout.write(`wrote ${calls.length} calls to examples/calls.csv and ${lines.length} records to examples/bad-calls.csv\n`);
