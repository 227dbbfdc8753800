// The client interface. Streams, SQL and connectors talk to a log only through
// these types; there is one implementation in-process (EmbeddedClient) and one
// over the Kafka wire protocol. Shapes follow the Kafka Java client.
import type { Observable } from 'rxjs'
import type { CompressionType, TimestampType } from '../protocol/records/batch-header.js'
import type { RecordHeader } from '../protocol/records/record-batch.js'

import type { GroupState, IsolationLevel, TopicPartition } from '../common/types.js'
import type { PartitionAssignor } from './assignors/index.js'

export type { GroupState, IsolationLevel, TopicPartition }

export type { RecordHeader }

export interface ProducerRecord {
  topic: string
  /** Chosen by the partitioner when absent. */
  partition?: number
  key?: Buffer | string | null
  value: Buffer | string | null
  headers?: RecordHeader[]
  /** Milliseconds since the epoch; now when absent. */
  timestamp?: number
}

export interface RecordMetadata {
  topic: string
  partition: number
  /** -1 when acks=0. */
  offset: number
  timestamp: number
}

export interface ConsumerRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  timestampType: TimestampType
  key: Buffer | null
  value: Buffer | null
  headers: RecordHeader[]
}

/**
 * A polled record as positions in the fetched bytes (Consumer.pollInto): no object and no Buffer
 * per record. Valid only during the call that hands it over: the same view is refilled with the
 * next record, so keep toRecord() of what outlives the call.
 */
export interface RecordView {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly timestamp: number
  readonly timestampType: TimestampType
  /** The bytes the key and value lie in (not to be written, nor kept past the call). */
  readonly bytes: Buffer
  /** The key is bytes[keyStart, keyEnd); keyStart is -1 for a null key. */
  readonly keyStart: number
  readonly keyEnd: number
  /** The value is bytes[valueStart, valueEnd); valueStart is -1 for a null value. */
  readonly valueStart: number
  readonly valueEnd: number
  readonly headers: RecordHeader[]
  /** The record as poll() gives it: its own object, key and value Buffers. */
  toRecord(): ConsumerRecord
}

export type Acks = 0 | 1 | -1 | 'all'

export interface ProducerConfig {
  clientId?: string
  /** 0: fire and forget; 1: appended; 'all'/-1: durably written (fsync when the topic asks for it). */
  acks?: Acks
  /** Idempotent producer: producer id, epoch and per-partition sequence numbers. Default true, as in Kafka 3+. */
  enableIdempotence?: boolean
  /** How long to wait for more records before a batch is sent. Default 5 ms. */
  lingerMs?: number
  /** Target size of one record batch in bytes. Default 16384. */
  batchSize?: number
  compressionType?: CompressionType | 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
  /** Custom partitioner; Kafka's murmur2 / sticky partitioner otherwise. */
  partitioner?: Partitioner
  /** transactional.id: makes the producer transactional (initTransactions before the first send). */
  transactionalId?: string | null
  /** transaction.timeout.ms: the coordinator aborts a transaction left open this long. Default 60000. */
  transactionTimeoutMs?: number
}

/** What a transactional producer needs of a consumer to commit its offsets in a transaction (KIP-447 fencing). */
export interface ConsumerGroupMetadata {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId?: string | null
}

export type Partitioner = (topic: string, key: Buffer | null, partitionCount: number) => number

/**
 * Told the outcome of records sent with Producer.sendQuiet: once per record batch (and listener), not
 * per record. Called before flush() resolves.
 */
export interface SendListener {
  /** `count` records this listener sent to the partition are acknowledged; the last of them has `lastOffset` (-1 with acks=0). */
  onAcknowledged(topic: string, partition: number, lastOffset: number, count: number): void
  /** `count` records this listener sent failed; `partition` is -1 when the record failed before it had one. */
  onFailed(topic: string, partition: number, count: number, error: Error): void
}

