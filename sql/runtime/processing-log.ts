// ksqlDB's processing log: records that fail to deserialize, expressions and functions that throw
// and rows that fail to serialize are logged with where they came from (topic, partition, offset)
// and the query keeps running. The engine writes each entry to the processing-log topic in
// ksqlDB's record shape and exposes the topic as the KSQL_PROCESSING_LOG stream.

export type ProcessingLogType = 'DESERIALIZATION_ERROR' | 'RECORD_PROCESSING_ERROR' | 'PRODUCTION_ERROR' | 'SERIALIZATION_ERROR'

/** ksqlDB's message.type numbers. */
const TYPE_ID: Record<ProcessingLogType, number> = { DESERIALIZATION_ERROR: 0, RECORD_PROCESSING_ERROR: 1, PRODUCTION_ERROR: 2, SERIALIZATION_ERROR: 3 }

export interface ProcessingLogEntry {
  readonly type: ProcessingLogType
  readonly queryId: string
  readonly topic: string | null
  readonly partition: number | null
  readonly offset: number | null
  readonly message: string
  readonly timestamp: number
  /** The bytes that failed to deserialize (logged as recordB64 when rows are included). */
  readonly recordBytes?: Buffer | null
  /** The row being processed or serialized, as text (logged when rows are included). */
  readonly record?: string | null
  /** key or value, for (de)serialization errors. */
  readonly target?: 'key' | 'value'
  /** The topic written to, for serialization errors. */
  readonly sinkTopic?: string | null
  /** Messages of the causes of the error, outermost first. */
  readonly cause?: readonly string[]
}

export interface ProcessingLogger {
  log(entry: ProcessingLogEntry): void
}

/** Keeps the most recent entries in memory (and forwards them, when given a sink). */
export class ProcessingLog implements ProcessingLogger {
  private readonly entries: ProcessingLogEntry[] = []
  constructor(
    private readonly capacity = 1000,
    private sink: ((e: ProcessingLogEntry) => void) | null = null,
  ) {}
  log(entry: ProcessingLogEntry): void {
    this.entries.push(entry)
    if (this.entries.length > this.capacity) this.entries.shift()
    this.sink?.(entry)
  }
  list(): readonly ProcessingLogEntry[] {
    return this.entries
  }
  /** Where entries go besides memory (the engine's processing-log topic writer). */
  setSink(sink: ((e: ProcessingLogEntry) => void) | null): void {
    this.sink = sink
  }
}

/** The record a query is processing, so errors deep in an expression can say where they came from. */
export interface RecordContextHolder {
  topic: string | null
  partition: number | null
  offset: number | null
}

/** The causes chain of an error, outermost first, without the error's own message. */
export function causesOf(err: unknown): string[] {
  const out: string[] = []
  let c = err instanceof Error ? err.cause : undefined
  while (c !== undefined && c !== null && out.length < 10) {
    out.push(c instanceof Error ? c.message : String(c))
    c = c instanceof Error ? c.cause : undefined
  }
  return out
}

/** Logger name of an entry: ksqlDB's `processing.<query id>.<step>`. */
function loggerName(e: ProcessingLogEntry): string {
  const step = e.type === 'DESERIALIZATION_ERROR' ? 'KsqlTopic.Source.deserializer' : e.type === 'SERIALIZATION_ERROR' ? 'KsqlTopic.Sink.serializer' : e.type === 'PRODUCTION_ERROR' ? 'KsqlTopic.Sink.producer' : 'Project'
  return `processing.${e.queryId === '' ? 'unknown' : e.queryId}.${step}`
}

/**
 * The value written to the processing-log topic: ksqlDB's shape (level, logger, time, message with
 * type and one error struct), plus Brook's partition/offset (and topic where ksqlDB has none) so an
 * error points at its input record. Rows and record bytes only when `includeRows`
 * (ksql.logging.processing.rows.include).
 */
export function processingLogRecord(e: ProcessingLogEntry, includeRows: boolean): Record<string, unknown> {
  const cause = [...(e.cause ?? [])]
  const at = { partition: e.partition, offset: e.offset }
  const message: Record<string, unknown> = {
    type: TYPE_ID[e.type],
    deserializationError: null,
    recordProcessingError: null,
    productionError: null,
    serializationError: null,
    kafkaStreamsThreadError: null,
  }
  switch (e.type) {
    case 'DESERIALIZATION_ERROR':
      message.deserializationError = { target: e.target ?? 'value', errorMessage: e.message, recordB64: includeRows && e.recordBytes != null ? e.recordBytes.toString('base64') : null, cause, topic: e.topic, ...at }
      break
    case 'RECORD_PROCESSING_ERROR':
      message.recordProcessingError = { errorMessage: e.message, record: includeRows ? (e.record ?? null) : null, cause, topic: e.topic, ...at }
      break
    case 'PRODUCTION_ERROR':
      message.productionError = { errorMessage: e.message }
      break
    case 'SERIALIZATION_ERROR':
      message.serializationError = { target: e.target ?? 'value', errorMessage: e.message, record: includeRows ? (e.record ?? null) : null, cause, topic: e.sinkTopic ?? null, ...at }
      break
  }
  return { level: 'ERROR', logger: loggerName(e), time: e.timestamp, message }
}

/** CREATE STREAM of the processing log: ksqlDB's columns, and Brook's partition/offset fields. */
export function processingLogStreamDdl(streamName: string, topic: string): string {
  const at = 'PARTITION INT, `OFFSET` BIGINT'
  return (
    `CREATE STREAM ${streamName} (LOGGER STRING, LEVEL STRING, \`TIME\` BIGINT, MESSAGE STRUCT<\`TYPE\` INT, ` +
    `DESERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORDB64 STRING, CAUSE ARRAY<STRING>, \`topic\` STRING, ${at}>, ` +
    `RECORDPROCESSINGERROR STRUCT<ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, \`topic\` STRING, ${at}>, ` +
    `PRODUCTIONERROR STRUCT<ERRORMESSAGE STRING>, ` +
    `SERIALIZATIONERROR STRUCT<TARGET STRING, ERRORMESSAGE STRING, RECORD STRING, CAUSE ARRAY<STRING>, \`topic\` STRING, ${at}>, ` +
    `KAFKASTREAMSTHREADERROR STRUCT<ERRORMESSAGE STRING, THREADNAME STRING, CAUSE ARRAY<STRING>>>) ` +
    `WITH (KAFKA_TOPIC='${topic}', VALUE_FORMAT='JSON');`
  )
}
