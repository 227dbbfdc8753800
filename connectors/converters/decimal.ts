// Connect's Decimal logical type on the wire: the unscaled value as big-endian two's complement
// bytes (JsonConverter base64-encodes them). In memory a decimal is its exact text ("-12.340").
import { DataException } from '../errors.js'

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/**
 * decimalToBytes(text, scale) in base64, as JsonConverter writes a Decimal. Plain decimal text
 * of up to 15 digits is done with numbers alone (no regex, no Buffer, no BigInt).
 */
export function decimalToBase64(text: string, scale: number): string {
  const n = text.length
  let i = 0
  let neg = false
  const c0 = text.charCodeAt(0)
  if (c0 === 45 || c0 === 43) {
    neg = c0 === 45
    i = 1
  }
  let v = 0
  let digits = 0
  let frac = -1
  for (; i < n; i++) {
    const c = text.charCodeAt(i)
    if (c >= 48 && c <= 57) {
      if (frac >= 0) {
        if (frac === scale) return decimalToBytes(text, scale).toString('base64') // more digits than the scale
        frac++
      }
      v = v * 10 + (c - 48)
      if (v > 0 || frac >= 0) digits++
    } else if (c === 46 && frac < 0) frac = 0
    else return decimalToBytes(text, scale).toString('base64')
  }
  if (n === (neg || c0 === 43 ? 1 : 0)) return decimalToBytes(text, scale).toString('base64')
  for (let f = frac < 0 ? 0 : frac; f < scale; f++) {
    v *= 10
    digits++
  }
  if (digits > 15) return decimalToBytes(text, scale).toString('base64')
  return bytesToBase64(numberToTwosComplement(neg ? -v : v))
}

function bytesToBase64(b: Buffer): string {
  let out = ''
  let i = 0
  for (; i + 2 < b.length; i += 3) {
    const x = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!
    out += B64[x >> 18]! + B64[(x >> 12) & 63]! + B64[(x >> 6) & 63]! + B64[x & 63]!
  }
  if (i + 1 === b.length) {
    const x = b[i]! << 16
    out += B64[x >> 18]! + B64[(x >> 12) & 63]! + '=='
  } else if (i + 2 === b.length) {
    const x = (b[i]! << 16) | (b[i + 1]! << 8)
    out += B64[x >> 18]! + B64[(x >> 12) & 63]! + B64[(x >> 6) & 63]! + '='
  }
  return out
}

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
  let n = 1
  // Bytes needed: the smallest n with -2^(8n-1) <= v < 2^(8n-1).
  while (n < 8 && (v >= 2 ** (8 * n - 1) || v < -(2 ** (8 * n - 1)))) n++
  const out = Buffer.allocUnsafe(n)
  // A negative v is the bitwise complement of |v| - 1 (exact: no 2^(8n) offset beyond 2^53).
  const neg = v < 0
  let x = neg ? -v - 1 : v
  for (let i = n - 1; i >= 0; i--) {
    const b = x % 256
    out[i] = neg ? 255 - b : b
    x = Math.floor(x / 256)
  }
  return out
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
  const m = DECIMAL_TEXT.exec(text.trim())
  if (m === null) throw new DataException(`'${text}' is not a decimal number`)
  const int = (m[2] || '0').replace(/^0+(?=\d)/, '')
  const frac = (m[3] ?? '').padEnd(scale, '0').slice(0, scale)
  const sign = m[1] === '-' && /[1-9]/.test(int + frac) ? '-' : ''
  return scale > 0 ? `${sign}${int}.${frac}` : `${sign}${int}`
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
