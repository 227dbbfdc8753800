// MySQL / MariaDB column types → Connect schemas as Debezium's MySQL connector maps them
// (time.precision.mode=adaptive_time_microseconds, decimal.handling.mode=precise,
// bigint.unsigned.handling.mode=long): unsigned types widen (INT UNSIGNED → int64), DECIMAL stays
// exact, DATE io.debezium.time.Date (days), TIME io.debezium.time.MicroTime (µs), DATETIME(0-3)
// io.debezium.time.Timestamp (ms), DATETIME(4-6) io.debezium.time.MicroTimestamp (µs), TIMESTAMP
// io.debezium.time.ZonedTimestamp (ISO-8601 text in UTC), YEAR io.debezium.time.Year, JSON
// io.debezium.data.Json, ENUM / SET io.debezium.data.Enum / EnumSet, BIT(1) boolean, BIT(n)
// io.debezium.data.Bits, binary strings and BLOBs bytes. One converter per column accepts what
// both the snapshot (mysql2 text protocol with dateStrings) and the binlog decoder (zongji with
// dateStrings) produce for it.
import { Decimal, Schemas, type Schema } from '../api/schema.js'
import { decimalWithScale } from '../converters/decimal.js'
import type { ColumnMapping } from '../jdbc/dialect.js'
import type { ColumnDef } from './ddl.js'
import { utcMillis } from '../../core/common/civil-date.js'
import { plainDateTimeMicros, plainTimestampMs } from '../jdbc/temporal.js'

const named = (type: Schema['type'], name: string, optional: boolean, parameters?: Record<string, string>): Schema => {
  const s: Schema = { type, optional, name, version: 1 }
  if (parameters !== undefined) s.parameters = parameters
  return s
}

const toNumber = (v: unknown): unknown => (v === null ? null : typeof v === 'number' ? v : Number(v))
const toInt64 = (v: unknown): unknown => {
  if (v === null) return null
  if (typeof v === 'number') return v
  const n = Number(v)
  return Number.isSafeInteger(n) ? n : String(v) // exact digits: the JSON converter writes them verbatim
}
const toText = (v: unknown): unknown => (v === null ? null : typeof v === 'string' ? v : Buffer.isBuffer(v) ? v.toString('utf8') : typeof v === 'object' ? JSON.stringify(v) : String(v))
const toBytes = (v: unknown): unknown => (v === null ? null : Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, 'binary') : Buffer.from(String(v)))

const DT = /^(-?\d{1,6})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$/

/** 'YYYY-MM-DD[ HH:MM:SS[.ffffff]]' (UTC) → microseconds since the epoch; zero dates → null. */
export function datetimeTextToMicros(text: string): number | null {
  const fast = plainDatetimeMicros(text)
  if (fast === fast) return fast // not NaN
  const m = DT.exec(text.trim())
  if (m === null) throw new Error(`'${text}' is not a DATETIME`)
  if (m[1] === '0000' && m[2] === '00' && m[3] === '00') return null
  return utcMillis(+m[1]!, +m[2]! - 1, +m[3]!, +(m[4] ?? 0), +(m[5] ?? 0), +(m[6] ?? 0), 0) * 1000 + Number((m[7] ?? '').padEnd(6, '0'))
}

/** 'YYYY-MM-DD[ HH:MM:SS[.f{1,6}]]' as the server prints it, read without a regex or a Date; NaN for anything else (zero dates too). */
function plainDatetimeMicros(t: string): number {
  const n = t.length
  // The server's own form only: a space between date and time, one to six fraction digits.
  if (n > 26 || n === 20 || (n > 10 && t.charCodeAt(10) !== 32)) return NaN
  return plainDateTimeMicros(t)
}