export interface Producer {
  send(record: ProducerRecord): Promise<RecordMetadata>
  sendBatch(records: ProducerRecord[]): Promise<RecordMetadata[]>
  /**
   * Fire-and-forget send for high-rate callers (stream processing): the record joins its batch at
   * once, with no promise, RecordMetadata or record object of its own; the outcome goes to `listener`
   * per batch. `partition` -1 lets the partitioner choose; `timestamp` is milliseconds since the epoch.
   * Records keep their order per partition with every other send. The bytes are copied before the call returns.
   * A string key or value is UTF-8 text written straight into the record batch (the bytes
   * Buffer.from(text) would give, partitioned as they would be, without a Buffer per record).
   */
  sendQuiet(
    topic: string,
    partition: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: RecordHeader[] | undefined,
    listener: SendListener,
  ): void
  /**
   * sendQuiet of a key and value that are byte ranges of larger buffers: key[keyStart, keyEnd)
   * and value[valueStart, valueEnd) (a null buffer is a null key or value), copied before the
   * call returns. For callers that write many records into one buffer of their own (Connect's
   * converters): no Buffer view per key and value. Optional: a Producer without it takes
   * sendQuiet with views of the same bytes.
   */
  sendQuietRange?(
    topic: string,
    partition: number,
    key: Buffer | null,
    keyStart: number,
    keyEnd: number,
    value: Buffer | null,
    valueStart: number,
    valueEnd: number,
    timestamp: number,
    headers: RecordHeader[] | undefined,
    listener: SendListener,
  ): void
  /** Sends everything that is lingering and waits for it. */
  flush(): Promise<void>
  /** Transactional producers: fences older producers with the same transactional id and completes their transactions. */
  initTransactions(): Promise<void>
  beginTransaction(): void
  /** Commits the consumer's offsets as part of the transaction. */
  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupMetadata: ConsumerGroupMetadata): Promise<void>
  /** Flushes, then commits; throws TRANSACTION_ABORTABLE when a send failed (abort then) or PRODUCER_FENCED (close then). */
  commitTransaction(): Promise<void>
  abortTransaction(): Promise<void>
  /** Aborts an open transaction, flushes and closes. */
  close(): Promise<void>
}

export type AutoOffsetReset = 'earliest' | 'latest' | 'none'
export type AssignorName = 'range' | 'roundrobin' | 'cooperative-sticky'

export interface ConsumerConfig {
  clientId?: string
  groupId?: string
  /** Static membership (group.instance.id). */
  groupInstanceId?: string
  autoOffsetReset?: AutoOffsetReset
  enableAutoCommit?: boolean
  autoCommitIntervalMs?: number
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  /**
   * max.poll.interval.ms (default 300000): how long the group waits for members to rejoin, and how
   * long a member may go between polls before it leaves the group (its next poll reports its
   * partitions lost and joins again), as the Java client.
   */
  rebalanceTimeoutMs?: number
  maxPollRecords?: number
  /** Upper bound of bytes fetched per partition per poll. */
  maxPartitionFetchBytes?: number
  /**
   * fetch.max.wait.ms: the longest one fetch waits on the broker for data (default 500, as Kafka);
   * a poll with a longer timeout fetches again. It bounds how long a fetch left behind by
   * wakeup() or a rebalance holds its connection (a Kafka broker answers a connection in order).
   */
  fetchMaxWaitMs?: number
  /** Assignors in order of preference, by name or an object of the application's; the group picks the first all members support. */
  partitionAssignmentStrategy?: Array<AssignorName | PartitionAssignor>
  /** isolation.level; default read_uncommitted, as Kafka. */
  isolationLevel?: IsolationLevel
}

export interface RebalanceListener {
  onPartitionsRevoked?(partitions: TopicPartition[]): void | Promise<void>
  onPartitionsAssigned?(partitions: TopicPartition[]): void | Promise<void>
  onPartitionsLost?(partitions: TopicPartition[]): void | Promise<void>
}

export interface OffsetAndMetadata {
  offset: number
  metadata?: string
}

export type TopicPartitionOffset = TopicPartition & OffsetAndMetadata

export interface RecordsOptions {
  pollTimeoutMs?: number
  /**
   * Backpressure: each number emitted requests that many more records, and no record is
   * emitted (nor polled) beyond what was requested. Without it, the next poll starts once
   * the previous poll's records were delivered synchronously.
   */
  demand?: Observable<number>
}

export interface OffsetAndTimestamp {
  offset: number
  timestamp: number
}

