// Value operations with ksqlDB's semantics: comparison across numeric types, equality of
// collections, casts, LIKE patterns, Java's spelling of doubles.
import { SqlDecimal } from '../types/decimal.js'
import { formatType, type SqlType } from '../types/sql-type.js'
import { SqlError } from '../errors.js'

/** Java's Double.toString: 1.0, 0.001, 1.0E-4, 1.2345678E7. */
export function javaDouble(n: number): string {
  if (Number.isNaN(n)) return 'NaN'
  if (!Number.isFinite(n)) return n > 0 ? 'Infinity' : '-Infinity'
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0'
  const abs = Math.abs(n)
  if (abs >= 1e-3 && abs < 1e7) {
    const s = String(n)
    return s.includes('.') ? s : s + '.0'
  }
  const [mant, exp] = n.toExponential().split('e') as [string, string]
  return `${mant.includes('.') ? mant : mant + '.0'}E${exp.startsWith('+') ? exp.slice(1) : exp}`
}

function isDecimal(v: unknown): v is SqlDecimal {
  return v instanceof SqlDecimal
}

/** Orders two non-null values of comparable types; numbers of different kinds compare by value. */
export function compareValues(a: unknown, b: unknown): number {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (isDecimal(a) || isDecimal(b)) {
    if (isDecimal(a) && isDecimal(b)) return a.compareTo(b)
    const x = isDecimal(a) ? a.toNumber() : (a as number)
    const y = isDecimal(b) ? b.toNumber() : (b as number)
    return x < y ? -1 : x > y ? 1 : 0
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1
  if (Buffer.isBuffer(a) && Buffer.isBuffer(b)) return Buffer.compare(a, b)
  return valuesEqual(a, b) ? 0 : String(a) < String(b) ? -1 : 1
}

export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true
  if (a === null || b === null) return false
  if (typeof a === 'number' || isDecimal(a)) return (typeof b === 'number' || isDecimal(b)) && compareValues(a, b) === 0
  if (Buffer.isBuffer(a)) return Buffer.isBuffer(b) && a.equals(b)
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]))
  if (a instanceof Map) {
    if (!(b instanceof Map) || a.size !== b.size) return false
    for (const [k, v] of a) if (!b.has(k) || !valuesEqual(v, b.get(k))) return false
    return true
  }
  if (typeof a === 'object' && typeof b === 'object') {
    const ka = Object.keys(a as object)
    const kb = Object.keys(b as object)
    return ka.length === kb.length && ka.every((k) => valuesEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]))
  }
  return false
}

/** A LIKE pattern as a RegExp: % any run, _ one character, `escape` makes the next character literal. */
export function likeToRegExp(pattern: string, escape: string | null): RegExp {
  let re = '^'
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!
    if (escape !== null && c === escape && i + 1 < pattern.length) {
      re += pattern[++i]!.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    } else if (c === '%') re += '[\\s\\S]*'
    else if (c === '_') re += '[\\s\\S]'
    else re += c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  }
  return new RegExp(re + '$')
}

const DAY_MS = 86_400_000

export function formatDate(days: number): string {
  return new Date(days * DAY_MS).toISOString().slice(0, 10)
}
export function formatTime(ms: number): string {
  return new Date(ms).toISOString().slice(11, 23).replace(/\.000$/, '')
}
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().slice(0, 23)
}

