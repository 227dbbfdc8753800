// SQLite types ↔ Connect. SQLite keeps values by storage class; the declared type tells what
// a column means: DECIMAL(p,s)/NUMERIC(p,s) → Decimal (stored as TEXT to stay exact),
// DATE/DATETIME/TIMESTAMP → Connect Date/Timestamp, BLOB → bytes, JSON → Debezium's Json.
import { Decimal, Schemas, type Schema } from '../../api/schema.js'
import { decimalWithScale } from '../../converters/decimal.js'
import type { ColumnMapping, ResultColumn, TableColumn } from '../dialect.js'
import { logicalToText } from '../sink-values.js'
import { dateTextToDays, timestampTextToMs, timeTextToMs } from '../temporal.js'

export function mapColumn(col: ResultColumn, nullable: boolean): ColumnMapping {
  const declared = String(col.type ?? '').toUpperCase()
  const name = col.name
  const dec = /^(?:DECIMAL|NUMERIC)\s*\(\s*(\d+)\s*(?:,\s*(\d+))?\s*\)/.exec(declared)
  if (dec !== null) {
    const scale = Number(dec[2] ?? 0)
    return { name, schema: Decimal.schema(scale, nullable, Number(dec[1])), convert: (v) => (v === null ? null : decimalWithScale(String(v), scale)) }
  }
  if (/INT/.test(declared)) return { name, schema: Schemas.int64(nullable), convert: (v) => (v === null ? null : typeof v === 'bigint' ? Number(v) : v) }
  if (/REAL|FLOA|DOUB/.test(declared)) return { name, schema: Schemas.float64(nullable), convert: (v) => v }
  if (/BOOL/.test(declared)) return { name, schema: Schemas.boolean(nullable), convert: (v) => (v === null ? null : Boolean(v)) }
  if (/BLOB|BINARY/.test(declared)) return { name, schema: Schemas.bytes(nullable), convert: (v) => v }
  if (/DATETIME|TIMESTAMP/.test(declared)) return { name, schema: Schemas.timestamp(nullable), convert: (v) => (v === null ? null : typeof v === 'number' ? v : timestampTextToMs(String(v))) }
  if (/^DATE/.test(declared)) return { name, schema: Schemas.date(nullable), convert: (v) => (v === null ? null : dateTextToDays(String(v))) }
  if (/^TIME/.test(declared)) return { name, schema: Schemas.time(nullable), convert: (v) => (v === null ? null : timeTextToMs(String(v))) }
  if (/JSON/.test(declared)) return { name, schema: Schemas.json(nullable), convert: (v) => v }
  if (/CHAR|CLOB|TEXT/.test(declared)) return { name, schema: Schemas.string(nullable), convert: (v) => v }
  // No declared type (expressions): take what the value is.
  return { name, schema: Schemas.string(nullable), convert: (v) => (v === null ? null : Buffer.isBuffer(v) ? v.toString('base64') : String(v)) }
}

export function mapColumns(columns: ResultColumn[], table: TableColumn[] | null): ColumnMapping[] {
  return columns.map((c) => mapColumn(c, table?.find((t) => t.name === c.name)?.nullable ?? true))
}

export function sqlType(schema: Schema, _isKey: boolean): string {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: return 'TEXT'
    case 'org.apache.kafka.connect.data.Timestamp': return 'TIMESTAMP'
    case 'org.apache.kafka.connect.data.Date': return 'DATE'
    case 'org.apache.kafka.connect.data.Time': return 'TIME'
  }
  switch (schema.type) {
    case 'int8': case 'int16': case 'int32': case 'int64': return 'INTEGER'
    case 'float32': case 'float64': return 'REAL'
    case 'boolean': return 'BOOLEAN'
    case 'bytes': return 'BLOB'
    default: return 'TEXT'
  }
}

export function bindValue(schema: Schema | null, value: unknown): unknown {
  const v = logicalToText(schema, value)
  if (typeof v === 'boolean') return v ? 1 : 0
  return v
}
