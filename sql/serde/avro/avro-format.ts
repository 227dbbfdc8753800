// The AVRO format: rows in Confluent's wire format (magic 0, schema id, Avro binary) with
// schemas from the engine's schema registry. Written with the source's own schema (its id found
// or registered before any row is written: AvroBinding.writeId); read with whatever schema
// each record names, its fields matched to columns by name case-insensitively (as ksqlDB) and
// converted to the columns' types: a reader plan per writer id, made once.
import avro from 'avsc'
import { readSchemaId, frame, HEADER_SIZE } from '../../../registry/serde/wire-format.js'
import type { SchemaRegistryException } from '../../../registry/errors.js'
import { SqlError } from '../../errors.js'
import { SqlDecimal } from '../../types/decimal.js'
import { formatType, type SqlType } from '../../types/sql-type.js'
import { registerFormat, serdeError, type FormatColumn } from '../formats.js'
import { avroSchemaOf, DEFAULT_AVRO_SCHEMA_NAME } from './avro-schema.js'
import type { AvroBinding } from './binding.js'

type Convert = (v: unknown) => unknown

const id: Convert = (v) => v

/** Two's complement, big-endian, as few bytes as the value needs (Avro's decimal, Java's BigInteger.toByteArray()). */
export function decimalBytes(unscaled: bigint): Buffer {
  let width = 1
  if (unscaled >= 0n) while (unscaled >= 1n << BigInt(8 * width - 1)) width++
  else while (unscaled < -(1n << BigInt(8 * width - 1))) width++
  const v = unscaled >= 0n ? unscaled : (1n << BigInt(8 * width)) + unscaled
  return Buffer.from(v.toString(16).padStart(width * 2, '0'), 'hex')
}

export function decimalFromBytes(b: Buffer): bigint {
  if (b.length === 0) return 0n
  const v = BigInt(`0x${b.toString('hex')}`)
  return (b[0]! & 0x80) !== 0 ? v - (1n << BigInt(b.length * 8)) : v
}

/** SQL runtime value of `type` -> what avsc writes for the writer's type (field names, decimal scale and time units from the writer). */
function toAvro(writer: unknown, type: SqlType, where: string): Convert {
  if (Array.isArray(writer)) {
    const branches = writer.filter((b) => b !== 'null')
    if (branches.length !== 1) throw serdeError(`${where}: cannot write ${formatType(type)} as the Avro union ${JSON.stringify(writer)}`)
    const c = toAvro(branches[0], type, where)
    return (v) => (v === null ? null : c(v))
  }
  const w = (typeof writer === 'string' ? { type: writer } : writer) as { type: unknown; logicalType?: string; scale?: number; items?: unknown; values?: unknown; fields?: Array<{ name: string; type: unknown; default?: unknown }> }
  switch (type.kind) {
    case 'DECIMAL': {
      if (w.type !== 'bytes') throw serdeError(`${where}: cannot write DECIMAL as Avro ${avroName(writer)}`)
      const scale = w.logicalType === 'decimal' ? (w.scale ?? 0) : type.scale
      return (v) => decimalBytes((v as SqlDecimal).setScale(scale).unscaled)
    }
    case 'TIMESTAMP':
      return w.logicalType === 'timestamp-micros' ? (v) => (v as number) * 1000 : id
    case 'ARRAY': {
      if (w.type !== 'array') throw serdeError(`${where}: cannot write ARRAY as Avro ${avroName(writer)}`)
      const e = toAvro(w.items, type.element, `${where} element`)
      return (v) => (v as unknown[]).map((x) => (x === null || x === undefined ? null : e(x)))
    }
    case 'MAP': {
      if (w.type !== 'map') throw serdeError(`${where}: cannot write MAP as Avro ${avroName(writer)}`)
      const e = toAvro(w.values, type.value, `${where} value`)
      return (v) => {
        const out: Record<string, unknown> = {}
        for (const [k, x] of v as Map<unknown, unknown>) out[String(k)] = x === null || x === undefined ? null : e(x)
        return out
      }
    }
    case 'STRUCT': {
      if (w.type !== 'record') throw serdeError(`${where}: cannot write STRUCT as Avro ${avroName(writer)}`)
      const write = recordWriter(w.fields ?? [], type.fields, where)
      return (v) => write((name) => (v as Record<string, unknown>)[name] ?? null)
    }
    default:
      return id
  }
}

