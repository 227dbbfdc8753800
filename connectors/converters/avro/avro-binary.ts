// Avro's binary encoding, written straight into bytes and read straight out of them: zig-zag
// varints for int and long, little-endian IEEE floats, length-prefixed bytes and strings. The
// writer puts each message at the end of a shared slab and hands out a view of it (as the
// JsonConverter's writer does), so a record costs no Buffer of its own.
import { DataException } from '../../errors.js'
import { SlabWriter } from '../slab-writer.js'

/** Below this magnitude a long's zig-zag value (2|n|) is exact as a double; beyond, BigInt. */
const EXACT_ZIGZAG = 2 ** 52

export class AvroWriter extends SlabWriter {
  /** Confluent's framing: magic byte 0, the schema id as a big-endian int32. */
  header(id: number): void {
    this.reserve(5)
    this.buf[this.pos] = 0
    this.buf.writeInt32BE(id, this.pos + 1)
    this.pos += 5
  }

  byte(b: number): void {
    this.reserve(1)
    this.buf[this.pos++] = b
  }

  /** An int32 as a zig-zag varint. */
  int(n: number): void {
    this.reserve(5)
    let z = ((n << 1) ^ (n >> 31)) >>> 0
    const buf = this.buf
    let p = this.pos
    while (z > 0x7f) {
      buf[p++] = (z & 0x7f) | 0x80
      z >>>= 7
    }
    buf[p++] = z
    this.pos = p
  }

  /** A long given as a safe integer. */
  long(n: number): void {
    if (n >= 0x40000000 || n < -0x40000000) return this.longWide(n)
    this.int(n)
  }

  private longWide(n: number): void {
    if (n >= EXACT_ZIGZAG || n <= -EXACT_ZIGZAG) return this.bigLong(BigInt(n))
    this.reserve(10)
    let z = n >= 0 ? n * 2 : -n * 2 - 1
    const buf = this.buf
    let p = this.pos
    while (z > 0x7f) {
      buf[p++] = (z % 128) | 0x80
      z = Math.floor(z / 128)
    }
    buf[p++] = z
    this.pos = p
  }

  /** A long given as a BigInt (beyond 2^52, or digit text): must fit in 64 bits. */
  bigLong(n: bigint): void {
    if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) throw new DataException(`${n} does not fit in an Avro long`)
    this.reserve(10)
    let z = n >= 0n ? n << 1n : (-n << 1n) - 1n
    const buf = this.buf
    let p = this.pos
    while (z > 0x7fn) {
      buf[p++] = Number(z & 0x7fn) | 0x80
      z >>= 7n
    }
    buf[p++] = Number(z)
    this.pos = p
  }

  float(x: number): void {
    this.reserve(4)
    this.buf.writeFloatLE(x, this.pos)
    this.pos += 4
  }

  double(x: number): void {
    this.reserve(8)
    this.buf.writeDoubleLE(x, this.pos)
    this.pos += 8
  }

  bytes(b: Uint8Array): void {
    this.long(b.length)
    this.reserve(b.length)
    this.buf.set(b, this.pos)
    this.pos += b.length
  }

  /** A string as its UTF-8 length and bytes; ASCII is copied without measuring first. */
  string(s: string): void {
    const n = s.length
    if (n < 64) {
      // One length byte (zig-zag 2n < 128) when every character is ASCII.
      this.reserve(n + 1)
      const buf = this.buf
      let p = this.pos + 1
      let i = 0
      for (; i < n; i++) {
        const c = s.charCodeAt(i)
        if (c > 0x7f) break
        buf[p++] = c
      }
      if (i === n) {
        buf[this.pos] = n << 1
        this.pos = p
        return
      }
    }
    const len = Buffer.byteLength(s, 'utf8')
    this.long(len)
    this.reserve(len)
    this.pos += this.buf.write(s, this.pos, len, 'utf8')
  }
}

/** Reads one message; a read past its end is a DataException (truncated or not Avro of this schema). */
export class AvroReader {
  pos: number
  constructor(readonly buf: Buffer, start: number, readonly end: number = buf.length) {
    this.pos = start
  }

  private truncated(): never {
    throw new DataException(`Avro data ends early: ${this.end - this.pos} bytes left where more were needed (not written with this schema?)`)
  }

  int(): number {
    const buf = this.buf
    let p = this.pos
    let z = 0
    let shift = 0
    for (;;) {
      if (p >= this.end) this.truncated()
      const b = buf[p++]!
      z |= (b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7
      if (shift > 28) throw new DataException('Avro int longer than 5 bytes')
    }
    this.pos = p
    return (z >>> 1) ^ -(z & 1)
  }

  /** A long: a number when it is a safe integer, else its exact digits. */
  long(): number | string {
    const buf = this.buf
    let p = this.pos
    let z = 0
    let mul = 1
    for (let i = 0; i < 7; i++) {
      if (p >= this.end) this.truncated()
      const b = buf[p++]!
      z += (b & 0x7f) * mul
      if (b < 0x80) {
        this.pos = p
        // z < 2^49: exact.
        return z % 2 === 0 ? z / 2 : -(z + 1) / 2
      }
      mul *= 128
    }
    // More than 49 bits: finish in BigInt.
    let big = BigInt(z)
    let shift = 49n
    for (;;) {
      if (p >= this.end) this.truncated()
      const b = buf[p++]!
      big |= BigInt(b & 0x7f) << shift
      if (b < 0x80) break
      shift += 7n
      if (shift > 63n) throw new DataException('Avro long longer than 10 bytes')
    }
    this.pos = p
    const v = (big & 1n) === 0n ? big >> 1n : -((big + 1n) >> 1n)
    return v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(v) : v.toString()
  }

  /** A length or count: a long that must be a safe integer. */
  count(): number {
    const n = this.long()
    if (typeof n !== 'number') throw new DataException(`Avro length ${n} is out of range`)
    return n
  }

  float(): number {
    if (this.pos + 4 > this.end) this.truncated()
    const x = this.buf.readFloatLE(this.pos)
    this.pos += 4
    return x
  }

  double(): number {
    if (this.pos + 8 > this.end) this.truncated()
    const x = this.buf.readDoubleLE(this.pos)
    this.pos += 8
    return x
  }

  boolean(): boolean {
    if (this.pos >= this.end) this.truncated()
    return this.buf[this.pos++] !== 0
  }

  /** `n` raw bytes, copied (the record's buffer is not ours to keep). */
  fixed(n: number): Buffer {
    if (n < 0 || this.pos + n > this.end) this.truncated()
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + n))
    this.pos += n
    return out
  }

  bytes(): Buffer {
    return this.fixed(this.count())
  }

  string(): string {
    const n = this.count()
    if (n < 0 || this.pos + n > this.end) this.truncated()
    const s = this.buf.toString('utf8', this.pos, this.pos + n)
    this.pos += n
    return s
  }

  /** Items of an array or map block by block: calls `item` for each; a negative count carries the block's size in bytes. */
  blocks(item: () => void): void {
    for (;;) {
      let n = this.count()
      if (n === 0) return
      if (n < 0) {
        n = -n
        this.count()
      }
      for (let i = 0; i < n; i++) item()
    }
  }
}
