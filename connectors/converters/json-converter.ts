// Kafka Connect's JsonConverter: with schemas.enable=true each message is the envelope
// {"schema": ..., "payload": ...}; without it, the bare JSON value. decimal.format BASE64
// (Connect's default: unscaled two's complement bytes, base64) or NUMERIC (the exact digits).
// Writes JSON text directly from the schema walk: no intermediate object per record.
import { ConnectDate, ConnectTime, ConnectTimestamp, Decimal, decimalScale, type Field, type Schema } from '../api/schema.js'
import { ConfigException, DataException } from '../errors.js'
import type { Converter, SchemaAndValue } from './converter.js'
import { decimalFromBytes, decimalToBytes, decimalWithScale } from './decimal.js'

export class JsonConverter implements Converter {
  schemasEnable = true
  decimalFormat: 'BASE64' | 'NUMERIC' = 'BASE64'
  private readonly schemaJsonCache = new WeakMap<Schema, string>()
  private writers = new WeakMap<Schema, ValueWriter>()
  /** Parsed schemas by their JSON text: records of one topic repeat the same schema. */
  private readonly schemaCache = new Map<string, Schema>()

  configure(props: Record<string, string>, _isKey: boolean): void {
    this.writers = new WeakMap()
    const se = props['schemas.enable']
    if (se !== undefined) {
      if (!/^(true|false)$/i.test(se)) throw new ConfigException('schemas.enable', `'${se}' is not a boolean`)
      this.schemasEnable = se.toLowerCase() === 'true'
    }
    const df = props['decimal.format']
    if (df !== undefined) {
      const u = df.toUpperCase()
      if (u !== 'BASE64' && u !== 'NUMERIC') throw new ConfigException('decimal.format', `'${df}' must be BASE64 or NUMERIC`)
      this.decimalFormat = u
    }
  }

  fromConnectData(_topic: string, schema: Schema | null, value: unknown): Buffer | null {
    if (value === null || value === undefined) {
      if (!this.schemasEnable || schema === null) return null
    }
    const payload = this.writeValue(schema, value)
    if (!this.schemasEnable) return Buffer.from(payload)
    return Buffer.from(`{"schema":${schema === null ? 'null' : this.schemaJson(schema)},"payload":${payload}}`)
  }

  toConnectData(_topic: string, bytes: Buffer | null): SchemaAndValue {
    if (bytes === null || bytes.length === 0) return { schema: null, value: null }
    let parsed: unknown
    try {
      const text = bytes.toString('utf8')
      if (this.schemasEnable) {
        const fast = this.readEnvelope(text)
        if (fast !== null) return fast
      }
      parsed = JSON.parse(LONG_NUMBER.test(text) ? quoteLongNumbers(text) : text)
    } catch (err) {
      throw new DataException(`Converting byte[] to Kafka Connect data failed due to serialization error: ${(err as Error).message}`, { cause: err })
    }
    if (!this.schemasEnable) return { schema: null, value: parsed }
    if (parsed === null || typeof parsed !== 'object' || !('schema' in parsed) || !('payload' in parsed) || Object.keys(parsed).length !== 2) {
      throw new DataException('JsonConverter with schemas.enable requires "schema" and "payload" fields and may not contain additional fields. If you are trying to deserialize plain JSON data, set schemas.enable=false in your converter configuration.')
    }
    const env = parsed as { schema: unknown; payload: unknown }
    if (env.schema === null) return { schema: null, value: env.payload }
    const schema = schemaFromJson(env.schema)
    return { schema, value: readValue(schema, env.payload) }
  }

  /**
   * The envelope as this converter writes it ({"schema":S,"payload":P}): S is looked up by its
   * text (parsed once per distinct schema), only P is parsed. null when the text has another shape.
   */
  private readEnvelope(text: string): SchemaAndValue | null {
    if (!text.startsWith(SCHEMA_PREFIX)) return null
    const end = jsonValueEnd(text, SCHEMA_PREFIX.length)
    if (end < 0 || !text.startsWith(PAYLOAD_INFIX, end) || text.charCodeAt(text.length - 1) !== 125) return null
    const schemaText = text.slice(SCHEMA_PREFIX.length, end)
    if (schemaText === 'null') return null
    let schema = this.schemaCache.get(schemaText)
    if (schema === undefined) {
      schema = schemaFromJson(JSON.parse(schemaText))
      if (this.schemaCache.size >= 1000) this.schemaCache.clear()
      this.schemaCache.set(schemaText, schema)
    }
    const payloadText = text.slice(end + PAYLOAD_INFIX.length, text.length - 1)
    const payload: unknown = JSON.parse(LONG_NUMBER.test(payloadText) ? quoteLongNumbers(payloadText) : payloadText)
    return { schema, value: readValue(schema, payload) }
  }

