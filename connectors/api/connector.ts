// The Connect-shaped plugin API (Kafka's org.apache.kafka.connect.{connector,source,sink}):
// a connector validates its config and splits the work into task configs; tasks move records.
import type { ConfigDef } from './config-def.js'
import type { SinkRecord, SourceOffset, SourcePartition, SourceRecord } from './record.js'
import type { BrookClient, TopicPartition } from '../../core/client/types.js'

export type TaskConfig = Record<string, string>

export interface ConnectorContext {
  /** The connector's name (the `name` config). */
  readonly name: string
  /** Asks the worker to recompute the task configs (e.g. the table list changed). */
  requestTaskReconfiguration(): void
  /** Reports a failure that cannot be recovered from; the connector goes to FAILED. */
  raiseError(err: Error): void
}

export interface Connector {
  version(): string
  config(): ConfigDef
  /** Checks what can only be checked against the outside world (tables exist, permissions, server settings). */
  validate?(props: Record<string, string>, context: ConnectorContext): Promise<void>
  start(props: Record<string, string>, context: ConnectorContext): Promise<void>
  taskConfigs(maxTasks: number): TaskConfig[]
  stop(): Promise<void>
}

export interface SourceConnector extends Connector {
  readonly kind: 'source'
  createTask(): SourceTask
}

export interface SinkConnector extends Connector {
  readonly kind: 'sink'
  createTask(): SinkTask
}

/** Reads the offsets the worker stored for this connector (connect-offsets). */
export interface OffsetStorageReader {
  offset(partition: SourcePartition): SourceOffset | null
}

export interface ProgressReporter {
  /** Total rows expected in a snapshot or bulk load (for a progress bar); null when unknown. */
  start(label: string, total: number | null): void
  advance(rows: number): void
  done(): void
}

export interface SourceTaskContext {
  readonly connector: string
  readonly taskId: number
  readonly offsetStorageReader: OffsetStorageReader
  readonly progress: ProgressReporter
  /** The worker's client for tasks that keep their own topics (schema history). */
  readonly client: BrookClient
  readonly signal: AbortSignal
}

export interface SourceTask {
  start(props: TaskConfig, context: SourceTaskContext): Promise<void>
  /** The next records, or an empty array when there is nothing yet (after waiting up to poll.interval.ms). */
  poll(): Promise<SourceRecord[]>
  /** Called after the offsets of all records returned so far are stored (e.g. advance a replication slot). */
  commit?(): Promise<void>
  /** Called for each polled record (also those a transform dropped) once the broker acknowledged it and its offset is stored. */
  commitRecord?(record: SourceRecord): void
  stop(): Promise<void>
}

export interface ErrantRecordReporter {
  report(record: SinkRecord, error: Error): Promise<void>
}

export interface SinkTaskContext {
  readonly connector: string
  readonly taskId: number
  readonly errantRecordReporter: ErrantRecordReporter | null
  assignment(): TopicPartition[]
}

export interface SinkTask {
  start(props: TaskConfig, context: SinkTaskContext): Promise<void>
  /** Writes the records (a batch); throwing fails the batch. */
  put(records: SinkRecord[]): Promise<void>
  /** Everything handed to put() so far is durable when this resolves. */
  flush(): Promise<void>
  stop(): Promise<void>
}
