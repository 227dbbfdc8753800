// The Kafka v2 record batch codec: the producer encodes records straight into a
// reusable buffer in wire form; the consumer reads records as views over the
// (decompressed) batch bytes. Header layout lives in batch-header.ts.
import { CorruptRecordError } from '../../errors.js'
import {
  ATTRIBUTES,
  BASE_OFFSET,
  BASE_SEQUENCE,
  BASE_TIMESTAMP,
  BATCH_HEADER_SIZE,
  BATCH_LENGTH,
  COMPRESSION_MASK,
  CONTROL_MASK,
  CRC,
  CompressionType,
  DELETE_HORIZON_MASK,
  LAST_OFFSET_DELTA,
  LOG_OVERHEAD,
  MAGIC,
  MAX_TIMESTAMP,
  NO_PARTITION_LEADER_EPOCH,
  NO_PRODUCER_EPOCH,
  NO_PRODUCER_ID,
  NO_SEQUENCE,
  PARTITION_LEADER_EPOCH,
  PRODUCER_EPOCH,
  PRODUCER_ID,
  RECORD_COUNT,
  RECORDS,
  TIMESTAMP_TYPE_MASK,
  TRANSACTIONAL_MASK,
  TimestampType,
  readInt64,
  writeInt64,
} from './batch-header.js'
import { compress, decompress } from './compression.js'
import { computeBatchCrc, writeBatchCrc } from './crc32c.js'
import { utf8Length, writeUtf8 } from './utf8.js'
import { type Cursor, sizeOfVarint, sizeOfVarlong, writeVarint, writeVarlong } from './varint.js'

export interface RecordHeader {
  key: string
  value: Buffer | null
}

export interface RecordInput {
  /** A string is UTF-8 text, written straight into the batch (no Buffer of its own). */
  key: Buffer | string | null
  value: Buffer | string | null
  headers?: readonly RecordHeader[]
  timestamp: number
}

export interface BatchOptions {
  baseOffset?: number
  compression?: CompressionType
  producerId?: number
  producerEpoch?: number
  baseSequence?: number
  transactional?: boolean
  isControl?: boolean
  timestampType?: TimestampType
  partitionLeaderEpoch?: number
  /** KIP-534 delete horizon: sets attribute bit 6 and is written as baseTimestamp. */
  deleteHorizonMs?: number
}

export interface DecodedRecord {
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

export interface RecordBatchInfo {
  baseOffset: number
  lastOffset: number
  /** Total bytes of the batch, header included. */
  size: number
  partitionLeaderEpoch: number
  magic: number
  crc: number
  attributes: number
  compression: CompressionType
  timestampType: TimestampType
  isTransactional: boolean
  isControl: boolean
  baseTimestamp: number
  maxTimestamp: number
  producerId: number
  producerEpoch: number
  baseSequence: number
  recordCount: number
  /** The KIP-534 delete horizon (baseTimestamp) when attribute bit 6 is set. */
  deleteHorizonMs: number | null
}

/** The only record batch format Brook reads or writes. */
export const CURRENT_MAGIC = 2
/** Kafka's RecordBatch.NO_TIMESTAMP. */
export const NO_TIMESTAMP = -1

const MIN_BATCH_LENGTH = BATCH_HEADER_SIZE - LOG_OVERHEAD
const DEFAULT_CAPACITY = 16 * 1024

// ---- encoding --------------------------------------------------------------

/** Bytes of one record's body (everything after its length varint); key and value lengths as measured (-1: null). */
function bodySize(offsetDelta: number, timestampDelta: number, keyLength: number, valueLength: number, r: RecordInput): number {
  let size =
    1 +
    sizeOfVarlong(timestampDelta) +
    sizeOfVarint(offsetDelta) +
    (keyLength < 0 ? 1 : sizeOfVarint(keyLength) + keyLength) +
    (valueLength < 0 ? 1 : sizeOfVarint(valueLength) + valueLength)
  const headers = r.headers
  if (headers === undefined || headers.length === 0) return size + 1
  size += sizeOfVarint(headers.length)
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]!
    const kl = Buffer.byteLength(h.key, 'utf8')
    size += sizeOfVarint(kl) + kl
    const hv = h.value
    size += hv === null ? 1 : sizeOfVarint(hv.length) + hv.length
  }
  return size
}

