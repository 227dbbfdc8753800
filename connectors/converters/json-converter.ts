// Kafka Connect's JsonConverter: with schemas.enable=true each message is the envelope
// {"schema": ..., "payload": ...}; without it, the bare JSON value. decimal.format BASE64
// (Connect's default: unscaled two's complement bytes, base64) or NUMERIC (the exact digits).
// Writes JSON bytes directly from the schema walk (compiled once per schema): no intermediate
// object or string per record.
import { ConnectDate, ConnectTime, ConnectTimestamp, Decimal, decimalScale, type Field, type Schema } from '../api/schema.js'
import { ConfigException, DataException } from '../errors.js'
import type { ByteRange, Converter, SchemaAndValue } from './converter.js'
import { decimalFromBytes, decimalToBase64, decimalWithScale, twosComplementInto, unscaledNumber } from './decimal.js'
import { JsonWriter } from './json-writer.js'

export class JsonConverter implements Converter {
  schemasEnable = true
  decimalFormat: 'BASE64' | 'NUMERIC' = 'BASE64'
  private readonly schemaJsonCache = new WeakMap<Schema, string>()
  private readonly schemaBytesCache = new WeakMap<Schema, Buffer>()
  private writers = new WeakMap<Schema, ValueWriter>()
  private lastWriterSchema: Schema | null = null
  private lastWriter: ValueWriter | null = null
  private writersByShape = new Map<string, ValueWriter>()
  private readonly out = new JsonWriter()
  /** Parsed schemas by their JSON text: records of one topic repeat the same schema. */
  private readonly schemaCache = new Map<string, Schema>()
  private lastSchemaText = ''

  configure(props: Record<string, string>, _isKey: boolean): void {
    this.writers = new WeakMap()
    this.writersByShape = new Map()
    this.lastWriterSchema = null
    this.lastWriter = null
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
    if (!this.write(schema, value)) return null
    return this.out.finish()
  }

  fromConnectDataRange(_topic: string, schema: Schema | null, value: unknown, into: ByteRange): boolean {
    if (!this.write(schema, value)) return false
    this.out.finishInto(into)
    return true
  }

  /** Writes the message into the slab (begin() to here); false when it is null. */
  private write(schema: Schema | null, value: unknown): boolean {
    if (value === null || value === undefined) {
      if (!this.schemasEnable || schema === null) return false
    }
    const w = this.out
    w.begin()
    if (this.schemasEnable) {
      if (schema === null) w.bytes(NULL_SCHEMA_PREFIX)
      else w.bytes(this.schemaPrefix(schema))
      this.writeValue(w, schema, value)
      w.byte(125)
    } else this.writeValue(w, schema, value)
    return true
  }

  /** `{"schema":<schema JSON>,"payload":` as bytes, once per schema. */
  private schemaPrefix(schema: Schema): Buffer {
    if (schema === this.lastPrefixSchema) return this.lastPrefix!
    let b = this.schemaBytesCache.get(schema)
    if (b === undefined) {
      b = Buffer.from(`${SCHEMA_PREFIX}${this.schemaJson(schema)}${PAYLOAD_INFIX}`)
      this.schemaBytesCache.set(schema, b)
    }
    this.lastPrefixSchema = schema
    this.lastPrefix = b
    return b
  }
  private lastPrefixSchema: Schema | null = null
  private lastPrefix: Buffer | null = null

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
    // Most records repeat the last schema: compare its text in place before scanning for the end.
    const last = this.lastSchemaText
    const same = last !== '' && text.startsWith(last, SCHEMA_PREFIX.length) && text.startsWith(PAYLOAD_INFIX, SCHEMA_PREFIX.length + last.length)
    const end = same ? SCHEMA_PREFIX.length + last.length : jsonValueEnd(text, SCHEMA_PREFIX.length)
    if (end < 0 || !text.startsWith(PAYLOAD_INFIX, end) || text.charCodeAt(text.length - 1) !== 125) return null
    const schemaText = same ? last : text.slice(SCHEMA_PREFIX.length, end)
    if (schemaText === 'null') return null
    this.lastSchemaText = schemaText
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

