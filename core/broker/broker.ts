// The broker: topics and their partitions on disk, metadata in __cluster_metadata,
// consumer groups with offsets in __consumer_offsets. It knows nothing of sockets;
// the embedded client calls it directly and the wire server dispatches to it.
import fs from 'node:fs'
import path from 'node:path'
import { randomUUID } from 'node:crypto'
import {
  BrookError,
  InvalidConfigError,
  UnknownTopicOrPartitionError,
  asStorageError,
} from '../errors.js'
import { RateLimitedLogger, stderrLogger } from '../logger.js'
import { fsyncDir } from '../log/checkpoint.js'
import { segmentFiles } from '../log/file-handles.js'
import { forEachSliced, Slicer } from './yielding.js'
import { Log, type AppendResult } from '../log/log.js'
import { parseLogConfig, type LogConfig } from '../log/log-config.js'
import { type BrokerConfig, resolveBrokerConfig } from './broker-config.js'
import { MetadataStore, METADATA_TOPIC, type TopicMetadata } from './metadata-store.js'
import { Partition, type AckMode } from './partition.js'
import { isInternalTopic, validateTopicName } from './topic-name.js'
import { DirLock } from '../common/dir-lock.js'
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

export type ListOffsetSpec = 'earliest' | 'latest' | 'max-timestamp' | { timestamp: number }

/** Kafka's marker for a partition folder whose topic was deleted: `<topic>-<p>.<uuid>-delete`; only these are ever removed. */
const DELETE_MARKER = /^.+-\d+\.[0-9a-f]{32}-delete$/
/** A folder named like a partition of a topic this broker does not know, renamed aside (Kafka's `-stray`) and kept. */
const STRAY_MARKER = /^.+-\d+\.[0-9a-f]{32}-stray$/

export class Broker {
  readonly config: BrokerConfig
  readonly coordinator: GroupCoordinator
  /** Rate-limited per cause: recovery, corruption, deletions, storage errors. */
  readonly log: RateLimitedLogger
  readonly transactions: TransactionCoordinator
  private readonly metadata: MetadataStore
  private readonly partitions = new Map<string, Partition[]>()
  private readonly maintenanceTimer: NodeJS.Timeout
  private partitionCount = 0
  private mutationTokens: number
  private mutationRefillAt: number
  private maintaining: Promise<void> | null = null
  private closed = false

