// Kafka Connect's data model: a Schema describes a value; struct values are plain objects
// keyed by field name. Logical types keep Connect's names so the JSON envelope matches
// what Connect and Debezium write (org.apache.kafka.connect.data.Decimal, ...).

export type SchemaType =
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'float32'
  | 'float64'
  | 'boolean'
  | 'string'
  | 'bytes'
  | 'array'
  | 'map'
  | 'struct'

export interface Field {
  name: string
  index: number
  schema: Schema
}

export interface Schema {
  type: SchemaType
  optional: boolean
  /** Logical type or record name, e.g. org.apache.kafka.connect.data.Decimal. */
  name?: string
  version?: number
  doc?: string
  parameters?: Record<string, string>
  defaultValue?: unknown
  fields?: Field[]
  keySchema?: Schema
  valueSchema?: Schema
}

/** A struct value: field name → value. */
export type Struct = Record<string, unknown>

export const Decimal = {
  LOGICAL_NAME: 'org.apache.kafka.connect.data.Decimal',
  SCALE_FIELD: 'scale',
  schema(scale: number, optional = true, precision?: number): Schema {
    const parameters: Record<string, string> = { scale: String(scale) }
    if (precision !== undefined) parameters['connect.decimal.precision'] = String(precision)
    return { type: 'bytes', optional, name: Decimal.LOGICAL_NAME, version: 1, parameters }
  },
} as const
export const ConnectDate = { LOGICAL_NAME: 'org.apache.kafka.connect.data.Date' } as const
export const ConnectTime = { LOGICAL_NAME: 'org.apache.kafka.connect.data.Time' } as const
export const ConnectTimestamp = { LOGICAL_NAME: 'org.apache.kafka.connect.data.Timestamp' } as const
/** Debezium's JSON logical type: the value is the JSON text. */
export const DebeziumJson = { LOGICAL_NAME: 'io.debezium.data.Json' } as const

export const Schemas = {
  int8: (optional = true): Schema => ({ type: 'int8', optional }),
  int16: (optional = true): Schema => ({ type: 'int16', optional }),
  int32: (optional = true): Schema => ({ type: 'int32', optional }),
  int64: (optional = true): Schema => ({ type: 'int64', optional }),
  float32: (optional = true): Schema => ({ type: 'float32', optional }),
  float64: (optional = true): Schema => ({ type: 'float64', optional }),
  boolean: (optional = true): Schema => ({ type: 'boolean', optional }),
  string: (optional = true): Schema => ({ type: 'string', optional }),
  bytes: (optional = true): Schema => ({ type: 'bytes', optional }),
  date: (optional = true): Schema => ({ type: 'int32', optional, name: ConnectDate.LOGICAL_NAME, version: 1 }),
  time: (optional = true): Schema => ({ type: 'int32', optional, name: ConnectTime.LOGICAL_NAME, version: 1 }),
  timestamp: (optional = true): Schema => ({ type: 'int64', optional, name: ConnectTimestamp.LOGICAL_NAME, version: 1 }),
  json: (optional = true): Schema => ({ type: 'string', optional, name: DebeziumJson.LOGICAL_NAME, version: 1 }),
  struct(name: string | undefined, fields: Array<{ name: string; schema: Schema }>, optional = false): Schema {
    const s: Schema = { type: 'struct', optional, fields: fields.map((f, index) => ({ name: f.name, index, schema: f.schema })) }
    if (name !== undefined) s.name = name
    return s
  },
} as const

export function field(schema: Schema, name: string): Field | undefined {
  return schema.fields?.find((f) => f.name === name)
}

/** Decimal values travel as their exact decimal text ("-12.340"); scale comes from the schema. */
export function decimalScale(schema: Schema): number {
  return Number(schema.parameters?.scale ?? '0')
}
