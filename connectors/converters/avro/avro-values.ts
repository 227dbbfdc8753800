// Connect values ↔ Avro binary, compiled once per schema pair (the Avro tree and the Connect
// schema AvroData pairs with it) into closures: a record costs a walk of its value, no
// intermediate Avro object. Values as Brook Connect holds them: structs as plain objects,
// Decimal as its exact text, Date as days, Time and Timestamp as milliseconds, INT64 as a number
// or, beyond 2^53, its digits; Buffers for bytes; maps as objects (Map for non-string keys).
import { DebeziumJson, Decimal, decimalScale, type Schema } from '../../api/schema.js'
import { DataException } from '../../errors.js'
import { decimalFromBytes, decimalToBytes, twosComplementInto, unscaledNumber } from '../decimal.js'
import type { AvroReader, AvroWriter } from './avro-binary.js'
import { logicalNumber, UNION_NAME, type AvroNode } from './avro-data.js'

export type Encoder = (w: AvroWriter, value: unknown) => void
export type Decoder = (r: AvroReader) => unknown

const DIGITS = /^-?\d+$/
const INT32_MIN = -2147483648
const INT32_MAX = 2147483647

/** Writes Connect values of `schema` as the Avro of `node` (null schema: schemaless, the Anything record). */
export function compileEncoder(node: AvroNode, schema: Schema | null): Encoder {
  return schema === null ? encodeAnything : encoder(node, schema, schema.name ?? 'value')
}

/** Reads Avro of `node` into Connect values of `schema` (null schema: the Anything record). */
export function compileDecoder(node: AvroNode, schema: Schema | null): Decoder {
  return schema === null ? decodeAnything : decoder(node, schema)
}

const invalid = (path: string, schema: Schema, v: unknown): DataException =>
  new DataException(`Invalid value for ${schema.name ?? schema.type} at '${path}': ${describe(v)}`)

function describe(v: unknown): string {
  if (Buffer.isBuffer(v)) return `a Buffer of ${v.length} bytes`
  if (typeof v === 'bigint') return `${v}n`
  try {
    return `${typeof v} ${JSON.stringify(v)?.slice(0, 80) ?? String(v)}`
  } catch {
    return typeof v
  }
}

function mismatch(node: AvroNode, schema: Schema, path: string): DataException {
  return new DataException(`Avro ${node.kind} does not fit Connect ${schema.type} at '${path}'`)
}

/** A required value's encoder: null is refused with the path of the value (Connect's "null value for non-optional schema"). */
function required(path: string, enc: Encoder): Encoder {
  return (w, v) => {
    if (v === null || v === undefined) throw new DataException(`Found null value for non-optional schema at '${path}'`)
    enc(w, v)
  }
}

function encoder(node: AvroNode, schema: Schema, path: string): Encoder {
  if (node.kind === 'union') return unionEncoder(node, schema, path)
  return required(path, baseEncoder(node, schema, path))
}

function unionEncoder(node: AvroNode & { kind: 'union' }, schema: Schema, path: string): Encoder {
  const nullIndex = node.branches.findIndex((b) => b.kind === 'null')
  const values = node.branches.map((b, index) => ({ b, index })).filter((x) => x.b.kind !== 'null')
  const own = schema.optional ? { ...schema, optional: false } : schema
  if (schema.type === 'struct' && schema.name === UNION_NAME) {
    // Connect's form of an Avro union: one field per branch, the one set says which.
    const fields = schema.fields ?? []
    if (fields.length !== values.length) throw mismatch(node, schema, path)
    const names = fields.map((f) => f.name)
    const indexes = values.map((x) => x.index)
    const encs = fields.map((f, i) => baseEncoder(values[i]!.b, { ...f.schema, optional: false }, `${path}.${f.name}`))
    return (w, v) => {
      if (v !== null && v !== undefined) {
        const o = v as Record<string, unknown>
        for (let i = 0; i < names.length; i++) {
          const fv = o[names[i]!]
          if (fv !== null && fv !== undefined) {
            w.int(indexes[i]!)
            return encs[i]!(w, fv)
          }
        }
      }
      if (nullIndex < 0) throw new DataException(`Found null value for non-optional union at '${path}'`)
      w.int(nullIndex)
    }
  }
  if (values.length !== 1 || nullIndex < 0) throw mismatch(node, schema, path)
  const valueIndex = values[0]!.index
  const enc = baseEncoder(values[0]!.b, own, path)
  return (w, v) => {
    if (v === null || v === undefined) return w.int(nullIndex)
    w.int(valueIndex)
    enc(w, v)
  }
}