/** Casts a non-null value between types; throws on values the target cannot hold. */
export function castValue(v: unknown, from: SqlType, to: SqlType): unknown {
  if (v === null) return null
  switch (to.kind) {
    case 'STRING':
      return toSqlString(v, from)
    case 'BOOLEAN':
      if (from.kind === 'BOOLEAN') return v
      if (from.kind === 'STRING') {
        const s = (v as string).trim().toLowerCase()
        if (s === 'true' || s === 't' || s === 'yes' || s === 'y') return true
        if (s === 'false' || s === 'f' || s === 'no' || s === 'n') return false
        throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v as string}' to BOOLEAN`)
      }
      break
    case 'INTEGER':
    case 'BIGINT': {
      let n: number
      if (typeof v === 'number') n = Math.trunc(v)
      else if (isDecimal(v)) n = Number(v.setScale(0, 'DOWN').unscaled)
      else if (typeof v === 'string') {
        const s = v.trim()
        if (!/^[+-]?\d+$/.test(s)) throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v}' to ${to.kind}`)
        n = Number(s)
      } else break
      return to.kind === 'INTEGER' ? n | 0 : n
    }
    case 'DOUBLE':
      if (typeof v === 'number') return v
      if (isDecimal(v)) return v.toNumber()
      if (typeof v === 'string') {
        const n = Number(v.trim())
        if (Number.isNaN(n) && v.trim() !== 'NaN') throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v}' to DOUBLE`)
        return n
      }
      break
    case 'DECIMAL': {
      let d: SqlDecimal
      if (isDecimal(v)) d = v.setScale(to.scale)
      else if (typeof v === 'number') d = from.kind === 'DOUBLE' ? SqlDecimal.fromNumber(v, to.scale) : new SqlDecimal(BigInt(v), 0).setScale(to.scale)
      else if (typeof v === 'string') d = SqlDecimal.parse(v).setScale(to.scale)
      else break
      if (d.precision() > to.precision && d.unscaled !== 0n) throw new SqlError('EXECUTION_ERROR', `Numeric field overflow: ${d.toString()} does not fit ${formatType(to)}`)
      return d
    }
    case 'TIMESTAMP':
      if (from.kind === 'TIMESTAMP') return v
      if (from.kind === 'DATE') return (v as number) * DAY_MS
      if (from.kind === 'STRING') {
        const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(v as string) ? (v as string) : `${v as string}Z`)
        if (Number.isNaN(ms)) throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v as string}' to TIMESTAMP`)
        return ms
      }
      break
    case 'DATE':
      if (from.kind === 'DATE') return v
      if (from.kind === 'TIMESTAMP') return Math.floor((v as number) / DAY_MS)
      if (from.kind === 'STRING') {
        const ms = Date.parse(`${v as string}T00:00:00Z`)
        if (Number.isNaN(ms)) throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v as string}' to DATE`)
        return ms / DAY_MS
      }
      break
    case 'TIME':
      if (from.kind === 'TIME') return v
      if (from.kind === 'TIMESTAMP') return (((v as number) % DAY_MS) + DAY_MS) % DAY_MS
      if (from.kind === 'STRING') {
        const ms = Date.parse(`1970-01-01T${v as string}Z`)
        if (Number.isNaN(ms)) throw new SqlError('EXECUTION_ERROR', `Cannot cast '${v as string}' to TIME`)
        return ms
      }
      break
    case 'BYTES':
      if (from.kind === 'BYTES') return v
      break
    case 'ARRAY':
      if (from.kind === 'ARRAY') return (v as unknown[]).map((x) => castValue(x, from.element, to.element))
      break
    case 'MAP':
      if (from.kind === 'MAP') {
        const out = new Map<unknown, unknown>()
        for (const [k, x] of v as Map<unknown, unknown>) out.set(castValue(k, from.key, to.key), castValue(x, from.value, to.value))
        return out
      }
      break
    case 'STRUCT':
      if (from.kind === 'STRUCT') {
        const src = v as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const f of to.fields) {
          const g = from.fields.find((x) => x.name === f.name)
          out[f.name] = g === undefined ? null : castValue(src[f.name] ?? null, g.type, f.type)
        }
        return out
      }
      break
  }
  throw new SqlError('TYPE_ERROR', `Cast of ${formatType(from)} to ${formatType(to)} is not supported`)
}

/** Whether CAST(from AS to) is allowed at all (checked at analysis). */
export function castSupported(from: SqlType, to: SqlType): boolean {
  if (from.kind === 'NULL' || to.kind === 'STRING') return true
  const num = (k: string): boolean => k === 'INTEGER' || k === 'BIGINT' || k === 'DOUBLE' || k === 'DECIMAL'
  switch (to.kind) {
    case 'BOOLEAN':
      return from.kind === 'BOOLEAN' || from.kind === 'STRING'
    case 'INTEGER':
    case 'BIGINT':
    case 'DOUBLE':
    case 'DECIMAL':
      return num(from.kind) || from.kind === 'STRING'
    case 'TIMESTAMP':
      return from.kind === 'TIMESTAMP' || from.kind === 'DATE' || from.kind === 'STRING'
    case 'DATE':
      return from.kind === 'DATE' || from.kind === 'TIMESTAMP' || from.kind === 'STRING'
    case 'TIME':
      return from.kind === 'TIME' || from.kind === 'TIMESTAMP' || from.kind === 'STRING'
    case 'BYTES':
      return from.kind === 'BYTES'
    case 'ARRAY':
      return from.kind === 'ARRAY' && castSupported(from.element, to.element)
    case 'MAP':
      return from.kind === 'MAP' && castSupported(from.key, to.key) && castSupported(from.value, to.value)
    case 'STRUCT':
      return from.kind === 'STRUCT'
    default:
      return false
  }
}

/** ksqlDB's text of a value (CAST to STRING, DELIMITED fields). */
export function toSqlString(v: unknown, type: SqlType): string {
  switch (type.kind) {
    case 'DOUBLE':
      return javaDouble(v as number)
    case 'DATE':
      return formatDate(v as number)
    case 'TIME':
      return formatTime(v as number)
    case 'TIMESTAMP':
      return formatTimestamp(v as number)
    case 'BYTES':
      return (v as Buffer).toString('base64')
    case 'ARRAY':
      return `[${(v as unknown[]).map((x) => (x === null ? 'null' : toSqlString(x, type.element))).join(', ')}]`
    case 'MAP':
      return `{${[...(v as Map<unknown, unknown>)].map(([k, x]) => `${toSqlString(k, type.key)}=${x === null ? 'null' : toSqlString(x, type.value)}`).join(', ')}}`
    case 'STRUCT':
      return `Struct{${type.fields
        .filter((f) => (v as Record<string, unknown>)[f.name] != null)
        .map((f) => `${f.name}=${toSqlString((v as Record<string, unknown>)[f.name], f.type)}`)
        .join(',')}}`
    default:
      return String(v)
  }
}