/** Bytes one record takes in a batch, length prefix included. */
export function sizeOfRecord(offsetDelta: number, timestampDelta: number, record: RecordInput): number {
  const body = bodySize(offsetDelta, timestampDelta, byteLength(record.key), byteLength(record.value), record)
  return sizeOfVarint(body) + body
}

/** Bytes of a key or value; -1 for null. */
function byteLength(v: Buffer | string | null): number {
  if (v === null) return -1
  return typeof v === 'string' ? utf8Length(v) : v.length
}

/**
 * Bytes of a key or value if its text is ASCII (one byte per unit, no measuring pass); short text
 * that is not is found while it is written (writeBytes returns -1) and the record written again.
 */
function asciiLength(v: Buffer | string | null): number {
  if (v === null) return -1
  return typeof v === 'string' ? (v.length <= ASCII_GUESS_MAX ? v.length : utf8Length(v)) : v.length
}

/** Text up to this many units is guessed ASCII (asciiLength). */
const ASCII_GUESS_MAX = 64

/**
 * Writes a key or value of `length` bytes (from byteLength or asciiLength) with its length prefix;
 * -1 when text guessed ASCII is not (nothing else is then valid).
 */
function writeBytes(v: Buffer | string | null, length: number, buf: Buffer, pos: number): number {
  if (v === null) return writeNull(buf, pos)
  pos = writeVarint(buf, pos, length)
  if (typeof v !== 'string') return copyBytes(v, buf, pos)
  if (length === v.length && length <= ASCII_GUESS_MAX) {
    for (let i = 0; i < length; i++) {
      const c = v.charCodeAt(i)
      if (c >= 0x80) return -1
      buf[pos + i] = c
    }
    return pos + length
  }
  return writeUtf8(v, buf, pos, length)
}

// Small copies are cheaper inline than through Buffer#copy's native call.
function copyBytes(src: Buffer, dst: Buffer, pos: number): number {
  const n = src.length
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[pos + i] = src[i]!
  } else {
    dst.set(src, pos)
  }
  return pos + n
}

/** A value that is the key itself (the same string or Buffer): the key's `n` bytes, which end at `keyEnd`, copied after their length (not encoded again). */
function copyKeyAsValue(buf: Buffer, keyEnd: number, n: number): number {
  const from = keyEnd - n
  const pos = writeVarint(buf, keyEnd, n)
  for (let i = 0; i < n; i++) buf[pos + i] = buf[from + i]!
  return pos + n
}

/** A null key or value: length -1. */
function writeNull(buf: Buffer, pos: number): number {
  buf[pos] = 1 // zigzag(-1)
  return pos + 1
}

/** Copies src[start, start + n) to dst at pos (small copies inline, as copyBytes). */
function copyRange(src: Buffer, start: number, n: number, dst: Buffer, pos: number): number {
  if (n < 64) {
    for (let i = 0; i < n; i++) dst[pos + i] = src[start + i]!
  } else {
    src.copy(dst, pos, start, start + n)
  }
  return pos + n
}

/** A record's length, attributes, timestamp delta and offset delta; returns where its key goes. */
function writeRecordStart(buf: Buffer, pos: number, body: number, tsDelta: number, offsetDelta: number): number {
  pos = writeVarint(buf, pos, body)
  buf[pos++] = 0 // record attributes: unused
  pos = writeVarlong(buf, pos, tsDelta)
  return writeVarint(buf, pos, offsetDelta)
}

/** The error for key[keyStart, keyEnd) or value[valueStart, valueEnd) not inside its buffer (null buffers: null key or value); null when both are. */
export function rangeError(key: Buffer | null, keyStart: number, keyEnd: number, value: Buffer | null, valueStart: number, valueEnd: number): CorruptRecordError | null {
  if ((key !== null && (keyStart < 0 || keyEnd < keyStart || keyEnd > key.length)) || (value !== null && (valueStart < 0 || valueEnd < valueStart || valueEnd > value.length))) {
    return new CorruptRecordError(`Record bytes out of their buffers (key ${keyStart}..${keyEnd} of ${key?.length ?? 0}, value ${valueStart}..${valueEnd} of ${value?.length ?? 0})`)
  }
  return null
}

/**
 * Builds one v2 record batch at a time into a reusable buffer. Records are
 * written in wire form as they are appended; build() adds header and CRC and,
 * when asked for, compresses the records section.
 */
export class RecordBatchBuilder {
  private buf: Buffer
  private pos = RECORDS
  private count = 0
  private lastDelta = -1
  private forcedLastDelta: number | null = null
  private baseTs = NO_TIMESTAMP
  private maxTs = NO_TIMESTAMP
  private opts: BatchOptions