function baseEncoder(node: AvroNode, schema: Schema, path: string): Encoder {
  switch (node.kind) {
    case 'union':
      return unionEncoder(node, schema, path)
    case 'null':
      return () => {}
    case 'boolean':
      return (w, v) => {
        if (typeof v !== 'boolean') throw invalid(path, schema, v)
        w.byte(v ? 1 : 0)
      }
    case 'int': {
      // INT8 and INT16 travel as Avro ints: their own range is checked here.
      const max = schema.type === 'int8' ? 127 : schema.type === 'int16' ? 32767 : INT32_MAX
      const min = schema.type === 'int8' ? -128 : schema.type === 'int16' ? -32768 : INT32_MIN
      return (w, v) => {
        const n = typeof v === 'number' ? v : v instanceof Date ? logicalNumber(schema, v) : typeof v === 'string' && DIGITS.test(v) ? Number(v) : NaN
        if (!Number.isInteger(n) || n < min || n > max) throw invalid(path, schema, v)
        w.int(n)
      }
    }
    case 'long':
      return (w, v) => {
        if (typeof v === 'number' && Number.isSafeInteger(v)) return w.long(v)
        if (typeof v === 'string' && DIGITS.test(v)) {
          const n = Number(v)
          return Number.isSafeInteger(n) ? w.long(n) : w.bigLong(BigInt(v))
        }
        if (typeof v === 'bigint') return w.bigLong(v)
        if (v instanceof Date) return w.long(logicalNumber(schema, v))
        if (typeof v === 'number' && Number.isInteger(v)) return w.bigLong(BigInt(v))
        throw invalid(path, schema, v)
      }
    case 'float':
    case 'double': {
      const write = node.kind === 'float' ? (w: AvroWriter, x: number) => w.float(x) : (w: AvroWriter, x: number) => w.double(x)
      return (w, v) => {
        const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN
        if (Number.isNaN(x) && !(typeof v === 'number' || v === 'NaN')) throw invalid(path, schema, v)
        write(w, x)
      }
    }
    case 'string': {
      if (schema.type !== 'string') throw mismatch(node, schema, path)
      const json = schema.name === DebeziumJson.LOGICAL_NAME
      return (w, v) => w.string(typeof v === 'string' ? v : json && typeof v === 'object' ? JSON.stringify(v) : String(v))
    }
    case 'enum': {
      const index = new Map(node.symbols.map((s, i) => [s, i]))
      return (w, v) => {
        const i = index.get(String(v))
        if (i === undefined) throw new DataException(`'${String(v)}' is not a symbol of the Avro enum ${node.name} at '${path}' (${node.symbols.join(', ')})`)
        w.int(i)
      }
    }
    case 'bytes':
    case 'fixed': {
      const size = node.kind === 'fixed' ? node.size : -1
      if (schema.name === Decimal.LOGICAL_NAME) {
        const scale = decimalScale(schema)
        const scratch = new Uint8Array(8)
        return (w, v) => {
          if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'bigint') throw invalid(path, schema, v)
          const text = String(v)
          // Up to 15 digits the unscaled value is a number: no BigInt, no Buffer.
          const u = unscaledNumber(text, scale)
          const bytes = u === u ? scratch.subarray(0, twosComplementInto(u, scratch)) : decimalToBytes(text, scale)
          if (size < 0) return w.bytes(bytes)
          w.reserve(size)
          // A fixed decimal is sign-extended to its size.
          w.buf.fill((bytes[0] ?? 0) & 0x80 ? 0xff : 0, w.pos, w.pos + size - bytes.length)
          w.buf.set(bytes, w.pos + size - bytes.length)
          w.pos += size
        }
      }
      return (w, v) => {
        if (!(v instanceof Uint8Array)) throw invalid(path, schema, v)
        if (size < 0) return w.bytes(v)
        if (v.length !== size) throw new DataException(`Avro fixed ${(node as { name: string }).name} at '${path}' takes ${size} bytes, not ${v.length}`)
        w.reserve(size)
        w.buf.set(v, w.pos)
        w.pos += size
      }
    }
    case 'array': {
      if (schema.type === 'map') return entriesEncoder(node, schema, path)
      if (schema.type !== 'array') throw mismatch(node, schema, path)
      const item = schema.valueSchema === undefined ? encodeAnything : encoder(node.items, schema.valueSchema, `${path}[]`)
      return (w, v) => {
        if (!Array.isArray(v)) throw invalid(path, schema, v)
        if (v.length > 0) {
          w.long(v.length)
          for (let i = 0; i < v.length; i++) item(w, v[i])
        }
        w.byte(0)
      }
    }
    case 'map': {
      if (schema.type !== 'map') throw mismatch(node, schema, path)
      const value = schema.valueSchema === undefined ? encodeAnything : encoder(node.values, schema.valueSchema, `${path}{}`)
      return (w, v) => {
        if (v instanceof Map) {
          if (v.size > 0) {
            w.long(v.size)
            for (const [k, x] of v as Map<unknown, unknown>) {
              w.string(String(k))
              value(w, x)
            }
          }
        } else {
          if (typeof v !== 'object' || v === null) throw invalid(path, schema, v)
          const keys = Object.keys(v)
          if (keys.length > 0) {
            w.long(keys.length)
            for (const k of keys) {
              w.string(k)
              value(w, (v as Record<string, unknown>)[k])
            }
          }
        }
        w.byte(0)
      }
    }
    case 'record': {
      if (schema.type !== 'struct') throw mismatch(node, schema, path)
      const fields = schema.fields ?? []
      if (fields.length !== node.fields.length) throw mismatch(node, schema, path)
      const names = fields.map((f) => f.name)
      const encs = node.fields.map((f, i) => encoder(f.type, fields[i]!.schema, `${path}.${names[i]!}`))
      const n = names.length
      return (w, v) => {
        if (typeof v !== 'object') throw invalid(path, schema, v)
        const o = v as Record<string, unknown>
        for (let i = 0; i < n; i++) encs[i]!(w, o[names[i]!])
      }
    }
  }
}

