// Avro schemas for the registry: parsing (avsc), the normalized text that decides whether two
// schemas are the same, and compatibility by Avro's own resolution rules (avsc's createResolver:
// a reader reads what a writer wrote when every field it lacks a default for is written, types
// promote, enum symbols and union branches resolve).
import avro from 'avsc'
import { SchemaRegistryException } from '../errors.js'

export interface ParsedSchema {
  readonly type: avro.Type
  /** The schema as normalized JSON (names fully qualified, every property kept, whitespace gone): equal text, same schema. */
  readonly canonical: string
}

export function parseAvroSchema(text: string): ParsedSchema {
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: not JSON (${(err as Error).message})`, { field: 'schema', cause: err })
  }
  let type: avro.Type
  try {
    type = avro.Type.forSchema(json as avro.Schema)
  } catch (err) {
    throw new SchemaRegistryException('INVALID_SCHEMA', `Invalid schema: ${(err as Error).message}`, { field: 'schema', cause: err })
  }
  return { type, canonical: JSON.stringify(normalized(json, undefined)) }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'bytes', 'string'])
/** Keys written first, in this order; any other key of a type or a field follows, sorted. */
const TYPE_KEYS = ['name', 'type', 'fields', 'symbols', 'items', 'values', 'size']
const FIELD_KEYS = ['name', 'type']

/**
 * A parsed schema's JSON as the registry compares it: names fully qualified (no namespace key),
 * a primitive without properties as its bare name, and every property kept. avsc's own export
 * drops properties such as logicalType, scale or connect.name, which made a decimal of scale 2
 * and one of scale 3 the same schema (one id); Confluent's registry tells them apart.
 */
function normalized(json: unknown, namespace: string | undefined): unknown {
  if (typeof json === 'string') return PRIMITIVES.has(json) || json.includes('.') || namespace === undefined ? json : `${namespace}.${json}`
  if (Array.isArray(json)) return json.map((t) => normalized(t, namespace))
  if (json === null || typeof json !== 'object') return json
  const o = json as Record<string, unknown>
  const type = o.type
  const keys = Object.keys(o)
  if (typeof type !== 'string' || (PRIMITIVES.has(type) && keys.length === 1)) {
    return keys.length === 1 ? normalized(type, namespace) : ordered(o, TYPE_KEYS, (k, v) => (k === 'type' ? normalized(v, namespace) : v))
  }
  let inner = namespace
  const out: Record<string, unknown> = {}
  if ((type === 'record' || type === 'error' || type === 'enum' || type === 'fixed') && typeof o.name === 'string') {
    const name = o.name
    const dot = name.lastIndexOf('.')
    inner = dot >= 0 ? name.slice(0, dot) : typeof o.namespace === 'string' ? o.namespace || undefined : namespace
    out.name = dot >= 0 || inner === undefined ? name : `${inner}.${name}`
  }
  return ordered(o, TYPE_KEYS, (k, v) => {
    if (k === 'namespace') return undefined
    if (k === 'name' && out.name !== undefined) return out.name
    if (k === 'items' || k === 'values') return normalized(v, namespace)
    if (k === 'fields' && Array.isArray(v)) {
      return v.map((f: unknown) => (f !== null && typeof f === 'object' ? ordered(f as Record<string, unknown>, FIELD_KEYS, (fk, fv) => (fk === 'type' ? normalized(fv, inner) : fv)) : f))
    }
    return v
  })
}

/** The object's keys (values mapped; undefined drops one): `first` in their order, the others sorted. */
function ordered(o: Record<string, unknown>, first: readonly string[], map: (key: string, value: unknown) => unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const put = (k: string): void => {
    const v = map(k, o[k])
    if (v !== undefined) out[k] = v
  }
  for (const k of first) if (k in o) put(k)
  for (const k of Object.keys(o).filter((k) => !first.includes(k)).sort()) put(k)
  return out
}

/** Why `reader` cannot read data written with `writer`, or null when it can. */
export function readError(reader: avro.Type, writer: avro.Type): string | null {
  try {
    reader.createResolver(writer)
    return null
  } catch (err) {
    return (err as Error).message
  }
}
