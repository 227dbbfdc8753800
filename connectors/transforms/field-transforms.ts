// Kafka's field-level SMTs: InsertField, ReplaceField, MaskField, Cast, ValueToKey, ExtractField.
// Each works on the key ($Key) or the value ($Value), with or without a schema.
import type { ConnectRecord } from '../api/record.js'
import { Schemas, type Field, type Schema, type Struct } from '../api/schema.js'
import { ConfigException, DataException } from '../errors.js'
import { listProp, operand, requireProp, requireStruct, withOperand, type Side, type Transformation } from './transformation.js'

function structSchema(base: Schema, fields: Array<{ name: string; schema: Schema }>): Schema {
  const s: Schema = { ...base, fields: fields.map((f, index): Field => ({ name: f.name, index, schema: f.schema })) }
  return s
}

export class InsertField implements Transformation {
  constructor(private readonly side: Side) {}
  private staticField: string | null = null
  private staticValue: string | null = null
  private topicField: string | null = null
  private partitionField: string | null = null
  private timestampField: string | null = null
  private offsetField: string | null = null
  configure(props: Record<string, string>): void {
    this.staticField = props['static.field'] ?? null
    this.staticValue = props['static.value'] ?? null
    this.topicField = props['topic.field'] ?? null
    this.partitionField = props['partition.field'] ?? null
    this.timestampField = props['timestamp.field'] ?? null
    this.offsetField = props['offset.field'] ?? null
    if (this.staticField !== null && this.staticValue === null) throw new ConfigException('static.value', 'is required with static.field')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = operand(record, this.side)
    if (value === null && this.side === 'value') return record // tombstones pass through
    const struct = requireStruct(value, 'field insertion')
    const out: Struct = { ...struct }
    const added: Array<{ name: string; schema: Schema }> = []
    const add = (name: string | null, v: unknown, s: Schema): void => {
      if (name === null) return
      const optional = name.endsWith('?')
      const n = optional ? name.slice(0, -1) : name
      out[n] = v
      added.push({ name: n, schema: { ...s, optional: true } })
    }
    add(this.topicField, record.topic, Schemas.string())
    add(this.partitionField, record.kafkaPartition, Schemas.int32())
    add(this.offsetField, (record as { kafkaOffset?: number }).kafkaOffset ?? null, Schemas.int64())
    add(this.timestampField, record.timestamp, Schemas.timestamp())
    add(this.staticField, this.staticValue, Schemas.string())
    const newSchema = schema === null ? null : structSchema(schema, [...(schema.fields ?? []).filter((f) => !added.some((a) => a.name === f.name)), ...added])
    return withOperand(record, this.side, newSchema, out)
  }
}

export class ReplaceField implements Transformation {
  constructor(private readonly side: Side) {}
  private exclude: string[] = []
  private include: string[] = []
  private renames = new Map<string, string>()
  configure(props: Record<string, string>): void {
    this.exclude = listProp(props, 'exclude').concat(listProp(props, 'blacklist'))
    this.include = listProp(props, 'include').concat(listProp(props, 'whitelist'))
    for (const pair of listProp(props, 'renames')) {
      const [from, to] = pair.split(':')
      if (!from || !to) throw new ConfigException('renames', `'${pair}' is not old:new`)
      this.renames.set(from, to)
    }
  }
  private keep(name: string): boolean {
    return !this.exclude.includes(name) && (this.include.length === 0 || this.include.includes(name))
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = operand(record, this.side)
    if (value === null) return record
    const struct = requireStruct(value, 'field replacement')
    const out: Struct = {}
    for (const [k, v] of Object.entries(struct)) if (this.keep(k)) out[this.renames.get(k) ?? k] = v
    const newSchema =
      schema === null
        ? null
        : structSchema(schema, (schema.fields ?? []).filter((f) => this.keep(f.name)).map((f) => ({ name: this.renames.get(f.name) ?? f.name, schema: f.schema })))
    return withOperand(record, this.side, newSchema, out)
  }
}