/** Builds a record's object: each writer field from the column (or struct field) of its name, case-insensitively; a field with no column gets its default. */
function recordWriter(fields: ReadonlyArray<{ name: string; type: unknown; default?: unknown }>, columns: ReadonlyArray<{ name: string; type: SqlType }>, where: string): (get: (name: string) => unknown) => Record<string, unknown> {
  const byUpper = new Map(columns.map((c) => [c.name.toUpperCase(), c]))
  const plan = fields.map((f) => {
    const c = byUpper.get(f.name.toUpperCase())
    return { field: f.name, column: c?.name ?? null, write: c === undefined ? null : toAvro(f.type, c.type, `${where}.${c.name}`), dflt: f.default ?? null }
  })
  return (get) => {
    const out: Record<string, unknown> = {}
    for (const p of plan) {
      if (p.column === null) out[p.field] = p.dflt
      else {
        const v = get(p.column)
        out[p.field] = v === null || v === undefined ? null : p.write!(v)
      }
    }
    return out
  }
}

const unionBranch = (writer: unknown): unknown => {
  if (!Array.isArray(writer)) return writer
  const branches = writer.filter((b) => b !== 'null')
  return branches.length === 1 ? branches[0] : writer
}

const avroName = (writer: unknown): string => {
  const w = unionBranch(writer)
  if (typeof w === 'string') return w
  if (Array.isArray(w)) return `union ${JSON.stringify(w)}`
  const o = w as { type?: unknown; logicalType?: unknown }
  return typeof o.logicalType === 'string' ? `${String(o.type)} (${o.logicalType})` : String(o.type)
}

/** Avro value as avsc decodes it with the writer's schema -> the SQL runtime value of `type`; an error at plan time when the two do not fit. */
function fromAvro(writer: unknown, type: SqlType, where: string): Convert {
  if (Array.isArray(writer)) {
    const branches = writer.filter((b) => b !== 'null')
    if (branches.length !== 1) throw serdeError(`${where}: Avro unions other than [null, T] cannot be read as ${formatType(type)}`)
    const c = fromAvro(branches[0], type, where)
    return (v) => (v === null ? null : c(v))
  }
  const w = (typeof writer === 'string' ? { type: writer } : writer) as { type: unknown; logicalType?: string; scale?: number; items?: unknown; values?: unknown; fields?: Array<{ name: string; type: unknown }> }
  const t = w.type
  const mismatch = (): SqlError => serdeError(`${where}: Avro ${avroName(writer)} cannot be read as ${formatType(type)}`)
  switch (type.kind) {
    case 'BOOLEAN':
      if (t !== 'boolean') throw mismatch()
      return id
    case 'INTEGER':
    case 'BIGINT':
      if (t !== 'int' && t !== 'long') throw mismatch()
      return id
    case 'DOUBLE':
      if (t !== 'int' && t !== 'long' && t !== 'float' && t !== 'double') throw mismatch()
      return id
    case 'STRING':
      if (t !== 'string' && t !== 'enum') throw mismatch()
      return id
    case 'BYTES':
      if (t !== 'bytes' && t !== 'fixed') throw mismatch()
      return id
    case 'DECIMAL': {
      if ((t === 'bytes' || t === 'fixed') && w.logicalType === 'decimal') {
        const scale = w.scale ?? 0
        return (v) => new SqlDecimal(decimalFromBytes(v as Buffer), scale).setScale(type.scale)
      }
      if (t === 'int' || t === 'long') return (v) => new SqlDecimal(BigInt(v as number), 0).setScale(type.scale)
      throw mismatch()
    }
    case 'DATE':
    case 'TIME':
      if (t !== 'int') throw mismatch()
      return id
    case 'TIMESTAMP':
      if (t !== 'long') throw mismatch()
      return w.logicalType === 'timestamp-micros' ? (v) => Math.floor((v as number) / 1000) : id
    case 'ARRAY': {
      if (t !== 'array') throw mismatch()
      const e = fromAvro(w.items, type.element, `${where} element`)
      return (v) => (v as unknown[]).map((x) => (x === null ? null : e(x)))
    }
    case 'MAP': {
      if (t !== 'map' || type.key.kind !== 'STRING') throw mismatch()
      const e = fromAvro(w.values, type.value, `${where} value`)
      return (v) => new Map(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, x === null ? null : e(x)]))
    }
    case 'STRUCT': {
      if (t !== 'record') throw mismatch()
      const byUpper = new Map((w.fields ?? []).map((f) => [f.name.toUpperCase(), f]))
      const fs = type.fields.map((f) => {
        const wf = byUpper.get(f.name.toUpperCase())
        return [f.name, wf?.name ?? null, wf === undefined ? null : fromAvro(wf.type, f.type, `${where}.${f.name}`)] as const
      })
      return (v) => {
        const o = v as Record<string, unknown>
        const out: Record<string, unknown> = {}
        for (const [name, wname, c] of fs) {
          const x = wname === null ? null : o[wname]
          out[name] = x === null || x === undefined || c === null ? null : c(x)
        }
        return out
      }
    }
    default:
      throw mismatch()
  }
}

