// A sink record → the row to write: which columns, their schemas and values, the key columns,
// per pk.mode (none, kafka, record_key, record_value) and fields.whitelist.
import type { SinkRecord } from '../../api/record.js'
import { Schemas, type Schema } from '../../api/schema.js'
import { ConfigException, DataException } from '../../errors.js'

export type PkMode = 'none' | 'kafka' | 'record_key' | 'record_value'

export interface RowColumn {
  name: string
  schema: Schema | null
  value: unknown
  isKey: boolean
}

export interface RowSpec {
  pkMode: PkMode
  pkFields: string[]
  whitelist: string[]
}

function isStruct(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && !Buffer.isBuffer(v)
}

function inferSchema(v: unknown): Schema | null {
  if (typeof v === 'number') return Number.isInteger(v) ? Schemas.int64() : Schemas.float64()
  if (typeof v === 'boolean') return Schemas.boolean()
  if (typeof v === 'string') return Schemas.string()
  if (Buffer.isBuffer(v)) return Schemas.bytes()
  if (v !== null && typeof v === 'object') return Schemas.json()
  return null
}

function notStruct(value: unknown, what: string): never {
  throw new DataException(`the record ${what} must be a struct or JSON object to map to columns, got ${value === null ? 'null' : typeof value}`)
}

/** Calls fn for each field of a struct value (by its schema when it has one, else by the object's keys). */
function eachField(schema: Schema | null, value: unknown, what: string, fn: (name: string, schema: Schema | null, value: unknown) => void): void {
  if (!isStruct(value)) notStruct(value, what)
  const obj = value as Record<string, unknown>
  if (schema !== null && schema.type === 'struct') {
    for (const f of schema.fields ?? []) fn(f.name, f.schema, obj[f.name] ?? null)
    return
  }
  for (const name of Object.keys(obj)) fn(name, inferSchema(obj[name]), obj[name])
}

const requiredSchemas = new WeakMap<Schema, Schema>()

/** The schema made non-optional (key columns), one object per schema. */
function required(schema: Schema | null): Schema | null {
  if (schema === null || !schema.optional) return schema
  let r = requiredSchemas.get(schema)
  if (r === undefined) {
    r = { ...schema, optional: false }
    requiredSchemas.set(schema, r)
  }
  return r
}

/** The key columns alone (for deletes). */
export function keyColumns(record: SinkRecord, spec: RowSpec): RowColumn[] {
  return rowColumns(record, spec, true)
}

export function rowColumns(record: SinkRecord, spec: RowSpec, keyOnly = false): RowColumn[] {
  const out: RowColumn[] = []
  switch (spec.pkMode) {
    case 'kafka': {
      const [t = '__connect_topic', p = '__connect_partition', o = '__connect_offset'] = spec.pkFields
      out.push({ name: t, schema: Schemas.string(false), value: record.topic, isKey: true })
      out.push({ name: p, schema: Schemas.int32(false), value: record.kafkaPartition, isKey: true })
      out.push({ name: o, schema: Schemas.int64(false), value: record.kafkaOffset, isKey: true })
      break
    }
    case 'record_key': {
      if (record.key === null || record.key === undefined) throw new DataException(`record from ${record.topic}-${record.kafkaPartition}@${record.kafkaOffset} has no key but pk.mode=record_key`)
      if (isStruct(record.key)) {
        eachField(record.keySchema, record.key, 'key', (name, schema, value) => {
          if (spec.pkFields.length === 0 || spec.pkFields.includes(name)) out.push({ name, schema: required(schema), value, isKey: true })
        })
      } else {
        const name = spec.pkFields[0]
        if (name === undefined) throw new ConfigException('pk.fields', 'must name the key column when the record key is a primitive')
        out.push({ name, schema: record.keySchema ?? inferSchema(record.key), value: record.key, isKey: true })
      }
      break
    }
    case 'record_value':
      break
    case 'none':
      break
  }
  if (keyOnly && spec.pkMode !== 'record_value') return out
  if (record.value === null || record.value === undefined) return out
  const keyCount = out.length
  const recordValue = spec.pkMode === 'record_value'
  eachField(record.valueSchema, record.value, 'value', (name, schema, value) => {
    for (let k = 0; k < keyCount; k++) if (out[k]!.name === name) return
    const isKey = recordValue && (spec.pkFields.length === 0 || spec.pkFields.includes(name))
    if (!isKey && spec.whitelist.length > 0 && !spec.whitelist.includes(name)) return
    if (keyOnly && !isKey) return
    out.push({ name, schema: isKey ? required(schema) : schema, value, isKey })
  })
  return out
}
