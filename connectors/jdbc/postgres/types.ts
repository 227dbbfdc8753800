// PostgreSQL types ↔ Connect. The driver hands every value over as text (see dialect.ts), and
// the mapping converts by type OID: numeric stays exact text (Decimal), int8 becomes a number
// when it fits in 2^53 and exact digits otherwise, timestamps/dates/times become Connect's
// logical types, json/jsonb Debezium's Json, bytea bytes.
import { Decimal, Schemas, type Schema } from '../../api/schema.js'
import { decimalWithScale } from '../../converters/decimal.js'
import type { ColumnMapping, ResultColumn, TableColumn } from '../dialect.js'
import { logicalToText } from '../sink-values.js'
import { dateTextToDays, plainTimestampMs, timestampTextToMs, timeTextToMs } from '../temporal.js'
import type { CopyField } from './copy-text.js'

export const Oid = {
  bool: 16, bytea: 17, int8: 20, int2: 21, int4: 23, text: 25, json: 114, float4: 700, float8: 701, bpchar: 1042,
  varchar: 1043, date: 1082, time: 1083, timestamp: 1114, timestamptz: 1184, numeric: 1700, uuid: 2950, jsonb: 3802,
} as const

const int8 = (v: unknown): unknown => {
  if (v === null) return null
  const n = Number(v)
  return Number.isSafeInteger(n) ? n : String(v)
}

export function mapColumn(col: ResultColumn, nullable: boolean): ColumnMapping {
  const name = col.name
  const str = (v: unknown): unknown => (v === null ? null : String(v))
  switch (col.type) {
    case Oid.bool: return { name, schema: Schemas.boolean(nullable), convert: (v) => (v === null ? null : v === 't' || v === true) }
    case Oid.int2: return { name, schema: Schemas.int16(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case Oid.int4: return { name, schema: Schemas.int32(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case Oid.int8: return { name, schema: Schemas.int64(nullable), convert: int8 }
    case Oid.float4: return { name, schema: Schemas.float32(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case Oid.float8: return { name, schema: Schemas.float64(nullable), convert: (v) => (v === null ? null : Number(v)) }
    case Oid.numeric: {
      // typmod = ((precision << 16) | scale) + 4; -1 when unconstrained (Debezium then uses a variable scale; we keep the text).
      const mod = col.scale ?? -1
      if (mod < 0) return { name, schema: Decimal.schema(0, nullable), convert: str }
      const scale = (mod - 4) & 0xffff
      return { name, schema: Decimal.schema(scale, nullable, ((mod - 4) >> 16) & 0xffff), convert: (v) => (v === null ? null : decimalWithScale(String(v), scale)) }
    }
    case Oid.bytea: return { name, schema: Schemas.bytes(nullable), convert: (v) => (v === null ? null : Buffer.isBuffer(v) ? v : Buffer.from(String(v).slice(2), 'hex')) }
    case Oid.date: return { name, schema: Schemas.date(nullable), convert: (v) => (v === null ? null : dateTextToDays(String(v))) }
    case Oid.time: return { name, schema: Schemas.time(nullable), convert: (v) => (v === null ? null : timeTextToMs(String(v))) }
    case Oid.timestamp:
    case Oid.timestamptz: return { name, schema: Schemas.timestamp(nullable), convert: (v) => (v === null ? null : timestampTextToMs(String(v))) }
    case Oid.json:
    case Oid.jsonb: return { name, schema: Schemas.json(nullable), convert: str }
    default: return { name, schema: Schemas.string(nullable), convert: str }
  }
}

/** [-]digits (at most 15: exact in a double) in text[start, end) as a number; NaN for anything else. */
function plainInt(text: string, start: number, end: number): number {
  let i = start
  const neg = text.charCodeAt(i) === 45
  if (neg) i++
  if (end - i < 1 || end - i > 15) return NaN
  let v = 0
  for (; i < end; i++) {
    const c = text.charCodeAt(i) - 48
    if (c < 0 || c > 9) return NaN
    v = v * 10 + c
  }
  return neg ? -v : v
}

/**
 * How a COPY text field of a column of type `type` becomes the value mapping.convert makes of
 * its text: integers and timestamps read in place (no string of their own), text columns as
 * their text, the rest through convert; what a fast path does not take goes through convert too.
 */
export function copyField(type: number, mapping: ColumnMapping): CopyField {
  const convert = mapping.convert
  const viaText = (text: string, start: number, end: number): unknown => convert(text.slice(start, end))
  switch (type) {
    case Oid.int2:
    case Oid.int4:
    case Oid.int8:
      return { slice: (text, start, end) => { const v = plainInt(text, start, end); return v === v ? v : viaText(text, start, end) }, text: convert }
    case Oid.timestamp:
    case Oid.timestamptz:
      return { slice: (text, start, end) => { const v = plainTimestampMs(text, start, end); return v === v ? v : viaText(text, start, end) }, text: convert }
    case Oid.text:
    case Oid.varchar:
    case Oid.bpchar:
      return { slice: (text, start, end) => text.slice(start, end), text: convert }
    default:
      return { slice: viaText, text: convert }
  }
}

export function mapColumns(columns: ResultColumn[], table: TableColumn[] | null): ColumnMapping[] {
  return columns.map((c) => mapColumn(c, table?.find((t) => t.name === c.name)?.nullable ?? true))
}

export function sqlType(schema: Schema, _isKey: boolean): string {
  switch (schema.name) {
    case Decimal.LOGICAL_NAME: return 'NUMERIC'
    case 'org.apache.kafka.connect.data.Timestamp': return 'TIMESTAMP'
    case 'org.apache.kafka.connect.data.Date': return 'DATE'
    case 'org.apache.kafka.connect.data.Time': return 'TIME'
    case 'io.debezium.data.Json': return 'JSONB'
  }
  switch (schema.type) {
    case 'int8': case 'int16': return 'SMALLINT'
    case 'int32': return 'INTEGER'
    case 'int64': return 'BIGINT'
    case 'float32': return 'REAL'
    case 'float64': return 'DOUBLE PRECISION'
    case 'boolean': return 'BOOLEAN'
    case 'bytes': return 'BYTEA'
    default: return 'TEXT'
  }
}

export function bindValue(schema: Schema | null, value: unknown): unknown {
  return logicalToText(schema, value)
}
