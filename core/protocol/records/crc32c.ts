// CRC-32C (Castagnoli), as Kafka's v2 record batches use. @node-rs/crc32 is a
// SIMD native implementation: CRC is on every produce and every recovery scan.
import { crc32c as nativeCrc32c } from '@node-rs/crc32'
import { ATTRIBUTES, CRC } from './batch-header.js'

export function crc32c(data: Buffer, initial = 0): number {
  return nativeCrc32c(data, initial) >>> 0
}

/** CRC of the batch at [start, end): everything from the attributes field on. */
export function computeBatchCrc(buf: Buffer, start = 0, end = buf.length): number {
  return crc32c(buf.subarray(start + ATTRIBUTES, end))
}

export function isBatchCrcValid(buf: Buffer, start = 0, end = buf.length): boolean {
  return buf.readUInt32BE(start + CRC) === computeBatchCrc(buf, start, end)
}

export function writeBatchCrc(buf: Buffer, start = 0, end = buf.length): void {
  buf.writeUInt32BE(computeBatchCrc(buf, start, end), start + CRC)
}
