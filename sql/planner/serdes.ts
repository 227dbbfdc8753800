// Streams serdes over the SQL formats: topic key/value formats (KAFKA, JSON, DELIMITED, NONE,
// windowed keys) and the internal row serdes of repartition topics and stores.
import { WindowedSerdes, type Serde } from '../../streams/serdes.js'
import type { Windowed } from '../../streams/dsl/windowed.js'
import type { DataSource } from '../catalog/data-source.js'
import { createFormat, type RowFormat } from '../serde/formats.js'
// the AVRO format registers itself (it needs the formats' table first)
import '../serde/avro/avro-format.js'
import { keyColumns, valueColumns } from '../analyzer/schema.js'
import type { ScopeColumn } from '../expression/compile.js'
import { internalRowSerde } from '../serde/internal.js'

export function formatSerde(f: RowFormat): Serde<unknown[]> {
  return {
    serialize: (_t, v) => f.serialize(v ?? null),
    deserialize: (_t, b) => f.deserialize(b ?? null),
  }
}

export function keyFormatOf(source: DataSource): RowFormat {
  return createFormat(source.keyFormat, keyColumns(source.schema), { wrapSingle: false, delimiter: source.keyDelimiter, ...(source.keyAvro === undefined ? {} : { avro: source.keyAvro }) }, 'key')
}

export function valueFormatOf(source: DataSource): RowFormat {
  return createFormat(
    source.valueFormat,
    valueColumns(source.schema).filter((c) => c.namespace === 'VALUE'),
    { wrapSingle: source.wrapSingleValue, delimiter: source.valueDelimiter, ...(source.valueAvro === undefined ? {} : { avro: source.valueAvro }) },
    'value',
  )
}

/** The key serde of a source's topic: plain or windowed. */
export function topicKeySerde(source: DataSource): Serde<unknown> {
  const inner = formatSerde(keyFormatOf(source))
  if (source.window === null) return inner as Serde<unknown>
  if (source.window.type === 'SESSION') return WindowedSerdes.sessionWindowedSerdeFrom(inner) as Serde<unknown>
  return WindowedSerdes.timeWindowedSerdeFrom(inner, source.window.sizeMs ?? 0) as Serde<unknown>
}

export function rowSerdeOf(columns: readonly ScopeColumn[]): Serde<unknown[]> {
  const sorted = [...columns].sort((a, b) => a.index - b.index)
  return internalRowSerde(sorted.map((c) => c.type))
}

export type WindowedKey = Windowed<unknown[]>
