// Connect's Decimal logical type on the wire: the unscaled value as big-endian two's complement
// bytes (JsonConverter base64-encodes them). In memory a decimal is its exact text ("-12.340").
import { DataException } from '../errors.js'

const DECIMAL_TEXT = /^([+-]?)(\d*)(?:\.(\d*))?$/

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
