// Growable writer that builds a list of chunks. Small values go into a scratch buffer;
// when it fills up, the filled part becomes a chunk and a bigger scratch is allocated, so
// nothing already written is ever copied. Large payloads (record batches) passed to
// writeRaw/writeRecords become chunks of their own without being copied.
//
// Output: toBuffers() returns the chunks (views, for socket writev/cork, valid until the
// next reset()); toBuffer() copies them once into one fresh Buffer (safe to keep).
// A Writer can be reset() and reused so its scratch memory is recycled between messages.

import { ProtocolError } from '../errors.js'
import { ZERO_UUID } from './reader.js'

const TWO_32 = 4294967296
const TWO_63 = 9223372036854775808
/** Payloads at least this big are linked as chunks instead of copied. */
const LINK_THRESHOLD = 256

/** Where a value reserved with reserveInt32() lives, to be patched later. */
export interface Int32Slot {
  readonly buf: Buffer
  readonly at: number
}

function invalid(message: string): ProtocolError {
  return new ProtocolError('INVALID_VALUE', message)
}

export class Writer {
  private chunks: Buffer[] = []
  private chunksLength = 0
  private buf: Buffer
  /** Start of the part of `buf` not yet sealed into `chunks`. */
  private start = 0
  private pos = 0

  constructor(initialSize = 1024) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialSize))
  }

  /** Bytes written so far. */
  get length(): number {
    return this.chunksLength + this.pos - this.start
  }

  /** Forgets the content and recycles the scratch buffer; earlier toBuffers() views become invalid. */
  reset(): this {
    this.chunks = []
    this.chunksLength = 0
    this.start = 0
    this.pos = 0
    return this
  }

  private seal(): void {
    if (this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos))
      this.chunksLength += this.pos - this.start
    }
    this.start = this.pos
  }

  private ensure(n: number): void {
    if (this.buf.length - this.pos >= n) return
    this.seal()
    this.buf = Buffer.allocUnsafe(Math.max(n, this.buf.length * 2))
    this.start = 0
    this.pos = 0
  }

  writeInt8(v: number): this {
    this.ensure(1)
    this.buf.writeInt8(v, this.pos)
    this.pos += 1
    return this
  }

  writeBool(v: boolean): this {
    this.ensure(1)
    this.buf[this.pos++] = v ? 1 : 0
    return this
  }

  writeInt16(v: number): this {
    this.ensure(2)
    this.buf.writeInt16BE(v, this.pos)
    this.pos += 2
    return this
  }

  writeUInt16(v: number): this {
    this.ensure(2)
    this.buf.writeUInt16BE(v, this.pos)
    this.pos += 2
    return this
  }

  writeInt32(v: number): this {
    this.ensure(4)
    this.buf.writeInt32BE(v, this.pos)
    this.pos += 4
    return this
  }

  writeUInt32(v: number): this {
    this.ensure(4)
    this.buf.writeUInt32BE(v, this.pos)
    this.pos += 4
    return this
  }

  /** Saturates at the int64 bounds so Long.MAX/MIN sentinels (read back as ±2^63) round-trip. */
  writeInt64(v: number): this {
    if (!Number.isInteger(v)) throw invalid(`int64 value ${v} is not an integer`)
    this.ensure(8)
    if (v >= TWO_63) {
      this.buf.writeUInt32BE(0x7fffffff, this.pos)
      this.buf.writeUInt32BE(0xffffffff, this.pos + 4)
    } else if (v <= -TWO_63) {
      this.buf.writeUInt32BE(0x80000000, this.pos)
      this.buf.writeUInt32BE(0, this.pos + 4)
    } else {
      const hi = Math.floor(v / TWO_32)
      this.buf.writeInt32BE(hi, this.pos)
      this.buf.writeUInt32BE(v - hi * TWO_32, this.pos + 4)
    }
    this.pos += 8
    return this
  }

  writeFloat64(v: number): this {
    this.ensure(8)
    this.buf.writeDoubleBE(v, this.pos)
    this.pos += 8
    return this
  }

  writeUnsignedVarInt(v: number): this {
    if (!(v >= 0 && v < TWO_32 && Number.isInteger(v))) throw invalid(`unsigned varint ${v} out of range`)
    this.ensure(5)
    const buf = this.buf
    while (v >= 0x80) {
      buf[this.pos++] = (v & 0x7f) | 0x80
      v = Math.floor(v / 128)
    }
    buf[this.pos++] = v
    return this
  }

  writeVarInt(v: number): this {
    if (!(v >= -2147483648 && v <= 2147483647 && Number.isInteger(v))) throw invalid(`varint ${v} out of range`)
    return this.writeUnsignedVarInt(v >= 0 ? v * 2 : -v * 2 - 1)
  }

  /** Zigzag varlong from a number (exact within ±2^53). */
  writeVarLong(v: number): this {
    if (!Number.isSafeInteger(v)) throw invalid(`varlong ${v} is not a safe integer`)
    // zigzag u = 2b + sign can exceed 2^53; emit the first byte from b and sign, then b / 64
    const sign = v < 0 ? 1 : 0
    const b = sign === 1 ? -v - 1 : v
    this.ensure(10)
    const buf = this.buf
    let rest = Math.floor(b / 64)
    const first = ((b % 64) << 1) | sign
    if (rest === 0) {
      buf[this.pos++] = first
      return this
    }
    buf[this.pos++] = first | 0x80
    while (rest >= 0x80) {
      buf[this.pos++] = (rest % 128) | 0x80
      rest = Math.floor(rest / 128)
    }
    buf[this.pos++] = rest
    return this
  }

  private utf8(s: string, len: number): void {
    this.ensure(len)
    this.pos += this.buf.write(s, this.pos, len, 'utf8')
  }

  writeString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8')
    if (len > 0x7fff) throw invalid(`string of ${len} bytes exceeds the int16 length limit`)
    this.writeInt16(len)
    this.utf8(s, len)
    return this
  }

  writeNullableString(s: string | null): this {
    return s === null ? this.writeInt16(-1) : this.writeString(s)
  }

  writeCompactString(s: string): this {
    const len = Buffer.byteLength(s, 'utf8')
    this.writeUnsignedVarInt(len + 1)
    this.utf8(s, len)
    return this
  }

  writeCompactNullableString(s: string | null): this {
    return s === null ? this.writeUnsignedVarInt(0) : this.writeCompactString(s)
  }

  /** Appends bytes as they are; big payloads are linked as a chunk, not copied. */
  writeRaw(b: Buffer): this {
    if (b.length >= LINK_THRESHOLD) {
      this.seal()
      this.chunks.push(b)
      this.chunksLength += b.length
    } else {
      this.ensure(b.length)
      b.copy(this.buf, this.pos)
      this.pos += b.length
    }
    return this
  }

  writeBytes(b: Buffer): this {
    this.writeInt32(b.length)
    return this.writeRaw(b)
  }

  writeNullableBytes(b: Buffer | null): this {
    return b === null ? this.writeInt32(-1) : this.writeBytes(b)
  }

  writeCompactBytes(b: Buffer): this {
    this.writeUnsignedVarInt(b.length + 1)
    return this.writeRaw(b)
  }

  writeCompactNullableBytes(b: Buffer | null): this {
    return b === null ? this.writeUnsignedVarInt(0) : this.writeCompactBytes(b)
  }

  /** A records field (nullable bytes on the wire); the batches are linked, not copied. */
  writeRecords(b: Buffer | null, compact: boolean): this {
    return compact ? this.writeCompactNullableBytes(b) : this.writeNullableBytes(b)
  }

  writeUuid(id: string): this {
    if (id === ZERO_UUID) {
      this.ensure(16)
      this.buf.fill(0, this.pos, this.pos + 16)
      this.pos += 16
      return this
    }
    if (id.length !== 22 || !/^[A-Za-z0-9_-]{21}[AQgw]$/.test(id)) {
      throw invalid(`uuid '${id}' is not 22 characters of unpadded base64url`)
    }
    this.ensure(16)
    this.pos += this.buf.write(id, this.pos, 16, 'base64url')
    return this
  }

  /** int32 count, -1 for null. */
  writeArrayLength(n: number | null): this {
    return this.writeInt32(n === null ? -1 : n)
  }

  /** Unsigned varint count + 1, 0 for null. */
  writeCompactArrayLength(n: number | null): this {
    return this.writeUnsignedVarInt(n === null ? 0 : n + 1)
  }

  /** Reserves 4 bytes (e.g. a frame size prefix) to be filled in by patchInt32. */
  reserveInt32(): Int32Slot {
    this.ensure(4)
    const slot = { buf: this.buf, at: this.pos }
    this.pos += 4
    return slot
  }

  patchInt32(slot: Int32Slot, v: number): this {
    slot.buf.writeInt32BE(v, slot.at)
    return this
  }

  /** Moves the content of another writer to the end of this one (no copy of linked chunks). */
  append(other: Writer): this {
    for (const c of other.toBuffers()) this.writeRaw(c)
    return this
  }

  /** The written bytes as chunks, without copying. Valid until reset(). */
  toBuffers(): Buffer[] {
    this.seal()
    return this.chunks.slice()
  }

  /** The written bytes copied once into a new Buffer that outlives reset(). */
  toBuffer(): Buffer {
    this.seal()
    const out = Buffer.allocUnsafe(this.chunksLength)
    let at = 0
    for (const c of this.chunks) {
      c.copy(out, at)
      at += c.length
    }
    return out
  }
}
