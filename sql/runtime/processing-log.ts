// ksqlDB's processing log: records that fail to deserialize and function calls that throw are
// logged with where they came from (topic, partition, offset) and the query keeps running.

export type ProcessingLogType = 'DESERIALIZATION_ERROR' | 'RECORD_PROCESSING_ERROR' | 'SERIALIZATION_ERROR'

export interface ProcessingLogEntry {
  readonly type: ProcessingLogType
  readonly queryId: string
  readonly topic: string | null
  readonly partition: number | null
  readonly offset: number | null
  readonly message: string
  readonly timestamp: number
}

export interface ProcessingLogger {
  log(entry: ProcessingLogEntry): void
}

/** Keeps the most recent entries in memory (and forwards them, when given a sink). */
export class ProcessingLog implements ProcessingLogger {
  private readonly entries: ProcessingLogEntry[] = []
  constructor(
    private readonly capacity = 1000,
    private readonly sink: ((e: ProcessingLogEntry) => void) | null = null,
  ) {}
  log(entry: ProcessingLogEntry): void {
    this.entries.push(entry)
    if (this.entries.length > this.capacity) this.entries.shift()
    this.sink?.(entry)
  }
  list(): readonly ProcessingLogEntry[] {
    return this.entries
  }
}

/** The record a query is processing, so errors deep in an expression can say where they came from. */
export interface RecordContextHolder {
  topic: string | null
  partition: number | null
  offset: number | null
}