/** '[-]HHH:MM:SS[.ffffff]' → signed microseconds (MySQL TIME spans -838:59:59 to 838:59:59). */
export function timeTextToMicros(text: string): number {
  const m = /^(-?)(\d{1,3}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/.exec(text.trim())
  if (m === null) throw new Error(`'${text}' is not a TIME`)
  const us = ((+m[2]! * 3600 + +m[3]! * 60 + +m[4]!) * 1_000_000) + Number((m[5] ?? '').padEnd(6, '0'))
  return m[1] === '-' ? -us : us
}

/** TIMESTAMP text in UTC → Debezium's ZonedTimestamp ('2024-02-03T04:05:06.123456Z'); the zero value → null. */
export function timestampTextToZoned(text: string): string | null {
  const m = DT.exec(text.trim())
  if (m === null) throw new Error(`'${text}' is not a TIMESTAMP`)
  if (m[1] === '0000') return null
  return `${m[1]}-${m[2]}-${m[3]}T${m[4] ?? '00'}:${m[5] ?? '00'}:${m[6] ?? '00'}${m[7] === undefined ? '' : `.${m[7]}`}Z`
}

/** DATETIME(0-3) → milliseconds: the server's own text form straight to ms, anything else through the microseconds. */
const datetimeMillis = (v: unknown): number | null => {
  if (v === null) return null
  if (typeof v === 'string' && v.length >= 19 && v.length <= 26 && v.length !== 20 && v.charCodeAt(10) === 32) {
    const ms = plainTimestampMs(v)
    if (ms === ms) return ms // not NaN
  }
  const us = datetimeMicros(v)
  return us === null ? null : Math.floor(us / 1000)
}

const datetimeMicros = (v: unknown): number | null => (v === null ? null : v instanceof Date ? v.getTime() * 1000 : datetimeTextToMicros(String(v)))

export interface ParsedType {
  base: string
  args: string[]
  unsigned: boolean
}

export function parseColumnType(type: string): ParsedType {
  const m = /^([a-z]+)(?:\((.*)\))?(.*)$/.exec(type.trim().toLowerCase())
  if (m === null) return { base: type, args: [], unsigned: false }
  const args = m[2] === undefined ? [] : m[2].split(',').map((s) => s.trim())
  return { base: m[1]!, args, unsigned: /\bunsigned\b/.test(m[3] ?? '') }
}

/** The Connect schema and value converter of one column. */
export function columnMapping(col: ColumnDef, optional: boolean): ColumnMapping {
  const { base, args, unsigned } = parseColumnType(col.type)
  const name = col.name
  const n = (schema: Schema, convert: (v: unknown) => unknown): ColumnMapping => ({ name, schema, convert })
  switch (base) {
    case 'bool':
    case 'boolean':
      return n(Schemas.boolean(optional), (v) => (v === null ? null : Number(v) !== 0))
    case 'tinyint':
      return n(Schemas.int16(optional), toNumber)
    case 'smallint':
      return n(unsigned ? Schemas.int32(optional) : Schemas.int16(optional), toNumber)
    case 'mediumint':
      return n(Schemas.int32(optional), toNumber)
    case 'int':
    case 'integer':
      return n(unsigned ? Schemas.int64(optional) : Schemas.int32(optional), toNumber)
    case 'bigint':
      return n(Schemas.int64(optional), toInt64)
    case 'float':
      return n(args.length > 0 && Number(args[0]) > 24 ? Schemas.float64(optional) : Schemas.float32(optional), toNumber)
    case 'double':
    case 'real':
      return n(Schemas.float64(optional), toNumber)
    case 'decimal':
    case 'numeric':
    case 'dec':
    case 'fixed': {
      const precision = Number(args[0] ?? 10)
      const scale = Number(args[1] ?? 0)
      return n(Decimal.schema(scale, optional, precision), (v) => (v === null ? null : decimalWithScale(String(v), scale)))
    }
    case 'bit': {
      const bits = Number(args[0] ?? 1)
      if (bits === 1) return n(Schemas.boolean(optional), (v) => (v === null ? null : Buffer.isBuffer(v) ? v.some((b) => b !== 0) : Number(v) !== 0))
      return n(named('bytes', 'io.debezium.data.Bits', optional, { length: String(bits) }), (v) => (v === null ? null : bitsToBytes(v, bits)))
    }
    case 'date':
      return n(named('int32', 'io.debezium.time.Date', optional), (v) => {
        const us = datetimeMicros(v)
        return us === null ? null : Math.floor(us / 86_400_000_000)
      })
    case 'time':
      return n(named('int64', 'io.debezium.time.MicroTime', optional), (v) => (v === null ? null : timeTextToMicros(String(v))))
    case 'datetime': {
      const fsp = Number(args[0] ?? 0)
      if (fsp <= 3) return n(named('int64', 'io.debezium.time.Timestamp', optional), datetimeMillis)
      return n(named('int64', 'io.debezium.time.MicroTimestamp', optional), datetimeMicros)
    }
    case 'timestamp':
      return n(named('string', 'io.debezium.time.ZonedTimestamp', optional), (v) => (v === null ? null : v instanceof Date ? v.toISOString() : timestampTextToZoned(String(v))))
    case 'year':
      return n(named('int32', 'io.debezium.time.Year', optional), toNumber)
    case 'json':
      return n(named('string', 'io.debezium.data.Json', optional), toText)
    case 'enum':
      return n(named('string', 'io.debezium.data.Enum', optional, { allowed: args.map(unquote).join(',') }), toText)
    case 'set':
      return n(named('string', 'io.debezium.data.EnumSet', optional, { allowed: args.map(unquote).join(',') }), toText)
    case 'binary':
    case 'varbinary':
    case 'tinyblob':
    case 'blob':
    case 'mediumblob':
    case 'longblob':
      return n(Schemas.bytes(optional), toBytes)
    case 'char':
    case 'varchar':
    case 'tinytext':
    case 'text':
    case 'mediumtext':
    case 'longtext':
      if (col.charset === null || col.charset === 'binary') return n(Schemas.bytes(optional), toBytes)
      return n(Schemas.string(optional), toText)
    default:
      // GEOMETRY and other types Brook does not model: their text (or bytes) as they come.
      return n(Schemas.string(optional), toText)
  }
}

function unquote(s: string): string {
  return s.startsWith("'") && s.endsWith("'") ? s.slice(1, -1).replace(/''/g, "'") : s
}

/** BIT(n) → Debezium's Bits: little-endian bytes of the value. */
function bitsToBytes(v: unknown, bits: number): Buffer {
  const len = Math.ceil(bits / 8)
  const out = Buffer.alloc(len)
  if (Buffer.isBuffer(v)) {
    // The server sends BIT as big-endian bytes.
    for (let i = 0; i < len && i < v.length; i++) out[i] = v[v.length - 1 - i]!
    return out
  }
  let n = Number(v)
  for (let i = 0; i < len; i++) {
    out[i] = n % 256
    n = Math.floor(n / 256)
  }
  return out
}
