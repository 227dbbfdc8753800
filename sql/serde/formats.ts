// Key and value formats: bytes <-> arrays of column values, one array slot per column.
// KAFKA (one primitive column, Kafka's own serializers), JSON, DELIMITED, NONE.
// AVRO (serde/avro/, with the schema registry) registers itself here; PROTOBUF and JSON_SR would too.
import { SqlError } from '../errors.js'
import type { AvroBinding } from './avro/binding.js'
import { SqlDecimal } from '../types/decimal.js'
import { formatType, type SqlType } from '../types/sql-type.js'
import { javaDouble } from '../expression/ops.js'
import { JsonNumber, parseLosslessJson } from './json-text.js'
import { readInt64, writeInt64 } from '../../core/protocol/records/batch-header.js'

export interface FormatColumn {
  readonly name: string
  readonly type: SqlType
}

export interface FormatOptions {
  /** JSON: a single value column as a bare value instead of an object (WRAP_SINGLE_VALUE=false). Keys: single column unwrapped. */
  readonly wrapSingle: boolean
  /** DELIMITED separator. */
  readonly delimiter: string
  /** AVRO: the source's binding to the schema registry. */
  readonly avro?: AvroBinding
}

/** Serializes and deserializes one side (key or value) of records. */
export interface RowFormat {
  readonly name: string
  /** AVRO: the schema rows are written with, to register under the subject before writing. */
  readonly avroSchema?: unknown
  serialize(row: readonly unknown[] | null): Buffer | null
  deserialize(bytes: Buffer | null): unknown[] | null
  /**
   * Optional: throws an error with `retryAfter` when what deserialize() needs for these bytes is
   * not here yet (AVRO: the schema of their id, being fetched), and nothing otherwise (bad bytes
   * are deserialize()'s to report). Run in the query's source, so the runtime holds the record.
   */
  ready?(bytes: Buffer | null): void
}

export type FormatFactory = (columns: readonly FormatColumn[], options: FormatOptions, side: 'key' | 'value') => RowFormat

const factories = new Map<string, FormatFactory>()

/** Adds a format (AVRO with a schema registry, ...). */
export function registerFormat(name: string, factory: FormatFactory): void {
  factories.set(name.toUpperCase(), factory)
}

export const SUPPORTED_FORMATS = ['KAFKA', 'JSON', 'DELIMITED', 'NONE', 'AVRO'] as const

