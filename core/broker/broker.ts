// The broker: topics and their partitions on disk, metadata in __cluster_metadata,
// consumer groups with offsets in __consumer_offsets. It knows nothing of sockets;
// the embedded client calls it directly and the wire server dispatches to it.
import fs from 'node:fs'
import path from 'node:path'
import {
  BrookError,
  InvalidConfigError,
  UnknownTopicOrPartitionError,
} from '../errors.js'
import { Log, type AppendResult } from '../log/log.js'
import { parseLogConfig, type LogConfig } from '../log/log-config.js'
import { type BrokerConfig, resolveBrokerConfig } from './broker-config.js'
import { MetadataStore, METADATA_TOPIC, type TopicMetadata } from './metadata-store.js'
import { Partition, type AckMode } from './partition.js'
import { isInternalTopic, validateTopicName } from './topic-name.js'
import { DirLock } from './dir-lock.js'
import { OFFSETS_TOPIC, TopicOffsetsLog } from './offsets-topic.js'
import { GroupCoordinator } from '../group/coordinator.js'
import type { IsolationLevel } from '../common/types.js'
import { lastOffset as batchLastOffset, LOG_OVERHEAD, BATCH_LENGTH } from '../protocol/records/batch-header.js'
import { TransactionCoordinator } from '../txn/coordinator.js'
import { TRANSACTION_STATE_TOPIC, TopicTransactionLog } from '../txn/transaction-log.js'
import { encodeControlRecord } from '../log/transaction-tracker.js'

export interface CreateTopicOptions {
  numPartitions?: number
  configs?: Record<string, string>
  /** Validate only, create nothing (CreateTopics validateOnly). */
  validateOnly?: boolean
}

export interface FetchPartitionRequest {
  topic: string
  partition: number
  offset: number
  maxBytes: number
}

export interface FetchPartitionResult {
  topic: string
  partition: number
  /** Whole record batches in wire form, as stored. Empty when there is nothing new. */
  records: Buffer
  highWatermark: number
  lastStableOffset: number
  logStartOffset: number
  /** read_committed: the aborted transactions overlapping the records returned; null otherwise. */
  abortedTransactions: Array<{ producerId: number; firstOffset: number }> | null
  error: BrookError | null
}

export interface FetchOptions {
  /** How long to wait for minBytes (Fetch max.wait.ms). */
  maxWaitMs?: number
  minBytes?: number
  /** Response-wide byte limit (fetch.max.bytes). */
  maxBytes?: number
  signal?: AbortSignal
  /** read_committed: data up to the last stable offset, with the aborted transactions listed. */
  isolation?: IsolationLevel
}

export type ListOffsetSpec = 'earliest' | 'latest' | { timestamp: number }

export class Broker {
  readonly config: BrokerConfig
  readonly coordinator: GroupCoordinator
  readonly transactions: TransactionCoordinator
  private readonly metadata: MetadataStore
  private readonly partitions = new Map<string, Partition[]>()
  private readonly maintenanceTimer: NodeJS.Timeout
  private closed = false

  private constructor(config: BrokerConfig, metadata: MetadataStore, private readonly lock: DirLock) {
    this.config = config
    this.metadata = metadata
    for (const topic of metadata.topics().values()) this.openPartitions(topic, 0)
    this.removeOrphanDirs()
    const offsetsLog = new TopicOffsetsLog(() => this.topicPartitions(OFFSETS_TOPIC))
    this.coordinator = new GroupCoordinator({
      offsetsLog,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
    })
    this.transactions = new TransactionCoordinator({
      log: new TopicTransactionLog(() => this.topicPartitions(TRANSACTION_STATE_TOPIC)),
      allocateProducerId: () => this.metadata.allocateProducerId(),
      offsetsPartitionFor: (groupId) => ({ topic: OFFSETS_TOPIC, partition: offsetsLog.partitionOf(groupId) }),
      transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
      abortTimedOutTransactionsIntervalMs: config.transactionAbortTimedOutTransactionCleanupIntervalMs,
      markers: {
        writeMarker: (tp, producerId, producerEpoch, commit, coordinatorEpoch) =>
          tp.topic === OFFSETS_TOPIC
            ? this.coordinator.completeTransaction(tp.partition, producerId, producerEpoch, commit)
            : this.writeTxnMarker(tp.topic, tp.partition, producerId, producerEpoch, commit, coordinatorEpoch),
      },
    })
    this.maintenanceTimer = setInterval(() => this.maintain(), config.logRetentionCheckIntervalMs)
    this.maintenanceTimer.unref()
  }