  schemaJson(schema: Schema): string {
    let s = this.schemaJsonCache.get(schema)
    if (s === undefined) {
      s = JSON.stringify(schemaToJson(schema))
      this.schemaJsonCache.set(schema, s)
    }
    return s
  }

  private writeValue(schema: Schema | null, value: unknown): string {
    if (value === null || value === undefined) return 'null'
    if (schema === null) return JSON.stringify(value, bytesReplacer)
    return this.writer(schema)(value)
  }

  /** The writer of a schema, compiled once: field names pre-quoted, one closure per field. */
  private writer(schema: Schema): ValueWriter {
    let w = this.writers.get(schema)
    if (w === undefined) {
      w = this.compile(schema)
      this.writers.set(schema, w)
    }
    return w
  }

  private compile(schema: Schema): ValueWriter {
    const nullable = (inner: ValueWriter): ValueWriter => (v) => (v === null || v === undefined ? 'null' : inner(v))
    switch (schema.type) {
      case 'struct': {
        const fields = schema.fields ?? []
        const names = fields.map((f, i) => (i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':')
        const writers = fields.map((f) => nullable(this.compile(f.schema)))
        const keys = fields.map((f) => f.name)
        const n = fields.length
        // A frozen struct shared by many records (a CDC batch's source block) is written once.
        let lastObj: unknown = null
        let lastOut = ''
        return (value) => {
          if (value === lastObj) return lastOut
          const obj = value as Record<string, unknown>
          let out = n === 0 ? '{' : ''
          for (let i = 0; i < n; i++) out += names[i]! + writers[i]!(obj[keys[i]!])
          out += '}'
          if (Object.isFrozen(value)) {
            lastObj = value
            lastOut = out
          }
          return out
        }
      }
      case 'array': {
        const item = schema.valueSchema ?? null
        return (value) => '[' + (value as unknown[]).map((v) => this.writeValue(item, v)).join(',') + ']'
      }
      case 'map': {
        const vs = schema.valueSchema ?? null
        return (value) => {
          const m = value instanceof Map ? Object.fromEntries(value) : (value as Record<string, unknown>)
          return '{' + Object.entries(m).map(([k, v]) => JSON.stringify(k) + ':' + this.writeValue(vs, v)).join(',') + '}'
        }
      }
      case 'bytes':
        if (schema.name === Decimal.LOGICAL_NAME) {
          const scale = decimalScale(schema)
          if (this.decimalFormat === 'NUMERIC') return (value) => decimalWithScale(typeof value === 'string' ? value : String(value), scale)
          return (value) => `"${decimalToBytes(typeof value === 'string' ? value : String(value), scale).toString('base64')}"`
        }
        return (value) => {
          if (Buffer.isBuffer(value)) return `"${value.toString('base64')}"`
          if (value instanceof Uint8Array) return `"${Buffer.from(value).toString('base64')}"`
          throw new DataException(`Invalid type for bytes: ${typeof value}`)
        }
      case 'int64':
        // Exact 64-bit integers may arrive as digit strings; write them as JSON numbers verbatim.
        return (value) => {
          if (typeof value === 'number' && Number.isFinite(value)) return String(value)
          if (typeof value === 'string' && INTEGER.test(value)) return value
          if (value instanceof Date) return String(value.getTime())
          return numberText(value, schema)
        }
      case 'int8':
      case 'int16':
      case 'int32':
      case 'float32':
      case 'float64':
        return (value) => {
          if (typeof value === 'number' && Number.isFinite(value)) return String(value)
          if (value instanceof Date) return String(value.getTime())
          return numberText(value, schema)
        }
      case 'boolean':
        return (value) => {
          if (typeof value !== 'boolean') throw new DataException(`Invalid type for boolean: ${typeof value}`)
          return value ? 'true' : 'false'
        }
      case 'string':
        return (value) => JSON.stringify(typeof value === 'string' ? value : String(value))
    }
  }
}

type ValueWriter = (value: unknown) => string
const INTEGER = /^-?\d+$/

function numberText(value: unknown, schema: Schema): string {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  if (!Number.isFinite(n)) throw new DataException(`Invalid value for ${schema.type}: ${JSON.stringify(value)}`)
  return String(n)
}

function bytesReplacer(_k: string, v: unknown): unknown {
  if (v !== null && typeof v === 'object' && (v as { type?: string }).type === 'Buffer' && Array.isArray((v as { data?: unknown }).data)) {
    return Buffer.from((v as { data: number[] }).data).toString('base64')
  }
  return v
}

export function schemaToJson(schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = { type: schema.type }
  if (schema.type === 'struct') {
    out.fields = (schema.fields ?? []).map((f) => ({ ...schemaToJson(f.schema), field: f.name }))
  }
  if (schema.type === 'array' && schema.valueSchema) out.items = schemaToJson(schema.valueSchema)
  if (schema.type === 'map') {
    if (schema.keySchema) out.keys = schemaToJson(schema.keySchema)
    if (schema.valueSchema) out.values = schemaToJson(schema.valueSchema)
  }
  out.optional = schema.optional
  if (schema.name !== undefined) out.name = schema.name
  if (schema.version !== undefined) out.version = schema.version
  if (schema.doc !== undefined) out.doc = schema.doc
  if (schema.parameters !== undefined) out.parameters = schema.parameters
  if (schema.defaultValue !== undefined) out.default = schema.defaultValue
  return out
}

export function schemaFromJson(json: unknown): Schema {
  if (json === null || typeof json !== 'object') throw new DataException(`Schema must be a JSON object, got ${JSON.stringify(json)}`)
  const j = json as Record<string, unknown>
  const type = j.type
  const types = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string', 'bytes', 'array', 'map', 'struct']
  if (typeof type !== 'string' || !types.includes(type)) throw new DataException(`Unknown schema type: ${JSON.stringify(type)}`)
  const s: Schema = { type: type as Schema['type'], optional: j.optional === true }
  if (typeof j.name === 'string') s.name = j.name
  if (typeof j.version === 'number') s.version = j.version
  if (typeof j.doc === 'string') s.doc = j.doc
  if (j.parameters !== null && typeof j.parameters === 'object') s.parameters = j.parameters as Record<string, string>
  if (type === 'struct') {
    const fields = Array.isArray(j.fields) ? j.fields : []
    s.fields = fields.map((f: unknown, index: number): Field => {
      const fj = f as Record<string, unknown>
      if (typeof fj.field !== 'string') throw new DataException('Struct schema field without a "field" name')
      return { name: fj.field, index, schema: schemaFromJson(fj) }
    })
  }
  if (type === 'array') s.valueSchema = schemaFromJson(j.items)
  if (type === 'map') {
    s.keySchema = schemaFromJson(j.keys)
    s.valueSchema = schemaFromJson(j.values)
  }
  return s
}

const LONG_NUMBER = /\d{16}/
const SCHEMA_PREFIX = '{"schema":'
const PAYLOAD_INFIX = ',"payload":'

/** Index just past the JSON object or array starting at `from` (strings skipped); -1 if none. */
function jsonValueEnd(text: string, from: number): number {
  const open = text.charCodeAt(from)
  if (open !== 123 && open !== 91) return text.startsWith('null', from) ? from + 4 : -1
  let depth = 0
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i)
        if (d === 92) i++
        else if (d === 34) break
      }
    } else if (c === 123 || c === 91) depth++
    else if (c === 125 || c === 93) {
      if (--depth === 0) return i + 1
    }
  }
  return -1
}

