// Record-level SMTs: RegexRouter, TimestampConverter, Filter (Kafka) and ExtractNewRecordState
// (Debezium's "unwrap", flattening the change-event envelope to the row state).
import type { ConnectRecord } from '../api/record.js'
import { ConnectDate, ConnectTime, ConnectTimestamp, Schemas, type Schema, type Struct } from '../api/schema.js'
import { ConfigException, DataException } from '../errors.js'
import { listProp, requireProp, requireStruct, withOperand, type Side, type Transformation } from './transformation.js'
import { SimpleDateFormat } from './simple-date-format.js'

export class RegexRouter implements Transformation {
  private regex = /$^/
  private replacement = ''
  configure(props: Record<string, string>): void {
    const r = requireProp(props, 'regex')
    try {
      this.regex = new RegExp(`^(?:${r})$`)
    } catch (err) {
      throw new ConfigException('regex', `'${r}' is not a valid regular expression: ${(err as Error).message}`)
    }
    this.replacement = requireProp(props, 'replacement')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    if (!this.regex.test(record.topic)) return record
    return { ...record, topic: record.topic.replace(this.regex, this.replacement) }
  }
}

type TsTarget = 'string' | 'unix' | 'Date' | 'Time' | 'Timestamp'

export class TimestampConverter implements Transformation {
  constructor(private readonly side: Side) {}
  private field = ''
  private target: TsTarget = 'Timestamp'
  private precision: 'seconds' | 'milliseconds' | 'microseconds' | 'nanoseconds' = 'milliseconds'
  private format: SimpleDateFormat | null = null
  configure(props: Record<string, string>): void {
    this.field = props.field ?? ''
    const t = requireProp(props, 'target.type')
    if (!['string', 'unix', 'Date', 'Time', 'Timestamp'].includes(t)) throw new ConfigException('target.type', `'${t}' must be string, unix, Date, Time or Timestamp`)
    this.target = t as TsTarget
    const p = props['unix.precision'] ?? 'milliseconds'
    if (!['seconds', 'milliseconds', 'microseconds', 'nanoseconds'].includes(p)) throw new ConfigException('unix.precision', `'${p}' is not a precision`)
    this.precision = p as typeof this.precision
    // Kafka's `format`: a SimpleDateFormat pattern for string inputs and outputs (UTC). Without
    // one, strings are read leniently (ISO-8601 and what Date.parse takes) and written as ISO-8601.
    this.format = props.format === undefined || props.format === '' ? null : new SimpleDateFormat(props.format, 'format')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    const side = this.side
    const schema = side === 'key' ? record.keySchema : record.valueSchema
    const value = side === 'key' ? record.key : record.value
    if (value === null) return record
    if (this.field === '') return withOperand(record, side, schema === null ? null : this.targetSchema(schema.optional), this.convert(value))
    const struct: Struct = { ...requireStruct(value, 'timestamp conversion') }
    if (!(this.field in struct)) throw new DataException(`Field does not exist: ${this.field}`)
    struct[this.field] = this.convert(struct[this.field])
    const newSchema =
      schema === null
        ? null
        : { ...schema, fields: (schema.fields ?? []).map((f) => (f.name === this.field ? { ...f, schema: this.targetSchema(f.schema.optional) } : f)) }
    return withOperand(record, side, newSchema, struct)
  }
  private targetSchema(optional: boolean): Schema {
    switch (this.target) {
      case 'string': return Schemas.string(optional)
      case 'unix': return Schemas.int64(optional)
      case 'Date': return Schemas.date(optional)
      case 'Time': return Schemas.time(optional)
      case 'Timestamp': return Schemas.timestamp(optional)
    }
  }
  private convert(v: unknown): unknown {
    if (v === null || v === undefined) return null
    let ms: number
    if (typeof v === 'number') ms = v * ({ seconds: 1000, milliseconds: 1, microseconds: 0.001, nanoseconds: 0.000001 }[this.precision])
    else if (v instanceof Date) ms = v.getTime()
    else if (typeof v === 'string') ms = this.format !== null ? this.format.parse(v) : Date.parse(v)
    else throw new DataException(`cannot convert ${typeof v} to a timestamp`)
    if (!Number.isFinite(ms)) throw new DataException(`'${String(v)}' is not a timestamp`)
    switch (this.target) {
      case 'string': return this.format !== null ? this.format.format(ms) : new Date(ms).toISOString()
      case 'unix': return Math.floor(ms / ({ seconds: 1000, milliseconds: 1, microseconds: 0.001, nanoseconds: 0.000001 }[this.precision]))
      case 'Date': return Math.floor(ms / 86_400_000)
      case 'Time': return ((ms % 86_400_000) + 86_400_000) % 86_400_000
      case 'Timestamp': return ms
    }
  }
}