  static async open(input: Partial<BrokerConfig> & { dataDir: string }): Promise<Broker> {
    const config = resolveBrokerConfig(input)
    for (const [key, value] of Object.entries(config.topicDefaults)) parseLogConfig({ [key]: value })
    fs.mkdirSync(config.dataDir, { recursive: true })
    const lock = DirLock.acquire(config.dataDir)
    let broker: Broker
    try {
      broker = new Broker(config, MetadataStore.open(config.dataDir), lock)
    } catch (err) {
      lock.release()
      throw err
    }
    await broker.ensureInternalTopics()
    await broker.coordinator.load()
    await broker.transactions.load()
    return broker
  }

  private async ensureInternalTopics(): Promise<void> {
    if (!this.metadata.topic(OFFSETS_TOPIC)) {
      await this.createTopicInternal(OFFSETS_TOPIC, {
        numPartitions: this.config.offsetsTopicNumPartitions,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(100 << 20) },
      }, true)
    }
    if (!this.metadata.topic(TRANSACTION_STATE_TOPIC)) {
      await this.createTopicInternal(TRANSACTION_STATE_TOPIC, {
        numPartitions: this.config.transactionStateLogNumPartitions,
        configs: { 'cleanup.policy': 'compact', 'segment.bytes': String(100 << 20) },
      }, true)
    }
  }

  // ---- topics ----

  async createTopic(name: string, options: CreateTopicOptions = {}): Promise<TopicMetadata> {
    this.checkOpen()
    validateTopicName(name)
    if (isInternalTopic(name)) throw new BrookError('INVALID_TOPIC', `Topic '${name}' is internal`, { field: 'topic' })
    return this.createTopicInternal(name, options, false)
  }

  private readonly creating = new Map<string, Promise<TopicMetadata>>()

  private async createTopicInternal(name: string, options: CreateTopicOptions, internal: boolean): Promise<TopicMetadata> {
    const inProgress = this.creating.get(name)
    if (inProgress) {
      await inProgress.catch(() => undefined)
    }
    const task = this.doCreateTopic(name, options, internal)
    if (!options.validateOnly) {
      this.creating.set(name, task)
      task.finally(() => this.creating.delete(name)).catch(() => undefined)
    }
    return task
  }

  private async doCreateTopic(name: string, options: CreateTopicOptions, internal: boolean): Promise<TopicMetadata> {
    const numPartitions = options.numPartitions ?? this.config.numPartitions
    if (!Number.isInteger(numPartitions) || numPartitions < 1 || numPartitions > 100_000) {
      throw new BrookError('INVALID_PARTITIONS', `Number of partitions must be an integer from 1 to 100000, got ${numPartitions}`, {
        field: 'numPartitions',
      })
    }
    const configs = { ...(options.configs ?? {}) }
    this.effectiveLogConfig(configs)
    if (this.metadata.topic(name)) {
      throw new BrookError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists`, { field: 'topic' })
    }
    const topic: TopicMetadata = { name, topicId: this.metadata.newTopicId(), partitions: numPartitions, configs, internal }
    if (options.validateOnly) return topic
    for (let p = 0; p < numPartitions; p++) fs.rmSync(this.partitionDir(name, p), { recursive: true, force: true })
    await this.metadata.putTopic(topic)
    this.openPartitions(topic, 0)
    return topic
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen()
    validateTopicName(name)
    if (isInternalTopic(name)) throw new BrookError('INVALID_TOPIC', `Topic '${name}' is internal and cannot be deleted`, { field: 'topic' })
    const topic = this.metadata.topic(name)
    if (!topic) throw new UnknownTopicOrPartitionError(name)
    await this.metadata.removeTopic(name)
    for (const p of this.partitions.get(name) ?? []) {
      p.close()
      p.log.delete()
    }
    this.partitions.delete(name)
  }

  async createPartitions(name: string, totalCount: number): Promise<void> {
    this.checkOpen()
    const topic = this.requireTopic(name)
    if (!Number.isInteger(totalCount) || totalCount <= topic.partitions) {
      throw new BrookError(
        'INVALID_PARTITIONS',
        `Topic '${name}' has ${topic.partitions} partitions; the new count must be a larger integer, got ${totalCount}`,
        { field: 'totalCount' },
      )
    }
    const updated = { ...topic, partitions: totalCount }
    await this.metadata.putTopic(updated)
    this.openPartitions(updated, topic.partitions)
  }

  listTopics(includeInternal = false): string[] {
    return [...this.metadata.topics().values()].filter((t) => includeInternal || !t.internal).map((t) => t.name).sort()
  }

  describeTopic(name: string): TopicMetadata {
    return this.requireTopic(name)
  }

  hasTopic(name: string): boolean {
    return this.metadata.topic(name) !== undefined
  }

  /** Creates the topic with broker defaults when auto.create.topics.enable allows it. */
  async ensureTopic(name: string): Promise<TopicMetadata> {
    const existing = this.metadata.topic(name)
    if (existing) return existing
    if (!this.config.autoCreateTopicsEnable) throw new UnknownTopicOrPartitionError(name)
    try {
      return await this.createTopic(name)
    } catch (err) {
      if (err instanceof BrookError && err.code === 'TOPIC_ALREADY_EXISTS') return this.requireTopic(name)
      throw err
    }
  }

  /** Topic configs: the topic's overrides over the broker defaults. */
  topicConfigs(name: string): { effective: LogConfig; overrides: Record<string, string> } {
    const topic = this.requireTopic(name)
    return { effective: this.effectiveLogConfig(topic.configs), overrides: topic.configs }
  }

  get brokerTopicDefaults(): Record<string, string> {
    return this.config.topicDefaults
  }

  async alterTopicConfigs(name: string, ops: Array<{ name: string; op: 'set'; value: string } | { name: string; op: 'delete' }>): Promise<void> {
    this.checkOpen()
    const topic = this.requireTopic(name)
    const configs = { ...topic.configs }
    for (const op of ops) {
      if (op.op === 'set') configs[op.name] = op.value
      else delete configs[op.name]
    }
    const effective = this.effectiveLogConfig(configs)
    await this.metadata.putTopic({ ...topic, configs })
    for (const p of this.partitions.get(name) ?? []) p.log.updateConfig(effective)
  }

  private effectiveLogConfig(overrides: Record<string, string>): LogConfig {
    for (const key of Object.keys(overrides)) {
      if (typeof overrides[key] !== 'string') throw new InvalidConfigError(key, 'value must be a string')
    }
    return parseLogConfig({ ...this.config.topicDefaults, ...overrides })
  }

  private requireTopic(name: string): TopicMetadata {
    const topic = this.metadata.topic(name)
    if (!topic) throw new UnknownTopicOrPartitionError(name)
    return topic
  }

  private partitionDir(topic: string, partition: number): string {
    return path.join(this.config.dataDir, `${topic}-${partition}`)
  }

  private openPartitions(topic: TopicMetadata, from: number): void {
    const list = this.partitions.get(topic.name) ?? []
    const config = this.effectiveLogConfig(topic.configs)
    for (let p = from; p < topic.partitions; p++) {
      const log = Log.open(this.partitionDir(topic.name, p), config, { name: `${topic.name}-${p}` })
      list[p] = new Partition(topic.name, p, log)
    }
    this.partitions.set(topic.name, list)
  }

  /** Folders left by a crash between a topic's deletion record and the removal of its files. */
  private removeOrphanDirs(): void {
    for (const entry of fs.readdirSync(this.config.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const m = /^(.+)-(\d+)$/.exec(entry.name)
      if (!m || m[1] === METADATA_TOPIC) continue
      const topic = this.metadata.topic(m[1]!)
      if (!topic || Number(m[2]) >= topic.partitions) {
        fs.rmSync(path.join(this.config.dataDir, entry.name), { recursive: true, force: true })
      }
    }
  }

  topicPartitions(topic: string): Partition[] {
    const list = this.partitions.get(topic)
    if (!list) throw new UnknownTopicOrPartitionError(topic)
    return list
  }

  partition(topic: string, partition: number): Partition {
    const p = this.partitions.get(topic)?.[partition]
    if (!p) throw new UnknownTopicOrPartitionError(topic, partition)
    return p
  }

  // ---- data ----

  /** Appends wire-form batches. acks=0/1 resolve after the append, acks=all (-1) after the durable write. */
  async produce(topic: string, partition: number, batches: Buffer, acks: AckMode = -1): Promise<AppendResult> {
    this.checkOpen()
    return this.partition(topic, partition).append(batches, acks)
  }

  /**
   * Reads stored batches from many partitions; waits up to maxWaitMs until minBytes are
   * available (long poll). Per-partition errors are reported, not thrown.
   */
  async fetch(requests: FetchPartitionRequest[], options: FetchOptions = {}): Promise<FetchPartitionResult[]> {
    this.checkOpen()
    const maxWaitMs = options.maxWaitMs ?? 0
    const minBytes = options.minBytes ?? 1
    const deadline = Date.now() + maxWaitMs
    for (;;) {
      const results = this.readOnce(requests, options.maxBytes ?? 52_428_800, options.isolation === 'read_committed')
      const bytes = results.reduce((n, r) => n + r.records.length, 0)
      const remaining = deadline - Date.now()
      if (bytes >= minBytes || remaining <= 0 || this.closed || options.signal?.aborted) return results
      if (results.some((r) => r.error !== null && r.error.code !== 'OFFSET_OUT_OF_RANGE')) return results
      await this.waitForAppend(requests, remaining, options.signal)
    }
  }

  private readOnce(requests: FetchPartitionRequest[], responseMaxBytes: number, readCommitted: boolean): FetchPartitionResult[] {
    let budget = responseMaxBytes
    return requests.map((req) => {
      const base = { topic: req.topic, partition: req.partition }
      let p: Partition
      try {
        p = this.partition(req.topic, req.partition)
      } catch (err) {
        return { ...base, records: EMPTY, highWatermark: -1, lastStableOffset: -1, logStartOffset: -1, abortedTransactions: null, error: err as BrookError }
      }
      try {
        // The first partition with data always gets at least one batch, as in Kafka.
        const records = budget > 0 || responseMaxBytes === budget ? p.read(req.offset, Math.min(req.maxBytes, Math.max(budget, 1)), readCommitted) : EMPTY
        budget -= records.length
        const lastStableOffset = p.lastStableOffset
        const abortedTransactions = readCommitted ? (records.length > 0 ? p.log.abortedTransactions(req.offset, endOfRecords(records)) : []) : null
        return { ...base, records, highWatermark: p.highWatermark, lastStableOffset, logStartOffset: p.logStartOffset, abortedTransactions, error: null }
      } catch (err) {
        if (!(err instanceof BrookError)) throw err
        return { ...base, records: EMPTY, highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset, abortedTransactions: null, error: err }
      }
    })
  }

  private waitForAppend(requests: FetchPartitionRequest[], timeoutMs: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const cancels: Array<() => void> = []
      const done = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', done)
        for (const c of cancels) c()
        resolve()
      }
      const timer = setTimeout(done, timeoutMs)
      signal?.addEventListener('abort', done)
      for (const req of requests) {
        const p = this.partitions.get(req.topic)?.[req.partition]
        if (p) cancels.push(p.onAppend(done))
      }
    })
  }

  /**
   * ListOffsets: earliest, latest, or the first offset whose timestamp is >= the given one.
   * read_committed bounds answers by the last stable offset, as Kafka does.
   */
  listOffset(topic: string, partition: number, spec: ListOffsetSpec, isolation: IsolationLevel = 'read_uncommitted'): { offset: number; timestamp: number } {
    const p = this.partition(topic, partition)
    const end = isolation === 'read_committed' ? p.lastStableOffset : p.highWatermark
    if (spec === 'earliest') return { offset: p.logStartOffset, timestamp: -1 }
    if (spec === 'latest') return { offset: end, timestamp: -1 }
    const hit = p.log.offsetForTimestamp(spec.timestamp)
    return hit !== null && hit.offset < end ? hit : { offset: -1, timestamp: -1 }
  }

  /** DeleteRecords: moves the log start offset up to `offset` (-1 = the high watermark). */
  deleteRecords(topic: string, partition: number, offset: number): number {
    const p = this.partition(topic, partition)
    const target = offset === -1 ? p.highWatermark : offset
    if (target < p.logStartOffset || target > p.highWatermark) {
      throw new BrookError('OFFSET_OUT_OF_RANGE', `Cannot delete records of ${topic}-${partition} before ${target}: valid range is [${p.logStartOffset}, ${p.highWatermark}]`)
    }
    p.log.deleteRecordsBefore(target)
    return p.logStartOffset
  }

  /** InitProducerId for idempotent producers (no transactional id): a fresh id at epoch 0. */
  async initProducerId(): Promise<{ producerId: number; producerEpoch: number }> {
    this.checkOpen()
    return { producerId: await this.metadata.allocateProducerId(), producerEpoch: 0 }
  }

  /**
   * Appends a transaction marker (control batch) for the producer to a partition: the
   * transaction coordinator calls it for each partition of a transaction it ends. Durable as
   * the topic's flush policy makes it (acks=all), as Kafka's markers are. A partition deleted
   * meanwhile has nothing left to mark.
   */
  async writeTxnMarker(topic: string, partition: number, producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<void> {
    let p: Partition
    try {
      p = this.partition(topic, partition)
    } catch (err) {
      if (err instanceof UnknownTopicOrPartitionError) return
      throw err
    }
    await p.append(encodeControlRecord(producerId, producerEpoch, commit, coordinatorEpoch, Date.now()), -1)
  }

  /** Retention and compaction for every partition; runs on a timer and on demand. */
  maintain(now = Date.now()): void {
    if (this.closed) return
    for (const list of this.partitions.values()) {
      for (const p of list) {
        const policy = p.log.config.cleanupPolicy
        if (policy.includes('delete')) p.log.applyRetention(now)
        if (policy.includes('compact')) p.log.compact(now)
      }
    }
    this.metadata.maintain(now)
  }

  private checkOpen(): void {
    if (this.closed) throw new BrookError('CLOSED', 'The broker is closed')
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.maintenanceTimer)
    this.transactions.close()
    await this.coordinator.close()
    for (const list of this.partitions.values()) for (const p of list) p.close()
    this.partitions.clear()
    this.metadata.close()
    this.lock.release()
  }
}

const EMPTY = Buffer.alloc(0)

/** The offset after the last complete batch of fetched records. */
function endOfRecords(records: Buffer): number {
  let at = 0
  let end = 0
  while (at + LOG_OVERHEAD <= records.length) {
    const size = LOG_OVERHEAD + records.readInt32BE(at + BATCH_LENGTH)
    if (at + size > records.length) break
    end = batchLastOffset(records, at) + 1
    at += size
  }
  return end
}