/**
 * Numbers with 16 or more digits do not survive JSON.parse (int64 beyond 2^53, long decimals
 * with decimal.format=NUMERIC): wrap them in quotes so they reach readValue as exact text.
 */
export function quoteLongNumbers(text: string): string {
  let out = ''
  let last = 0
  let inString = false
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (inString) {
      if (c === 92) i++ // backslash escape
      else if (c === 34) inString = false
      continue
    }
    if (c === 34) {
      inString = true
      continue
    }
    if (c === 45 || (c >= 48 && c <= 57)) {
      let j = i + 1
      while (j < text.length && /[0-9.eE+-]/.test(text[j]!)) j++
      const token = text.slice(i, j)
      if (token.replace(/[^0-9]/g, '').length >= 16 && !/[eE]/.test(token)) {
        out += text.slice(last, i) + '"' + token + '"'
        last = j
      }
      i = j - 1
    }
  }
  return last === 0 ? text : out + text.slice(last)
}

/** JSON payload → Connect value for a schema (decimals back to exact text, bytes to Buffers). */
export function readValue(schema: Schema, payload: unknown): unknown {
  if (payload === null || payload === undefined) return null
  switch (schema.type) {
    case 'struct': {
      const obj = payload as Record<string, unknown>
      const out: Record<string, unknown> = {}
      for (const f of schema.fields ?? []) out[f.name] = readValue(f.schema, obj[f.name])
      return out
    }
    case 'array':
      return (payload as unknown[]).map((v) => (schema.valueSchema ? readValue(schema.valueSchema, v) : v))
    case 'bytes':
      if (schema.name === Decimal.LOGICAL_NAME) {
        if (typeof payload === 'number') return String(payload)
        if (typeof payload === 'string' && /^-?\d+(\.\d+)?$/.test(payload)) return payload
        return decimalFromBytes(Buffer.from(String(payload), 'base64'), decimalScale(schema))
      }
      return Buffer.from(String(payload), 'base64')
    case 'float32':
    case 'float64':
    case 'int8':
    case 'int16':
    case 'int32':
      return typeof payload === 'string' ? Number(payload) : payload
    default:
      return payload
  }
}

export const LogicalNames = { date: ConnectDate.LOGICAL_NAME, time: ConnectTime.LOGICAL_NAME, timestamp: ConnectTimestamp.LOGICAL_NAME }