interface ReaderPlan {
  readonly type: avro.Type
  readonly row: (decoded: unknown) => unknown[]
}

function readerPlan(writer: unknown, columns: readonly FormatColumn[], unwrap: boolean, id: number): ReaderPlan {
  const type = avro.Type.forSchema(writer as avro.Schema)
  const record = unionBranch(writer) as { type?: unknown; fields?: Array<{ name: string; type: unknown }> }
  if (unwrap || record.type !== 'record' || (columns.length === 1 && columns[0]!.type.kind === 'STRUCT' && !(record.fields ?? []).some((f) => f.name.toUpperCase() === columns[0]!.name.toUpperCase()))) {
    if (columns.length !== 1) throw serdeError(`Schema ${id} is ${avroName(writer)}, not a record of the ${columns.length} columns`)
    const c = fromAvro(writer, columns[0]!.type, columns[0]!.name)
    return { type, row: (v) => [v === null ? null : c(v)] }
  }
  const byUpper = new Map((record.fields ?? []).map((f) => [f.name.toUpperCase(), f]))
  const plan = columns.map((col) => {
    const f = byUpper.get(col.name.toUpperCase())
    return f === undefined ? null : ([f.name, fromAvro(f.type, col.type, col.name)] as const)
  })
  const nullable = Array.isArray(writer)
  return {
    type,
    row: (v) => {
      if (v === null && nullable) return columns.map(() => null)
      const o = v as Record<string, unknown>
      return plan.map((p) => {
        if (p === null) return null
        const x = o[p[0]]
        return x === null || x === undefined ? null : p[1](x)
      })
    },
  }
}

