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

function fieldsOf(schema: Schema | null, value: unknown, what: string): Array<{ name: string; schema: Schema | null; value: unknown }> {
  if (!isStruct(value)) throw new DataException(`the record ${what} must be a struct or JSON object to map to columns, got ${value === null ? 'null' : typeof value}`)
  if (schema !== null && schema.type === 'struct') return (schema.fields ?? []).map((f) => ({ name: f.name, schema: f.schema, value: value[f.name] ?? null }))
  return Object.entries(value).map(([name, v]) => ({ name, schema: inferSchema(v), value: v }))
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
        for (const f of fieldsOf(record.keySchema, record.key, 'key')) {
          if (spec.pkFields.length === 0 || spec.pkFields.includes(f.name)) out.push({ ...f, schema: f.schema === null ? null : { ...f.schema, optional: false }, isKey: true })
        }
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
  const keyNames = new Set(out.map((c) => c.name))
  for (const f of fieldsOf(record.valueSchema, record.value, 'value')) {
    if (keyNames.has(f.name)) continue
    const isKey = spec.pkMode === 'record_value' && (spec.pkFields.length === 0 || spec.pkFields.includes(f.name))
    if (!isKey && spec.whitelist.length > 0 && !spec.whitelist.includes(f.name)) continue
    if (keyOnly && !isKey) continue
    out.push({ ...f, schema: isKey && f.schema !== null ? { ...f.schema, optional: false } : f.schema, isKey })
  }
  return out
}
