// Where persistent queries run: the TopologyTestDriver (brook sql test: deterministic, no broker)
// or KafkaStreams applications on a BrookClient (embedded log, Brook broker, Apache Kafka).
import type { Topology } from '../../streams/processor/topology.js'
import type { Headers } from '../../streams/processor/record.js'
import type { QueryableStoreType } from '../../streams/state/queryable.js'
import type { SchemaRegistryClient } from '../../registry/types.js'

export interface RunningQuery {
  /** Stops processing; `cleanUp` also removes internal topics and local state (TERMINATE). */
  stop(cleanUp: boolean): Promise<void>
  /** PAUSE: nothing is processed until resume(), which carries on where processing stopped. */
  pause(): void
  resume(): void
  /** The input record the query is processing right now (topic, partition, offset): where a processing error came from. */
  currentRecord(): { topic: string; partition: number; offset: number } | null
  /** A read-only view of a state store of the query (over all its local tasks), for pull queries; null when not available. */
  store<T>(name: string, type: QueryableStoreType<T>): T | null
}

/** How a query runs: from the SET properties in force when it was started (ksqlDB's per-query overrides). */
export interface QueryStartOptions {
  /** A push query: state kept in memory, nothing left behind when stopped. */
  readonly transient?: boolean
  /** Starts paused (a PAUSE replayed from the command topic): nothing is processed before resume(). */
  readonly paused?: boolean
  /** auto.offset.reset for source topics without committed offsets. */
  readonly autoOffsetReset?: 'earliest' | 'latest'
  /** commit.interval.ms */
  readonly commitIntervalMs?: number
  /** cache.max.bytes.buffering / statestore.cache.max.bytes */
  readonly cacheMaxBytes?: number
  /** processing.guarantee */
  readonly processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
  /** The query's Kafka Streams warnings (records skipped because their key or value failed to deserialize, ...). */
  readonly logger?: (message: string) => void
}

export interface QueryRuntime {
  readonly kind: 'driver' | 'streams'
  start(queryId: string, applicationId: string, topology: Topology, options?: QueryStartOptions): Promise<RunningQuery>
  topicExists(topic: string): Promise<boolean>
  partitionsOf(topic: string): Promise<number | null>
  createTopic(topic: string, partitions: number, replicas: number, config?: Record<string, string>): Promise<void>
  deleteTopics(topics: string[]): Promise<void>
  listTopics(): Promise<string[]>
  produce(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): Promise<void>
  /** The schema registry of the cluster the queries run on (its _schemas topic), for the AVRO format; absent where there is none (the test driver). */
  schemaRegistry?(): Promise<SchemaRegistryClient>
  /** Reads the records of a topic (PRINT). */
  read(topic: string, fromBeginning: boolean, limit: number, timeoutMs: number): Promise<Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; partition: number; offset: number }>>
  close(): Promise<void>
}