export interface Consumer {
  subscribe(topics: string[] | RegExp, listener?: RebalanceListener): void
  unsubscribe(): void
  assign(partitions: TopicPartition[]): void
  assignment(): TopicPartition[]
  /** Waits up to timeoutMs for records; joins the group and rebalances as needed. */
  poll(timeoutMs?: number): Promise<ConsumerRecord[]>
  /**
   * poll() without a record object: waits as poll() does, then hands each record (up to
   * max.poll.records) to `visit` as a view over the fetched bytes. Returns how many it handed.
   * Positions move as poll()'s do: past each record once visit returns.
   */
  pollInto(timeoutMs: number, visit: (record: RecordView) => void): Promise<number>
  /**
   * Ends the wait of a poll() or pollInto() in progress: it rejects with a BrookError of code
   * WAKEUP (Kafka's WakeupException). With no poll waiting, the next poll rejects so instead.
   * Records already fetched stay where they are: positions move only for records handed out.
   */
  wakeup(): void
  /**
   * Kafka's enforceRebalance(): the member joins the group again at its next poll (a waiting poll
   * returns for it), sending its subscription afresh, e.g. new bytes from its assignor. Only for
   * subscribed consumers.
   */
  enforceRebalance(): void
  seek(partition: TopicPartition, offset: number): void
  seekToBeginning(partitions?: TopicPartition[]): Promise<void>
  seekToEnd(partitions?: TopicPartition[]): Promise<void>
  position(partition: TopicPartition): Promise<number>
  /** Earliest offset whose timestamp is >= the given time, per partition; null when none. */
  offsetsForTimes(query: Array<TopicPartition & { timestamp: number }>): Promise<Array<TopicPartition & { offsetAndTimestamp: OffsetAndTimestamp | null }>>
  beginningOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]>
  endOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]>
  pause(partitions: TopicPartition[]): void
  resume(partitions: TopicPartition[]): void
  paused(): TopicPartition[]
  /** Commits the given offsets, or the current positions of all assigned partitions. */
  commitSync(offsets?: TopicPartitionOffset[]): Promise<void>
  commitAsync(offsets?: TopicPartitionOffset[], callback?: (err: Error | null) => void): void
  committed(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number | null; metadata?: string }>>
  /** Records as an Observable; polls only as fast as the subscriber takes them (see RecordsOptions). */
  records(options?: RecordsOptions): Observable<ConsumerRecord>
  /** The group generation and member id, when in a group. */
  groupMetadata(): ConsumerGroupMetadata | null
  close(): Promise<void>
}

export type TopicConfigs = Record<string, string>

export interface NewTopic {
  topic: string
  numPartitions?: number
  replicationFactor?: number
  configs?: TopicConfigs
}

export interface PartitionInfo {
  partition: number
  leader: number
  replicas: number[]
  isr: number[]
}

export interface TopicDescription {
  topic: string
  internal: boolean
  partitions: PartitionInfo[]
}

export interface ConfigEntry {
  name: string
  value: string | null
  /** True when the value is the broker default rather than set on the topic. */
  isDefault: boolean
}

export type AlterConfigOp = { name: string; op: 'set'; value: string } | { name: string; op: 'delete' }

export interface GroupListing {
  groupId: string
  protocolType: string
  state: GroupState
}

export interface MemberDescription {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  assignment: TopicPartition[]
}

export interface GroupDescription {
  groupId: string
  state: GroupState
  protocolType: string
  protocol: string
  generationId: number
  members: MemberDescription[]
}

export interface PartitionOffsetInfo extends TopicPartition {
  committedOffset: number | null
  logEndOffset: number
  lag: number | null
  metadata?: string
}

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number }

export interface Admin {
  createTopics(topics: NewTopic[]): Promise<void>
  deleteTopics(topics: string[]): Promise<void>
  listTopics(options?: { includeInternal?: boolean }): Promise<string[]>
  describeTopics(topics: string[]): Promise<TopicDescription[]>
  /** Grows a topic to `totalCount` partitions. */
  createPartitions(topic: string, totalCount: number): Promise<void>
  describeConfigs(topic: string): Promise<ConfigEntry[]>
  incrementalAlterConfigs(topic: string, ops: AlterConfigOp[]): Promise<void>
  listOffsets(query: Array<TopicPartition & { spec: OffsetSpec }>): Promise<Array<TopicPartition & { offset: number; timestamp: number }>>
  deleteRecords(partitions: TopicPartitionOffset[]): Promise<Array<TopicPartition & { lowWatermark: number }>>
  listGroups(): Promise<GroupListing[]>
  describeGroups(groupIds: string[]): Promise<GroupDescription[]>
  deleteGroups(groupIds: string[]): Promise<void>
  /** Committed offsets, log end offsets and lag for every partition the group has committed. */
  listGroupOffsets(groupId: string): Promise<PartitionOffsetInfo[]>
  alterGroupOffsets(groupId: string, offsets: TopicPartitionOffset[]): Promise<void>
  close(): Promise<void>
}

/** Entry point shared by both implementations. */
export interface BrookClient {
  producer(config?: ProducerConfig): Producer
  consumer(config?: ConsumerConfig): Consumer
  admin(): Admin
  close(): Promise<void>
}