export class MaskField implements Transformation {
  constructor(private readonly side: Side) {}
  private fields: string[] = []
  private replacement: string | null = null
  configure(props: Record<string, string>): void {
    this.fields = listProp(props, 'fields')
    if (this.fields.length === 0) throw new ConfigException('fields', 'is required')
    this.replacement = props.replacement ?? null
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = operand(record, this.side)
    if (value === null) return record
    const out: Struct = { ...requireStruct(value, 'masking') }
    for (const f of this.fields) {
      const v = out[f]
      if (v === undefined) continue
      out[f] = this.replacement !== null ? (typeof v === 'number' ? Number(this.replacement) : this.replacement) : maskOf(v)
    }
    return withOperand(record, this.side, schema, out)
  }
}

function maskOf(v: unknown): unknown {
  if (typeof v === 'number') return 0
  if (typeof v === 'boolean') return false
  if (typeof v === 'string') return ''
  if (Buffer.isBuffer(v)) return Buffer.alloc(0)
  return null
}

const castTypes = ['int8', 'int16', 'int32', 'int64', 'float32', 'float64', 'boolean', 'string'] as const
type CastType = (typeof castTypes)[number]

export class Cast implements Transformation {
  constructor(private readonly side: Side) {}
  private whole: CastType | null = null
  private specs = new Map<string, CastType>()
  configure(props: Record<string, string>): void {
    for (const item of listProp(props, 'spec')) {
      const [a, b] = item.split(':')
      const type = (b ?? a)!.trim() as CastType
      if (!castTypes.includes(type)) throw new ConfigException('spec', `unknown cast type '${type}' (use ${castTypes.join(', ')})`)
      if (b === undefined) this.whole = type
      else this.specs.set(a!.trim(), type)
    }
    if (this.whole === null && this.specs.size === 0) throw new ConfigException('spec', 'must list field:type pairs or one type')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = operand(record, this.side)
    if (value === null) return record
    if (this.whole !== null) return withOperand(record, this.side, schema === null ? null : { type: this.whole, optional: schema.optional }, castValue(value, this.whole))
    const out: Struct = { ...requireStruct(value, 'cast') }
    for (const [f, t] of this.specs) if (f in out) out[f] = castValue(out[f], t)
    const newSchema =
      schema === null
        ? null
        : structSchema(schema, (schema.fields ?? []).map((f) => {
            const t = this.specs.get(f.name)
            return { name: f.name, schema: t === undefined ? f.schema : { type: t, optional: f.schema.optional } }
          }))
    return withOperand(record, this.side, newSchema, out)
  }
}

function castValue(v: unknown, t: CastType): unknown {
  if (v === null || v === undefined) return null
  switch (t) {
    case 'string':
      return Buffer.isBuffer(v) ? v.toString('base64') : String(v)
    case 'boolean':
      if (typeof v === 'string') return v.toLowerCase() === 'true'
      return Boolean(v)
    default: {
      const n = typeof v === 'boolean' ? (v ? 1 : 0) : Number(v)
      if (!Number.isFinite(n)) throw new DataException(`cannot cast ${JSON.stringify(v)} to ${t}`)
      return t.startsWith('int') ? Math.trunc(n) : n
    }
  }
}

export class ValueToKey implements Transformation {
  private fields: string[] = []
  configure(props: Record<string, string>): void {
    this.fields = listProp(props, 'fields')
    if (this.fields.length === 0) throw new ConfigException('fields', 'is required')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.value === null) return record
    const struct = requireStruct(record.value, 'copying fields from value to key')
    const key: Struct = {}
    for (const f of this.fields) {
      if (!(f in struct) && record.valueSchema?.fields?.find((x) => x.name === f) === undefined) {
        throw new DataException(`Field does not exist: ${f}`)
      }
      key[f] = struct[f] ?? null
    }
    const keySchema =
      record.valueSchema === null
        ? null
        : structSchema({ type: 'struct', optional: false }, this.fields.map((f) => ({ name: f, schema: record.valueSchema!.fields!.find((x) => x.name === f)!.schema })))
    return { ...record, key, keySchema }
  }
}

export class ExtractField implements Transformation {
  constructor(private readonly side: Side) {}
  private field = ''
  configure(props: Record<string, string>): void {
    this.field = requireProp(props, 'field')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const { schema, value } = operand(record, this.side)
    if (value === null) return record
    const struct = requireStruct(value, 'field extraction')
    const f = schema?.fields?.find((x) => x.name === this.field)
    if (schema !== null && f === undefined) throw new DataException(`Unknown field: ${this.field}`)
    return withOperand(record, this.side, f?.schema ?? null, struct[this.field] ?? null)
  }
}
