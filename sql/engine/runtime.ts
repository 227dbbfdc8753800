// Where persistent queries run: the TopologyTestDriver (brook sql test: deterministic, no broker)
// or KafkaStreams applications on a BrookClient (embedded log, Brook broker, Apache Kafka).
import type { Topology } from '../../streams/processor/topology.js'
import type { Headers } from '../../streams/processor/record.js'
import type { StateStore } from '../../streams/state/types.js'

export interface RunningQuery {
  /** Stops processing; `cleanUp` also removes internal topics and local state (TERMINATE). */
  stop(cleanUp: boolean): Promise<void>
  /** A state store of the query, for pull queries. */
  store(name: string): StateStore | null
}

export interface QueryRuntime {
  readonly kind: 'driver' | 'streams'
  start(queryId: string, applicationId: string, topology: Topology): Promise<RunningQuery>
  topicExists(topic: string): Promise<boolean>
  partitionsOf(topic: string): Promise<number | null>
  createTopic(topic: string, partitions: number, replicas: number, config?: Record<string, string>): Promise<void>
  deleteTopics(topics: string[]): Promise<void>
  listTopics(): Promise<string[]>
  produce(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): Promise<void>
  /** Reads the records of a topic (PRINT). */
  read(topic: string, fromBeginning: boolean, limit: number, timeoutMs: number): Promise<Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; partition: number; offset: number }>>
  close(): Promise<void>
}