/** A Connect map whose keys are not strings: an array of key/value records. */
function entriesEncoder(node: AvroNode & { kind: 'array' }, schema: Schema, path: string): Encoder {
  const entry = node.items
  if (entry.kind !== 'record') throw mismatch(node, schema, path)
  const keySchema = schema.keySchema ?? null
  const valueSchema = schema.valueSchema ?? null
  const parts = entry.fields.map((f) => {
    const isKey = f.name === 'key'
    const s = isKey ? keySchema : valueSchema
    return { isKey, enc: s === null ? encodeAnything : encoder(f.type, s, `${path}${isKey ? '<key>' : '{}'}`) }
  })
  // Keys of a plain object are strings: numeric key schemas take them back as numbers.
  const numericKeys = keySchema !== null && /^(int|float)/.test(keySchema.type)
  return (w, v) => {
    const entries: Array<[unknown, unknown]> =
      v instanceof Map ? [...(v as Map<unknown, unknown>)] : typeof v === 'object' && v !== null ? Object.entries(v).map(([k, x]) => [numericKeys ? Number(k) : k, x]) : []
    if (!(v instanceof Map) && (typeof v !== 'object' || v === null)) throw invalid(path, schema, v)
    if (entries.length > 0) {
      w.long(entries.length)
      for (const [k, x] of entries) for (const p of parts) p.enc(w, p.isKey ? k : x)
    }
    w.byte(0)
  }
}