  private constructor(config: BrokerConfig, metadata: MetadataStore, private readonly lock: DirLock, logger: RateLimitedLogger) {
    this.config = config
    this.metadata = metadata
    this.log = logger
    this.mutationTokens = config.controllerMutationRate
    this.mutationRefillAt = Date.now()
    const offsetsLog = new TopicOffsetsLog(
      () => this.topicPartitions(OFFSETS_TOPIC),
      (p, from, to, err) =>
        this.log.error('offsets.corrupt', `Skipping damaged ${p.topic}-${p.index} offsets ${from}..${to - 1} while loading group offsets: ${err.message}`),
    )
    this.coordinator = new GroupCoordinator({
      offsetsLog,
      initialRebalanceDelayMs: config.groupInitialRebalanceDelayMs,
      onCorruptRecord: (err, record) =>
        this.log.error('offsets.corrupt', `Skipping a ${OFFSETS_TOPIC} record that does not decode (key ${record.key.subarray(0, 64).toString('hex')}): ${(err as Error).message}`),
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
    this.maintenanceTimer = setInterval(() => void this.maintainSliced(), config.logRetentionCheckIntervalMs)
    this.maintenanceTimer.unref()
  }

  static async open(input: Partial<BrokerConfig> & { dataDir: string }): Promise<Broker> {
    const config = resolveBrokerConfig(input)
    for (const [key, value] of Object.entries(config.topicDefaults)) parseLogConfig({ [key]: value })
    if (config.maxOpenSegmentFiles !== undefined) segmentFiles.budget = config.maxOpenSegmentFiles
    const logger = new RateLimitedLogger(config.logger ?? stderrLogger)
    fs.mkdirSync(config.dataDir, { recursive: true })
    const lock = DirLock.acquire(config.dataDir)
    let broker: Broker
    try {
      broker = new Broker(config, MetadataStore.open(config.dataDir, logger), lock, logger)
    } catch (err) {
      lock.release()
      throw err
    }
    try {
      for (const topic of broker.metadata.topics().values()) await broker.openPartitions(topic, 0)
      broker.scanDataDir()
      await broker.ensureInternalTopics()
      await broker.coordinator.load()
      await broker.transactions.load()
    } catch (err) {
      await broker.close().catch(() => undefined)
      throw err
    }
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

  /** Checks a partition count and the limits before anything is written. */
  private checkNewPartitions(topic: string, count: number, adding: number, what: string): void {
    if (!Number.isInteger(count) || count < 1 || count > 2147483647) {
      throw new BrookError('INVALID_PARTITIONS', `${what} for '${topic}' must be an integer from 1 to 2147483647, got ${count}`, { field: 'numPartitions' })
    }
    if (adding > this.config.maxPartitionsPerRequest) {
      throw new BrookError(
        'POLICY_VIOLATION',
        `${what} for '${topic}' would add ${adding} partitions; one request may add at most ${this.config.maxPartitionsPerRequest} (max.partitions.per.request)`,
        { field: 'numPartitions' },
      )
    }
    if (this.partitionCount + adding > this.config.maxPartitionsPerBroker) {
      throw new BrookError(
        'POLICY_VIOLATION',
        `${what} for '${topic}' would bring this broker to ${this.partitionCount + adding} partitions; the limit is ${this.config.maxPartitionsPerBroker} (max.partitions.per.broker)`,
        { field: 'numPartitions' },
      )
    }
  }

  /** controller_mutation_rate: takes `n` partition mutations from the bucket or throws THROTTLING_QUOTA_EXCEEDED. */
  private takeMutationQuota(n: number, what: string): void {
    const rate = this.config.controllerMutationRate
    if (rate === Infinity) return
    const now = Date.now()
    this.mutationTokens = Math.min(rate, this.mutationTokens + ((now - this.mutationRefillAt) / 1000) * rate)
    this.mutationRefillAt = now
    // As Kafka: a mutation is admitted while the bucket is not in debt, so one large request can pass and then throttles the next.
    if (this.mutationTokens < 0 || (n > rate && this.mutationTokens < rate)) {
      const throttleTimeMs = Math.ceil(((Math.min(n, rate) - this.mutationTokens) / rate) * 1000)
      throw new ThrottlingQuotaExceededError(`${what}: controller mutation quota of ${rate} partitions/s exceeded; retry in ${throttleTimeMs} ms`, throttleTimeMs)
    }
    this.mutationTokens -= n
  }

  private async doCreateTopic(name: string, options: CreateTopicOptions, internal: boolean): Promise<TopicMetadata> {
    const numPartitions = options.numPartitions ?? this.config.numPartitions
    this.checkNewPartitions(name, numPartitions, numPartitions, 'Number of partitions')
    const configs = { ...(options.configs ?? {}) }
    this.effectiveLogConfig(configs)
    if (this.metadata.topic(name)) {
      throw new BrookError('TOPIC_ALREADY_EXISTS', `Topic '${name}' already exists`, { field: 'topic' })
    }
    await this.checkDirsFree(name, 0, numPartitions)
    const topic: TopicMetadata = { name, topicId: this.metadata.newTopicId(), partitions: numPartitions, configs, internal }
    if (options.validateOnly) return topic
    if (!internal) this.takeMutationQuota(numPartitions, `Creating topic '${name}'`)
    await this.metadata.putTopic(topic)
    try {
      await this.openPartitions(topic, 0)
    } catch (err) {
      // Nothing of a failed create stays: partitions closed, their new folders removed, the topic record undone.
      await this.undoCreate(topic, 0, err)
      throw asStorageError(err, `creating topic '${name}'`)
    }
    return topic
  }

  /** A new partition's folder must not exist: whatever is there (a stray partition, a user's folder) is never taken over. */
  private async checkDirsFree(name: string, from: number, to: number): Promise<void> {
    let taken: string | null = null
    await forEachSliced(from, to, (p) => {
      if (taken === null && fs.existsSync(this.partitionDir(name, p))) taken = this.partitionDir(name, p)
    })
    if (taken !== null) {
      throw new BrookError('POLICY_VIOLATION', `Cannot create partitions of '${name}': ${taken} already exists and is not a partition of this broker; move it away first`, {
        field: 'topic',
      })
    }
  }

  private async undoCreate(topic: TopicMetadata, from: number, cause: unknown): Promise<void> {
    this.log.error('create.failed', `Creating partitions ${from}..${topic.partitions - 1} of '${topic.name}' failed; undoing it`, cause)
    const list = this.partitions.get(topic.name) ?? []
    for (let p = from; p < list.length; p++) {
      const partition = list[p]
      if (partition === undefined) continue
      try {
        partition.close()
      } catch {
        // the folder goes anyway
      }
      this.partitionCount--
    }
    list.length = Math.min(list.length, from)
    for (let p = from; p < topic.partitions; p++) this.removePartitionDir(this.partitionDir(topic.name, p), `undoing the creation of ${topic.name}-${p}`)
    if (from === 0) {
      this.partitions.delete(topic.name)
      await this.metadata.removeTopic(topic.name).catch((err: unknown) => this.log.error('create.failed', `Could not remove the record of '${topic.name}'`, err))
    } else {
      await this.metadata.putTopic({ ...topic, partitions: from }).catch((err: unknown) => this.log.error('create.failed', `Could not restore '${topic.name}' to ${from} partitions`, err))
    }
  }

  /** Renames a partition folder with Kafka's delete marker, then removes it; only marked folders are ever removed. */
  private removePartitionDir(dir: string, why: string): void {
    if (!fs.existsSync(dir)) return
    const marked = `${dir}.${randomUUID().replaceAll('-', '')}-delete`
    try {
      fs.renameSync(dir, marked)
      fsyncDir(this.config.dataDir)
      fs.rmSync(marked, { recursive: true, force: true })
      this.log.info('delete', `Deleted ${dir} (${why})`)
    } catch (err) {
      this.log.error('delete', `Could not delete ${dir} (${why}); a marked folder is removed at the next start`, err)
    }
  }

  async deleteTopic(name: string): Promise<void> {
    this.checkOpen()
    validateTopicName(name)
    if (isInternalTopic(name)) throw new BrookError('INVALID_TOPIC', `Topic '${name}' is internal and cannot be deleted`, { field: 'topic' })
    const topic = this.metadata.topic(name)
    if (!topic) throw new UnknownTopicOrPartitionError(name)
    this.takeMutationQuota(topic.partitions, `Deleting topic '${name}'`)
    await this.metadata.removeTopic(name)
    const list = this.partitions.get(name) ?? []
    this.partitions.delete(name)
    await forEachSliced(0, topic.partitions, (p) => {
      const partition = list[p]
      if (partition !== undefined) {
        try {
          partition.close()
        } catch (err) {
          this.log.error('delete', `Closing ${name}-${p} for deletion failed`, err)
        }
        this.partitionCount--
      }
      this.removePartitionDir(this.partitionDir(name, p), `topic '${name}' deleted`)
    })
  }

  async createPartitions(name: string, totalCount: number, options: { validateOnly?: boolean } = {}): Promise<void> {
    this.checkOpen()
    const topic = this.requireTopic(name)
    if (!Number.isInteger(totalCount) || totalCount <= topic.partitions) {
      throw new BrookError(
        'INVALID_PARTITIONS',
        `Topic '${name}' has ${topic.partitions} partitions; the new count must be a larger integer, got ${totalCount}`,
        { field: 'totalCount' },
      )
    }
    this.checkNewPartitions(name, totalCount, totalCount - topic.partitions, 'Partition count')
    await this.checkDirsFree(name, topic.partitions, totalCount)
    if (options.validateOnly) return
    this.takeMutationQuota(totalCount - topic.partitions, `Adding partitions to '${name}'`)
    const updated = { ...topic, partitions: totalCount }
    await this.metadata.putTopic(updated)
    try {
      await this.openPartitions(updated, topic.partitions)
    } catch (err) {
      await this.undoCreate(updated, topic.partitions, err)
      throw asStorageError(err, `adding partitions to '${name}'`)
    }
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
    await this.applyTopicConfigs(topic, configs)
  }

  /**
   * The non-incremental AlterConfigs: the given overrides replace the topic's whole set,
   * so a config left out goes back to its default, as Kafka does.
   */
  async replaceTopicConfigs(name: string, configs: Record<string, string>): Promise<void> {
    this.checkOpen()
    await this.applyTopicConfigs(this.requireTopic(name), { ...configs })
  }

  private async applyTopicConfigs(topic: TopicMetadata, configs: Record<string, string>): Promise<void> {
    const effective = this.effectiveLogConfig(configs)
    await this.metadata.putTopic({ ...topic, configs })
    for (const p of this.partitions.get(topic.name) ?? []) p.log.updateConfig(effective)
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

  /** Opens partitions [from, topic.partitions) in slices that yield to the event loop. */
  private async openPartitions(topic: TopicMetadata, from: number): Promise<void> {
    const list = this.partitions.get(topic.name) ?? []
    this.partitions.set(topic.name, list)
    const config = this.effectiveLogConfig(topic.configs)
    await forEachSliced(from, topic.partitions, (p) => {
      const log = Log.open(this.partitionDir(topic.name, p), config, { name: `${topic.name}-${p}`, logger: this.log })
      list[p] = new Partition(topic.name, p, log)
      this.partitionCount++
    })
    // New partition folders survive a power loss once their parent is synced.
    fsyncDir(this.config.dataDir)
  }

  /**
   * Startup housekeeping of the data directory: folders marked for deletion are removed;
   * a folder holding partition files of a topic this broker does not know is renamed aside
   * (`-stray`, as Kafka does) and reported, never deleted; anything else is left alone.
   */
  private scanDataDir(): void {
    for (const entry of fs.readdirSync(this.config.dataDir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue
      const dir = path.join(this.config.dataDir, entry.name)
      if (DELETE_MARKER.test(entry.name)) {
        fs.rmSync(dir, { recursive: true, force: true })
        this.log.info('delete', `Deleted ${dir}, marked for deletion before the last stop`)
        continue
      }
      if (STRAY_MARKER.test(entry.name)) {
        this.log.warn('stray', `${dir} holds partition data of a topic this broker does not know; kept`)
        continue
      }
      const m = /^(.+)-(\d+)$/.exec(entry.name)
      if (!m || m[1] === METADATA_TOPIC) continue
      const topic = this.metadata.topic(m[1]!)
      if (topic && Number(m[2]) < topic.partitions) continue
      if (!looksLikePartitionDir(dir)) continue
      const aside = `${dir}.${randomUUID().replaceAll('-', '')}-stray`
      try {
        fs.renameSync(dir, aside)
        this.log.warn('stray', `${dir} holds partition data of ${topic ? `a partition '${m[1]}' does not have` : `unknown topic '${m[1]}'`}; kept as ${aside}`)
      } catch (err) {
        this.log.error('stray', `${dir} holds partition data of an unknown partition and could not be renamed aside; left in place`, err)
      }
    }
    fsyncDir(this.config.dataDir)
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
   * produce() of a batch an in-process producer has just encoded (its CRC computed over these
   * very bytes, which never left this process): the log does not compute the CRC a second time.
   * Bytes from a connection or a file go through produce(), which checks everything.
   */
  async produceEncoded(topic: string, partition: number, batch: Buffer, acks: AckMode = -1): Promise<AppendResult> {
    this.checkOpen()
    return this.partition(topic, partition).append(batch, acks, true)
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
        // A failing disk (EIO...) is this partition's KAFKA_STORAGE_ERROR, not the connection's end.
        if (!(err instanceof BrookError)) this.log.error(`storage:${req.topic}-${req.partition}`, `Reading ${req.topic}-${req.partition} failed`, err)
        const error = asStorageError(err, `${req.topic}-${req.partition}`)
        return { ...base, records: EMPTY, highWatermark: p.highWatermark, lastStableOffset: p.lastStableOffset, logStartOffset: p.logStartOffset, abortedTransactions: null, error }
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
   * ListOffsets: earliest, latest, the first record with the largest timestamp (KIP-734),
   * or the first offset whose timestamp is >= the given one. read_committed bounds answers
   * by the last stable offset, as Kafka does.
   */
  listOffset(topic: string, partition: number, spec: ListOffsetSpec, isolation: IsolationLevel = 'read_uncommitted'): { offset: number; timestamp: number } {
    const p = this.partition(topic, partition)
    const end = isolation === 'read_committed' ? p.lastStableOffset : p.highWatermark
    if (spec === 'earliest') return { offset: p.logStartOffset, timestamp: -1 }
    if (spec === 'latest') return { offset: end, timestamp: -1 }
    const hit = spec === 'max-timestamp' ? p.log.maxTimestampRecord() : p.log.offsetForTimestamp(spec.timestamp)
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

  /** Retention and compaction for every partition; runs on a timer and on demand. A failing partition is logged and skipped. */
  maintain(now = Date.now()): void {
    if (this.closed) return
    for (const list of this.partitions.values()) for (const p of list) this.maintainPartition(p, now)
    this.maintainMetadata(now)
  }

  /** maintain() in slices that yield to the event loop (the timer's form); one run at a time. */
  maintainSliced(now = Date.now()): Promise<void> {
    this.maintaining ??= (async () => {
      const slicer = new Slicer()
      try {
        for (const list of [...this.partitions.values()]) {
          for (const p of list) {
            if (this.closed) return
            this.maintainPartition(p, now)
            if (slicer.due) await slicer.yield()
          }
        }
        if (!this.closed) this.maintainMetadata(now)
      } finally {
        this.maintaining = null
      }
    })()
    return this.maintaining
  }

  private maintainPartition(p: Partition, now: number): void {
    try {
      const policy = p.log.config.cleanupPolicy
      if (policy.includes('delete')) {
        const before = p.log.logStartOffset
        const result = p.log.applyRetention(now)
        if (result.deletedSegments > 0) {
          this.log.info(`retention:${p.topic}-${p.index}`, `Retention deleted ${result.deletedSegments} segments of ${p.topic}-${p.index}: offsets ${before}..${result.logStartOffset - 1}`)
        }
      }
      if (policy.includes('compact')) p.log.compact(now)
    } catch (err) {
      if (err instanceof BrookError && err.code === 'CLOSED') return
      this.log.error(`maintain:${p.topic}-${p.index}`, `Retention/compaction of ${p.topic}-${p.index} failed; the partition is left as it is`, err)
    }
  }

  private maintainMetadata(now: number): void {
    try {
      this.metadata.maintain(now)
    } catch (err) {
      this.log.error('maintain:metadata', `Compaction of ${METADATA_TOPIC} failed`, err)
    }
    this.log.reportSuppressed()
  }

  private checkOpen(): void {
    if (this.closed) throw new BrookError('CLOSED', 'The broker is closed')
  }

  /**
   * Closes every partition (each one even when another fails), the metadata log and the
   * lock; the first failure is thrown after everything is released.
   */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.maintenanceTimer)
    this.transactions.close()
    let failure: unknown = null
    try {
      await this.coordinator.close()
    } catch (err) {
      failure ??= err
    }
    // Unflushed data is fsynced first, many partitions at a time on the threadpool, so the closes below need none.
    const flushes: Array<Promise<void>> = []
    for (const list of this.partitions.values()) for (const p of list) if (p !== undefined && p.log.flushedOffsetExclusive < p.log.logEndOffset) flushes.push(p.log.flush())
    await Promise.allSettled(flushes)
    for (const list of this.partitions.values()) {
      for (const p of list) {
        if (p === undefined) continue
        try {
          p.close()
        } catch (err) {
          failure ??= err
          this.log.error(`close:${p.topic}-${p.index}`, `Closing ${p.topic}-${p.index} failed; the next start recovers it`, err)
        }
      }
    }
    this.partitions.clear()
    try {
      this.metadata.close()
    } catch (err) {
      failure ??= err
      this.log.error('close:metadata', `Closing ${METADATA_TOPIC} failed; the next start recovers it`, err)
    }
    this.lock.release()
    this.log.reportSuppressed()
    if (failure !== null) throw asStorageError(failure, 'closing the broker')
  }
}

/** A folder is a partition's when it holds a log checkpoint or a segment file. */
function looksLikePartitionDir(dir: string): boolean {
  try {
    return fs.readdirSync(dir).some((f) => f === 'log.checkpoint' || /^\d{20}\.(log|index|timeindex|txnindex|snapshot)$/.test(f))
  } catch {
    return false
  }
}

/** THROTTLING_QUOTA_EXCEEDED with the time to wait (the response's throttleTimeMs). */
export class ThrottlingQuotaExceededError extends BrookError {
  constructor(
    message: string,
    readonly throttleTimeMs: number,
  ) {
    super('THROTTLING_QUOTA_EXCEEDED', message)
    this.name = 'ThrottlingQuotaExceededError'
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
