// Connect's Decimal logical type on the wire: the unscaled value as big-endian two's complement
// bytes (JsonConverter base64-encodes them). In memory a decimal is its exact text ("-12.340").
import { DataException } from '../errors.js'

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/

/**
 * decimalToBytes(text, scale) in base64, as JsonConverter writes a Decimal. Plain decimal text
 * of up to 15 digits is done with numbers alone (no regex, no BigInt).
 */
export function decimalToBase64(text: string, scale: number): string {
  const v = unscaledNumber(text, scale)
  if (v !== v) return decimalToBytes(text, scale).toString('base64')
  const n = twosComplementInto(v, scratch)
  return Buffer.from(scratch.buffer, scratch.byteOffset, n).toString('base64')
}

const scratch = new Uint8Array(8)

/**
 * The unscaled value of plain decimal text ("-12.3" at scale 3 → -12300) when it has at most 15
 * digits and no more fractional digits than the scale; NaN otherwise (decimalToBytes then
 * takes the exact path, or names the bad text).
 */
export function unscaledNumber(text: string, scale: number): number {
  const n = text.length
  let i = 0
  let neg = false
  const c0 = text.charCodeAt(0)
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45
    i = 1
  }
  if (i === n) return NaN
  let v = 0
  let digits = 0
  let frac = -1
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (frac >= 0) {
        if (frac === scale) return NaN // more digits than the scale
        frac++
      }
      v = v * 10 + (c - 48)
      if (v > 0 || frac >= 0) digits++
    } else if (c === 46 && frac < 0) frac = 0
    else return NaN
  }
  for (let f = frac < 0 ? 0 : frac; f < scale; f++) {
    v *= 10
    digits++
  }
  if (digits > 15) return NaN
  return neg ? -v : v
}

/** Minimal big-endian two's complement bytes of a safe integer into `out` (8 bytes); returns how many. */
export function twosComplementInto(v: number, out: Uint8Array): number {
  if (v >= -2147483648 && v < 2147483648) {
    // int32: 1 to 4 bytes with bit operations.
    const n = v >= -128 && v < 128 ? 1 : v >= -32768 && v < 32768 ? 2 : v >= -8388608 && v < 8388608 ? 3 : 4
    for (let i = n - 1, x = v | 0; i >= 0; i--, x >>= 8) out[i] = x & 255
    return n
  }
  let n = 5
  // Bytes needed: the smallest n with -2^(8n-1) <= v < 2^(8n-1).
  while (n < 8 && (v >= LIMITS[n]! || v < -LIMITS[n]!)) n++
  // A negative v is the bitwise complement of |v| - 1 (exact: no 2^(8n) offset beyond 2^53).
  const neg = v < 0
  let x = neg ? -v - 1 : v
  for (let i = n - 1; i >= 0; i--) {
    const b = x % 256
    out[i] = neg ? 255 - b : b
    x = Math.floor(x / 256)
  }
  return n
}

/** LIMITS[n] = 2^(8n-1): n bytes hold -LIMITS[n] up to LIMITS[n] - 1. */
const LIMITS = [0, 2 ** 7, 2 ** 15, 2 ** 23, 2 ** 31, 2 ** 39, 2 ** 47, 2 ** 55, 2 ** 63]

/** "12.3" at scale 3 → unscaled bytes of 12300. */
export function decimalToBytes(text: string, scale: number): Buffer {
  const m = DECIMAL_TEXT.exec(text.trim())
  if (m === null) throw new DataException(`'${text}' is not a decimal number`)
  const frac = (m[3] ?? '').padEnd(scale, '0')
  if (frac.length > scale && /[1-9]/.test(frac.slice(scale))) throw new DataException(`'${text}' has more than ${scale} fractional digits`)
  const digits = (m[2] || '0') + frac.slice(0, scale)
  // Up to 15 digits the unscaled value is exact as a double: no BigInt on the hot path.
  if (digits.length <= 15) return numberToTwosComplement(m[1] === '-' ? -Number(digits) : Number(digits))
  let unscaled = BigInt(digits)
  if (m[1] === '-') unscaled = -unscaled
  return bigintToTwosComplement(unscaled)
}

/** Minimal big-endian two's complement bytes of a safe integer. */
function numberToTwosComplement(v: number): Buffer {
  const n = twosComplementInto(v, scratch)
  return Buffer.from(scratch.subarray(0, n))
}

export function decimalFromBytes(bytes: Buffer, scale: number): string {
  if (bytes.length === 0) return '0'
  let v = 0n
  for (const b of bytes) v = (v << 8n) | BigInt(b)
  if ((bytes[0]! & 0x80) !== 0) v -= 1n << BigInt(bytes.length * 8)
  const neg = v < 0n
  let digits = (neg ? -v : v).toString()
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0')
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`
  }
  return neg ? `-${digits}` : digits
}

/** Normalizes a decimal text to exactly `scale` fractional digits ("1.5", 3 → "1.500"). */
export function decimalWithScale(text: string, scale: number): string {
  if (hasScale(text, scale)) return text
  const m = DECIMAL_TEXT.exec(text.trim())
  if (m === null) throw new DataException(`'${text}' is not a decimal number`)
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '')
  const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale)
  const sign = m[1] === '-' && /[1-9]/.test(int + frac) ? '-' : ''
  return scale > 0 ? `${sign}${int}.${frac}` : `${sign}${int}`
}

/**
 * Whether the text already is what decimalWithScale makes of it: [-]digits[.digits] with exactly
 * `scale` fractional digits, no leading zero, and no minus sign on zero. The databases print
 * NUMERIC/DECIMAL columns this way, so their values pass through without a regex.
 */
function hasScale(text: string, scale: number): boolean {
  const n = text.length
  let i = text.charCodeAt(0) === 45 ? 1 : 0
  const intStart = i
  let nonZero = false
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) break
    if (c !== 48) nonZero = true
  }
  const intLen = i - intStart
  if (intLen === 0 || (intLen > 1 && text.charCodeAt(intStart) === 48)) return false
  if (scale === 0) return i === n && (intStart === 0 || nonZero)
  if (i !== n - scale - 1 || text.charCodeAt(i) !== 46) return false
  for (i++; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c < 48 || c > 57) return false
    if (c !== 48) nonZero = true
  }
  return intStart === 0 || nonZero
}

function bigintToTwosComplement(v: bigint): Buffer {
  const bytes: number[] = []
  let x = v
  for (;;) {
    const b = Number(x & 0xffn)
    bytes.unshift(b)
    x >>= 8n
    if ((x === 0n && (b & 0x80) === 0) || (x === -1n && (b & 0x80) !== 0)) break
  }
  return Buffer.from(bytes)
}
