/**
 * The call ids of accepted records, packed as UTF-8 bytes in one growing buffer and indexed
 * by an open-addressing hash table of row numbers. Ten million UUID-like ids take ~190 MB this way
 * instead of ~1 GB as JavaScript strings in a Map, and the ids can still be compared exactly
 * (the draw-down breaks ties by call_id) and printed back.
 */

const EMPTY = -1;
/** Linear probing stays short up to this share of slots in use. */
const MAX_LOAD = 0.7;
/** Offsets are 32-bit. */
const MAX_BYTES = 0xffff_ffff;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The two id shapes platforms use most are stored in 18 bytes instead of 36–37: a canonical
 * lowercase UUID (Vapi) and `call_` with 32 lowercase hex digits (Retell). The byte 0xFF,
 * which never occurs in UTF-8, marks them, then the shape, then the hex digits two to a
 * byte. Every id has exactly one form, so equal bytes still mean equal ids; and within one
 * shape the packed digits sort as the text does ('0'–'9' before 'a'–'f').
 */
const PACKED = 0xff;
const UUID = 1;
const CALL_HEX = 2;
const PACKED_LENGTH = 18;
const HEX_DIGITS = '0123456789abcdef';

/** The value of each lowercase hex digit by character code, -1 for any other character. */
const HEX_VALUES = new Int8Array(128).fill(-1);
for (let digit = 0; digit < 16; digit++) HEX_VALUES[HEX_DIGITS.charCodeAt(digit)] = digit;

function hexValue(code: number): number {
  return code < 128 ? (HEX_VALUES[code] as number) : -1;
}

function packedShape(id: string): number {
  if (id.length === 36 && id.charCodeAt(8) === 45 && id.charCodeAt(13) === 45 && id.charCodeAt(18) === 45 && id.charCodeAt(23) === 45) return UUID;
  if (id.length === 37 && id.startsWith('call_')) return CALL_HEX;
  return 0;
}

/** Writes the packed form of `id` at `at`; false (having written garbage) when a digit is not lowercase hex. */
function writePacked(bytes: Uint8Array, at: number, id: string, shape: number): boolean {
  bytes[at] = PACKED;
  bytes[at + 1] = shape;
  let out = at + 2;
  let high = -1;
  for (let index = shape === CALL_HEX ? 5 : 0; index < id.length; index++) {
    if (shape === UUID && (index === 8 || index === 13 || index === 18 || index === 23)) continue;
    const value = hexValue(id.charCodeAt(index));
    if (value < 0) return false;
    if (high < 0) high = value;
    else {
      bytes[out++] = (high << 4) | value;
      high = -1;
    }
  }
  return true;
}

