// Cursor over one received buffer. Every read checks the bytes left first and throws
// ProtocolError('MALFORMED'); lengths are checked against the bytes left before anything
// is allocated, so garbage can neither hang the decoder nor make it allocate much.
//
// Representation choices (shared with Writer):
// - int64 is a JS number: exact within ±2^53 (offsets, timestamps, producer ids), larger
//   magnitudes are rounded to the nearest double. Long.MAX/MIN sentinels still round-trip
//   because Writer saturates at the int64 bounds.
// - uuid is Kafka's own text form: 22 chars of unpadded base64url (what Kafka tools print).
// - records are a subarray of the received buffer (no copy, no decoding); `bytes` fields are
//   copied so that small values kept long-term (group metadata) do not pin a whole frame.

import { malformed } from '../errors.js'

const TWO_32 = 4294967296

export const ZERO_UUID = 'AAAAAAAAAAAAAAAAAAAAAA'

export class Reader {
  readonly buf: Buffer
  pos: number
  readonly end: number

  constructor(buf: Buffer, offset = 0, end = buf.length) {
    this.buf = buf
    this.pos = offset
    this.end = end
  }

  get remaining(): number {
    return this.end - this.pos
  }

  private need(n: number, what: string): void {
    if (this.end - this.pos < n) {
      throw malformed(`Truncated ${what}: needed ${n} bytes at offset ${this.pos}, ${this.end - this.pos} left`)
    }
  }

  skip(n: number): void {
    this.need(n, 'field')
    this.pos += n
  }

  readInt8(): number {
    this.need(1, 'int8')
    return this.buf.readInt8(this.pos++)
  }

  readUInt8(): number {
    this.need(1, 'uint8')
    return this.buf[this.pos++]!
  }

  readBool(): boolean {
    this.need(1, 'bool')
    return this.buf[this.pos++] !== 0
  }

  readInt16(): number {
    this.need(2, 'int16')
    const v = this.buf.readInt16BE(this.pos)
    this.pos += 2
    return v
  }

  readUInt16(): number {
    this.need(2, 'uint16')
    const v = this.buf.readUInt16BE(this.pos)
    this.pos += 2
    return v
  }

  readInt32(): number {
    this.need(4, 'int32')
    const v = this.buf.readInt32BE(this.pos)
    this.pos += 4
    return v
  }

  readUInt32(): number {
    this.need(4, 'uint32')
    const v = this.buf.readUInt32BE(this.pos)
    this.pos += 4
    return v
  }

  readInt64(): number {
    this.need(8, 'int64')
    const v = this.buf.readInt32BE(this.pos) * TWO_32 + this.buf.readUInt32BE(this.pos + 4)
    this.pos += 8
    return v
  }

  readFloat64(): number {
    this.need(8, 'float64')
    const v = this.buf.readDoubleBE(this.pos)
    this.pos += 8
    return v
  }

  /** Unsigned LEB128, at most 5 bytes, result in [0, 2^32). */
  readUnsignedVarInt(): number {
    const buf = this.buf
    let value = 0
    for (let i = 0; i < 5; i++) {
      if (this.pos >= this.end) throw malformed(`Truncated varint at offset ${this.pos}`)
      const b = buf[this.pos++]!
      if (i === 4 && b > 0x0f) throw malformed(`Varint longer than 32 bits at offset ${this.pos - 1}`)
      value += (b & 0x7f) * 2 ** (7 * i)
      if (b < 0x80) return value
    }
    throw malformed(`Varint longer than 5 bytes at offset ${this.pos}`)
  }

  /** Zigzag-encoded signed 32-bit varint. */
  readVarInt(): number {
    const u = this.readUnsignedVarInt()
    return u % 2 === 0 ? u / 2 : -(u + 1) / 2
  }

  /** Zigzag-encoded signed 64-bit varint, as a number (exact within ±2^53). */
  readVarLong(): number {
    // zigzag u = 2b + sign: peel the sign bit off the first byte so b stays exact
    const buf = this.buf
    if (this.pos >= this.end) throw malformed(`Truncated varlong at offset ${this.pos}`)
    const first = buf[this.pos++]!
    const sign = first & 1
    let b = (first & 0x7f) >>> 1
    if (first >= 0x80) {
      let scale = 64
      for (let i = 1; ; i++) {
        if (i === 10) throw malformed(`Varlong longer than 10 bytes at offset ${this.pos}`)
        if (this.pos >= this.end) throw malformed(`Truncated varlong at offset ${this.pos}`)
        const byte = buf[this.pos++]!
        if (i === 9 && byte > 0x01) throw malformed(`Varlong longer than 64 bits at offset ${this.pos - 1}`)
        b += (byte & 0x7f) * scale
        scale *= 128
        if (byte < 0x80) break
      }
    }
    return sign === 0 ? b : -b - 1
  }