  constructor(options: BatchOptions & { initialCapacity?: number } = {}) {
    this.buf = Buffer.allocUnsafe(Math.max(options.initialCapacity ?? DEFAULT_CAPACITY, BATCH_HEADER_SIZE))
    this.opts = options
    this.resetState()
  }

  get recordCount(): number {
    return this.count
  }

  /** Uncompressed size of the batch so far, header included. */
  get sizeInBytes(): number {
    return this.pos
  }

  /** Appends a record at the next offset delta (the number appended so far). */
  append(record: RecordInput): void {
    this.appendWithOffsetDelta(this.lastDelta + 1, record)
  }

  /** Appends a record at an explicit offset delta; deltas must increase (the compactor keeps gaps). */
  appendWithOffsetDelta(offsetDelta: number, record: RecordInput): void {
    if (!Number.isInteger(offsetDelta) || offsetDelta <= this.lastDelta || offsetDelta > 0x7fffffff) {
      throw new CorruptRecordError(
        `Offset delta ${offsetDelta} must be an int32 greater than the previous ${this.lastDelta}`,
      )
    }
    const ts = record.timestamp
    if (this.count === 0 && this.opts.deleteHorizonMs === undefined) this.baseTs = ts
    if (ts > this.maxTs || this.count === 0) this.maxTs = ts
    // Text is written as ASCII in one pass; if it was not, the record is written again, measured.
    const key = record.key
    const value = record.value
    const keyLength = asciiLength(key)
    // A value that is the key's very text (a repartitioned word) is measured once.
    if (!this.write(offsetDelta, ts - this.baseTs, record, keyLength, value === key ? keyLength : asciiLength(value))) {
      const kl = byteLength(key)
      this.write(offsetDelta, ts - this.baseTs, record, kl, value === key ? kl : byteLength(value))
    }
    this.count++
    this.lastDelta = offsetDelta
  }

  /**
   * append() of a record without headers, its key and value text, bytes or null: what a streams
   * sink or a changelog hands over. Short ASCII text and bytes are written in one pass with no
   * measuring; other text goes through append().
   */
  appendKeyValue(key: Buffer | string | null, value: Buffer | string | null, timestamp: number): void {
    const kl = key === null ? -1 : key.length
    const vl = value === null ? -1 : value.length
    const offsetDelta = this.lastDelta + 1
    if ((kl <= ASCII_GUESS_MAX || typeof key !== 'string') && (vl <= ASCII_GUESS_MAX || typeof value !== 'string') && offsetDelta <= 0x7fffffff) {
      const first = this.count === 0
      const baseTs = first && this.opts.deleteHorizonMs === undefined ? timestamp : this.baseTs
      const tsDelta = timestamp - baseTs
      // attributes, timestamp delta, offset delta, key, value, header count
      const body = 2 + sizeOfVarlong(tsDelta) + sizeOfVarint(offsetDelta) + (kl < 0 ? 1 : sizeOfVarint(kl) + kl) + (vl < 0 ? 1 : sizeOfVarint(vl) + vl)
      const need = this.pos + 5 + body
      if (need > this.buf.length) this.grow(need)
      const buf = this.buf
      let pos = writeRecordStart(buf, this.pos, body, tsDelta, offsetDelta)
      pos = writeBytes(key, kl, buf, pos)
      if (pos >= 0) pos = value === key && key !== null ? copyKeyAsValue(buf, pos, kl) : writeBytes(value, vl, buf, pos)
      if (pos >= 0) {
        buf[pos] = 0 // no headers
        this.pos = pos + 1
        this.baseTs = baseTs
        if (timestamp > this.maxTs || first) this.maxTs = timestamp
        this.count++
        this.lastDelta = offsetDelta
        return
      }
      // Text that is not ASCII: what was written past this.pos is written over, measured.
    }
    const r = this.scratch
    r.key = key
    r.value = value
    r.timestamp = timestamp
    try {
      this.appendWithOffsetDelta(offsetDelta, r)
    } finally {
      r.key = null
      r.value = null
    }
  }