/** Drops every record (use with a predicate: Filter + TopicNameMatches drops that topic's records). */
export class Filter implements Transformation {
  configure(_props: Record<string, string>): void {}
  apply<R extends ConnectRecord>(_record: R): R | null {
    return null
  }
}

/**
 * Debezium's ExtractNewRecordState: replaces the envelope with `after` (or `before` for
 * deletes with delete.handling.mode=rewrite, which adds __deleted). Tombstones are dropped
 * unless drop.tombstones=false; add.fields copies envelope/source fields as __<name>.
 */
export class ExtractNewRecordState implements Transformation {
  private deleteMode: 'drop' | 'none' | 'rewrite' = 'drop'
  private dropTombstones = true
  private addFields: string[] = []
  configure(props: Record<string, string>): void {
    const tomb = props['delete.tombstone.handling.mode']
    if (tomb !== undefined) {
      const map: Record<string, ['drop' | 'none' | 'rewrite', boolean]> = {
        drop: ['drop', true], tombstone: ['none', false], rewrite: ['rewrite', true], 'rewrite-with-tombstone': ['rewrite', false],
      }
      const m = map[tomb]
      if (m === undefined) throw new ConfigException('delete.tombstone.handling.mode', `'${tomb}' must be drop, tombstone, rewrite or rewrite-with-tombstone`)
      ;[this.deleteMode, this.dropTombstones] = m
    } else {
      const dm = props['delete.handling.mode'] ?? 'drop'
      if (dm !== 'drop' && dm !== 'none' && dm !== 'rewrite') throw new ConfigException('delete.handling.mode', `'${dm}' must be drop, none or rewrite`)
      this.deleteMode = dm
      this.dropTombstones = (props['drop.tombstones'] ?? 'true') === 'true'
    }
    this.addFields = listProp(props, 'add.fields')
  }
  apply<R extends ConnectRecord>(record: R): R | null {
    if (record.value === null) return this.dropTombstones ? null : record
    const env = requireStruct(record.value, 'ExtractNewRecordState')
    if (!('op' in env) || !('after' in env)) {
      throw new DataException('the value is not a Debezium change event (no op/after fields)')
    }
    const op = env.op as string
    let row: Struct | null = (env.after as Struct | null) ?? null
    const envSchema = record.valueSchema
    let rowSchema: Schema | null = envSchema?.fields?.find((f) => f.name === 'after')?.schema ?? null
    if (op === 'd') {
      if (this.deleteMode === 'drop') return null
      if (this.deleteMode === 'none') return { ...record, value: null, valueSchema: null }
      row = { ...((env.before as Struct | null) ?? {}) }
      rowSchema = envSchema?.fields?.find((f) => f.name === 'before')?.schema ?? rowSchema
    }
    if (row === null) return { ...record, value: null, valueSchema: null }
    const out: Struct = { ...row }
    const extra: Array<{ name: string; schema: Schema }> = []
    if (this.deleteMode === 'rewrite') {
      out.__deleted = op === 'd' ? 'true' : 'false'
      extra.push({ name: '__deleted', schema: Schemas.string() })
    }
    for (const f of this.addFields) {
      const [scope, name] = f.includes('.') ? (f.split('.') as [string, string]) : [null, f]
      const src = scope === null ? env : ((env[scope] as Struct | null) ?? {})
      out[`__${scope === null ? name : `${scope}_${name}`}`] = src[name] ?? null
      extra.push({ name: `__${scope === null ? name : `${scope}_${name}`}`, schema: name === 'ts_ms' || name === 'lsn' ? Schemas.int64() : Schemas.string() })
    }
    const schema =
      rowSchema === null
        ? null
        : { ...rowSchema, fields: [...(rowSchema.fields ?? []), ...extra.map((e, i) => ({ name: e.name, index: (rowSchema!.fields?.length ?? 0) + i, schema: e.schema }))] }
    return { ...record, value: out, valueSchema: schema }
  }
}

export const LogicalTypes = { date: ConnectDate, time: ConnectTime, timestamp: ConnectTimestamp }