  private utf8(len: number): string {
    this.need(len, 'string')
    const s = this.buf.toString('utf8', this.pos, this.pos + len)
    this.pos += len
    return s
  }

  readString(): string {
    const len = this.readInt16()
    if (len < 0) throw malformed(`Null string where a string is required at offset ${this.pos - 2}`)
    return this.utf8(len)
  }

  readNullableString(): string | null {
    const len = this.readInt16()
    if (len === -1) return null
    if (len < 0) throw malformed(`Negative string length ${len} at offset ${this.pos - 2}`)
    return this.utf8(len)
  }

  readCompactString(): string {
    const len = this.readUnsignedVarInt() - 1
    if (len < 0) throw malformed(`Null compact string where a string is required at offset ${this.pos}`)
    return this.utf8(len)
  }

  readCompactNullableString(): string | null {
    const len = this.readUnsignedVarInt() - 1
    return len < 0 ? null : this.utf8(len)
  }

  private view(len: number, what: string): Buffer {
    this.need(len, what)
    const b = this.buf.subarray(this.pos, this.pos + len)
    this.pos += len
    return b
  }

  private bytesLength(compact: boolean): number {
    if (compact) return this.readUnsignedVarInt() - 1
    const len = this.readInt32()
    if (len < -1) throw malformed(`Negative bytes length ${len} at offset ${this.pos - 4}`)
    return len
  }

  readBytes(): Buffer {
    const len = this.bytesLength(false)
    if (len < 0) throw malformed(`Null bytes where bytes are required at offset ${this.pos}`)
    return Buffer.from(this.view(len, 'bytes'))
  }

  readNullableBytes(): Buffer | null {
    const len = this.bytesLength(false)
    return len < 0 ? null : Buffer.from(this.view(len, 'bytes'))
  }

  readCompactBytes(): Buffer {
    const len = this.bytesLength(true)
    if (len < 0) throw malformed(`Null compact bytes where bytes are required at offset ${this.pos}`)
    return Buffer.from(this.view(len, 'bytes'))
  }

  readCompactNullableBytes(): Buffer | null {
    const len = this.bytesLength(true)
    return len < 0 ? null : Buffer.from(this.view(len, 'bytes'))
  }

  /** A records field: a view into the received buffer, never copied nor parsed. */
  readRecords(compact: boolean): Buffer | null {
    const len = this.bytesLength(compact)
    return len < 0 ? null : this.view(len, 'records')
  }

  readUuid(): string {
    return this.view(16, 'uuid').toString('base64url')
  }

  /** int32 element count; -1 for a null array. Counts above the bytes left are rejected. */
  readArrayLength(): number {
    const n = this.readInt32()
    if (n < -1) throw malformed(`Negative array length ${n} at offset ${this.pos - 4}`)
    if (n > this.end - this.pos) {
      throw malformed(`Array of ${n} elements cannot fit in ${this.end - this.pos} bytes at offset ${this.pos}`)
    }
    return n
  }

  /** Unsigned varint count + 1; -1 for a null array. */
  readCompactArrayLength(): number {
    const n = this.readUnsignedVarInt() - 1
    if (n > this.end - this.pos) {
      throw malformed(`Array of ${n} elements cannot fit in ${this.end - this.pos} bytes at offset ${this.pos}`)
    }
    return n
  }

  /** Skips a tagged-fields section entirely (for messages whose tags are all unknown). */
  skipTaggedFields(): void {
    const n = this.readUnsignedVarInt()
    for (let i = 0; i < n; i++) {
      this.readUnsignedVarInt()
      this.skip(this.readUnsignedVarInt())
    }
  }

  /** Checks that a known tagged field consumed exactly the size its header announced. */
  endTaggedField(start: number, size: number, tag: number): void {
    if (this.pos !== start + size) {
      throw malformed(`Tagged field ${tag} announced ${size} bytes but used ${this.pos - start}`)
    }
  }
}
