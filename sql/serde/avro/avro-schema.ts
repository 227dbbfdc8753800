// SQL columns <-> Avro schemas, as ksqlDB maps them: the schema ksqlDB registers for a source
// (a record, io.confluent.ksql.avro_schemas.KsqlDataSourceSchema unless VALUE_AVRO_SCHEMA_FULL_NAME
// says otherwise, every field optional: ["null", T] with default null, nested records named
// <parent>_<FIELD>), and the columns ksqlDB infers from a registered schema (field names upper-cased,
// optional unions read as their type).
import { SqlError } from '../../errors.js'
import { formatType, type SqlType, type StructField } from '../../types/sql-type.js'
import type { FormatColumn } from '../formats.js'

export const DEFAULT_AVRO_SCHEMA_NAME = 'io.confluent.ksql.avro_schemas.KsqlDataSourceSchema'

type AvroSchema = string | AvroSchema[] | { [k: string]: unknown }

const serde = (message: string, field?: string): SqlError => new SqlError('SERDE_ERROR', message, field === undefined ? {} : { field })

/** The Avro type of one SQL type; records are named after `name`. */
export function avroTypeOf(type: SqlType, name: string, where: string): AvroSchema {
  switch (type.kind) {
    case 'BOOLEAN':
      return 'boolean'
    case 'INTEGER':
      return 'int'
    case 'BIGINT':
      return 'long'
    case 'DOUBLE':
      return 'double'
    case 'STRING':
      return 'string'
    case 'BYTES':
      return 'bytes'
    case 'DECIMAL':
      return { type: 'bytes', logicalType: 'decimal', precision: type.precision, scale: type.scale }
    case 'DATE':
      return { type: 'int', logicalType: 'date' }
    case 'TIME':
      return { type: 'int', logicalType: 'time-millis' }
    case 'TIMESTAMP':
      return { type: 'long', logicalType: 'timestamp-millis' }
    case 'ARRAY':
      return { type: 'array', items: optional(avroTypeOf(type.element, name, `${where} element`)) }
    case 'MAP':
      if (type.key.kind !== 'STRING') throw serde(`Avro maps have STRING keys: ${where} is ${formatType(type)}`, where)
      return { type: 'map', values: optional(avroTypeOf(type.value, name, `${where} value`)) }
    case 'STRUCT':
      return recordOf(name, type.fields, where)
    case 'NULL':
      throw serde(`${where} has no type (a bare NULL)`, where)
  }
}

const optional = (t: AvroSchema): AvroSchema => ['null', t]

function recordOf(fullName: string, fields: readonly StructField[], where: string): AvroSchema {
  const dot = fullName.lastIndexOf('.')
  return {
    type: 'record',
    name: dot < 0 ? fullName : fullName.slice(dot + 1),
    ...(dot < 0 ? {} : { namespace: fullName.slice(0, dot) }),
    fields: fields.map((f) => ({ name: f.name, type: optional(avroTypeOf(f.type, `${fullName}_${f.name}`, `${where}.${f.name}`)), default: null })),
  }
}

/**
 * The schema of one side of a source: a record of its columns, or (a key's single column, or a
 * value with WRAP_SINGLE_VALUE=false) the column's own type.
 */
export function avroSchemaOf(columns: readonly FormatColumn[], unwrap: boolean, fullName = DEFAULT_AVRO_SCHEMA_NAME): AvroSchema {
  if (unwrap && columns.length === 1) return avroTypeOf(columns[0]!.type, fullName, columns[0]!.name)
  return recordOf(fullName, columns, 'value')
}

/** The SQL type ksqlDB reads an Avro type as; an error naming the field for what it cannot read. */
export function sqlTypeOf(schema: unknown, where: string): SqlType {
  if (Array.isArray(schema)) {
    const branches = schema.filter((b) => b !== 'null')
    if (branches.length !== 1) throw serde(`${where}: Avro unions other than [null, T] are not supported (got ${JSON.stringify(schema)})`, where)
    return sqlTypeOf(branches[0], where)
  }
  if (typeof schema === 'string') {
    switch (schema) {
      case 'boolean':
        return { kind: 'BOOLEAN' }
      case 'int':
        return { kind: 'INTEGER' }
      case 'long':
        return { kind: 'BIGINT' }
      case 'float':
      case 'double':
        return { kind: 'DOUBLE' }
      case 'string':
        return { kind: 'STRING' }
      case 'bytes':
        return { kind: 'BYTES' }
      default:
        throw serde(`${where}: Avro type '${schema}' is not supported`, where)
    }
  }
  if (typeof schema !== 'object' || schema === null) throw serde(`${where}: not an Avro schema`, where)
  const s = schema as Record<string, unknown>
  switch (s.logicalType) {
    case 'decimal':
      return { kind: 'DECIMAL', precision: Number(s.precision ?? 64), scale: Number(s.scale ?? 0) }
    case 'date':
      return { kind: 'DATE' }
    case 'time-millis':
      return { kind: 'TIME' }
    case 'timestamp-millis':
    case 'timestamp-micros':
      return { kind: 'TIMESTAMP' }
  }
  switch (s.type) {
    case 'record':
      return { kind: 'STRUCT', fields: (s.fields as Array<{ name: string; type: unknown }>).map((f) => ({ name: f.name.toUpperCase(), type: sqlTypeOf(f.type, `${where}.${f.name}`) })) }
    case 'array':
      return { kind: 'ARRAY', element: sqlTypeOf(s.items, `${where} element`) }
    case 'map':
      return { kind: 'MAP', key: { kind: 'STRING' }, value: sqlTypeOf(s.values, `${where} value`) }
    case 'enum':
      return { kind: 'STRING' }
    case 'fixed':
      return { kind: 'BYTES' }
    default:
      return sqlTypeOf(s.type, where)
  }
}

/** The columns ksqlDB infers from a registered schema: a record's fields (names upper-cased), or one column `name` for any other type. */
export function columnsOf(schema: unknown, singleName: string): FormatColumn[] {
  if (typeof schema === 'object' && schema !== null && !Array.isArray(schema) && (schema as { type?: unknown }).type === 'record') {
    return ((schema as { fields: Array<{ name: string; type: unknown }> }).fields).map((f) => ({ name: f.name.toUpperCase(), type: sqlTypeOf(f.type, f.name) }))
  }
  return [{ name: singleName, type: sqlTypeOf(schema, singleName) }]
}
