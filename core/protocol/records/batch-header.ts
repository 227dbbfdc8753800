// Byte layout of a Kafka v2 record batch header. Everything reads and writes the
// header in place on the wire bytes: batches are never decoded to be stored.

export const BASE_OFFSET = 0 // int64
export const BATCH_LENGTH = 8 // int32, bytes after this field
export const PARTITION_LEADER_EPOCH = 12 // int32
export const MAGIC = 16 // int8, always 2
export const CRC = 17 // uint32, CRC-32C of ATTRIBUTES..end
export const ATTRIBUTES = 21 // int16
export const LAST_OFFSET_DELTA = 23 // int32
export const BASE_TIMESTAMP = 27 // int64
export const MAX_TIMESTAMP = 35 // int64
export const PRODUCER_ID = 43 // int64
export const PRODUCER_EPOCH = 51 // int16
export const BASE_SEQUENCE = 53 // int32
export const RECORD_COUNT = 57 // int32
export const RECORDS = 61

/** Size of the header, and the smallest valid batch. */
export const BATCH_HEADER_SIZE = 61
/** Bytes before and including BATCH_LENGTH: a batch occupies LOG_OVERHEAD + batchLength bytes. */
export const LOG_OVERHEAD = 12

export const COMPRESSION_MASK = 0x07
export const TIMESTAMP_TYPE_MASK = 0x08
export const TRANSACTIONAL_MASK = 0x10
export const CONTROL_MASK = 0x20
export const DELETE_HORIZON_MASK = 0x40

export const NO_PRODUCER_ID = -1
export const NO_PRODUCER_EPOCH = -1
export const NO_SEQUENCE = -1
export const NO_PARTITION_LEADER_EPOCH = -1

export enum CompressionType {
  None = 0,
  Gzip = 1,
  Snappy = 2,
  Lz4 = 3,
  Zstd = 4,
}

export enum TimestampType {
  CreateTime = 0,
  LogAppendTime = 1,
}

const TWO_32 = 4294967296

/** Reads a signed int64 as a JS number; callers keep offsets and timestamps below 2^53. */
export function readInt64(buf: Buffer, pos: number): number {
  return buf.readInt32BE(pos) * TWO_32 + buf.readUInt32BE(pos + 4)
}

export function writeInt64(buf: Buffer, pos: number, value: number): void {
  const hi = Math.floor(value / TWO_32)
  buf.writeInt32BE(hi, pos)
  buf.writeUInt32BE(value - hi * TWO_32, pos + 4)
}

export const baseOffset = (b: Buffer, at = 0): number => readInt64(b, at + BASE_OFFSET)
export const batchLength = (b: Buffer, at = 0): number => b.readInt32BE(at + BATCH_LENGTH)
/** Total bytes the batch at `at` occupies. */
export const batchSize = (b: Buffer, at = 0): number => LOG_OVERHEAD + b.readInt32BE(at + BATCH_LENGTH)
export const magic = (b: Buffer, at = 0): number => b.readInt8(at + MAGIC)
export const crc = (b: Buffer, at = 0): number => b.readUInt32BE(at + CRC)
export const attributes = (b: Buffer, at = 0): number => b.readInt16BE(at + ATTRIBUTES)
export const lastOffsetDelta = (b: Buffer, at = 0): number => b.readInt32BE(at + LAST_OFFSET_DELTA)
export const lastOffset = (b: Buffer, at = 0): number => baseOffset(b, at) + lastOffsetDelta(b, at)
export const baseTimestamp = (b: Buffer, at = 0): number => readInt64(b, at + BASE_TIMESTAMP)
export const maxTimestamp = (b: Buffer, at = 0): number => readInt64(b, at + MAX_TIMESTAMP)
export const producerId = (b: Buffer, at = 0): number => readInt64(b, at + PRODUCER_ID)
export const producerEpoch = (b: Buffer, at = 0): number => b.readInt16BE(at + PRODUCER_EPOCH)
export const baseSequence = (b: Buffer, at = 0): number => b.readInt32BE(at + BASE_SEQUENCE)
export const recordCount = (b: Buffer, at = 0): number => b.readInt32BE(at + RECORD_COUNT)
export const compressionType = (b: Buffer, at = 0): CompressionType =>
  (attributes(b, at) & COMPRESSION_MASK) as CompressionType
export const isTransactional = (b: Buffer, at = 0): boolean => (attributes(b, at) & TRANSACTIONAL_MASK) !== 0
export const isControl = (b: Buffer, at = 0): boolean => (attributes(b, at) & CONTROL_MASK) !== 0
export const timestampType = (b: Buffer, at = 0): TimestampType =>
  (attributes(b, at) & TIMESTAMP_TYPE_MASK) !== 0 ? TimestampType.LogAppendTime : TimestampType.CreateTime

/** Sets the base offset in place. The CRC does not cover it, so nothing else changes. */
export function setBaseOffset(b: Buffer, offset: number, at = 0): void {
  writeInt64(b, at + BASE_OFFSET, offset)
}

export function setPartitionLeaderEpoch(b: Buffer, epoch: number, at = 0): void {
  b.writeInt32BE(epoch, at + PARTITION_LEADER_EPOCH)
}