registerFormat('AVRO', (columns, options, side) => {
  const binding: AvroBinding | undefined = options.avro
  const field = side === 'key' ? 'KEY_FORMAT' : 'VALUE_FORMAT'
  if (binding === undefined) {
    throw new SqlError('INVALID_PROPERTY', `The 'AVRO' format needs a schema registry: set ksql.schema.registry.url, or run the engine on a broker (its _schemas topic)`, { field })
  }
  const unwrap = columns.length === 1 && (side === 'key' || !options.wrapSingle)
  if (columns.length === 0) throw new SqlError('INVALID_PROPERTY', `The 'AVRO' format needs at least one ${side} column`, { field })
  const writerSchema = avroSchemaOf(columns, unwrap, binding.fullName ?? DEFAULT_AVRO_SCHEMA_NAME)
  let writerType: avro.Type
  try {
    writerType = avro.Type.forSchema(writerSchema as avro.Schema)
  } catch (err) {
    throw new SqlError('INVALID_PROPERTY', `Cannot make an Avro schema of the ${side} columns: ${(err as Error).message}`, { field, cause: err })
  }
  // Rows go out in the schema the source writes with: its registered one when its columns were
  // inferred from the registry, else the one made of its columns.
  const writeSchema = binding.writeSchema ?? writerSchema
  try {
    writerType = avro.Type.forSchema(writeSchema as avro.Schema)
  } catch (err) {
    throw new SqlError('INVALID_PROPERTY', `Cannot use the registered ${side} schema: ${(err as Error).message}`, { field, cause: err })
  }
  const record = unionBranch(writeSchema) as { type?: unknown; fields?: Array<{ name: string; type: unknown; default?: unknown }> }
  const writeRow: (row: readonly unknown[]) => unknown =
    unwrap || record.type !== 'record'
      ? ((c) => (row) => (row[0] === null || row[0] === undefined ? null : c(row[0])))(toAvro(writeSchema, columns[0]!.type, columns[0]!.name))
      : ((w) => (row) => w((name) => row[indexOf.get(name)!]))(recordWriter(record.fields ?? [], columns, side))
  const indexOf = new Map(columns.map((c, i) => [c.name, i]))
  const plans = new Map<number, ReaderPlan>()
  const notYet = (schemaId: number): SqlError =>
    new SqlError('SERDE_ERROR', `Failed to deserialize ${side} from AVRO: schema ${schemaId} is not known yet (it is being fetched)`, { retryAfter: binding.registry.fetch(schemaId) })
  return {
    name: 'AVRO',
    ready(bytes) {
      if (bytes === null || bytes.length < HEADER_SIZE || bytes[0] !== 0) return
      const schemaId = bytes.readInt32BE(1)
      if (!plans.has(schemaId) && binding.registry.schemaById(schemaId) === undefined) throw notYet(schemaId)
    },
    /** The schema rows are written with (registered under the subject before the first row). */
    avroSchema: writeSchema,
    serialize(row) {
      if (row === null) return null
      const writeId = binding.writeId
      if (writeId === null) throw serdeError(`No schema id for subject '${binding.subject}': the schema was not registered before writing`)
      const value = writeRow(row)
      if (value === null) return null
      let body: Buffer
      try {
        body = writerType.toBuffer(value)
      } catch (err) {
        throw serdeError(`Failed to serialize ${side} as Avro: ${(err as Error).message}`, err)
      }
      return frame(writeId, body)
    },
    deserialize(bytes) {
      if (bytes === null) return side === 'key' ? new Array<unknown>(columns.length).fill(null) : null
      let schemaId: number
      try {
        schemaId = readSchemaId(binding.subject, bytes)
      } catch (err) {
        throw serdeError(`Failed to deserialize ${side} from AVRO: ${(err as SchemaRegistryException).message}`, err)
      }
      let plan = plans.get(schemaId)
      if (plan === undefined) {
        const writer = binding.registry.schemaById(schemaId)
        if (writer === undefined) throw notYet(schemaId)
        plan = readerPlan(writer, columns, unwrap, schemaId)
        plans.set(schemaId, plan)
      }
      let decoded: unknown
      try {
        decoded = plan.type.fromBuffer(bytes.subarray(HEADER_SIZE))
      } catch (err) {
        throw serdeError(`Failed to deserialize ${side} from AVRO with schema ${schemaId}: ${(err as Error).message}`, err)
      }
      return plan.row(decoded)
    },
  }
})
