// Ordering, equality and identity of runtime SQL values (see sql-type.ts), shared by the
// functions that sort, compare or de-duplicate: MIN/MAX, TOPK, ARRAY_SORT, ARRAY_DISTINCT,
// COLLECT_SET, GREATEST, ...
import { SqlDecimal } from '../types/decimal.js'

/** Total order on two non-null values of one SQL type: numbers, strings (UTF-16 code units, as Java), booleans, decimals, bytes, arrays, structs. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : a === b ? 0 : Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1
  if (a instanceof SqlDecimal && b instanceof SqlDecimal) return a.compareTo(b)
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b)
  if (Array.isArray(a) && Array.isArray(b)) {
    const n = Math.min(a.length, b.length)
    for (let i = 0; i < n; i++) {
      const c = compareNullable(a[i], b[i])
      if (c !== 0) return c
    }
    return a.length - b.length
  }
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && !(a instanceof Map) && !(b instanceof Map)) {
    for (const key of Object.keys(a)) {
      const c = compareNullable((a as Record<string, unknown>)[key] ?? null, (b as Record<string, unknown>)[key] ?? null)
      if (c !== 0) return c
    }
    return 0
  }
  return valueKey(a) < valueKey(b) ? -1 : valueKey(a) > valueKey(b) ? 1 : 0
}

/** compareValues with NULL sorting last (ksqlDB's ARRAY_SORT ascending puts nulls at the end). */
export function compareNullable(a: unknown, b: unknown): number {
  if (a === null || a === undefined) return b === null || b === undefined ? 0 : 1
  if (b === null || b === undefined) return -1
  return compareValues(a, b)
}

/** A string identifying a value, equal for equal values: decimals by numeric value, maps and structs by content. */
export function valueKey(v: unknown): string {
  if (v === null || v === undefined) return 'n'
  switch (typeof v) {
    case 'number':
      return `d${v}`
    case 'string':
      return `s${v}`
    case 'boolean':
      return v ? 'bt' : 'bf'
    default:
      break
  }
  if (v instanceof SqlDecimal) return `m${stripZeros(v)}`
  if (Buffer.isBuffer(v)) return `x${v.toString('hex')}`
  if (Array.isArray(v)) return `a[${v.map(valueKey).join(',')}]`
  if (v instanceof Map) return `M{${[...v.entries()].map(([k, x]) => `${valueKey(k)}:${valueKey(x)}`).join(',')}}`
  return `o{${Object.entries(v as Record<string, unknown>).map(([k, x]) => `${JSON.stringify(k)}:${valueKey(x)}`).join(',')}}`
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null) return false
  if (typeof a !== 'object' || typeof b !== 'object') return typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b)
  return valueKey(a) === valueKey(b)
}

function stripZeros(d: SqlDecimal): string {
  let u = d.unscaled
  let s = d.scale
  while (s > 0 && u % 10n === 0n) {
    u /= 10n
    s--
  }
  return `${u}e${s}`
}

/** Java's Double.toString: 1.0, 1.0E7, 1.0E-4, NaN, Infinity. */
export function javaDoubleToString(x: number): string {
  if (Number.isNaN(x)) return 'NaN'
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity'
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(x)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(x)
    return s.includes('.') ? s : `${s}.0`
  }
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string]
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`
}

/** A primitive value as Java's toString writes it (numbers of DOUBLE type need the type: pass isDouble). */
export function javaToString(v: unknown, isDouble = false): string {
  if (v === null || v === undefined) return 'null'
  if (typeof v === 'number') return isDouble || !Number.isInteger(v) ? javaDoubleToString(v) : String(v)
  if (v instanceof SqlDecimal) return v.toString()
  return String(v)
}