function decoder(node: AvroNode, schema: Schema): Decoder {
  switch (node.kind) {
    case 'union': {
      if (schema.type === 'struct' && schema.name === UNION_NAME) {
        const names = (schema.fields ?? []).map((f) => f.name)
        let next = 0
        const branches = node.branches.map((b) => {
          if (b.kind === 'null') return null
          const f = schema.fields![next++]!
          return { name: f.name, dec: decoder(b, f.schema) }
        })
        return (r) => {
          const i = r.int()
          const b = branches[i]
          if (b === undefined) throw new DataException(`Invalid Avro union index ${i}`)
          if (b === null) return null
          const out: Record<string, unknown> = {}
          for (const n of names) out[n] = null
          out[b.name] = b.dec(r)
          return out
        }
      }
      const decs = node.branches.map((b): Decoder => (b.kind === 'null' ? () => null : decoder(b, schema)))
      return (r) => {
        const i = r.int()
        const d = decs[i]
        if (d === undefined) throw new DataException(`Invalid Avro union index ${i}`)
        return d(r)
      }
    }
    case 'null':
      return () => null
    case 'boolean':
      return (r) => r.boolean()
    case 'int':
      return (r) => r.int()
    case 'long':
      return (r) => r.long()
    case 'float':
      return (r) => r.float()
    case 'double':
      return (r) => r.double()
    case 'string':
      return (r) => r.string()
    case 'enum': {
      const symbols = node.symbols
      return (r) => {
        const i = r.int()
        const s = symbols[i]
        if (s === undefined) throw new DataException(`Invalid index ${i} of the Avro enum ${node.name}`)
        return s
      }
    }
    case 'bytes':
    case 'fixed': {
      const size = node.kind === 'fixed' ? node.size : -1
      if (schema.name === Decimal.LOGICAL_NAME) {
        const scale = decimalScale(schema)
        return (r) => {
          const n = size < 0 ? r.count() : size
          if (n < 0 || r.pos + n > r.end) throw new DataException('Avro data ends early: a decimal is cut short')
          const text = decimalFromBytes(r.buf.subarray(r.pos, r.pos + n), scale)
          r.pos += n
          return text
        }
      }
      return size < 0 ? (r) => r.bytes() : (r) => r.fixed(size)
    }
    case 'array': {
      if (schema.type === 'map') {
        const entry = node.items as AvroNode & { kind: 'record' }
        const parts = entry.fields.map((f) => ({ isKey: f.name === 'key', dec: decoder(f.type, f.name === 'key' ? schema.keySchema! : schema.valueSchema!) }))
        return (r) => {
          const out = new Map<unknown, unknown>()
          r.blocks(() => {
            let k: unknown = null
            let v: unknown = null
            for (const p of parts) {
              if (p.isKey) k = p.dec(r)
              else v = p.dec(r)
            }
            out.set(k, v)
          })
          return out
        }
      }
      const item = decoder(node.items, schema.valueSchema!)
      return (r) => {
        const out: unknown[] = []
        r.blocks(() => void out.push(item(r)))
        return out
      }
    }
    case 'map': {
      const value = decoder(node.values, schema.valueSchema!)
      return (r) => {
        const out: Record<string, unknown> = {}
        r.blocks(() => {
          const k = r.string()
          setKey(out, k, value(r))
        })
        return out
      }
    }
    case 'record': {
      const fields = schema.fields ?? []
      const names = fields.map((f) => f.name)
      const decs = node.fields.map((f, i) => decoder(f.type, fields[i]!.schema))
      const n = names.length
      return (r) => {
        const out: Record<string, unknown> = {}
        for (let i = 0; i < n; i++) out[names[i]!] = decs[i]!(r)
        return out
      }
    }
  }
}

/** A key of a decoded map: '__proto__' is an own property, not the object's prototype. */
function setKey(o: Record<string, unknown>, k: string, v: unknown): void {
  if (k === '__proto__') Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true })
  else o[k] = v
}