export function createFormat(name: string, columns: readonly FormatColumn[], options: FormatOptions, side: 'key' | 'value'): RowFormat {
  const f = factories.get(name.toUpperCase())
  if (f === undefined) throw new SqlError('INVALID_PROPERTY', `Unknown format: ${name}. Supported formats: ${[...factories.keys()].join(', ')}`, { field: side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT' })
  return f(columns, options, side)
}

export function serdeError(message: string, cause?: unknown): SqlError {
  return new SqlError('SERDE_ERROR', message, cause === undefined ? {} : { cause })
}

// ---------------------------------------------------------------- KAFKA

registerFormat('KAFKA', (columns, _options, side) => {
  if (columns.length > 1) {
    throw new SqlError('INVALID_PROPERTY', `The 'KAFKA' format only supports a single field. Got: [${columns.map((c) => `\`${c.name}\` ${formatType(c.type)}`).join(', ')}]`, { field: side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT' })
  }
  if (columns.length === 0) return noneFormat
  const t = columns[0]!.type
  let ser: (v: unknown) => Buffer
  let de: (b: Buffer) => unknown
  switch (t.kind) {
    case 'INTEGER':
    case 'DATE':
    case 'TIME':
      ser = (v) => {
        const b = Buffer.allocUnsafe(4)
        b.writeInt32BE(v as number)
        return b
      }
      de = (b) => {
        if (b.length !== 4) throw serdeError(`Size of data received by IntegerDeserializer is not 4`)
        return b.readInt32BE(0)
      }
      break
    case 'BIGINT':
    case 'TIMESTAMP':
      ser = (v) => {
        const b = Buffer.allocUnsafe(8)
        writeInt64(b, 0, v as number)
        return b
      }
      de = (b) => {
        if (b.length !== 8) throw serdeError(`Size of data received by LongDeserializer is not 8`)
        return readInt64(b, 0)
      }
      break
    case 'DOUBLE':
      ser = (v) => {
        const b = Buffer.allocUnsafe(8)
        b.writeDoubleBE(v as number)
        return b
      }
      de = (b) => {
        if (b.length !== 8) throw serdeError(`Size of data received by DoubleDeserializer is not 8`)
        return b.readDoubleBE(0)
      }
      break
    case 'STRING':
      ser = (v) => Buffer.from(v as string, 'utf8')
      de = (b) => b.toString('utf8')
      break
    case 'BYTES':
      ser = (v) => v as Buffer
      de = (b) => b
      break
    default:
      throw new SqlError('INVALID_PROPERTY', `The 'KAFKA' format does not support type '${formatType(t)}'`, { field: side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT' })
  }
  return {
    name: 'KAFKA',
    serialize: (row) => (row === null || row[0] === null || row[0] === undefined ? null : ser(row[0])),
    deserialize: (b) => (b === null ? (side === 'key' ? [null] : null) : [de(b)]),
  }
})

// ---------------------------------------------------------------- NONE

const noneFormat: RowFormat = { name: 'NONE', serialize: () => null, deserialize: () => [] }
registerFormat('NONE', (columns, _o, side) => {
  if (columns.length > 0) throw new SqlError('INVALID_PROPERTY', `The 'NONE' format can only be used when no columns are defined. Got: ${columns.map((c) => c.name).join(', ')}`, { field: side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT' })
  return noneFormat
})

// ---------------------------------------------------------------- JSON

function hasDecimal(t: SqlType): boolean {
  switch (t.kind) {
    case 'DECIMAL':
      return true
    case 'ARRAY':
      return hasDecimal(t.element)
    case 'MAP':
      return hasDecimal(t.value)
    case 'STRUCT':
      return t.fields.some((f) => hasDecimal(f.type))
    default:
      return false
  }
}

/** A parsed JSON value (plain or lossless) -> the runtime value of `type`. */
export function fromJson(v: unknown, type: SqlType): unknown {
  if (v === null || v === undefined) return null
  switch (type.kind) {
    case 'BOOLEAN':
      if (typeof v === 'boolean') return v
      if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true'
      break
    case 'INTEGER':
    case 'BIGINT':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP': {
      const n = typeof v === 'number' ? v : v instanceof JsonNumber ? Number(v.text) : typeof v === 'string' && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN
      if (Number.isInteger(n)) return type.kind === 'INTEGER' ? n | 0 : n
      break
    }
    case 'DOUBLE': {
      const n = typeof v === 'number' ? v : v instanceof JsonNumber ? Number(v.text) : typeof v === 'string' ? Number(v) : NaN
      if (!Number.isNaN(n)) return n
      break
    }
    case 'DECIMAL': {
      const text = v instanceof JsonNumber ? v.text : typeof v === 'number' ? String(v) : typeof v === 'string' ? v : null
      if (text !== null) {
        const d = SqlDecimal.parse(text).setScale(type.scale)
        if (d.precision() > type.precision && d.unscaled !== 0n) throw serdeError(`Value ${text} does not fit ${formatType(type)}`)
        return d
      }
      break
    }
    case 'STRING':
      if (typeof v === 'string') return v
      if (v instanceof JsonNumber) return v.text
      if (typeof v === 'number' || typeof v === 'boolean') return String(v)
      return JSON.stringify(v)
    case 'BYTES':
      if (typeof v === 'string') return Buffer.from(v, 'base64')
      break
    case 'ARRAY':
      if (Array.isArray(v)) return v.map((x) => fromJson(x, type.element))
      break
    case 'MAP':
      if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber)) {
        const m = new Map<unknown, unknown>()
        for (const [k, x] of Object.entries(v as object)) m.set(fromJson(k, type.key), fromJson(x, type.value))
        return m
      }
      break
    case 'STRUCT':
      if (typeof v === 'object' && !Array.isArray(v) && !(v instanceof JsonNumber)) {
        const src = v as Record<string, unknown>
        const upper = new Map<string, unknown>()
        for (const [k, x] of Object.entries(src)) upper.set(k.toUpperCase(), x)
        const o: Record<string, unknown> = {}
        for (const f of type.fields) o[f.name] = fromJson(f.name in src ? src[f.name] : upper.get(f.name.toUpperCase()), f.type)
        return o
      }
      break
    case 'NULL':
      return null
  }
  throw serdeError(`Can't convert type. sourceType: ${v instanceof JsonNumber ? 'Number' : Array.isArray(v) ? 'Array' : typeof v}, requiredType: ${formatType(type)}`)
}

/** JSON text of a runtime value of `type`, as ksqlDB writes it (DECIMAL digits exact, doubles as Java prints them). */
export function toJsonText(v: unknown, type: SqlType): string {
  if (v === null || v === undefined) return 'null'
  switch (type.kind) {
    case 'DOUBLE':
      return Number.isFinite(v as number) ? javaDouble(v as number) : 'null'
    case 'DECIMAL':
      // the column's scale, as ksqlDB writes it (a value of another scale, from a user function, is rounded)
      return (v as SqlDecimal).setScale(type.scale).toString()
    case 'STRING':
      return JSON.stringify(v)
    case 'BYTES':
      return JSON.stringify((v as Buffer).toString('base64'))
    case 'ARRAY':
      return `[${(v as unknown[]).map((x) => toJsonText(x, type.element)).join(',')}]`
    case 'MAP': {
      const parts: string[] = []
      for (const [k, x] of v as Map<unknown, unknown>) parts.push(`${JSON.stringify(String(k))}:${toJsonText(x, type.value)}`)
      return `{${parts.join(',')}}`
    }
    case 'STRUCT': {
      const o = v as Record<string, unknown>
      return `{${type.fields.map((f) => `${JSON.stringify(f.name)}:${toJsonText(o[f.name] ?? null, f.type)}`).join(',')}}`
    }
    default:
      return String(v)
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof JsonNumber)
}

registerFormat('JSON', (columns, options, side) => {
  const lossless = columns.some((c) => hasDecimal(c.type))
  const parse = lossless ? (s: string) => parseLosslessJson(s) : (s: string) => JSON.parse(s) as unknown
  const unwrap = columns.length === 1 && (side === 'key' || !options.wrapSingle)
  const names = columns.map((c) => c.name)
  const upper = names.map((n) => n.toUpperCase())
  const hints = [...names]
  const types = columns.map((c) => c.type)
  const n = columns.length
  const prefixes = names.map((nm) => JSON.stringify(nm) + ':')
  return {
    name: 'JSON',
    serialize(row) {
      if (row === null) return null
      if (n === 0) return null
      if (unwrap) return Buffer.from(toJsonText(row[0] ?? null, types[0]!), 'utf8')
      let s = '{'
      for (let i = 0; i < n; i++) {
        if (i > 0) s += ','
        s += prefixes[i]! + toJsonText(row[i] ?? null, types[i]!)
      }
      return Buffer.from(s + '}', 'utf8')
    },
    deserialize(bytes) {
      if (bytes === null) return side === 'key' ? new Array<unknown>(n).fill(null) : null
      let v: unknown
      try {
        v = parse(bytes.toString('utf8'))
      } catch (err) {
        throw serdeError(`Failed to deserialize ${side} from JSON: ${(err as Error).message}`, err)
      }
      if (unwrap) return [fromJson(v, types[0]!)]
      if (!isPlainObject(v)) {
        if (n === 1 && v !== null) return [fromJson(v, types[0]!)]
        throw serdeError(`Failed to deserialize ${side}: expected a JSON object, got ${Array.isArray(v) ? 'an array' : typeof v}`)
      }
      const out = new Array<unknown>(n)
      let found = 0
      for (let i = 0; i < n; i++) {
        // the field name as the last record spelled it (names match case-insensitively, as in ksqlDB)
        const x = v[hints[i]!]
        if (x !== undefined) {
          out[i] = fromJson(x, types[i]!)
          found++
        } else out[i] = undefined
      }
      if (found < n) {
        const byUpper = new Map<string, string>()
        for (const k of Object.keys(v)) byUpper.set(k.toUpperCase(), k)
        for (let i = 0; i < n; i++) {
          if (out[i] !== undefined) continue
          const k = byUpper.get(upper[i]!)
          if (k !== undefined) hints[i] = k
          out[i] = fromJson(k === undefined ? null : v[k], types[i]!)
        }
      }
      return out
    },
  }
})

// ---------------------------------------------------------------- DELIMITED

function csvSplit(line: string, delimiter: string): string[] {
  const out: string[] = []
  let i = 0
  for (;;) {
    if (line[i] === '"') {
      let s = ''
      i++
      for (;;) {
        if (i >= line.length) throw serdeError('Unterminated quoted field in DELIMITED value')
        if (line[i] === '"') {
          if (line[i + 1] === '"') {
            s += '"'
            i += 2
            continue
          }
          i++
          break
        }
        s += line[i++]
      }
      out.push(s)
      if (i >= line.length) return out
      if (!line.startsWith(delimiter, i)) throw serdeError('Expected a delimiter after a quoted field')
      i += delimiter.length
    } else {
      const at = line.indexOf(delimiter, i)
      if (at < 0) {
        out.push(line.slice(i))
        return out
      }
      out.push(line.slice(i, at))
      i = at + delimiter.length
    }
  }
}

function fromDelimited(s: string, type: SqlType): unknown {
  if (s === '') return null
  switch (type.kind) {
    case 'STRING':
      return s
    case 'BOOLEAN':
      return s.toLowerCase() === 'true'
    case 'INTEGER':
    case 'BIGINT':
    case 'DATE':
    case 'TIME':
    case 'TIMESTAMP': {
      if (!/^-?\d+$/.test(s.trim())) throw serdeError(`Cannot parse '${s}' as ${formatType(type)}`)
      const n = Number(s)
      return type.kind === 'INTEGER' ? n | 0 : n
    }
    case 'DOUBLE': {
      const n = Number(s)
      if (Number.isNaN(n)) throw serdeError(`Cannot parse '${s}' as DOUBLE`)
      return n
    }
    case 'DECIMAL':
      return SqlDecimal.parse(s).setScale(type.scale)
    case 'BYTES':
      return Buffer.from(s, 'base64')
    default:
      throw serdeError(`DELIMITED does not support type ${formatType(type)}`)
  }
}

function toDelimited(v: unknown, type: SqlType, delimiter: string): string {
  if (v === null || v === undefined) return ''
  let s: string
  switch (type.kind) {
    case 'DOUBLE':
      s = javaDouble(v as number)
      break
    case 'DECIMAL':
      s = (v as SqlDecimal).setScale(type.scale).toString()
      break
    case 'BYTES':
      s = (v as Buffer).toString('base64')
      break
    default:
      s = String(v)
  }
  return s.includes(delimiter) || s.includes('"') || s.includes('\n') ? `"${s.replace(/"/g, '""')}"` : s
}

registerFormat('DELIMITED', (columns, options, side) => {
  for (const c of columns) {
    if (c.type.kind === 'ARRAY' || c.type.kind === 'MAP' || c.type.kind === 'STRUCT') {
      throw new SqlError('INVALID_PROPERTY', `The 'DELIMITED' format does not support type '${c.type.kind}', column: \`${c.name}\``, { field: side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT' })
    }
  }
  const d = options.delimiter
  const n = columns.length
  return {
    name: 'DELIMITED',
    serialize(row) {
      if (row === null || n === 0) return null
      let s = ''
      for (let i = 0; i < n; i++) {
        if (i > 0) s += d
        s += toDelimited(row[i], columns[i]!.type, d)
      }
      return Buffer.from(s, 'utf8')
    },
    deserialize(bytes) {
      if (bytes === null) return side === 'key' ? new Array<unknown>(n).fill(null) : null
      const parts = csvSplit(bytes.toString('utf8'), d)
      if (parts.length !== n) throw serdeError(`Unexpected field count, csvFields:${parts.length} schemaFields:${n}`)
      return parts.map((p, i) => fromDelimited(p, columns[i]!.type))
    },
  }
})
