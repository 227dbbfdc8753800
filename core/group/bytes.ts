// Minimal big-endian reader/writer for the small non-flexible Kafka structures
// the group layer hand-encodes (__consumer_offsets records, consumer protocol).
import { CorruptRecordError } from '../errors.js'
import { readInt64, writeInt64 } from '../protocol/records/batch-header.js'

export class ByteWriter {
  private buf: Buffer
  private pos = 0

  constructor(initialSize = 64) {
    this.buf = Buffer.allocUnsafe(initialSize)
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n))
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  int8(v: number): this {
    this.ensure(1)
    this.pos = this.buf.writeInt8(v, this.pos)
    return this
  }

  int16(v: number): this {
    this.ensure(2)
    this.pos = this.buf.writeInt16BE(v, this.pos)
    return this
  }

  int32(v: number): this {
    this.ensure(4)
    this.pos = this.buf.writeInt32BE(v, this.pos)
    return this
  }

  int64(v: number): this {
    this.ensure(8)
    writeInt64(this.buf, this.pos, v)
    this.pos += 8
    return this
  }

  /** int16 length + UTF-8; null as length -1. */
  string(s: string | null): this {
    if (s === null) return this.int16(-1)
    const len = Buffer.byteLength(s, 'utf8')
    if (len > 0x7fff) throw new CorruptRecordError(`String of ${len} bytes does not fit an int16 length`)
    this.int16(len)
    this.ensure(len)
    this.pos += this.buf.write(s, this.pos, 'utf8')
    return this
  }

  /** int32 length + bytes; null as length -1. */
  bytes(b: Buffer | null): this {
    if (b === null) return this.int32(-1)
    this.int32(b.length)
    this.ensure(b.length)
    this.pos += b.copy(this.buf, this.pos)
    return this
  }

  array<T>(items: readonly T[], each: (w: this, item: T) => void): this {
    this.int32(items.length)
    for (const item of items) each(this, item)
    return this
  }

  finish(): Buffer {
    return this.buf.subarray(0, this.pos)
  }
}

export class ByteReader {
  pos = 0
  constructor(
    private readonly buf: Buffer,
    private readonly what: string,
  ) {}

  get remaining(): number {
    return this.buf.length - this.pos
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) {
      throw new CorruptRecordError(`Truncated ${this.what}: needed ${n} bytes at ${this.pos} of ${this.buf.length}`, this.pos)
    }
  }

  int16(): number {
    this.need(2)
    const v = this.buf.readInt16BE(this.pos)
    this.pos += 2
    return v
  }

  int32(): number {
    this.need(4)
    const v = this.buf.readInt32BE(this.pos)
    this.pos += 4
    return v
  }

  int64(): number {
    this.need(8)
    const v = readInt64(this.buf, this.pos)
    this.pos += 8
    return v
  }

  nullableString(): string | null {
    const len = this.int16()
    if (len < 0) return null
    this.need(len)
    const s = this.buf.toString('utf8', this.pos, this.pos + len)
    this.pos += len
    return s
  }

  string(): string {
    const s = this.nullableString()
    if (s === null) throw new CorruptRecordError(`Null string in ${this.what} where one is required`, this.pos)
    return s
  }

  /** Copies, so decoded values do not pin the record's buffer. */
  nullableBytes(): Buffer | null {
    const len = this.int32()
    if (len < 0) return null
    this.need(len)
    const b = Buffer.from(this.buf.subarray(this.pos, this.pos + len))
    this.pos += len
    return b
  }

  bytes(): Buffer {
    return this.nullableBytes() ?? Buffer.alloc(0)
  }

  array<T>(each: (r: this) => T): T[] {
    const n = this.int32()
    if (n < 0) return []
    // Every element takes at least one byte; a huge count is corruption, not a reason to allocate.
    if (n > this.remaining) throw new CorruptRecordError(`Array count ${n} exceeds the ${this.remaining} bytes left in ${this.what}`, this.pos)
    const out: T[] = []
    for (let i = 0; i < n; i++) out.push(each(this))
    return out
  }
}
