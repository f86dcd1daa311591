#!/usr/bin/env node
/**
 * Deterministic benchmark data in bench/data/ (gitignored): a tariff with three plans, a
 * 5,000-row rate deck, 1,000 accounts and call files for May 2026, written as a stream so
 * that ten million calls (~1.9 GB) never sit in memory.
 *
 *   node bench/generate.mjs                       # tariff, accounts, calls-1000000.csv
 *   node bench/generate.mjs --calls 1000000,10000000
 *   node bench/generate.mjs --large               # same as the line above
 *   node bench/generate.mjs --seed 7 --accounts 1000 --rates 5000
 *
 * The same arguments always write the same bytes. A call file that already exists with the
 * expected size stamp (calls-N.csv.done) is not written again.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DATA_DIR = join(HERE, 'data');

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && process.argv[at + 1] !== undefined ? process.argv[at + 1] : fallback;
}

// ---------------------------------------------------------------- deterministic randomness

/** sfc32: small, fast, good enough for test data, and the same on every machine. */
function makeRandom(seed) {
  let a = 0x9e3779b9 ^ seed;
  let b = 0x243f6a88 + seed;
  let c = 0xb7e15162 ^ (seed * 7);
  let d = 1;
  const next = () => {
    a |= 0; b |= 0; c |= 0; d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 20; i++) next();
  const random = {
    next,
    int: (low, high) => low + Math.floor(next() * (high - low + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    normal: () => {
      const u = 1 - next();
      const v = next();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    digits: (count) => {
      let text = '';
      for (let i = 0; i < count; i++) text += String.fromCharCode(48 + Math.floor(next() * 10));
      return text;
    },
  };
  return random;
}

const HEX = '0123456789abcdef';
function hex(random, count) {
  let text = '';
  for (let i = 0; i < count; i++) text += HEX[Math.floor(random.next() * 16)];
  return text;
}

// ------------------------------------------------------------------------------ tariff

/**
 * Countries of the rate deck: calling code, national number length, named nested prefixes
 * (mobile, toll-free) and a share of the traffic.
 */
const COUNTRIES = [
  { country: 'US', code: '1', national: 10, share: 40, mobile: [], tollFree: ['800', '833', '844', '855', '866', '877', '888'] },
  { country: 'CA', code: '1', national: 10, share: 4, areaCodes: ['204', '236', '250', '289', '306', '403', '416', '437', '438', '450', '514', '519', '587', '604', '613', '647', '705', '778', '780', '819', '902', '905'], mobile: [], tollFree: [] },
  { country: 'GB', code: '44', national: 10, share: 10, mobile: ['71', '72', '73', '74', '75', '7624', '77', '78', '79'], tollFree: ['800', '808'] },
  { country: 'DE', code: '49', national: 11, share: 8, mobile: ['151', '152', '157', '159', '160', '162', '163', '170', '171', '172', '173', '174', '175', '176', '177', '178', '179'], tollFree: ['800'] },
  { country: 'IN', code: '91', national: 10, share: 8, mobile: ['6', '7', '8', '9', '70', '72', '73', '74', '75', '76', '77', '78', '79', '80', '81', '82', '83', '84', '85', '86', '87', '88', '89', '90', '91', '92', '93', '94', '95', '96', '97', '98', '99'], tollFree: ['1800'] },
  { country: 'FR', code: '33', national: 9, share: 6, mobile: ['6', '7'], tollFree: ['800', '805'] },
  { country: 'AU', code: '61', national: 9, share: 5, mobile: ['4', '40', '41', '42', '43', '44', '45', '46', '47', '48', '49'], tollFree: ['1800'] },
  { country: 'ES', code: '34', national: 9, share: 3, mobile: ['6', '7'], tollFree: ['900'] },
  { country: 'IT', code: '39', national: 10, share: 3, mobile: ['31', '32', '33', '34', '35', '36', '37', '38', '39'], tollFree: ['800'] },
  { country: 'NL', code: '31', national: 9, share: 2, mobile: ['6'], tollFree: ['800'] },
  { country: 'BR', code: '55', national: 11, share: 3, mobile: [], tollFree: ['800'] },
  { country: 'MX', code: '52', national: 10, share: 3, mobile: [], tollFree: ['800'] },
  { country: 'JP', code: '81', national: 10, share: 2, mobile: ['70', '80', '90'], tollFree: ['120', '800'] },
  { country: 'SG', code: '65', national: 8, share: 1, mobile: ['8', '9'], tollFree: ['1800'] },
  { country: 'ZA', code: '27', national: 9, share: 1, mobile: ['6', '7', '8'], tollFree: ['800'] },
  { country: 'PH', code: '63', national: 10, share: 1, mobile: ['9'], tollFree: ['1800'] },
];

function money(value, decimals) {
  return value.toFixed(decimals);
}

const INCREMENTS = ['1', '1/1', '6/6', '30/6', '60/60', '60/1', '15'];

function buildRateDeck(random, target) {
  const rows = [];
  const seen = new Set();
  const add = (direction, prefix, country, perMinute, connect, increment, effectiveFrom = '') => {
    const key = `${direction}:${prefix}:${effectiveFrom}`;
    if (seen.has(key)) return false;
    seen.add(key);
    rows.push({ direction, prefix, country, perMinute, connect, increment, effectiveFrom });
    return true;
  };
  const rate = (low, high) => money(low + random.next() * (high - low), 4);
  const connect = () => (random.chance(0.7) ? '0' : money(random.next() * 0.02, 4));
  const prefixesOf = new Map();
  const remember = (direction, country, prefix) => {
    const key = `${direction}:${country}`;
    if (!prefixesOf.has(key)) prefixesOf.set(key, []);
    prefixesOf.get(key).push(prefix);
  };
  for (const direction of ['outbound', 'inbound']) {
    for (const spec of COUNTRIES) {
      const base = spec.code + (spec.areaCodes ? '' : '');
      if (!spec.areaCodes) {
        add(direction, base, spec.country, rate(0.005, 0.05), connect(), random.pick(['60/60', '1', '30/6', '6/6']));
        remember(direction, spec.country, base);
      }
      for (const area of spec.areaCodes ?? []) {
        add(direction, spec.code + area, spec.country, rate(0.006, 0.03), connect(), '60/60');
        remember(direction, spec.country, spec.code + area);
      }
      for (const mobile of spec.mobile) {
        add(direction, spec.code + mobile, spec.country, rate(0.01, 0.12), connect(), random.pick(['1', '30/6', '60/60']));
        remember(direction, spec.country, spec.code + mobile);
      }
      for (const tollFree of spec.tollFree) {
        // Toll-free costs the platform more when called in, little when dialled out.
        const price = direction === 'inbound' ? rate(0.02, 0.06) : rate(0.0, 0.01);
        add(direction, spec.code + tollFree, spec.country, price, '0', random.pick(['1', '6/6', '60/60']));
        remember(direction, spec.country, spec.code + tollFree);
      }
    }
  }
  // Area codes and operator ranges: nested prefixes under what is already there, 1–3 digits deeper.
  const scheduled = Math.round(target * 0.05);
  const weighted = COUNTRIES.flatMap((spec) => Array.from({ length: spec.share }, () => spec));
  let guard = 0;
  while (rows.length < target - scheduled && guard++ < target * 50) {
    const spec = random.pick(weighted);
    const direction = random.chance(0.55) ? 'outbound' : 'inbound';
    const parent = random.pick(prefixesOf.get(`${direction}:${spec.country}`));
    const deeper = parent + random.digits(random.int(1, 3));
    if (deeper.length > spec.code.length + 6) continue;
    if (add(direction, deeper, spec.country, rate(0.004, 0.09), connect(), random.pick(INCREMENTS))) remember(direction, spec.country, deeper);
  }
  // Scheduled changes inside May 2026: a new price for an existing prefix from a date (or instant).
  const existing = rows.slice();
  while (rows.length < target) {
    const row = random.pick(existing);
    const day = String(random.int(2, 28)).padStart(2, '0');
    const from = random.chance(0.5) ? `2026-05-${day}` : `2026-05-${day}T${String(random.int(0, 23)).padStart(2, '0')}:00:00Z`;
    add(row.direction, row.prefix, row.country, rate(0.004, 0.09), row.connect, row.increment, from);
  }
  return { rows, prefixesOf };
}

function tariffYaml(countries) {
  const lines = [
    'currency: USD',
    'plans:',
    '  per_second:',
    '    name: Per-second',
    "    monthly_fee: '99.00'",
    '    included_minutes: 2000',
    "    minute_price: '0.09'",
    "    rounding: '1'",
    '    carrier: minutes',
    '    overage: allow',
    '  standard:',
    '    name: Standard 30/6',
    "    monthly_fee: '249.00'",
    '    included_minutes: 6000',
    "    minute_price: '0.07'",
    "    rounding: 30/6",
    '    carrier: passthrough',
    '    overage: allow',
    '    free_below_seconds: 3',
    '  minute:',
    '    name: Per-minute',
    "    monthly_fee: '29.00'",
    '    included_minutes: 500',
    "    minute_price: '0.12'",
    "    rounding: 60/60",
    '    carrier: minutes',
    '    overage: block',
    'bundles:',
    '  b500:',
    '    minutes: 500',
    "    price: '40.00'",
    '    valid_days: 30',
    '  b5000:',
    '    minutes: 5000',
    "    price: '350.00'",
    '    valid_days: 365',
    '  b60:',
    '    minutes: 60',
    "    price: '6.00'",
    '    valid_days: 7',
    'carrier_rates: rates.csv',
    'surcharges:',
    "- country: IN",
    "  per_minute: '0.0040'",
    "  per_call: '0'",
    "- country: AU",
    "  per_minute: '0.0012'",
    "  per_call: '0.0005'",
    "- country: BR",
    "  per_minute: '0'",
    "  per_call: '0.0030'",
    'numbers:',
  ];
  for (const spec of countries) {
    for (const [type, fee] of [['local', '1.15'], ['mobile', '3.50'], ['toll_free', '2.00']]) {
      lines.push(`- country: ${spec.country}`, `  type: ${type}`, `  monthly_fee: '${fee}'`);
    }
  }
  lines.push('taxes:', "- country: IN", "  percent: '18'", "- country: AU", "  percent: '10'", "- country: DE", "  percent: '19'", "- country: GB", "  percent: '20'");
  return `${lines.join('\n')}\n`;
}

// ---------------------------------------------------------------------------- accounts

/** IANA zones and the offset their clocks show in May 2026 (what a platform writes). */
const ZONES = [
  ['America/New_York', '-04:00'], ['America/Chicago', '-05:00'], ['America/Denver', '-06:00'], ['America/Los_Angeles', '-07:00'],
  ['America/Phoenix', '-07:00'], ['America/St_Johns', '-02:30'], ['America/Sao_Paulo', '-03:00'], ['America/Mexico_City', '-06:00'],
  ['America/Santiago', '-04:00'], ['Europe/London', '+01:00'], ['Europe/Berlin', '+02:00'], ['Europe/Paris', '+02:00'],
  ['Europe/Madrid', '+02:00'], ['Europe/Helsinki', '+03:00'], ['Asia/Kolkata', '+05:30'], ['Asia/Kathmandu', '+05:45'],
  ['Asia/Singapore', '+08:00'], ['Asia/Tokyo', '+09:00'], ['Australia/Sydney', '+10:00'], ['Australia/Adelaide', '+09:30'],
  ['Pacific/Auckland', '+12:00'], ['Pacific/Chatham', '+12:45'], ['Africa/Johannesburg', '+02:00'], ['UTC', 'Z'],
];

function buildAccounts(random, count, prefixesOf) {
  const plans = ['per_second', 'standard', 'minute'];
  const accounts = [];
  const width = String(count - 1).length;
  for (let index = 0; index < count; index++) {
    const [timeZone, offset] = random.pick(ZONES);
    const year = random.chance(0.6) ? 2025 : 2026;
    const month = year === 2026 ? random.int(1, 4) : random.int(1, 12);
    // Month ends often: anchors 29, 30 and 31 are what break naive calendars.
    const day = random.chance(0.25) ? random.pick([29, 30, 31]) : random.int(1, 28);
    const maxDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
    const anchor = `${year}-${String(month).padStart(2, '0')}-${String(Math.min(day, maxDay)).padStart(2, '0')}`;
    const homeSpec = random.pick(COUNTRIES.slice(0, 8));
    const bundles = [];
    if (random.chance(0.35)) {
      for (let n = random.int(1, 3); n > 0; n--) {
        const bundle = random.pick(['b500', 'b5000', 'b60']);
        const purchased = `2026-0${random.int(4, 5)}-${String(random.int(1, 28)).padStart(2, '0')}T${String(random.int(0, 23)).padStart(2, '0')}:${String(random.int(0, 59)).padStart(2, '0')}:00Z`;
        bundles.push({ bundle, purchased });
      }
    }
    const numbers = [];
    for (let n = random.int(1, 4); n > 0; n--) {
      const spec = random.chance(0.7) ? homeSpec : random.pick(COUNTRIES);
      const type = spec.tollFree.length > 0 && random.chance(0.2) ? 'toll_free' : spec.mobile.length > 0 && random.chance(0.2) ? 'mobile' : 'local';
      const prefix = type === 'toll_free' ? spec.code + random.pick(spec.tollFree) : type === 'mobile' ? spec.code + random.pick(spec.mobile) : random.pick(prefixesOf.get(`inbound:${spec.country}`));
      const digits = prefix + random.digits(spec.code.length + spec.national - prefix.length);
      const rented = `2025-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}T09:00:00Z`;
      numbers.push({ number: `+${digits}`, country: spec.country, type, rented, released: random.chance(0.05) ? '2026-05-18T12:00:00Z' : undefined });
    }
    accounts.push({
      id: `acc_${String(index).padStart(width, '0')}`,
      plan: random.pick(plans),
      timeZone,
      offset,
      anchor,
      country: homeSpec.country,
      bundles,
      numbers,
    });
  }
  return accounts;
}

function accountsYaml(accounts) {
  const lines = ['accounts:'];
  for (const account of accounts) {
    lines.push(`  ${account.id}:`, `    plan: ${account.plan}`, `    timezone: ${account.timeZone}`, `    billing_anchor: '${account.anchor}'`, `    country: ${account.country}`);
    if (account.bundles.length > 0) {
      lines.push('    bundles:');
      for (const bundle of account.bundles) lines.push(`    - bundle: ${bundle.bundle}`, `      purchased_at: '${bundle.purchased}'`);
    }
    lines.push('    numbers:');
    for (const number of account.numbers) {
      lines.push(`    - number: '${number.number}'`, `      country: ${number.country}`, `      type: ${number.type}`, `      rented_at: '${number.rented}'`);
      if (number.released) lines.push(`      released_at: '${number.released}'`);
    }
  }
  return `${lines.join('\n')}\n`;
}

// ------------------------------------------------------------------------------- calls

const MAY_START = Date.UTC(2026, 4, 1);
const MAY_END = Date.UTC(2026, 5, 1);

function two(value) {
  return value < 10 ? `0${value}` : String(value);
}

function three(value) {
  return value < 10 ? `00${value}` : value < 100 ? `0${value}` : String(value);
}

const dayTexts = new Map();
/** RFC 3339 with milliseconds in a fixed offset (`Z` or `±hh:mm`), without a Date per call. */
function formatAt(epochMillis, offset, offsetMinutes) {
  const local = epochMillis + offsetMinutes * 60_000;
  const day = Math.floor(local / 86_400_000);
  let date = dayTexts.get(day);
  if (date === undefined) {
    date = new Date(day * 86_400_000).toISOString().slice(0, 10);
    dayTexts.set(day, date);
  }
  let rest = local - day * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return `${date}T${two(hours)}:${two(minutes)}:${two(seconds)}.${three(rest - seconds * 1000)}${offset}`;
}

function offsetMinutesOf(offset) {
  if (offset === 'Z') return 0;
  const sign = offset[0] === '-' ? -1 : 1;
  return sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
}

const ANSWERED_REASONS = ['customer-ended-call', 'customer-ended-call', 'customer-ended-call', 'assistant-ended-call', 'assistant-ended-call', 'voicemail', 'silence-timed-out', 'exceeded-max-duration', 'transferred'];
const UNANSWERED_REASONS = ['no-answer', 'busy', 'customer-did-not-answer', 'failed'];

async function writeCalls(path, count, seed, accounts, prefixesOf) {
  const random = makeRandom(seed * 1_000_003 + count);
  // A few large customers and a long tail: weights 1/rank^0.9.
  const cumulative = new Float64Array(accounts.length);
  let sum = 0;
  for (let index = 0; index < accounts.length; index++) {
    sum += 1 / (index + 1) ** 0.9;
    cumulative[index] = sum;
  }
  const pickAccount = () => {
    const target = random.next() * sum;
    let low = 0;
    let high = accounts.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return accounts[(low * 7919) % accounts.length]; // big customers spread over the id range
  };
  const weighted = COUNTRIES.flatMap((spec) => Array.from({ length: spec.share }, () => spec));
  const offsets = accounts.map((account) => offsetMinutesOf(account.offset));
  const accountIndex = new Map(accounts.map((account, index) => [account.id, index]));
  const outboundNumber = () => {
    const spec = random.pick(weighted);
    const prefixes = prefixesOf.get(`outbound:${spec.country}`);
    // Half the time the shortest (country) prefix, otherwise any nested one.
    const prefix = random.chance(0.5) ? prefixes[0] : random.pick(prefixes);
    return prefix + random.digits(Math.max(0, spec.code.length + spec.national - prefix.length));
  };
  const stream = createWriteStream(path);
  const write = (text) => (stream.write(text) ? Promise.resolve() : new Promise((resolve) => stream.once('drain', resolve)));
  await write('call_id,account_id,direction,from,to,started_at,answered_at,ended_at,end_reason\n');
  const span = MAY_END - MAY_START - 4 * 3_600_000;
  let batch = [];
  let previous = '';
  for (let index = 0; index < count; index++) {
    // About one record in a thousand is delivered twice (webhook retries): same bytes again.
    if (previous !== '' && random.chance(0.001)) {
      batch.push(previous);
    } else {
      const account = pickAccount();
      const at = accountIndex.get(account.id);
      const roll = random.next();
      const direction = roll < 0.5 ? 'outbound' : roll < 0.92 ? 'inbound' : 'web';
      const callId = random.chance(0.5)
        ? `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${random.pick(['8', '9', 'a', 'b'])}${hex(random, 3)}-${hex(random, 12)}`
        : `call_${hex(random, 32)}`;
      let from = '';
      let to = '';
      if (direction === 'outbound') {
        from = random.pick(account.numbers).number;
        to = `+${outboundNumber()}`;
      } else if (direction === 'inbound') {
        from = `+${outboundNumber()}`;
        to = random.pick(account.numbers).number;
      }
      const started = MAY_START + Math.floor(random.next() * span);
      const answered = direction === 'web' ? true : random.next() >= 0.1;
      const ring = direction === 'web' ? random.int(200, 1500) : random.int(1500, 25_000);
      let answeredAt = '';
      let ended;
      let reason;
      if (answered) {
        const answeredMillis = started + ring;
        // Many short calls, a long tail: log-normal around 75 s, capped at two hours; 6% hang up at once.
        const seconds = random.chance(0.06) ? random.next() * 4 : Math.min(7200, Math.exp(Math.log(75) + 1.1 * random.normal()));
        ended = answeredMillis + Math.round(seconds * 1000);
        answeredAt = formatAt(answeredMillis, account.offset, offsets[at]);
        reason = random.pick(ANSWERED_REASONS);
      } else {
        ended = started + ring + random.int(0, 20_000);
        reason = random.pick(UNANSWERED_REASONS);
      }
      previous = `${callId},${account.id},${direction},${from},${to},${formatAt(started, account.offset, offsets[at])},${answeredAt},${formatAt(ended, account.offset, offsets[at])},${reason}\n`;
      batch.push(previous);
    }
    if (batch.length === 20_000) {
      await write(batch.join(''));
      batch = [];
    }
  }
  if (batch.length > 0) await write(batch.join(''));
  await new Promise((resolve, reject) => stream.end((error) => (error ? reject(error) : resolve())));
}

export function callFileName(count) {
  return `calls-${count}.csv`;
}

async function main() {
  const seed = Number(option('seed', '1'));
  const accountCount = Number(option('accounts', '1000'));
  const rateCount = Number(option('rates', '5000'));
  const counts = (option('calls', process.argv.includes('--large') ? '1000000,10000000' : '1000000'))
    .split(',')
    .map((text) => Number(text.replace(/_/g, '')));
  mkdirSync(DATA_DIR, { recursive: true });
  const random = makeRandom(seed);
  const { rows, prefixesOf } = buildRateDeck(random, rateCount);
  const deckText = ['direction,prefix,country,per_minute,connect_fee,increment,effective_from']
    .concat(rows.map((row) => `${row.direction},${row.prefix},${row.country},${row.perMinute},${row.connect},${row.increment},${row.effectiveFrom}`))
    .join('\n');
  writeFileSync(join(DATA_DIR, 'rates.csv'), `${deckText}\n`);
  writeFileSync(join(DATA_DIR, 'tariff.yaml'), tariffYaml(COUNTRIES));
  const accounts = buildAccounts(random, accountCount, prefixesOf);
  writeFileSync(join(DATA_DIR, 'accounts.yaml'), accountsYaml(accounts));
  console.log(`bench/data: tariff.yaml, rates.csv (${rows.length} rows), accounts.yaml (${accounts.length} accounts)`);
  for (const count of counts) {
    const path = join(DATA_DIR, callFileName(count));
    const stamp = `${path}.done`;
    const identity = `seed=${seed} accounts=${accountCount} rates=${rateCount} count=${count}`;
    if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === identity) {
      console.log(`${callFileName(count)}: already there`);
      continue;
    }
    const started = performance.now();
    await writeCalls(path, count, seed, accounts, prefixesOf);
    writeFileSync(stamp, identity);
    console.log(`${callFileName(count)}: ${count} calls in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await main();
