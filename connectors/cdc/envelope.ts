// Debezium's change-event envelope: key struct of the primary-key columns; value
// {before, after, source, op, ts_ms, transaction} with op c/u/d/r/t; a tombstone after each
// delete. Shared by the PostgreSQL and MySQL/MariaDB CDC connectors.
import type { SourceOffset, SourcePartition, SourceRecord } from '../api/record.js'
import { Schemas, type Schema } from '../api/schema.js'
import { keyBuilder } from './row-builder.js'

export type Op = 'c' | 'u' | 'd' | 'r' | 't'

export interface TableSchemas {
  topic: string
  keySchema: Schema | null
  rowSchema: Schema
  envelope: Schema
  keyColumns: string[]
  /** The key struct of a row (its key columns), null without key columns. */
  keyOf: ((row: Record<string, unknown>) => Record<string, unknown>) | null
}

export function tableSchemas(topicPrefix: string, schemaOrDb: string, table: string, row: Array<{ name: string; schema: Schema }>, keyColumns: string[], source: Schema): TableSchemas {
  const topic = `${topicPrefix}.${schemaOrDb}.${table}`
  const rowSchema = Schemas.struct(`${topic}.Value`, row.map((c) => ({ name: c.name, schema: { ...c.schema, optional: keyColumns.includes(c.name) ? false : c.schema.optional } })), true)
  const keySchema = keyColumns.length === 0 ? null : Schemas.struct(`${topic}.Key`, keyColumns.map((k) => ({ name: k, schema: { ...row.find((c) => c.name === k)!.schema, optional: false } })))
  const envelope = Schemas.struct(`${topic}.Envelope`, [
    { name: 'before', schema: rowSchema },
    { name: 'after', schema: rowSchema },
    { name: 'source', schema: source },
    { name: 'op', schema: Schemas.string(false) },
    { name: 'ts_ms', schema: Schemas.int64() },
  ])
  envelope.version = 1
  return { topic, keySchema, rowSchema, envelope, keyColumns, keyOf: keyColumns.length === 0 ? null : keyBuilder(keyColumns) }
}

export function changeRecord(
  t: TableSchemas,
  op: Op,
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
  source: Record<string, unknown>,
  partition: SourcePartition,
  offset: SourceOffset,
  nowMs: number,
): SourceRecord {
  const row = after ?? before
  const key = t.keySchema !== null && t.keyOf !== null && row !== null ? t.keyOf(row) : null
  return {
    sourcePartition: partition,
    sourceOffset: offset,
    topic: t.topic,
    kafkaPartition: null,
    keySchema: t.keySchema,
    key,
    valueSchema: t.envelope,
    value: { before, after, source, op, ts_ms: nowMs },
    timestamp: null,
    headers: [],
  }
}

export function tombstone(delete_: SourceRecord): SourceRecord {
  return { ...delete_, valueSchema: null, value: null }
}
