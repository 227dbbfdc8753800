// MySQL / MariaDB types ↔ Connect, by the protocol's column type codes. DECIMAL stays exact
// text, BIGINT a number when it fits in 2^53 and exact digits otherwise, DATETIME/TIMESTAMP/
// DATE/TIME Connect's logical types (dateStrings keeps the server's text with its fraction),
// JSON Debezium's Json, binary columns bytes.
import { Decimal, Schemas, type Schema } from '../../api/schema.js'
import { decimalWithScale } from '../../converters/decimal.js'
import type { ColumnMapping, ResultColumn, TableColumn } from '../dialect.js'
import { logicalToText } from '../sink-values.js'
import { dateTextToDays, timestampTextToMs, timeTextToMs } from '../temporal.js'

export const MysqlType = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, NULL: 6, TIMESTAMP: 7, LONGLONG: 8, INT24: 9, DATE: 10,
  TIME: 11, DATETIME: 12, YEAR: 13, VARCHAR: 15, BIT: 16, JSON: 245, NEWDECIMAL: 246, BLOB: 252, VAR_STRING: 253, STRING: 254,
} as const

export function mapColumn(col: ResultColumn, nullable: boolean, tableType: string | undefined): ColumnMapping {
  const name = col.name
  const str = (v: unknown): unknown => (v === null ? null : Buffer.isBuffer(v) ? v.toString('utf8') : String(v))
  switch (col.type) {
    case MysqlType.TINY:
      if (tableType !== undefined && /^tinyint\(1\)/.test(tableType)) return { name, schema: Schemas.boolean(nullable), convert: (v) => (v === null ? null : Number(v) !== 0) }
      return { name, schema: Schemas.int8(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case MysqlType.SHORT: return { name, schema: Schemas.int16(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case MysqlType.INT24:
    case MysqlType.LONG:
    case MysqlType.YEAR: return { name, schema: Schemas.int32(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case MysqlType.LONGLONG: return { name, schema: Schemas.int64(nullable), convert: (v) => { if (v === null) return null; const n = Number(v); return Number.isSafeInteger(n) ? n : String(v) } }
    case MysqlType.FLOAT: return { name, schema: Schemas.float32(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case MysqlType.DOUBLE: return { name, schema: Schemas.float64(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case MysqlType.DECIMAL:
    case MysqlType.NEWDECIMAL: {
      const scale = col.scale ?? 0
      return { name, schema: Decimal.schema(scale, nullable), convert: (v) => (v === null ? null : decimalWithScale(String(v), scale)) }
    }
    case MysqlType.DATE: return { name, schema: Schemas.date(nullable), convert: (v) => (v === null ? null : dateTextToDays(String(v))) }
    case MysqlType.TIME: return { name, schema: Schemas.time(nullable), convert: (v) => (v === null ? null : timeTextToMs(String(v))) }
    case MysqlType.DATETIME:
    case MysqlType.TIMESTAMP: return { name, schema: Schemas.timestamp(nullable), convert: (v) => (v === null ? null : timestampTextToMs(String(v))) }
    case MysqlType.JSON: return { name, schema: Schemas.json(nullable), convert: str }
    case MysqlType.BIT: return { name, schema: Schemas.bytes(nullable), convert: (v) => v }
    case MysqlType.BLOB:
    case MysqlType.VAR_STRING:
    case MysqlType.STRING:
    case MysqlType.VARCHAR:
      if (col.binary === true) return { name, schema: Schemas.bytes(nullable), convert: (v) => v }
      return { name, schema: Schemas.string(nullable), convert: str }
    default: return { name, schema: Schemas.string(nullable), convert: str }
  }
}

export function mapColumns(columns: ResultColumn[], table: TableColumn[] | null): ColumnMapping[] {
  return columns.map((c) => {
    const t = table?.find((x) => x.name === c.name)
    return mapColumn(c, t?.nullable ?? true, t?.typeName)
  })
}

export function sqlType(schema: Schema, isKey: boolean): string {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: return `DECIMAL(65, ${schema.parameters?.scale ?? '0'})`
    case 'org.apache.kafka.connect.data.Timestamp': return 'DATETIME(3)'
    case 'org.apache.kafka.connect.data.Date': return 'DATE'
    case 'org.apache.kafka.connect.data.Time': return 'TIME(3)'
    case 'io.debezium.data.Json': return 'JSON'
  }
  switch (schema.type) {
    case 'int8': return 'TINYINT'
    case 'int16': return 'SMALLINT'
    case 'int32': return 'INT'
    case 'int64': return 'BIGINT'
    case 'float32': return 'FLOAT'
    case 'float64': return 'DOUBLE'
    case 'boolean': return 'TINYINT(1)'
    case 'bytes': return isKey ? 'VARBINARY(767)' : 'LONGBLOB'
    default: return isKey ? 'VARCHAR(256)' : 'LONGTEXT'
  }
}

export function bindValue(schema: Schema | null, value: unknown): unknown {
  const v = logicalToText(schema, value)
  return typeof v === 'boolean' ? (v ? 1 : 0) : v
}