  /**
   * Appends a record (next offset delta) whose key is key[keyStart, keyEnd) and value
   * value[valueStart, valueEnd), copied from there (null: a null key or value): bytes a caller
   * wrote into a buffer of its own go in without a Buffer view per record.
   */
  appendRange(
    key: Buffer | null,
    keyStart: number,
    keyEnd: number,
    value: Buffer | null,
    valueStart: number,
    valueEnd: number,
    timestamp: number,
    headers: readonly RecordHeader[] | undefined,
  ): void {
    const offsetDelta = this.lastDelta + 1
    if (offsetDelta > 0x7fffffff) throw new CorruptRecordError(`Offset delta ${offsetDelta} must be an int32`)
    if (this.count === 0 && this.opts.deleteHorizonMs === undefined) this.baseTs = timestamp
    if (timestamp > this.maxTs || this.count === 0) this.maxTs = timestamp
    const tsDelta = timestamp - this.baseTs
    const keyLength = key === null ? -1 : keyEnd - keyStart
    const valueLength = value === null ? -1 : valueEnd - valueStart
    const outside = rangeError(key, keyStart, keyEnd, value, valueStart, valueEnd)
    if (outside !== null) throw outside
    const r = this.scratch
    r.headers = headers
    const body = bodySize(offsetDelta, tsDelta, keyLength, valueLength, r)
    r.headers = undefined
    const need = this.pos + sizeOfVarint(body) + body
    if (need > this.buf.length) this.grow(need)
    const buf = this.buf
    let pos = writeRecordStart(buf, this.pos, body, tsDelta, offsetDelta)
    pos = key === null ? writeNull(buf, pos) : copyRange(key, keyStart, keyLength, buf, writeVarint(buf, pos, keyLength))
    pos = value === null ? writeNull(buf, pos) : copyRange(value, valueStart, valueLength, buf, writeVarint(buf, pos, valueLength))
    this.pos = headers === undefined || headers.length === 0 ? ((buf[pos] = 0), pos + 1) : this.writeHeaders(headers, buf, pos)
    this.count++
    this.lastDelta = offsetDelta
  }

  /** A scratch record: bodySize's view of a range record (only its headers are read), and appendKeyValue's handed to append(). */
  private readonly scratch: RecordInput = { key: null, value: null, timestamp: 0 }

  /** Writes one record at the end with the key and value lengths given (asciiLength or byteLength); false (nothing written) when writeBytes says the ASCII guess was wrong. */
  private write(offsetDelta: number, tsDelta: number, record: RecordInput, keyLength: number, valueLength: number): boolean {
    const key = record.key
    const value = record.value
    const body = bodySize(offsetDelta, tsDelta, keyLength, valueLength, record)
    const need = this.pos + sizeOfVarint(body) + body
    if (need > this.buf.length) this.grow(need)
    const buf = this.buf
    let pos = writeRecordStart(buf, this.pos, body, tsDelta, offsetDelta)
    pos = writeBytes(key, keyLength, buf, pos)
    if (pos < 0) return false
    pos = writeBytes(value, valueLength, buf, pos)
    if (pos < 0) return false
    const headers = record.headers
    if (headers === undefined || headers.length === 0) {
      buf[pos++] = 0
    } else {
      pos = this.writeHeaders(headers, buf, pos)
    }
    this.pos = pos
    return true
  }

  /** The headers count and headers of a record at `pos` (room already made); returns the next position. */
  private writeHeaders(headers: readonly RecordHeader[], buf: Buffer, pos: number): number {
    pos = writeVarint(buf, pos, headers.length)
    for (let i = 0; i < headers.length; i++) {
      const h = headers[i]!
      const kl = Buffer.byteLength(h.key, 'utf8')
      pos = writeVarint(buf, pos, kl)
      pos += buf.write(h.key, pos, kl, 'utf8')
      const hv = h.value
      if (hv === null) {
        buf[pos++] = 1
      } else {
        pos = writeVarint(buf, pos, hv.length)
        pos = copyBytes(hv, buf, pos)
      }
    }
    return pos
  }

  /** Forces lastOffsetDelta (compaction keeps the original batch's last offset delta). */
  setLastOffsetDelta(delta: number): void {
    if (!Number.isInteger(delta) || delta < this.lastDelta || delta > 0x7fffffff) {
      throw new CorruptRecordError(`Last offset delta ${delta} is below the appended ${this.lastDelta}`)
    }
    this.forcedLastDelta = delta
  }

  /** Header + (compressed) records + CRC in a new buffer the caller owns. */
  build(): Buffer {
    return this.finish(false)
  }

  /** Starts the next batch, reusing the buffer. */
  reset(options?: BatchOptions): void {
    if (options !== undefined) this.opts = options
    this.resetState()
  }