function unpack(bytes: Uint8Array, start: number): string {
  let hex = '';
  for (let index = start + 2; index < start + PACKED_LENGTH; index++) {
    const byte = bytes[index] as number;
    hex += (HEX_DIGITS[byte >> 4] as string) + (HEX_DIGITS[byte & 15] as string);
  }
  if (bytes[start + 1] === CALL_HEX) return `call_${hex}`;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * FNV-1a over an id's stored bytes (18 for a packed id instead of 36 characters); equal ids
 * have equal bytes, so it only needs to spread ids over the table.
 */
function hashBytes(bytes: Uint8Array, start: number, length: number): number {
  let hash = 0x811c9dc5;
  for (let index = start; index < start + length; index++) {
    hash ^= bytes[index] as number;
    hash = Math.imul(hash, 0x01000193);
  }
  // MurmurHash3's finaliser: FNV leaves the low bits, which pick the slot, poorly mixed for
  // ids that differ only in their last characters, and linear probing then runs long.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const shorter = Math.min(a.length, b.length);
  for (let index = 0; index < shorter; index++) if (a[index] !== b[index]) return (a[index] as number) - (b[index] as number);
  return a.length - b.length;
}

/** The stored ids of an index: `bytes[offsets[row] .. offsets[row + 1])` for each of `count` rows. */
export interface CallIdParts {
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
  readonly count: number;
}

export class CallIdIndex {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /**
   * offsets[row] .. offsets[row + 1] are the bytes of row's id; 32 bits (4 bytes a call, not 8)
   * bound the ids to 4 GiB in all, over 100 million of them, far past what fits in memory.
   */
  private offsets = new Uint32Array(1 << 12);
  private count = 0;
  private slots: Int32Array;
  private mask: number;

  constructor(private readonly expectedRows = 1024) {
    let size = 1 << 10;
    while (size * MAX_LOAD < expectedRows) size <<= 1;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.offsets = new Uint32Array(Math.max(1024, expectedRows + 1));
  }

  get size(): number {
    return this.count;
  }

  /** The row already holding `callId`, or -1 after storing it as the next row. */
  findOrAdd(callId: string): number {
    const length = this.stage(callId);
    let slot = hashBytes(this.bytes, this.used, length) & this.mask;
    for (;;) {
      const row = this.slots[slot] as number;
      if (row === EMPTY) break;
      if (this.equalsStaged(row, length)) return row;
      slot = (slot + 1) & this.mask;
    }
    this.commit(length);
    this.slots[slot] = this.count - 1;
    if (this.count > this.slots.length * MAX_LOAD) this.rehash();
    return EMPTY;
  }

  parts(): CallIdParts {
    return { bytes: this.bytes, offsets: this.offsets, count: this.count };
  }

  /**
   * Appends another index's ids as the next rows, in their order. None of them may be here
   * already (the caller partitions ids, e.g. by a hash of the call_id): they are not looked up.
   */
  appendParts(other: CallIdParts): void {
    const first = other.offsets[0] as number;
    const length = (other.offsets[other.count] as number) - first;
    if (this.used + length > MAX_BYTES) throw new Error(`call ids take over ${MAX_BYTES} bytes`);
    if (this.used + length > this.bytes.length) {
      const grown = new Uint8Array(this.used + length + 1024);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(other.bytes.subarray(first, first + length), this.used);
    if (this.count + other.count + 2 > this.offsets.length) {
      const grown = new Uint32Array(this.count + other.count + 2);
      grown.set(this.offsets.subarray(0, this.count + 1));
      this.offsets = grown;
    }
    const shift = this.used - first;
    const start = this.count;
    for (let row = 1; row <= other.count; row++) this.offsets[start + row] = (other.offsets[row] as number) + shift;
    this.used += length;
    this.count += other.count;
    if (this.count > this.slots.length * MAX_LOAD) {
      this.rehash();
      return;
    }
    for (let row = start; row < this.count; row++) {
      let slot = this.hashRow(row) & this.mask;
      while (this.slots[slot] !== EMPTY) slot = (slot + 1) & this.mask;
      this.slots[slot] = row;
    }
  }

  /** Takes back the id stored last (its record was then rejected). */
  forgetLast(): void {
    const row = this.count - 1;
    let slot = this.hashRow(row) & this.mask;
    while (this.slots[slot] !== row) slot = (slot + 1) & this.mask;
    // Linear probing may only drop the newest entry this way: nothing later probed past it.
    this.slots[slot] = EMPTY;
    this.count--;
    this.used = this.offsets[this.count] as number;
  }

  callId(row: number): string {
    const start = this.offsets[row] as number;
    if (this.bytes[start] === PACKED) return unpack(this.bytes, start);
    return decoder.decode(this.bytes.subarray(start, start + this.length(row)));
  }

  /** Orders two rows' ids by their UTF-8 bytes (the same order as by code point). */
  compare(rowA: number, rowB: number): number {
    const startA = this.offsets[rowA] as number;
    const startB = this.offsets[rowB] as number;
    const packedA = this.bytes[startA] === PACKED;
    if (packedA !== (this.bytes[startB] === PACKED) || (packedA && this.bytes[startA + 1] !== this.bytes[startB + 1])) {
      // Different forms (rare: only ties in time get here): compare the texts' UTF-8 bytes.
      return compareBytes(encoder.encode(this.callId(rowA)), encoder.encode(this.callId(rowB)));
    }
    const lengthA = this.length(rowA);
    const lengthB = this.length(rowB);
    const shorter = Math.min(lengthA, lengthB);
    for (let index = 0; index < shorter; index++) {
      const difference = (this.bytes[startA + index] as number) - (this.bytes[startB + index] as number);
      if (difference !== 0) return difference;
    }
    return lengthA - lengthB;
  }

  private hashRow(row: number): number {
    return hashBytes(this.bytes, this.offsets[row] as number, this.length(row));
  }

  private length(row: number): number {
    return (this.offsets[row + 1] as number) - (this.offsets[row] as number);
  }

  /** Writes `callId` (packed, or as UTF-8) just past the stored ids, without keeping it yet. */
  private stage(callId: string): number {
    const worst = callId.length * 3;
    if (this.used + worst > MAX_BYTES) throw new Error(`call ids take over ${MAX_BYTES} bytes`);
    if (this.used + worst > this.bytes.length) {
      // Grow once to what the expected rows will need at the ids' average length so far,
      // rather than by half again and again: each growth copies every byte and, for a
      // moment, holds both buffers.
      const projected = this.count >= 1024 && this.count < this.expectedRows ? Math.ceil((this.used / this.count) * this.expectedRows * 1.05) : 0;
      const grown = new Uint8Array(Math.max(projected, Math.ceil(this.bytes.length * 1.5)) + worst);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const at = this.used;
    const shape = packedShape(callId);
    if (shape !== 0 && writePacked(this.bytes, at, callId, shape)) return PACKED_LENGTH;
    for (let index = 0; index < callId.length; index++) {
      const code = callId.charCodeAt(index);
      if (code >= 128) return encoder.encodeInto(callId, this.bytes.subarray(at)).written;
      this.bytes[at + index] = code;
    }
    return callId.length;
  }

  private equalsStaged(row: number, length: number): boolean {
    if (this.length(row) !== length) return false;
    const start = this.offsets[row] as number;
    const staged = this.used;
    for (let index = 0; index < length; index++) if (this.bytes[start + index] !== this.bytes[staged + index]) return false;
    return true;
  }

  private commit(length: number): void {
    this.used += length;
    if (this.count + 2 > this.offsets.length) {
      const grown = new Uint32Array(Math.ceil(this.offsets.length * 1.5) + 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.count++;
    this.offsets[this.count] = this.used;
  }

  private rehash(): void {
    let size = this.slots.length * 2;
    while (size * MAX_LOAD < this.count) size <<= 1;
    const slots = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let row = 0; row < this.count; row++) {
      let slot = this.hashRow(row) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = row;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
