// Zigzag varints as Kafka's v2 records and flexible protocol versions use them.
// Values are JS numbers: int32 varints are exact; varlongs are exact within
// ±2^53 (timestamps, deltas), which is all a record batch carries in practice.
// Writers take a position and return the next one; readers advance a Cursor,
// so the hot path allocates nothing.
import { CorruptRecordError } from '../../errors.js'

/** A read position that readers advance in place. */
export interface Cursor {
  pos: number
}

const TWO_27 = 134217728

// ---- sizes -----------------------------------------------------------------

/** Bytes an unsigned varint of a uint32 takes. */
export function sizeOfUnsignedVarint(value: number): number {
  const v = value >>> 0
  if (v < 0x80) return 1
  if (v < 0x4000) return 2
  if (v < 0x200000) return 3
  if (v < 0x10000000) return 4
  return 5
}

/** Bytes a zigzag varint of an int32 takes. */
export function sizeOfVarint(value: number): number {
  return sizeOfUnsignedVarint((value << 1) ^ (value >> 31))
}

/** Bytes a zigzag varlong takes. */
export function sizeOfVarlong(value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return sizeOfVarint(value)
  // zigzag = 2m + sign: the first byte holds 6 bits of m, the others 7.
  let m = Math.floor((value < 0 ? -value - 1 : value) / 64)
  let n = 1
  while (m > 0) {
    m = Math.floor(m / 128)
    n++
  }
  return n
}

// ---- writers ---------------------------------------------------------------

/** Writes a uint32 as an unsigned varint at `pos`; returns the next position. */
export function writeUnsignedVarint(buf: Buffer, pos: number, value: number): number {
  let v = value >>> 0
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[pos++] = v
  return pos
}

/** Writes an int32 as a zigzag varint at `pos`; returns the next position. */
export function writeVarint(buf: Buffer, pos: number, value: number): number {
  let v = ((value << 1) ^ (value >> 31)) >>> 0
  while (v >= 0x80) {
    buf[pos++] = (v & 0x7f) | 0x80
    v >>>= 7
  }
  buf[pos++] = v
  return pos
}

/** Writes an integer (|value| <= 2^53) as a zigzag varlong at `pos`; returns the next position. */
export function writeVarlong(buf: Buffer, pos: number, value: number): number {
  if (value >= -0x40000000 && value < 0x40000000) return writeVarint(buf, pos, value)
  // Beyond int32 bit operations do not apply, and 2|v| may not be exact: split
  // the magnitude m (zigzag = 2m + sign) by division instead.
  const neg = value < 0
  let m = neg ? -value - 1 : value
  let b = (m % 64) * 2 + (neg ? 1 : 0)
  m = Math.floor(m / 64)
  while (m > 0) {
    buf[pos++] = b | 0x80
    b = m % 128
    m = Math.floor(m / 128)
  }
  buf[pos++] = b
  return pos
}

// ---- readers ---------------------------------------------------------------

function tooLong(pos: number, what: string): never {
  throw new CorruptRecordError(`${what} at position ${pos} is too long`, pos)
}

function truncated(pos: number, what: string): never {
  throw new CorruptRecordError(`${what} at position ${pos} is truncated`, pos)
}

/** Reads an unsigned varint (uint32) at cursor.pos and advances the cursor. */
export function readUnsignedVarint(buf: Buffer, cursor: Cursor): number {
  const start = cursor.pos
  let pos = start
  const end = buf.length
  let result = 0
  let shift = 0
  for (;;) {
    if (pos >= end) truncated(start, 'Varint')
    const b = buf[pos++]!
    if (shift === 28) {
      if (b > 0x0f) tooLong(start, 'Varint')
      result = (result | (b << 28)) >>> 0
      break
    }
    result |= (b & 0x7f) << shift
    if (b < 0x80) break
    shift += 7
  }
  cursor.pos = pos
  return result >>> 0
}

/** Reads a zigzag varint (int32) at cursor.pos and advances the cursor. */
export function readVarint(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos
  // One-byte fast path: most deltas, lengths and counts are small.
  const b0 = buf[pos]
  if (b0 !== undefined && b0 < 0x80) {
    cursor.pos = pos + 1
    return (b0 >>> 1) ^ -(b0 & 1)
  }
  const start = pos
  const end = buf.length
  let result = 0
  let shift = 0
  for (;;) {
    if (pos >= end) truncated(start, 'Varint')
    const b = buf[pos++]!
    if (shift === 28) {
      if (b > 0x0f) tooLong(start, 'Varint')
      result |= b << 28
      break
    }
    result |= (b & 0x7f) << shift
    if (b < 0x80) break
    shift += 7
  }
  cursor.pos = pos
  return (result >>> 1) ^ -(result & 1)
}

/**
 * Reads a zigzag varlong at cursor.pos and advances the cursor. Exact when the
 * value is within ±2^53; larger magnitudes come back rounded, as JS numbers do.
 */
export function readVarlong(buf: Buffer, cursor: Cursor): number {
  let pos = cursor.pos
  const start = pos
  const end = buf.length
  // Low 28 bits with int arithmetic (covers every value up to ±2^27).
  let low = 0
  let shift = 0
  for (;;) {
    if (pos >= end) truncated(start, 'Varlong')
    const b = buf[pos++]!
    low |= (b & 0x7f) << shift
    if (b < 0x80) {
      cursor.pos = pos
      return (low >>> 1) ^ -(low & 1)
    }
    shift += 7
    if (shift === 28) break
  }
  // Remaining up to 36 bits with float arithmetic.
  let high = 0
  let scale = 1
  for (let i = 0; ; i++) {
    if (i === 6) tooLong(start, 'Varlong')
    if (pos >= end) truncated(start, 'Varlong')
    const b = buf[pos++]!
    if (i === 5 && b > 0x01) tooLong(start, 'Varlong')
    high += (b & 0x7f) * scale
    if (b < 0x80) break
    scale *= 128
  }
  cursor.pos = pos
  // zigzag = 2m + sign; m is exact below 2^53.
  const m = high * TWO_27 + (low >>> 1)
  return (low & 1) === 0 ? m : -m - 1
}

export const MAX_VARINT_BYTES = 5
export const MAX_VARLONG_BYTES = 10