  /** build() without the copy: the batch is a view of the builder's buffer, so the builder must not be used again. */
  buildDetached(): Buffer {
    return this.finish(true)
  }

  private resetState(): void {
    this.pos = RECORDS
    this.count = 0
    this.lastDelta = -1
    this.forcedLastDelta = null
    const horizon = this.opts.deleteHorizonMs
    this.baseTs = horizon ?? NO_TIMESTAMP
    this.maxTs = NO_TIMESTAMP
  }

  private grow(need: number): void {
    let cap = this.buf.length * 2
    while (cap < need) cap *= 2
    const next = Buffer.allocUnsafe(cap)
    this.buf.copy(next, 0, 0, this.pos)
    this.buf = next
  }

  private finish(detach: boolean): Buffer {
    const o = this.opts
    const codec = o.compression ?? CompressionType.None
    let out: Buffer
    if (codec === CompressionType.None) {
      out = detach ? this.buf.subarray(0, this.pos) : Buffer.from(this.buf.subarray(0, this.pos))
    } else {
      const packed = compress(codec, this.buf.subarray(RECORDS, this.pos))
      out = Buffer.allocUnsafe(RECORDS + packed.length)
      packed.copy(out, RECORDS)
    }
    let attrs = codec & COMPRESSION_MASK
    if (o.timestampType === TimestampType.LogAppendTime) attrs |= TIMESTAMP_TYPE_MASK
    if (o.transactional === true) attrs |= TRANSACTIONAL_MASK
    if (o.isControl === true) attrs |= CONTROL_MASK
    if (o.deleteHorizonMs !== undefined) attrs |= DELETE_HORIZON_MASK
    writeInt64(out, BASE_OFFSET, o.baseOffset ?? 0)
    out.writeInt32BE(out.length - LOG_OVERHEAD, BATCH_LENGTH)
    out.writeInt32BE(o.partitionLeaderEpoch ?? NO_PARTITION_LEADER_EPOCH, PARTITION_LEADER_EPOCH)
    out[MAGIC] = CURRENT_MAGIC
    out.writeInt16BE(attrs, ATTRIBUTES)
    out.writeInt32BE(this.forcedLastDelta ?? Math.max(this.lastDelta, 0), LAST_OFFSET_DELTA)
    writeInt64(out, BASE_TIMESTAMP, this.baseTs)
    writeInt64(out, MAX_TIMESTAMP, this.maxTs)
    writeInt64(out, PRODUCER_ID, o.producerId ?? NO_PRODUCER_ID)
    out.writeInt16BE(o.producerEpoch ?? NO_PRODUCER_EPOCH, PRODUCER_EPOCH)
    out.writeInt32BE(o.baseSequence ?? NO_SEQUENCE, BASE_SEQUENCE)
    out.writeInt32BE(this.count, RECORD_COUNT)
    writeBatchCrc(out, 0, out.length)
    return out
  }
}

/** Encodes `records` as one batch (offset deltas 0..n-1). */
export function encodeRecordBatch(records: readonly RecordInput[], options: BatchOptions = {}): Buffer {
  // Size the buffer exactly so the uncompressed batch needs no copy.
  let size = RECORDS
  const base = options.deleteHorizonMs ?? records[0]?.timestamp ?? 0
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!
    size += sizeOfRecord(i, r.timestamp - base, r)
  }
  const builder = new RecordBatchBuilder({ ...options, initialCapacity: size })
  for (let i = 0; i < records.length; i++) builder.append(records[i]!)
  return builder.buildDetached()
}

// ---- decoding --------------------------------------------------------------

function corrupt(message: string, position: number): never {
  throw new CorruptRecordError(`${message} (at byte ${position})`, position)
}

