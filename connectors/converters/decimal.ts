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
  let unscaled = BigInt((m[2] || '0') + frac.slice(0, scale))
  if (m[1] === '-') unscaled = -unscaled
  return bigintToTwosComplement(unscaled)
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