  private writeValue(w: JsonWriter, schema: Schema | null, value: unknown): void {
    if (value === null || value === undefined) w.nul()
    else if (schema === null) w.ascii(JSON.stringify(value, bytesReplacer).replace(NON_ASCII, escapeNonAscii))
    else this.writer(schema)(w, value)
  }

  /**
   * The writer of a schema, compiled once per schema shape: transforms that derive a new schema
   * object per record (InsertField, ReplaceField, ...) find the writer by the schema's JSON text.
   */
  private writer(schema: Schema): ValueWriter {
    // Records of one table share their schema object: the last one's writer without a WeakMap lookup.
    if (schema === this.lastWriterSchema) return this.lastWriter!
    let w = this.writers.get(schema)
    if (w === undefined) {
      const shape = this.schemaJson(schema)
      w = this.writersByShape.get(shape)
      if (w === undefined) {
        w = this.compile(schema)
        if (this.writersByShape.size >= 1000) this.writersByShape.clear()
        this.writersByShape.set(shape, w)
      }
      this.writers.set(schema, w)
    }
    this.lastWriterSchema = schema
    this.lastWriter = w
    return w
  }

  /**
   * A struct's writer is generated code (as fast JSON serializers do): each field is read with
   * its own property access and written with its own writer, so no call site or property load
   * is shared by every struct shape, which would make them megamorphic. The constant bytes
   * before each value (`{"name":` or `,"name":`) are stored into the slab as constants, and a
   * null value's `null` with them. Field names enter the code only as JSON string literals and
   * byte values; the writers and long names' bytes are passed in.
   */
  private compileStruct(schema: Schema): ValueWriter {
    const fields = schema.fields ?? []
    const names = fields.map((f, i) => Buffer.from((i === 0 ? '{' : ',') + JSON.stringify(f.name) + ':'))
    const writers = fields.map((f) => this.compile(f.schema))
    let prologue = ''
    let body = fields.length === 0 ? 'w.byte(123)\n' : ''
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i]!
      const name = names[i]!
      const n = name.length
      prologue += `const n${i} = names[${i}], f${i} = writers[${i}]\n`
      body += `v = o[${JSON.stringify(f.name)}]\n`
      if (n <= INLINE_NAME_MAX) {
        body += `w.reserve(${n + 4}); b = w.buf; p = w.pos\n`
        for (let k = 0; k < n; k++) body += `b[p${k === 0 ? '' : ` + ${k}`}] = ${name[k]!}; `
        body += `\nif (v === null || v === undefined) { b[p + ${n}] = 110; b[p + ${n + 1}] = 117; b[p + ${n + 2}] = 108; b[p + ${n + 3}] = 108; w.pos = p + ${n + 4} }\nelse {\nw.pos = p + ${n}\n`
      } else {
        body += `w.bytes(n${i})\nif (v === null || v === undefined) w.nul()\nelse {\n`
      }
      switch (f.schema.type) {
        case 'string':
          body += `if (typeof v === 'string') w.string(v)\nelse `
          break
        case 'int8': case 'int16': case 'int32': case 'int64': case 'float32': case 'float64':
          body += `if (typeof v === 'number' && Number.isFinite(v)) w.number(v)\nelse `
          break
      }
      body += `f${i}(w, v)\n}\n`
    }
    // A frozen struct shared by many records (a CDC batch's source block) is written once its
    // second record shows it is shared: structs of one record each (rows, keys, envelopes) are
    // never asked whether they are frozen.
    const src = `${prologue}let lastObj = null, lastBytes = null, prevObj = null
return function writeStruct(w, o) {
  if (o === lastObj) return w.bytes(lastBytes)
  const frozen = o === prevObj && Object.isFrozen(o)
  prevObj = o
  const mark = frozen ? w.finish().length : 0
  let v, b, p
${body}w.byte(125)
  if (frozen) {
    lastObj = o
    lastBytes = Buffer.from(w.finish().subarray(mark))
  }
}`
    return new Function('names', 'writers', 'Buffer', src)(names, writers, Buffer) as ValueWriter
  }

  private compile(schema: Schema): ValueWriter {
    switch (schema.type) {
      case 'struct':
        return this.compileStruct(schema)
      case 'array': {
        const item = schema.valueSchema ?? null
        return (w, value) => {
          w.byte(91)
          const arr = value as unknown[]
          for (let i = 0; i < arr.length; i++) {
            if (i > 0) w.byte(44)
            this.writeValue(w, item, arr[i])
          }
          w.byte(93)
        }
      }
      case 'map': {
        const vs = schema.valueSchema ?? null
        return (w, value) => {
          const m = value instanceof Map ? Object.fromEntries(value) : (value as Record<string, unknown>)
          w.byte(123)
          let first = true
          for (const [k, v] of Object.entries(m)) {
            if (!first) w.byte(44)
            first = false
            w.string(k)
            w.byte(58)
            this.writeValue(w, vs, v)
          }
          w.byte(125)
        }
      }
      case 'bytes':
        if (schema.name === Decimal.LOGICAL_NAME) {
          const scale = decimalScale(schema)
          if (this.decimalFormat === 'NUMERIC') return (w, value) => w.ascii(decimalWithScale(typeof value === 'string' ? value : String(value), scale))
          const bytes = new Uint8Array(8)
          return (w, value) => {
            const text = typeof value === 'string' ? value : String(value)
            w.byte(34)
            const v = unscaledNumber(text, scale)
            if (v === v) w.base64(bytes, twosComplementInto(v, bytes))
            else w.ascii(decimalToBase64(text, scale))
            w.byte(34)
          }
        }
        return (w, value) => {
          if (!Buffer.isBuffer(value) && !(value instanceof Uint8Array)) throw new DataException(`Invalid type for bytes: ${typeof value}`)
          w.byte(34)
          w.ascii(Buffer.isBuffer(value) ? value.toString('base64') : Buffer.from(value).toString('base64'))
          w.byte(34)
        }
      case 'int64':
        // Exact 64-bit integers may arrive as digit strings; write them as JSON numbers verbatim.
        return (w, value) => {
          if (typeof value === 'number' && Number.isFinite(value)) w.number(value)
          else if (typeof value === 'string' && INTEGER.test(value)) w.ascii(value)
          else if (value instanceof Date) w.number(value.getTime())
          else w.ascii(numberText(value, schema))
        }
      case 'int8':
      case 'int16':
      case 'int32':
      case 'float32':
      case 'float64':
        return (w, value) => {
          if (typeof value === 'number' && Number.isFinite(value)) w.number(value)
          else if (value instanceof Date) w.number(value.getTime())
          else w.ascii(numberText(value, schema))
        }
      case 'boolean':
        return (w, value) => {
          if (typeof value !== 'boolean') throw new DataException(`Invalid type for boolean: ${typeof value}`)
          w.ascii(value ? 'true' : 'false')
        }
      case 'string':
        return (w, value) => w.string(typeof value === 'string' ? value : String(value))
    }
  }
}

type ValueWriter = (w: JsonWriter, value: unknown) => void
/** Field name bytes up to this length are stored as constants in a struct writer's code; longer ones are copied. */
const INLINE_NAME_MAX = 48
const INTEGER = /^-?\d+$/
const NON_ASCII = /[\u0080-\uffff]/g
const escapeNonAscii = (c: string): string => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`
const NULL_SCHEMA_PREFIX = Buffer.from('{"schema":null,"payload":')


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