/** Header fields of the batch at `at`. Checks only that the header is present. */
export function readBatchInfo(buf: Buffer, at = 0): RecordBatchInfo {
  if (at < 0 || at + BATCH_HEADER_SIZE > buf.length) {
    corrupt(`Record batch header needs ${BATCH_HEADER_SIZE} bytes, ${buf.length - at} available`, at)
  }
  const attrs = buf.readInt16BE(at + ATTRIBUTES)
  const baseOffset = readInt64(buf, at + BASE_OFFSET)
  const baseTimestamp = readInt64(buf, at + BASE_TIMESTAMP)
  return {
    baseOffset,
    lastOffset: baseOffset + buf.readInt32BE(at + LAST_OFFSET_DELTA),
    size: LOG_OVERHEAD + buf.readInt32BE(at + BATCH_LENGTH),
    partitionLeaderEpoch: buf.readInt32BE(at + PARTITION_LEADER_EPOCH),
    magic: buf.readInt8(at + MAGIC),
    crc: buf.readUInt32BE(at + CRC),
    attributes: attrs,
    compression: (attrs & COMPRESSION_MASK) as CompressionType,
    timestampType: (attrs & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime,
    isTransactional: (attrs & TRANSACTIONAL_MASK) !== 0,
    isControl: (attrs & CONTROL_MASK) !== 0,
    baseTimestamp,
    maxTimestamp: readInt64(buf, at + MAX_TIMESTAMP),
    producerId: readInt64(buf, at + PRODUCER_ID),
    producerEpoch: buf.readInt16BE(at + PRODUCER_EPOCH),
    baseSequence: buf.readInt32BE(at + BASE_SEQUENCE),
    recordCount: buf.readInt32BE(at + RECORD_COUNT),
    deleteHorizonMs: (attrs & DELETE_HORIZON_MASK) !== 0 ? baseTimestamp : null,
  }
}

/** Checks the framing of the batch at `at` (not the CRC); returns its size. */
function checkFraming(buf: Buffer, at: number): number {
  if (at < 0 || at + LOG_OVERHEAD > buf.length) {
    corrupt(`Record batch truncated: ${Math.max(buf.length - at, 0)} bytes, need at least ${LOG_OVERHEAD}`, at)
  }
  const length = buf.readInt32BE(at + BATCH_LENGTH)
  if (length < MIN_BATCH_LENGTH) corrupt(`Record batch length ${length} is below the minimum ${MIN_BATCH_LENGTH}`, at)
  const size = LOG_OVERHEAD + length
  if (at + size > buf.length) corrupt(`Record batch truncated: ${buf.length - at} of ${size} bytes present`, at)
  const m = buf[at + MAGIC]!
  if (m !== CURRENT_MAGIC) corrupt(`Unsupported record batch magic ${m}, expected ${CURRENT_MAGIC}`, at)
  return size
}

/** Validates the batch at `at`: enough bytes, batchLength sane, magic 2, CRC. Returns its size. */
export function validateBatch(buf: Buffer, at = 0): number {
  const size = checkFraming(buf, at)
  const stored = buf.readUInt32BE(at + CRC)
  const computed = computeBatchCrc(buf, at, at + size)
  if (stored !== computed) {
    corrupt(`Record batch CRC mismatch: stored ${stored}, computed ${computed}`, at)
  }
  return size
}

/**
 * Walks concatenated batches, calling fn(at, size) for each complete one; returns
 * the bytes consumed (a partial trailing batch is left). Does not check CRCs, but
 * a batch length below the header size cannot be walked past and throws.
 */
export function forEachBatch(buf: Buffer, fn: (at: number, size: number) => void): number {
  let at = 0
  const end = buf.length
  while (at + LOG_OVERHEAD <= end) {
    const length = buf.readInt32BE(at + BATCH_LENGTH)
    if (length < MIN_BATCH_LENGTH) corrupt(`Record batch length ${length} is below the minimum ${MIN_BATCH_LENGTH}`, at)
    const size = LOG_OVERHEAD + length
    if (at + size > end) break
    fn(at, size)
    at += size
  }
  return at
}

/** The records of the batch at `at`, decompressed; keys and values are views, not copies. */
export function decodeRecords(buf: Buffer, at = 0): DecodedRecord[] {
  const out: DecodedRecord[] = []
  walkRecords(buf, at, out, null)
  return out
}

/** Calls fn for each record of the batch at `at`; same semantics as decodeRecords. */
export function forEachRecord(buf: Buffer, at: number, fn: (r: DecodedRecord) => void): void {
  walkRecords(buf, at, null, fn)
}

const EMPTY = Buffer.alloc(0)

/**
 * The headers of every decoded record that has none: one frozen array, not one per record. Read
 * records' headers are read-only, as Kafka's consumer makes them (a copy is the way to add some).
 */
const NO_HEADERS = Object.freeze([]) as unknown as RecordHeader[]

/**
 * Where one record's parts lie: its key is bytes[keyStart, keyEnd) (keyStart -1 for a null key),
 * its value bytes[valueStart, valueEnd) (valueStart -1 for null). Filled in place by
 * BatchRecordReader.nextInto, so reading a record makes no object and no Buffer.
 */
export interface RecordPositions {
  offset: number
  timestamp: number
  /** The batch's bytes, or its decompressed records for a compressed batch. */
  bytes: Buffer
  keyStart: number
  keyEnd: number
  valueStart: number
  valueEnd: number
  headers: RecordHeader[]
}

/** Builds the caller's own record object straight from the decoded fields (no intermediate object). */
export type RecordFactory<T> = (offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, headers: RecordHeader[]) => T

/** Appends the records of the batch at `at` to `out`, each built by `make`; same semantics as decodeRecords. */
export function decodeRecordsWith<T>(buf: Buffer, at: number, make: RecordFactory<T>, out: T[]): void {
  walkRecords(buf, at, out, null, make)
}

const decodedRecord: RecordFactory<DecodedRecord> = (offset, timestamp, key, value, headers) => ({ offset, timestamp, key, value, headers })

function walkRecords<T = DecodedRecord>(
  buf: Buffer,
  at: number,
  out: T[] | null,
  fn: ((r: T) => void) | null,
  make: RecordFactory<T> = decodedRecord as unknown as RecordFactory<T>,
): void {
  const reader = new BatchRecordReader(buf, at)
  while (reader.remaining > 0) {
    const r = reader.next(make)
    if (out !== null) out.push(r)
    else fn!(r)
  }
}

/**
 * Reads the records of one batch one at a time, so a caller decodes only as many as it needs now
 * (a consumer hands out max.poll.records at a time from a fetch of thousands). Compressed batches
 * are decompressed when the reader is made. Same checks and errors as decodeRecords.
 */
export class BatchRecordReader {
  private readonly data: Buffer
  private pos: number
  private readonly end: number
  /** Added to positions in errors: the batch start plus the offset within its records section. */
  private readonly base: number
  private readonly count: number
  private n = 0
  private readonly baseOffset: number
  private readonly logAppend: boolean
  private readonly baseTs: number
  private readonly maxTs: number
  private readonly c: Cursor = { pos: 0 }

  constructor(buf: Buffer, at: number) {
    const size = checkFraming(buf, at)
    const count = buf.readInt32BE(at + RECORD_COUNT)
    if (count < 0) corrupt(`Negative record count ${count}`, at)
    this.count = count
    const attrs = buf.readInt16BE(at + ATTRIBUTES)
    const codec = (attrs & COMPRESSION_MASK) as CompressionType
    this.baseOffset = readInt64(buf, at + BASE_OFFSET)
    this.logAppend = (attrs & TIMESTAMP_TYPE_MASK) !== 0
    this.baseTs = readInt64(buf, at + BASE_TIMESTAMP)
    this.maxTs = readInt64(buf, at + MAX_TIMESTAMP)
    if (codec === CompressionType.None) {
      this.data = buf
      this.pos = at + RECORDS
      this.end = at + size
      this.base = 0
    } else {
      this.data = decompress(codec, buf.subarray(at + RECORDS, at + size))
      this.pos = 0
      this.end = this.data.length
      this.base = at + RECORDS
    }
    if (count === 0) this.checkEnd()
  }

  /** Records not read yet. */
  get remaining(): number {
    return this.count - this.n
  }

  /** Decodes the next record (there must be one: remaining > 0). */
  next<T>(make: RecordFactory<T>): T {
    const p = this.scratch
    this.nextInto(p)
    const key = p.keyStart < 0 ? null : p.bytes.subarray(p.keyStart, p.keyEnd)
    const value = p.valueStart < 0 ? null : p.bytes.subarray(p.valueStart, p.valueEnd)
    return make(p.offset, p.timestamp, key, value, p.headers)
  }

  private readonly scratch: RecordPositions = { offset: 0, timestamp: 0, bytes: EMPTY, keyStart: -1, keyEnd: -1, valueStart: -1, valueEnd: -1, headers: [] }

  /** Decodes the next record's positions into `p` (there must be one: remaining > 0). */
  nextInto(p: RecordPositions): void {
    const data = this.data
    const end = this.end
    const base = this.base
    const pos = this.pos
    const c = this.c
    if (pos >= end) corrupt(`Record batch holds ${this.n} of ${this.count} records`, base + pos)
    c.pos = pos
    const len = readVarintIn(data, c, end)
    const recEnd = c.pos + len
    if (len < 0 || recEnd > end) corrupt(`Record length ${len} overruns the batch`, base + pos)
    c.pos++ // record attributes, unused
    const tsDelta = readVarlongIn(data, c, recEnd)
    const offsetDelta = readVarintIn(data, c, recEnd)
    p.keyStart = readRange(data, c, recEnd, base)
    p.keyEnd = c.pos
    p.valueStart = readRange(data, c, recEnd, base)
    p.valueEnd = c.pos
    const hc = readVarintIn(data, c, recEnd)
    let headers = NO_HEADERS
    if (hc !== 0) {
      if (hc < 0 || hc > recEnd - c.pos) corrupt(`Invalid header count ${hc}`, base + c.pos)
      headers = []
      for (let i = 0; i < hc; i++) {
        const kl = readVarintIn(data, c, recEnd)
        if (kl < 0 || c.pos + kl > recEnd) corrupt(`Invalid header key length ${kl}`, base + c.pos)
        const hk = data.toString('utf8', c.pos, c.pos + kl)
        c.pos += kl
        headers.push({ key: hk, value: readBytes(data, c, recEnd, base) })
      }
    }
    if (c.pos !== recEnd) corrupt(`Record length ${len} does not match its ${c.pos - recEnd + len} bytes`, base + pos)
    this.pos = recEnd
    if (++this.n === this.count) this.checkEnd()
    p.offset = this.baseOffset + offsetDelta
    p.timestamp = this.logAppend ? this.maxTs : this.baseTs + tsDelta
    p.bytes = data
    p.headers = headers
  }

  private checkEnd(): void {
    if (this.pos !== this.end) corrupt(`Record batch has ${this.end - this.pos} bytes after its ${this.count} records`, this.base + this.pos)
  }
}

// Bounded readers: a record never reads past its own length.

function readVarintIn(buf: Buffer, c: Cursor, end: number): number {
  let pos = c.pos
  if (pos < end) {
    const b0 = buf[pos]!
    if (b0 < 0x80) {
      c.pos = pos + 1
      return (b0 >>> 1) ^ -(b0 & 1)
    }
  }
  const start = pos
  let result = 0
  for (let shift = 0; ; shift += 7) {
    if (pos >= end) corrupt('Truncated varint', start)
    const b = buf[pos++]!
    if (shift === 28) {
      if (b > 0x0f) corrupt('Varint too long', start)
      result |= b << 28
      break
    }
    result |= (b & 0x7f) << shift
    if (b < 0x80) break
  }
  c.pos = pos
  return (result >>> 1) ^ -(result & 1)
}

function readVarlongIn(buf: Buffer, c: Cursor, end: number): number {
  const pos = c.pos
  if (pos < end) {
    const b0 = buf[pos]!
    if (b0 < 0x80) {
      c.pos = pos + 1
      return (b0 >>> 1) ^ -(b0 & 1)
    }
  }
  let low = 0
  let p = pos
  let shift = 0
  for (;;) {
    if (p >= end) corrupt('Truncated varlong', pos)
    const b = buf[p++]!
    low |= (b & 0x7f) << shift
    if (b < 0x80) {
      c.pos = p
      return (low >>> 1) ^ -(low & 1)
    }
    shift += 7
    if (shift === 28) break
  }
  let high = 0
  let scale = 1
  for (let i = 0; ; i++) {
    if (i === 6) corrupt('Varlong too long', pos)
    if (p >= end) corrupt('Truncated varlong', pos)
    const b = buf[p++]!
    high += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 128
  }
  c.pos = p
  // zigzag = 2m + sign; m is exact below 2^53.
  const m = high * 134217728 + (low >>> 1)
  return (low & 1) === 0 ? m : -m - 1
}

/** Skips a length-prefixed byte string; returns where it starts, or -1 for null (c.pos is then its end). */
function readRange(buf: Buffer, c: Cursor, end: number, base: number): number {
  const len = readVarintIn(buf, c, end)
  if (len < 0) {
    if (len === -1) return -1
    corrupt(`Invalid length ${len}`, base + c.pos)
  }
  const start = c.pos
  const stop = start + len
  if (stop > end) corrupt(`Length ${len} overruns the record`, base + start)
  c.pos = stop
  return start
}

function readBytes(buf: Buffer, c: Cursor, end: number, base: number): Buffer | null {
  const len = readVarintIn(buf, c, end)
  if (len < 0) {
    if (len === -1) return null
    corrupt(`Invalid length ${len}`, base + c.pos)
  }
  const start = c.pos
  const stop = start + len
  if (stop > end) corrupt(`Length ${len} overruns the record`, base + start)
  c.pos = stop
  return buf.subarray(start, stop)
}
