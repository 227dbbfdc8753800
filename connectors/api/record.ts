// Records as Connect has them: ConnectRecord with key/value and their schemas; SourceRecord adds
// the source partition and offset the worker stores in connect-offsets; SinkRecord adds the
// Kafka partition and offset it came from.
import type { RecordHeader } from '../../core/client/types.js'
import type { Schema } from './schema.js'

export type SourcePartition = Record<string, unknown>
export type SourceOffset = Record<string, unknown>

export interface ConnectRecord {
  topic: string
  kafkaPartition: number | null
  keySchema: Schema | null
  key: unknown
  valueSchema: Schema | null
  value: unknown
  timestamp: number | null
  headers: RecordHeader[]
}

export interface SourceRecord extends ConnectRecord {
  sourcePartition: SourcePartition
  sourceOffset: SourceOffset
}

export interface SinkRecord extends ConnectRecord {
  kafkaOffset: number
}

export function sourceRecord(init: {
  sourcePartition: SourcePartition
  sourceOffset: SourceOffset
  topic: string
  keySchema?: Schema | null
  key?: unknown
  valueSchema?: Schema | null
  value: unknown
  timestamp?: number | null
  kafkaPartition?: number | null
  headers?: RecordHeader[]
}): SourceRecord {
  return {
    sourcePartition: init.sourcePartition,
    sourceOffset: init.sourceOffset,
    topic: init.topic,
    kafkaPartition: init.kafkaPartition ?? null,
    keySchema: init.keySchema ?? null,
    key: init.key ?? null,
    valueSchema: init.valueSchema ?? null,
    value: init.value,
    timestamp: init.timestamp ?? null,
    headers: init.headers ?? [],
  }
}
