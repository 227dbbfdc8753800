// A stream or table in the catalog: its schema, topic and formats, and the query that writes it.
import type { Column, LogicalSchema, WindowInfo } from '../analyzer/schema.js'
import type { AvroBinding } from '../serde/avro/binding.js'

export type DataSourceKind = 'STREAM' | 'TABLE'

export interface DataSource {
  readonly name: string
  readonly kind: DataSourceKind
  readonly schema: LogicalSchema
  readonly topic: string
  readonly keyFormat: string
  readonly valueFormat: string
  readonly keyDelimiter: string
  readonly valueDelimiter: string
  readonly wrapSingleValue: boolean
  readonly partitions: number
  readonly replicas: number
  /** TIMESTAMP property: the column whose value is the row time. */
  readonly timestampColumn: string | null
  readonly timestampFormat: string | null
  /** Windowed key (WINDOW_TYPE, or a windowed aggregation's output). */
  readonly window: WindowInfo | null
  /** CREATE SOURCE: read-only, never a sink. */
  readonly isSource: boolean
  /** The statement that created it. */
  readonly sql: string
  /** AVRO key / value: the subject, schema id and registry the format writes and reads with. */
  readonly keyAvro?: AvroBinding
  readonly valueAvro?: AvroBinding
}

export function columnsOf(source: DataSource): readonly Column[] {
  return source.schema.columns
}
