// Binary layouts of window and session keys in changelogs, as Kafka Streams
// writes them: window = key | start (8) | seq (4), session = key | end (8) | start (8).
import { readInt64, writeInt64 } from '../../core/protocol/records/batch-header.js'

export function windowKeyBytes(key: Buffer, windowStart: number, seq: number): Buffer {
  const b = Buffer.allocUnsafe(key.length + 12)
  key.copy(b, 0)
  writeInt64(b, key.length, windowStart)
  b.writeInt32BE(seq, key.length + 8)
  return b
}

export function parseWindowKeyBytes(b: Buffer): { key: Buffer; windowStart: number; seq: number } {
  const n = b.length - 12
  return { key: b.subarray(0, n), windowStart: readInt64(b, n), seq: b.readInt32BE(n + 8) }
}

export function sessionKeyBytes(key: Buffer, start: number, end: number): Buffer {
  const b = Buffer.allocUnsafe(key.length + 16)
  key.copy(b, 0)
  writeInt64(b, key.length, end)
  writeInt64(b, key.length + 8, start)
  return b
}

export function parseSessionKeyBytes(b: Buffer): { key: Buffer; start: number; end: number } {
  const n = b.length - 16
  return { key: b.subarray(0, n), end: readInt64(b, n), start: readInt64(b, n + 8) }
}