// --- schemaless: the Anything record (boolean, bytes, double, float, int, long, string, array, map) ---

const ANY_BOOLEAN = 0
const ANY_BYTES = 1
const ANY_DOUBLE = 2
const ANY_LONG = 5
const ANY_STRING = 6
const ANY_ARRAY = 7
const ANY_MAP = 8

/** A schemaless value in the Anything record: integers as long, other numbers as double, objects and Maps as maps. */
function encodeAnything(w: AvroWriter, v: unknown): void {
  let slot = -1
  if (v === null || v === undefined) slot = -1
  else if (typeof v === 'boolean') slot = ANY_BOOLEAN
  else if (v instanceof Uint8Array) slot = ANY_BYTES
  else if (typeof v === 'number') slot = Number.isSafeInteger(v) ? ANY_LONG : ANY_DOUBLE
  else if (typeof v === 'bigint' || v instanceof Date) slot = ANY_LONG
  else if (typeof v === 'string') slot = ANY_STRING
  else if (Array.isArray(v)) slot = ANY_ARRAY
  else if (typeof v === 'object') slot = ANY_MAP
  else throw new DataException(`Unknown type for schemaless data: ${typeof v}`)
  for (let i = 0; i <= ANY_MAP; i++) {
    // Each field is ["null", T]: branch 0 (null) or 1.
    if (i !== slot) {
      w.byte(0)
      continue
    }
    w.byte(2)
    switch (slot) {
      case ANY_BOOLEAN:
        w.byte(v ? 1 : 0)
        break
      case ANY_BYTES:
        w.bytes(v as Uint8Array)
        break
      case ANY_DOUBLE:
        w.double(v as number)
        break
      case ANY_LONG:
        if (typeof v === 'number') w.long(v)
        else w.bigLong(typeof v === 'bigint' ? v : BigInt((v as Date).getTime()))
        break
      case ANY_STRING:
        w.string(v as string)
        break
      case ANY_ARRAY: {
        const a = v as unknown[]
        if (a.length > 0) {
          w.long(a.length)
          for (const x of a) encodeAnything(w, x)
        }
        w.byte(0)
        break
      }
      case ANY_MAP: {
        const entries = v instanceof Map ? [...(v as Map<unknown, unknown>)] : Object.entries(v as Record<string, unknown>)
        if (entries.length > 0) {
          w.long(entries.length)
          for (const [k, x] of entries) {
            encodeAnything(w, k)
            encodeAnything(w, x)
          }
        }
        w.byte(0)
        break
      }
    }
  }
}

/** The first field set, in the record's order (as Confluent reads it); maps whose keys are all strings as plain objects. */
function decodeAnything(r: AvroReader): unknown {
  let found: unknown = null
  let set = false
  const take = (v: unknown): void => {
    if (!set) {
      found = v
      set = true
    }
  }
  for (let i = 0; i <= ANY_MAP; i++) {
    const branch = r.int()
    if (branch === 0) continue
    if (branch !== 1) throw new DataException(`Invalid Avro union index ${branch} in schemaless data`)
    switch (i) {
      case ANY_BOOLEAN:
        take(r.boolean())
        break
      case ANY_BYTES:
        take(r.bytes())
        break
      case ANY_DOUBLE:
        take(r.double())
        break
      case 3:
        take(r.float())
        break
      case 4:
        take(r.int())
        break
      case ANY_LONG:
        take(r.long())
        break
      case ANY_STRING:
        take(r.string())
        break
      case ANY_ARRAY: {
        const out: unknown[] = []
        r.blocks(() => void out.push(decodeAnything(r)))
        take(out)
        break
      }
      case ANY_MAP: {
        const entries: Array<[unknown, unknown]> = []
        r.blocks(() => void entries.push([decodeAnything(r), decodeAnything(r)]))
        if (entries.every(([k]) => typeof k === 'string')) {
          const o: Record<string, unknown> = {}
          for (const [k, x] of entries) setKey(o, k as string, x)
          take(o)
        } else take(new Map(entries))
        break
      }
    }
  }
  return found
}

