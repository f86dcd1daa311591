/**
 * The call ids of accepted records, packed as UTF-8 bytes in one growing buffer and indexed
 * by an open-addressing hash table of row numbers. Ten million ids take ~200 MB this way
 * instead of ~1 GB as JavaScript strings in a Map, and the ids can still be compared exactly
 * (the draw-down breaks ties by call_id) and printed back.
 */

const EMPTY = -1;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function hashString(text: string): number {
  // FNV-1a over UTF-16 code units; only needs to spread ids over the table.
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class CallIdIndex {
  private bytes = new Uint8Array(1 << 16);
  private used = 0;
  /** offsets[row] .. offsets[row + 1] are the bytes of row's id. */
  private offsets = new Float64Array(1 << 12);
  private count = 0;
  private slots: Int32Array;
  private mask: number;

  constructor(expectedRows = 1024) {
    let size = 1 << 10;
    while (size < expectedRows * 2) size <<= 1;
    this.slots = new Int32Array(size).fill(EMPTY);
    this.mask = size - 1;
    this.offsets = new Float64Array(Math.max(1024, expectedRows + 1));
  }

  get size(): number {
    return this.count;
  }

  /** The row already holding `callId`, or -1 after storing it as the next row. */
  findOrAdd(callId: string): number {
    const length = this.stage(callId);
    let slot = hashString(callId) & this.mask;
    for (;;) {
      const row = this.slots[slot] as number;
      if (row === EMPTY) break;
      if (this.equalsStaged(row, length)) return row;
      slot = (slot + 1) & this.mask;
    }
    this.commit(length);
    this.slots[slot] = this.count - 1;
    if (this.count * 2 > this.slots.length) this.rehash();
    return EMPTY;
  }

  /** Takes back the id stored last (its record was then rejected). */
  forgetLast(): void {
    const row = this.count - 1;
    let slot = hashString(this.callId(row)) & this.mask;
    while (this.slots[slot] !== row) slot = (slot + 1) & this.mask;
    // Linear probing may only drop the newest entry this way: nothing later probed past it.
    this.slots[slot] = EMPTY;
    this.count--;
    this.used = this.offsets[this.count] as number;
  }

  callId(row: number): string {
    const start = this.offsets[row] as number;
    return decoder.decode(this.bytes.subarray(start, start + this.length(row)));
  }

  /** Orders two rows' ids by their UTF-8 bytes (the same order as by code point). */
  compare(rowA: number, rowB: number): number {
    const startA = this.offsets[rowA] as number;
    const startB = this.offsets[rowB] as number;
    const lengthA = this.length(rowA);
    const lengthB = this.length(rowB);
    const shorter = Math.min(lengthA, lengthB);
    for (let index = 0; index < shorter; index++) {
      const difference = (this.bytes[startA + index] as number) - (this.bytes[startB + index] as number);
      if (difference !== 0) return difference;
    }
    return lengthA - lengthB;
  }

  private length(row: number): number {
    return (this.offsets[row + 1] as number) - (this.offsets[row] as number);
  }

  /** Writes `callId` as UTF-8 just past the stored ids, without keeping it yet. */
  private stage(callId: string): number {
    const worst = callId.length * 3;
    if (this.used + worst > this.bytes.length) {
      const grown = new Uint8Array(Math.ceil(this.bytes.length * 1.5) + worst);
      grown.set(this.bytes.subarray(0, this.used));
      this.bytes = grown;
    }
    const at = this.used;
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
      const grown = new Float64Array(Math.ceil(this.offsets.length * 1.5) + 2);
      grown.set(this.offsets);
      this.offsets = grown;
    }
    this.count++;
    this.offsets[this.count] = this.used;
  }

  private rehash(): void {
    const size = this.slots.length * 2;
    const slots = new Int32Array(size).fill(EMPTY);
    const mask = size - 1;
    for (let row = 0; row < this.count; row++) {
      let slot = hashString(this.callId(row)) & mask;
      while (slots[slot] !== EMPTY) slot = (slot + 1) & mask;
      slots[slot] = row;
    }
    this.slots = slots;
    this.mask = mask;
  }
}
