// The streams runtime: runs a Topology on real topics through the client interface
// (the embedded log or any Kafka cluster). One StreamTask per (sub-topology, partition),
// partitions split across instances of one application.id by the consumer group (range
// assignor, so co-partitioned topics land together), state restored from changelog topics.
//
// at_least_once, as in Kafka Streams: a commit flushes caches, commits SQLite, waits until every
// output and changelog record is acknowledged, writes each task's .checkpoint (acknowledged
// changelog offsets), and only then commits input offsets. After a crash, input after the last
// committed offset is processed again: idempotent results (latest value, max, joins) come out
// the same, non-idempotent aggregates (count, sum) may count such records twice. No update is lost.
//
// exactly_once_v2 (see exactly-once.ts): outputs, changelogs and input offsets commit in one
// transaction, input and changelogs are read read_committed, and state not covered by a
// committed transaction is wiped and restored after a crash.
import fs from 'node:fs'
import path from 'node:path'
import { DirLock } from '../../core/common/dir-lock.js'
import type { Admin, BrookClient, Consumer, ConsumerRecord, Producer, ProducerConfig, RecordView, SendListener, TopicPartition, TopicPartitionOffset } from '../../core/client/types.js'
import type { Topology } from '../processor/topology.js'
import { CacheBudget } from '../state/cache-budget.js'
import type { ChangelogWriter } from '../state/state-manager.js'
import type { RestoreRecord } from '../state/bytes.js'
import type { StateStore } from '../state/types.js'
import { StreamTask, type RecordCollector, type StreamsConfig } from '../internals/task.js'
import { checkCopartitioning, topologyTopics, type TopologyTopics } from '../internals/topology-metadata.js'
import type { Subtopology } from '../internals/topology-builder.js'
import { StreamsException } from '../errors.js'
import { BrookError } from '../../core/errors.js'
import { readOnlyView, type QueryableStoreProvider, type QueryableStoreType } from '../state/queryable.js'
import { compositeView } from './composite-view.js'
import { EOS_TRANSACTION_TIMEOUT_MS, StreamsTransactions, transactionalIdFor, wipeUncheckpointedState } from './exactly-once.js'
import { parseTaskId, StreamsPartitionAssignor, taskIdString, type TaskId } from './streams-assignor.js'
import { tpKey } from '../../core/client/record-utils.js'
import { LagInfo, parseApplicationServer, StreamsMetadataState, type KeyQueryMetadata, type StreamsMetadata } from './streams-metadata.js'
import type { Serializer } from '../serdes.js'
import type { StreamPartitioner } from '../internals/topology-builder.js'

/** Told about every changelog restore (as Kafka's StateRestoreListener). */
export interface StateRestoreListener {
  onRestoreStart?(partition: TopicPartition, storeName: string, startOffset: number, endOffset: number): void
  onBatchRestored?(partition: TopicPartition, storeName: string, batchEndOffset: number, numRestored: number): void
  onRestoreEnd?(partition: TopicPartition, storeName: string, totalRestored: number): void
  /** close() stopped the restore before the end (KIP-869); the checkpoint holds how far it got, where the next start resumes. */
  onRestoreSuspended?(partition: TopicPartition, storeName: string, totalRestored: number): void
}

export interface KafkaStreamsConfig extends StreamsConfig {
  /** How often tasks commit (commit.interval.ms). Default 30000, as Kafka Streams at_least_once. */
  commitIntervalMs?: number
  /** Partitions of repartition topics outside any co-partition group; default: the most of any source topic. */
  repartitionPartitions?: number
  /**
   * How often fully consumed records of repartition topics are deleted (repartition.purge.interval.ms):
   * at a commit at least this long after the last purge. Default 30000, as Kafka Streams; the first
   * commit with repartition offsets purges at once.
   */
  repartitionPurgeIntervalMs?: number
  /** Poll timeout of the processing loop. Default 100 ms. */
  pollMs?: number
  /** Records per poll (max.poll.records). Default 1000. */
  maxPollRecords?: number
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
  /** Extra settings of the producer of outputs and changelogs (acks stays 'all'). */
  producer?: Pick<ProducerConfig, 'lingerMs' | 'batchSize' | 'compressionType'>
  /** Told about changelog restores. */
  restoreListener?: StateRestoreListener
  /**
   * auto.offset.reset: where a source topic partition with no committed offset starts. Default
   * 'earliest' (Kafka Streams'); repartition topics always start at the earliest.
   */
  autoOffsetReset?: 'earliest' | 'latest'
  /**
   * Decides what a processing failure does (Kafka's setUncaughtExceptionHandler): SHUTDOWN_CLIENT
   * (the default) stops this instance in ERROR; REPLACE_THREAD restarts processing from the committed
   * offsets, the failed tasks' state restored from their changelogs (a failure that recurs recurs
   * again); SHUTDOWN_APPLICATION stops every instance of the application through the consumer group
   * (each ends in ERROR; healthy ones commit first), or this one alone when it reads no topics.
   */
  uncaughtExceptionHandler?: (error: Error) => StreamThreadExceptionResponse
  /**
   * application.server: this instance's endpoint, "host:port", where the application answers queries
   * of its stores. Every instance learns the partitions of every endpoint at each rebalance, so
   * queryMetadataForKey can name the instance that holds a key. Brook serves no such queries itself:
   * as in Kafka Streams, the application does (over HTTP, say).
   */
  applicationServer?: string
  /**
   * num.standby.replicas: how many other instances keep a replica of each stateful task's stores,
   * fed from its changelog, so that the instance taking a task over after a failure or a rebalance
   * restores only what the replica had not read yet. Default 0, as Kafka Streams.
   */
  numStandbyReplicas?: number
  /**
   * How long a record may wait for what its deserializer is fetching (task.timeout.ms, KIP-572):
   * a deserializer error carrying `retryAfter` holds the record and the rest of its partition until
   * that settles; past this the error goes to the deserialization handler. Default 300000, as Kafka
   * Streams; 0 never waits.
   */
  taskTimeoutMs?: number
}

/** What a processing failure leads to (Kafka's StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse). */
export type StreamThreadExceptionResponse = 'REPLACE_THREAD' | 'SHUTDOWN_CLIENT' | 'SHUTDOWN_APPLICATION'

/** Kafka's KafkaStreams.State: PENDING_ERROR is the way to ERROR, while a failed instance closes its tasks and leaves the group (KIP-696). */
export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'PENDING_ERROR' | 'ERROR'

interface ActiveTask {
  readonly id: string
  readonly task: StreamTask
  /** Next input offset per source topic (the partition is the task's), not yet committed. */
  readonly consumed: Map<string, number>
  /** Highest acknowledged next offset per changelog topic. */
  readonly acked: Map<string, number>
}

/** A partition whose records wait for what a deserializer is fetching (see Deserializer). */
interface BlockedPartition {
  readonly entry: ActiveTask
  readonly tp: TopicPartition
  /** The record that waits, then those polled after it, in offset order. */
  readonly records: ConsumerRecord[]
  settled: boolean
  readonly since: number
}

/** Records sent and not yet acknowledged above which the processing loop waits for acknowledgements. */
const MAX_IN_FLIGHT_RECORDS = 64 * 1024
/** Retriable commit failures: the group is rebalancing; the next commit (or the revocation) retries. */
const RETRIABLE_COMMIT = /REBALANCE_IN_PROGRESS|ILLEGAL_GENERATION|UNKNOWN_MEMBER_ID|not a member of a stable generation/i

export class KafkaStreams implements QueryableStoreProvider {
  /** statestore.cache.max.bytes, shared by every task's record caches (Kafka's ThreadCache). */
  private readonly cacheBudget: CacheBudget
  private readonly config: Required<Pick<KafkaStreamsConfig, 'commitIntervalMs' | 'pollMs' | 'maxPollRecords'>> & KafkaStreamsConfig
  private readonly topics: TopologyTopics
  private readonly tasks = new Map<string, ActiveTask>()
  /** Tasks whose partitions were revoked in a rebalance; kept open in case they come back. */
  private readonly suspended = new Map<string, ActiveTask>()
  private readonly topicToSub = new Map<string, Subtopology>()
  private readonly subtopologyById: ReadonlyMap<number, Subtopology>
  private readonly partitionCounts = new Map<string, number>()
  /** Records handed to the producer (sendQuiet) and not yet acknowledged or failed (failures land in sendError). */
  private inFlight = 0
  /** Woken by the next acknowledgement while the processing loop waits for in-flight records. */
  private ackWaiter: (() => void) | null = null
  /** Where the outcome of output records (sinks, dead letters) goes. */
  private readonly outputListener: SendListener = {
    onAcknowledged: (_topic, _partition, _lastOffset, count) => this.settled(count),
    onFailed: (_topic, _partition, count, error) => this.sendFailed(count, error),
  }
  private globalTask: StreamTask | null = null
  private globalConsumer: Consumer | null = null
  private consumer: Consumer | null = null
  /** REPLACE_THREAD in progress: the failed loop's consumer leaves without committing. */
  private replacing = false
  /** The group's assignor: it carries a SHUTDOWN_APPLICATION request, and every endpoint's partitions, to every instance. */
  private readonly assignor: StreamsPartitionAssignor
  /** Where the application's stores live across its instances, as of the last assignment. */
  private readonly metadataState: StreamsMetadataState
  /** The standby tasks the last assignment gave this instance (heard before the rebalance listener). */
  private standbyWanted: TaskId[] = []
  /** Standby replicas: a task's stores only, fed from their changelogs, never processing input. */
  private readonly standbys = new Map<string, StreamTask>()
  /** Reads the standby tasks' changelog partitions (read_committed, as restores). */
  private standbyConsumer: Consumer | null = null
  /** Changelog partition (tpKey) -> the standby task and store it feeds. */
  private readonly standbyRoutes = new Map<string, { task: StreamTask; store: string; tp: TopicPartition }>()
  /** An assignment brought the application's shutdown: the loop ends and the instance goes to ERROR. */
  private groupShutdown = false
  /** SHUTDOWN_APPLICATION: the failure this instance asked the application to shut down for. */
  private shutdownCause: Error | null = null
  /** This instance's hold on <stateDir>/<applicationId>, from start() to close(). */
  private dirLock: DirLock | null = null
  /** The consumer reading a changelog while a task restores (close() wakes it). */
  private restorer: Consumer | null = null
  private producer: Producer | null = null
  /** exactly_once_v2 only. */
  private transactions: StreamsTransactions | null = null
  /** The wall clock as the processing loop last read it; tasks read this instead of Date.now per record. */
  private now = Date.now()
  private lastCommit = Date.now()
  private loop: Promise<void> | null = null
  private sendError: Error | null = null
  private stateValue: KafkaStreamsState = 'CREATED'
  private failure: Error | null = null
  private lock: Promise<unknown> = Promise.resolve()
  private readonly repartitionTopics: Set<string>
  private purgeAdmin: Admin | null = null
  private purging: Promise<void> | null = null
  private lastPurge = -Infinity
  private closing: Promise<void> | null = null
  /** start() is loading the global tables (close() wakes their consumer then, and only then). */
  private globalLoading = false
  /** The first start(): close() waits for it, so nothing is made after close() returns. */
  private starting: Promise<void> | null = null
  /** pause(): partitions are paused and nothing is processed or punctuated until resume(). */
  private paused = false
  /** Records a poll returned after pause() was called; processed first on resume(). */
  private held: ConsumerRecord[] = []
  private readonly taskTimeoutMs: number
  /** Partitions (tpKey) whose next record waits for its deserializer (see Deserializer): that record and the ones after it, in order. */
  private readonly blocked = new Map<string, BlockedPartition>()
  /** Called on every state change; errors of the processing loop arrive as ERROR with `error`. */
  onStateChange: ((state: KafkaStreamsState, error?: Error) => void) | null = null

  constructor(
    private readonly topology: Topology,
    private readonly client: BrookClient,
    config: KafkaStreamsConfig,
  ) {
    this.config = { commitIntervalMs: 30_000, pollMs: 100, maxPollRecords: 1000, ...config }
    this.cacheBudget = new CacheBudget(this.config.cacheMaxBytes)
    const guarantee = this.config.processingGuarantee
    if (guarantee !== undefined && guarantee !== 'at_least_once' && guarantee !== 'exactly_once_v2') {
      throw new StreamsException(`processingGuarantee '${String(guarantee)}' is not supported; use 'at_least_once' or 'exactly_once_v2'`)
    }
    if (!(this.config.commitIntervalMs >= 0)) throw new StreamsException(`commitIntervalMs must be >= 0, got ${this.config.commitIntervalMs}`)
    const purge = this.config.repartitionPurgeIntervalMs
    if (purge !== undefined && !(purge >= 0)) throw new StreamsException(`repartitionPurgeIntervalMs must be >= 0, got ${purge}`)
    topology.internal.validate(this.config)
    this.topics = topologyTopics(topology.internal, this.config.applicationId)
    this.repartitionTopics = new Set(this.topics.repartitionTopics)
    const subsById = (this.subtopologyById = new Map(topology.internal.subtopologies().map((s) => [s.id, s])))
    const sourcesOf = new Map<string, string[]>()
    for (const s of this.topics.subtopologies) {
      if (s.global) continue
      const sub = subsById.get(s.id)!
      for (const t of s.sourceTopics) this.topicToSub.set(t, sub)
      for (const store of sub.stores) sourcesOf.set(store, s.sourceTopics)
    }
    const endpoint = this.config.applicationServer === undefined ? null : parseApplicationServer(this.config.applicationServer)
    this.metadataState = new StreamsMetadataState({ sourcesOf, globalStores: topology.internal.globalStores }, (t) => this.partitionCounts.get(t), endpoint)
    const taskTimeout = this.config.taskTimeoutMs ?? 300_000
    if (!Number.isInteger(taskTimeout) || taskTimeout < 0) {
      throw new StreamsException(`taskTimeoutMs (task.timeout.ms) must be an integer >= 0, got ${String(taskTimeout)}`, { field: 'taskTimeoutMs' })
    }
    this.taskTimeoutMs = taskTimeout
    const standbys = this.config.numStandbyReplicas ?? 0
    if (!Number.isInteger(standbys) || standbys < 0) {
      throw new StreamsException(`numStandbyReplicas (num.standby.replicas) must be an integer >= 0, got ${String(standbys)}`, { field: 'numStandbyReplicas' })
    }
    const stateful = new Set<number>()
    for (const s of this.topics.subtopologies) if (!s.global && s.changelogTopics.size > 0) stateful.add(s.id)
    const sourcesBySub = new Map(this.topics.subtopologies.map((s) => [s.id, s.sourceTopics]))
    this.assignor = new StreamsPartitionAssignor({
      onShutdown: () => (this.groupShutdown = true),
      endpoint,
      onAssignmentInfo: (info) => {
        this.metadataState.update(info.byHost, info.standbyByHost)
        this.standbyWanted = info.standbyTasks
      },
      localTasks: () => ({
        active: [...this.tasks.keys(), ...this.suspended.keys()].map(parseTaskId),
        standby: [...this.standbys.keys()].map(parseTaskId),
      }),
      tasks: {
        numStandbyReplicas: standbys,
        subtopologies: this.topics.subtopologies.filter((s) => !s.global).map((s) => s.id),
        subtopologyOf: (topic) => this.topicToSub.get(topic)?.id,
        stateful,
        sourcesOf: (sub) => sourcesBySub.get(sub) ?? [],
      },
    })
  }

  get state(): KafkaStreamsState {
    return this.stateValue
  }

  /** The error that stopped processing, if any. */
  get error(): Error | null {
    return this.failure
  }

  private setState(state: KafkaStreamsState, error?: Error): void {
    if (this.stateValue === state) return
    this.stateValue = state
    this.onStateChange?.(state, error)
  }

  /** Creates internal topics, joins the group and starts processing in the background. */
  start(): Promise<void> {
    const starting = this.doStart()
    if (this.starting === null) this.starting = starting
    return starting
  }

  private async doStart(): Promise<void> {
    if (this.stateValue !== 'CREATED') throw new StreamsException(`Cannot start KafkaStreams in state ${this.stateValue}`)
    this.dirLock = this.lockStateDir('start')
    this.setState('REBALANCING')
    try {
      await this.prepareTopics()
      // close() during start() waits for it: what is not made yet is not made at all.
      if (this.running()) await this.startProducer()
      if (this.running()) await this.startGlobal()
    } catch (err) {
      this.failure = err as Error
      this.setState('ERROR', this.failure)
      await this.producer?.close().catch(() => undefined)
      throw err
    }
    if (!this.running()) return
    if (!this.subscribe()) this.setState('RUNNING')
    this.loop = this.runHandlingErrors()
  }

  /** The producer of outputs and changelogs (transactional with exactly_once_v2). */
  private async startProducer(): Promise<void> {
    const eos = this.config.processingGuarantee === 'exactly_once_v2'
    this.producer = this.client.producer({
      clientId: `${this.config.applicationId}-producer`,
      lingerMs: 5,
      batchSize: 256 * 1024,
      ...this.config.producer,
      acks: 'all',
      ...(eos ? { transactionalId: transactionalIdFor(this.config.applicationId, this.config.stateDir), transactionTimeoutMs: EOS_TRANSACTION_TIMEOUT_MS } : {}),
    })
    if (eos) {
      this.transactions = new StreamsTransactions(this.producer)
      await this.transactions.init()
    }
  }

  /** A consumer in the application's group, subscribed to the source topics; false when the topology has none. */
  private subscribe(): boolean {
    const sources = [...this.topicToSub.keys()]
    if (sources.length === 0) return false
    this.consumer = this.client.consumer({
      groupId: this.config.applicationId,
      clientId: `${this.config.applicationId}-consumer`,
      enableAutoCommit: false,
      autoOffsetReset: 'earliest',
      // stream (tasks: co-partitioned topics' same numbers to the same instance, sticky, standby-aware,
      // and a shutdown request carried to every instance); range alone with instances of Brook before it.
      partitionAssignmentStrategy: [this.assignor, 'range'],
      maxPollRecords: this.config.maxPollRecords,
      // Small fetches keep decoded records short-lived (young-generation garbage): measured faster than 1-4 MiB.
      maxPartitionFetchBytes: 256 << 10,
      ...(this.transactions !== null ? { isolationLevel: 'read_committed' as const } : {}),
      ...(this.config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.config.sessionTimeoutMs } : {}),
      ...(this.config.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: this.config.heartbeatIntervalMs } : {}),
    })
    this.consumer.subscribe(sources, {
      onPartitionsAssigned: (tps) => this.exclusive(() => this.onAssigned(tps)),
      onPartitionsRevoked: (tps) => this.exclusive(() => this.onRevoked(tps)),
      onPartitionsLost: (tps) => this.exclusive(() => this.onLost(tps)),
    })
    return true
  }

  /**
   * The processing loop, and what happens when it fails: the uncaught exception handler's answer
   * (Kafka's StreamsUncaughtExceptionHandler). SHUTDOWN_CLIENT (the default) leaves the instance in
   * ERROR; REPLACE_THREAD starts the loop afresh from the committed offsets; SHUTDOWN_APPLICATION
   * asks the group to stop every instance.
   */
  private async runHandlingErrors(): Promise<void> {
    for (;;) {
      try {
        await this.run()
        if (this.groupShutdown) await this.shutDownByGroup()
        return
      } catch (err) {
        const failure = err instanceof Error ? err : new Error(String(err))
        this.config.logger?.(`Stream processing of '${this.config.applicationId}' failed: ${failure.message}`)
        // A failure while the shutdown request is on its way ends this instance with the first one.
        const cause = this.shutdownCause ?? failure
        if (this.shutdownCause === null && this.running() && (await this.respond(failure))) continue
        if (this.running()) await this.closeToError(cause, true)
        else {
          // close() is under way and closes what is left.
          this.failure = cause
          this.setState('ERROR', cause)
        }
        return
      }
    }
  }

  /** The uncaught exception handler's answer carried out; true when processing goes on (a new consumer). */
  private async respond(failure: Error): Promise<boolean> {
    let response: StreamThreadExceptionResponse = 'SHUTDOWN_CLIENT'
    try {
      response = this.config.uncaughtExceptionHandler?.(failure) ?? 'SHUTDOWN_CLIENT'
    } catch (handlerError) {
      this.config.logger?.(`The uncaught exception handler of '${this.config.applicationId}' threw: ${String(handlerError)}`)
    }
    if (response === 'REPLACE_THREAD') return this.goesOn('Replacing the stream thread', () => this.replaceThread())
    if (response === 'SHUTDOWN_APPLICATION') {
      if (this.consumer === null) {
        this.config.logger?.(`'${this.config.applicationId}' reads no topics through a group: SHUTDOWN_APPLICATION shuts this instance down`)
        return false
      }
      this.shutdownCause = failure
      this.config.logger?.(`Asking every instance of '${this.config.applicationId}' to shut down (SHUTDOWN_APPLICATION)`)
      return this.goesOn('Asking for the shutdown', () => this.requestApplicationShutdown())
    }
    if (response !== 'SHUTDOWN_CLIENT') this.config.logger?.(`Unknown uncaught exception handler response '${String(response)}': shutting the client down`)
    return false
  }

  /** Carries out an answer that keeps the loop going; false (and a log line) when it fails, which shuts the client down. */
  private async goesOn(what: string, step: () => Promise<void>): Promise<boolean> {
    try {
      await step()
      return true
    } catch (err) {
      this.config.logger?.(`${what} of '${this.config.applicationId}' failed: ${String(err)}`)
      return false
    }
  }

  /**
   * SHUTDOWN_APPLICATION: the failed tasks close without a commit, and the same member joins again
   * (enforceRebalance) with the request in its subscription; that rebalance carries it to every
   * instance, this one included. The member stays in the group meanwhile, its partitions paused:
   * leaving would hand the failing partition to another instance before the request is out.
   */
  private async requestApplicationShutdown(): Promise<void> {
    const consumer = this.consumer!
    await this.transactions?.abort().catch(() => undefined)
    await this.closeAllTasks(true)
    this.clearHeld()
    this.endVisit()
    consumer.pause(consumer.assignment())
    this.assignor.requestShutdown = true
    consumer.enforceRebalance()
  }

  /**
   * The application's shutdown reached this instance (its assignment, no partitions in it): the loop
   * has ended, its tasks were committed and closed at the revocation (or, on the instance that asked,
   * closed without a commit after its failure), and the consumer leaves the group, as Kafka Streams' does.
   */
  private async shutDownByGroup(): Promise<void> {
    const failure = this.shutdownCause ?? new StreamsException(`Application '${this.config.applicationId}' was shut down at the request of one of its instances (SHUTDOWN_APPLICATION)`)
    this.config.logger?.(`Shutting down '${this.config.applicationId}': ${failure.message}`)
    await this.closeToError(failure, false)
  }

  /**
   * PENDING_ERROR, then ERROR, as Kafka Streams (KIP-696): the tasks close (`dirty`: without a
   * commit, their state wiped, after a processing failure) and the consumer leaves the group, so the
   * partitions go to the application's other instances at once instead of waiting for close().
   */
  private async closeToError(cause: Error, dirty: boolean): Promise<void> {
    // Set first: the revocation that leaving the group brings must not commit.
    this.failure = cause
    this.setState('PENDING_ERROR', cause)
    if (dirty) await this.transactions?.abort().catch(() => undefined)
    await this.closeAllTasks(dirty)
    this.clearHeld()
    this.endVisit()
    await this.consumer?.close().catch(() => undefined)
    this.consumer = null
    // A close() meanwhile (PENDING_SHUTDOWN) ends in NOT_RUNNING; the failure stays in `error`.
    if (this.stateValue === 'PENDING_ERROR') this.setState('ERROR', cause)
  }

  /**
   * REPLACE_THREAD: the failed loop's tasks close without a commit (their state wiped, as after any
   * processing error), its consumer leaves the group and its producer is dropped (a failed send
   * poisons it); a new producer and consumer start over from the committed offsets.
   */
  private async replaceThread(): Promise<void> {
    if (this.running()) this.setState('REBALANCING')
    this.replacing = true
    try {
      await this.transactions?.abort().catch(() => undefined)
      await this.closeAllTasks(true)
      this.clearHeld()
      this.endVisit()
      await this.consumer?.close().catch(() => undefined)
      await this.producer?.close().catch(() => undefined)
      this.transactions = null
      this.sendError = null
      this.inFlight = 0
      this.ackWaiter = null
      await this.startProducer()
      this.subscribe()
    } finally {
      this.replacing = false
    }
  }

  /** Runs fn after every earlier exclusive section: commits and task changes never interleave. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.lock.then(fn, fn)
    this.lock = run.catch(() => undefined)
    return run
  }

  private async prepareTopics(): Promise<void> {
    const admin = this.client.admin()
    try {
      const existing = new Set(await admin.listTopics())
      const internal = new Set(this.topics.repartitionTopics)
      const external = new Set<string>()
      for (const s of this.topics.subtopologies) for (const t of s.sourceTopics) if (!internal.has(t)) external.add(t)
      const missing = [...external].filter((t) => !existing.has(t))
      if (missing.length > 0) {
        throw new StreamsException(`Source topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist; create them before starting application '${this.config.applicationId}'`)
      }
      // Static sink topics that exist, so StreamPartitioners know their partition counts.
      const sinks = new Set<string>()
      for (const sub of this.topology.internal.subtopologies()) {
        for (const n of sub.nodes) if (n.kind === 'sink' && typeof n.topic === 'string' && !internal.has(this.topology.internal.resolveTopic(n.topic, this.config.applicationId))) sinks.add(n.topic)
      }
      const toDescribe = [...new Set([...external, ...[...sinks].filter((t) => existing.has(t))])]
      for (const d of toDescribe.length > 0 ? await admin.describeTopics(toDescribe) : []) this.partitionCounts.set(d.topic, d.partitions.length)
      checkCopartitioning(this.topology.internal, (t) => this.partitionCounts.get(t) ?? 1)

      const maxExternal = Math.max(1, ...[...external].map((t) => this.partitionCounts.get(t) ?? 1))
      const repartitionCount = new Map<string, number>()
      // A repartition topic joined with external topics takes their partition count.
      for (const g of this.topics.copartitionGroups) {
        const ext = g.topics.find((t) => external.has(t))
        const n = ext === undefined ? undefined : this.partitionCounts.get(ext)
        if (n !== undefined) for (const t of g.topics) if (internal.has(t)) repartitionCount.set(t, n)
      }
      const toCreate: Array<{ topic: string; numPartitions: number; configs?: Record<string, string> }> = []
      for (const t of internal) {
        const n = repartitionCount.get(t) ?? this.config.repartitionPartitions ?? maxExternal
        this.partitionCounts.set(t, n)
        if (!existing.has(t)) toCreate.push({ topic: t, numPartitions: n, configs: { 'cleanup.policy': 'delete' } })
      }
      for (const s of this.topics.subtopologies) {
        if (s.global) continue
        const tasks = Math.max(1, ...s.sourceTopics.map((t) => this.partitionCounts.get(t) ?? 1))
        for (const changelog of s.changelogTopics.values()) {
          if (!existing.has(changelog)) toCreate.push({ topic: changelog, numPartitions: tasks, configs: { 'cleanup.policy': 'compact' } })
        }
      }
      for (const t of toCreate) {
        try {
          await admin.createTopics([t])
        } catch (err) {
          // Another instance may have created it first.
          if (!(err instanceof Error && /already exists/i.test(err.message))) throw err
        }
      }
      const created = [...internal, ...this.topics.changelogTopics]
      for (const d of created.length > 0 ? await admin.describeTopics(created) : []) {
        const want = this.partitionCounts.get(d.topic)
        if (internal.has(d.topic) && want !== undefined && want !== d.partitions.length) {
          this.config.logger?.(`Repartition topic '${d.topic}' has ${d.partitions.length} partition(s), not ${want}; using it as it is`)
        }
        this.partitionCounts.set(d.topic, d.partitions.length)
      }
      // Repartition topics may have been created with other counts: check again on what exists.
      checkCopartitioning(this.topology.internal, (t) => this.partitionCounts.get(t) ?? 1)
      for (const sub of this.topics.subtopologies) {
        const counts = new Set(sub.sourceTopics.map((t) => this.partitionCounts.get(t) ?? 1))
        if (!sub.global && counts.size > 1) {
          // The range assignor splits each topic on its own: with several instances, one task could run twice.
          this.config.logger?.(
            `Sub-topology ${sub.id} reads topics with different partition counts (${sub.sourceTopics.map((t) => `${t}: ${this.partitionCounts.get(t) ?? 1}`).join(', ')}); run one instance of '${this.config.applicationId}' or repartition them to equal counts`,
          )
        }
      }
    } finally {
      await admin.close()
    }
  }

  // ---- output ----

  // Records go to the producer as they come (sendQuiet: no promise or metadata per record); the
  // producer reports acknowledgements per batch, and a commit waits for all of them (flush).

  private collector(): RecordCollector {
    return {
      send: (topic, key, value, timestamp, headers, partitioner) => {
        let partition = -1
        if (partitioner !== null) {
          const count = this.partitionCounts.get(topic)
          if (count !== undefined) partition = partitioner(count) ?? -1
        }
        this.transactions?.beforeSend()
        this.inFlight++
        this.producer!.sendQuiet(topic, partition, key, value, timestamp, headers, this.outputListener)
      },
    }
  }

  /** Changelog records of one task: acknowledged offsets become the task's checkpoint. */
  private changelogWriter(owner: () => ActiveTask | null): ChangelogWriter {
    const listener: SendListener = {
      onAcknowledged: (topic, partition, lastOffset, count) => {
        const task = owner()
        const next = lastOffset + 1
        if (task !== null && lastOffset >= 0 && next > (task.acked.get(topic) ?? -1)) {
          task.acked.set(topic, next)
          task.task.stateManager.setChangelogOffset(topic, partition, next)
        }
        this.settled(count)
      },
      onFailed: (_topic, _partition, count, error) => this.sendFailed(count, error),
    }
    return {
      log: (_store, topic, partition, key, value, timestamp) => {
        this.transactions?.beforeSend()
        this.inFlight++
        this.producer!.sendQuiet(topic, partition, key, value, timestamp, undefined, listener)
      },
    }
  }

  private settled(count: number): void {
    this.inFlight -= count
    const w = this.ackWaiter
    if (w !== null) {
      this.ackWaiter = null
      w()
    }
  }

  private sendFailed(count: number, error: Error): void {
    this.sendError ??= error
    this.settled(count)
  }

  /** Backpressure: waits while too many records are unacknowledged. */
  private async awaitCapacity(): Promise<void> {
    while (this.inFlight > MAX_IN_FLIGHT_RECORDS && this.sendError === null) {
      await new Promise<void>((resolve) => (this.ackWaiter = resolve))
    }
  }

  /** Waits until every record handed to the producer is acknowledged (or failed). */
  private async awaitSends(): Promise<void> {
    if (this.inFlight > 0) await this.producer!.flush()
    if (this.sendError) throw this.sendError
  }

  // ---- tasks ----

  private async createTask(sub: Subtopology, partition: number): Promise<ActiveTask> {
    let entry: ActiveTask | null = null
    const owner = (): ActiveTask | null => entry
    const globals = { get: (name: string) => this.globalTask?.getStore(name) ?? null }
    const task = new StreamTask(sub, partition, this.topology.internal, this.config, this.collector(), this.changelogWriter(owner), () => this.now, globals, this.cacheBudget)
    task.retriesDeserialization = this.taskTimeoutMs > 0
    entry = { id: `${sub.id}_${partition}`, task, consumed: new Map(), acked: new Map() }
    if (this.transactions !== null) wipeUncheckpointedState(task.stateManager.taskDir, task.stateManager.checkpoint().size > 0)
    task.init()
    try {
      await this.restore(task)
    } catch (err) {
      task.close()
      throw err
    }
    return entry
  }

  /** Replays each logged store's changelog partition from the checkpoint (or the beginning) to its end. */
  private async restore(task: StreamTask): Promise<void> {
    const changelogs = task.stateManager.changelogs()
    if (changelogs.length === 0) return
    const listener = this.config.restoreListener
    // read_committed: a changelog may hold records of aborted transactions (exactly_once_v2); its end is then the last stable offset.
    const restorer = this.client.consumer({
      clientId: `${this.config.applicationId}-restore`,
      enableAutoCommit: false,
      maxPollRecords: 10_000,
      maxPartitionFetchBytes: 8 << 20,
      isolationLevel: 'read_committed',
    })
    this.restorer = restorer
    let suspended = false
    try {
      for (const c of changelogs) {
        const tp = { topic: c.topic, partition: c.partition }
        restorer.assign([tp])
        const end = (await restorer.endOffsets([tp]))[0]!.offset
        const start = (await restorer.beginningOffsets([tp]))[0]!.offset
        let from = c.checkpointOffset ?? start
        if (from < start || from > end) from = start
        listener?.onRestoreStart?.(tp, c.storeName, from, end)
        let restored = 0
        if (from < end) {
          restorer.seek(tp, from)
          let position = from
          let idle = 0
          while (position < end && idle < 3) {
            if (!this.running()) {
              suspended = true
              break
            }
            let records: ConsumerRecord[]
            try {
              records = await restorer.poll(200)
            } catch (err) {
              if (!isWakeup(err)) throw err
              suspended = true
              break
            }
            if (records.length === 0) {
              // Markers and aborted records move the position without returning records.
              const at = await restorer.position(tp)
              if (at >= end) position = end
              else idle++
              continue
            }
            idle = 0
            const batch: RestoreRecord[] = []
            for (const r of records) {
              if (r.offset >= end) break
              if (r.key !== null) batch.push(r as RestoreRecord)
              position = r.offset + 1
            }
            if (records[records.length - 1]!.offset >= end) position = end
            task.stateManager.restore(c.storeName, batch, position)
            restored += batch.length
            listener?.onBatchRestored?.(tp, c.storeName, position, batch.length)
          }
        }
        if (suspended) {
          // close() during the restore: what was restored is flushed and checkpointed below, and the next start resumes there.
          listener?.onRestoreSuspended?.(tp, c.storeName, restored)
          break
        }
        listener?.onRestoreEnd?.(tp, c.storeName, restored)
      }
      // Commits the restored state and checkpoints where it ends.
      task.stateManager.flush()
    } finally {
      this.restorer = null
      await restorer.close()
    }
  }

  private taskIdsFor(tps: TopicPartition[]): Map<string, { sub: Subtopology; partition: number }> {
    const out = new Map<string, { sub: Subtopology; partition: number }>()
    for (const tp of tps) {
      const sub = this.topicToSub.get(tp.topic)
      if (sub !== undefined) out.set(`${sub.id}_${tp.partition}`, { sub, partition: tp.partition })
    }
    return out
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.setState('REBALANCING')
    this.now = Date.now()
    const wanted = this.taskIdsFor(tps)
    // A standby replica that becomes active closes first (its checkpoint says how far it read): the active task restores the rest.
    this.closeStandbys((id) => wanted.has(id) || !this.standbyWanted.some((t) => taskIdString(t) === id))
    // Eager rebalancing revoked everything first: suspended tasks not given back move elsewhere.
    for (const [id, t] of this.suspended) {
      if (!wanted.has(id)) {
        t.task.close()
        this.suspended.delete(id)
      }
    }
    for (const [id, { sub, partition }] of wanted) {
      // close() came during the assignment: tasks not made yet are left to the next owner (or start).
      if (!this.running()) break
      if (this.tasks.has(id)) continue
      const back = this.suspended.get(id)
      if (back !== undefined) {
        this.suspended.delete(id)
        this.tasks.set(id, back)
      } else {
        this.tasks.set(id, await this.createTask(sub, partition))
      }
    }
    if (this.config.autoOffsetReset === 'latest') await this.resetToLatest(tps)
    if (this.running()) await this.openStandbys(wanted)
    this.lastCommit = Date.now()
    if (this.paused && this.consumer !== null) this.consumer.pause(this.consumer.assignment())
    if (this.running() && !this.groupShutdown) this.setState('RUNNING')
  }

  /** auto.offset.reset=latest: source partitions (not repartition topics) with no committed offset start at their end. */
  private async resetToLatest(tps: TopicPartition[]): Promise<void> {
    const consumer = this.consumer
    if (consumer === null) return
    const external = tps.filter((tp) => !this.repartitionTopics.has(tp.topic))
    if (external.length === 0) return
    const fresh = (await consumer.committed(external)).filter((c) => c.offset === null).map((c) => ({ topic: c.topic, partition: c.partition }))
    if (fresh.length > 0) await consumer.seekToEnd(fresh)
  }

  /** Closes the standby tasks `drop` picks (their stores flushed and checkpointed), and stops reading their changelogs. */
  private closeStandbys(drop: (id: string) => boolean): void {
    let changed = false
    for (const [id, task] of this.standbys) {
      if (!drop(id)) continue
      this.standbys.delete(id)
      for (const c of task.stateManager.changelogs()) this.standbyRoutes.delete(tpKey(c.topic, c.partition))
      checkpointStandby(task)
      task.close()
      changed = true
    }
    if (changed) this.assignStandbyConsumer()
  }

  /** Opens the standby tasks the assignment asks for that this instance neither runs nor keeps, reading each changelog from its checkpoint. */
  private async openStandbys(active: Map<string, { sub: Subtopology; partition: number }>): Promise<void> {
    const fresh: Array<{ tp: TopicPartition; from: number | null }> = []
    for (const t of this.standbyWanted) {
      const id = taskIdString(t)
      const sub = this.subtopologyById.get(t.subtopology)
      if (sub === undefined || active.has(id) || this.standbys.has(id)) continue
      const globals = { get: (name: string) => this.globalTask?.getStore(name) ?? null }
      const task = new StreamTask(sub, t.partition, this.topology.internal, this.config, this.collector(), this.changelogWriter(() => null), () => this.now, globals, this.cacheBudget)
      // exactly_once_v2: state no committed transaction covers goes, as for an active task.
      if (this.transactions !== null) wipeUncheckpointedState(task.stateManager.taskDir, task.stateManager.checkpoint().size > 0)
      task.initStores()
      this.standbys.set(id, task)
      for (const c of task.stateManager.changelogs()) {
        const tp = { topic: c.topic, partition: c.partition }
        this.standbyRoutes.set(tpKey(c.topic, c.partition), { task, store: c.storeName, tp })
        fresh.push({ tp, from: c.checkpointOffset })
      }
    }
    if (fresh.length === 0) return
    this.assignStandbyConsumer()
    const consumer = this.standbyConsumer!
    const starts = await consumer.beginningOffsets(fresh.map((f) => f.tp))
    for (const [i, f] of fresh.entries()) {
      const start = starts[i]!.offset
      consumer.seek(f.tp, f.from === null || f.from < start ? start : f.from)
    }
  }

  /** Points the standby consumer at the changelog partitions of the standby tasks (made on first use, closed with the instance). */
  private assignStandbyConsumer(): void {
    if (this.standbyConsumer === null) {
      if (this.standbyRoutes.size === 0) return
      this.standbyConsumer = this.client.consumer({
        clientId: `${this.config.applicationId}-standby`,
        enableAutoCommit: false,
        // A changelog trimmed below the replica's position: read again from what is left.
        autoOffsetReset: 'earliest',
        maxPollRecords: 10_000,
        isolationLevel: 'read_committed',
      })
    }
    this.standbyConsumer.assign([...this.standbyRoutes.values()].map((r) => r.tp))
  }

  /** Applies what the standby consumer has read to the standby stores (one batch per store per poll). */
  private async updateStandbys(): Promise<void> {
    const consumer = this.standbyConsumer
    if (consumer === null || this.standbyRoutes.size === 0) return
    const records = await consumer.poll(0)
    if (records.length === 0) return
    const batches = new Map<string, { route: { task: StreamTask; store: string }; batch: RestoreRecord[]; next: number }>()
    for (const r of records) {
      const key = tpKey(r.topic, r.partition)
      const route = this.standbyRoutes.get(key)
      if (route === undefined) continue
      let b = batches.get(key)
      if (b === undefined) batches.set(key, (b = { route, batch: [], next: r.offset + 1 }))
      if (r.key !== null) b.batch.push(r as RestoreRecord)
      b.next = r.offset + 1
    }
    for (const { route, batch, next } of batches.values()) route.task.stateManager.restore(route.store, batch, next)
  }

  /**
   * How far each local replica of each store partition is behind its changelog, for active and
   * standby tasks (Kafka's allLocalStorePartitionLags): store -> partition -> LagInfo. An active task
   * that is processing counts as caught up, as in Kafka; a standby as far as it has read.
   */
  async allLocalStorePartitionLags(): Promise<Map<string, Map<number, LagInfo>>> {
    this.validateRunningOrRebalancing('allLocalStorePartitionLags')
    const replicas: Array<{ store: string; tp: TopicPartition; position: number | null; active: boolean }> = []
    const add = (task: StreamTask, active: boolean): void => {
      for (const c of task.stateManager.changelogs()) replicas.push({ store: c.storeName, tp: { topic: c.topic, partition: c.partition }, position: task.stateManager.changelogPosition(c.storeName), active })
    }
    for (const t of this.tasks.values()) add(t.task, true)
    for (const t of this.standbys.values()) add(t, false)
    const out = new Map<string, Map<number, LagInfo>>()
    if (replicas.length === 0) return out
    // A replica has applied everything its consumer returned: the consumer's position also counts the
    // transaction markers (exactly_once_v2) it passed after the last record.
    const consumer = this.standbyConsumer
    if (consumer !== null) {
      for (const r of replicas) if (!r.active) r.position = Math.max(r.position ?? 0, await consumer.position(r.tp).catch(() => 0))
    }
    const admin = this.client.admin()
    const ends = await admin.listOffsets(replicas.map((r) => ({ ...r.tp, spec: 'latest' as const }))).finally(() => admin.close())
    for (const [i, r] of replicas.entries()) {
      const end = ends[i]!.offset
      let byPartition = out.get(r.store)
      if (byPartition === undefined) out.set(r.store, (byPartition = new Map()))
      byPartition.set(r.tp.partition, new LagInfo(r.active ? end : Math.min(r.position ?? 0, end), end))
    }
    return out
  }

  /** Standby tasks of this instance, as "<subtopology>_<partition>" (Kafka's TaskMetadata of standby tasks). */
  standbyTaskIds(): string[] {
    return [...this.standbys.keys()].sort()
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    if (this.stateValue === 'RUNNING') this.setState('REBALANCING')
    this.dropHeld(tps)
    // After a processing error nothing more is committed: the failed task's input is read again.
    if (this.failure === null && !this.replacing && this.shutdownCause === null) await this.commitNow()
    for (const id of this.taskIdsFor(tps).keys()) {
      const t = this.tasks.get(id)
      if (t === undefined) continue
      this.tasks.delete(id)
      t.consumed.clear()
      this.suspended.set(id, t)
    }
  }

  /** Partitions taken away without a clean hand-over: the state may hold uncommitted updates, so it is wiped. */
  private async onLost(tps: TopicPartition[]): Promise<void> {
    if (this.stateValue === 'RUNNING') this.setState('REBALANCING')
    this.dropHeld(tps)
    await this.awaitSends().catch(() => undefined)
    // Whatever the open transaction held for these tasks must not commit.
    await this.transactions?.abort()
    for (const id of this.taskIdsFor(tps).keys()) {
      for (const map of [this.tasks, this.suspended]) {
        const t = map.get(id)
        if (t === undefined) continue
        map.delete(id)
        this.closeDirty(t)
      }
    }
  }

  /** Closes every active and suspended task; `dirty`: without a commit, their state directories wiped (see closeDirty). */
  private closeAllTasks(dirty: boolean): Promise<void> {
    return this.exclusive(async () => {
      for (const t of [...this.tasks.values(), ...this.suspended.values()]) {
        if (dirty) this.closeDirty(t)
        else t.task.close()
      }
      this.tasks.clear()
      this.suspended.clear()
      // Standby state only ever holds changelog records up to its checkpoint: always closed clean.
      this.closeStandbys(() => true)
    })
  }

  private closeDirty(t: ActiveTask): void {
    const dir = t.task.stateManager.taskDir
    try {
      t.task.close()
    } finally {
      if (dir !== null) fs.rmSync(dir, { recursive: true, force: true })
    }
  }

  private async startGlobal(): Promise<void> {
    const globalSubs = this.topology.internal.subtopologies().filter((s) => s.global)
    if (globalSubs.length === 0) return
    const merged: Subtopology = {
      id: globalSubs[0]!.id,
      nodes: globalSubs.flatMap((s) => s.nodes),
      sourceTopics: globalSubs.flatMap((s) => s.sourceTopics),
      stores: globalSubs.flatMap((s) => s.stores),
      global: true,
    }
    this.globalTask = new StreamTask(merged, 0, this.topology.internal, this.config, this.collector(), null, () => this.now, null, this.cacheBudget)
    this.globalTask.init()
    const admin = this.client.admin()
    const described = await admin.describeTopics(merged.sourceTopics).finally(() => admin.close())
    const tps = described.flatMap((d) => d.partitions.map((p) => ({ topic: d.topic, partition: p.partition })))
    this.globalConsumer = this.client.consumer({ clientId: `${this.config.applicationId}-global`, enableAutoCommit: false, maxPollRecords: 10_000 })
    this.globalConsumer.assign(tps)
    await this.globalConsumer.seekToBeginning(tps)
    // A global table is complete before any task processes a record.
    const ends = await this.globalConsumer.endOffsets(tps)
    this.globalLoading = true
    try {
      for (;;) {
        // close() during the load stops it (woken up): the next start loads the global tables from the beginning again.
        if (!this.running()) break
        let behind = false
        for (const e of ends) if ((await this.globalConsumer.position(e)) < e.offset) behind = true
        if (!behind) break
        let records: ConsumerRecord[]
        try {
          records = await this.globalConsumer.poll(200)
        } catch (err) {
          if (isWakeup(err)) break
          throw err
        }
        for (const r of records) this.globalTask.process(r)
      }
    } finally {
      this.globalLoading = false
    }
    this.globalTask.commit()
  }

  // ---- processing ----

  private async run(): Promise<void> {
    while (this.running()) {
      if (this.globalConsumer !== null && this.globalTask !== null) {
        const g = await this.globalConsumer.poll(0)
        this.now = Date.now()
        for (const r of g) this.globalTask.process(r)
      }
      // pause() pauses standby replicas too (KIP-834).
      if (this.standbyConsumer !== null && !this.paused) await this.exclusive(() => this.updateStandbys())
      if (!this.paused && this.held.length > 0) {
        this.now = Date.now()
        this.processHeld()
      }
      if (!this.paused && this.blocked.size > 0) {
        this.now = Date.now()
        this.retryBlocked()
      }
      // Records are processed as the poll hands them over, left in the fetched bytes (see visit).
      this.visitFresh = true
      if (this.consumer !== null) {
        try {
          await this.consumer.pollInto(this.config.pollMs, this.visit)
        } catch (err) {
          // close() wakes the poll up rather than waiting for it to time out.
          if (!isWakeup(err)) throw err
        }
      } else await sleep(this.config.pollMs)
      this.endVisit()
      if (!this.running() || this.groupShutdown) break
      this.now = Date.now()
      if (!this.paused) for (const t of this.tasks.values()) t.task.advanceWallClock(this.now)
      this.globalTask?.advanceWallClock(this.now)
      if (this.sendError) throw this.sendError
      let commitRequested = false
      for (const t of this.tasks.values()) if (t.task.needsCommit) commitRequested = true
      if (commitRequested || this.now - this.lastCommit >= this.config.commitIntervalMs) {
        await this.exclusive(() => this.commitNow())
      } else {
        await this.awaitCapacity()
      }
    }
  }

  /** Held records of partitions taken away were never processed nor committed: their next owner fetches them again. */
  private dropHeld(tps: TopicPartition[]): void {
    for (const tp of tps) this.blocked.delete(tpKey(tp.topic, tp.partition))
    if (this.held.length === 0) return
    const gone = new Set(tps.map((tp) => `${tp.topic}\u0000${tp.partition}`))
    this.held = this.held.filter((r) => !gone.has(`${r.topic}\u0000${r.partition}`))
  }

  private clearHeld(): void {
    this.held = []
    this.blocked.clear()
  }

  /**
   * Holds a record its deserializer cannot read yet, and the rest of its partition after it (the
   * consumer stops fetching it); `since`: when the wait began, for task.timeout.ms.
   */
  private block(entry: ActiveTask, record: ConsumerRecord, since: number): BlockedPartition {
    const wait = entry.task.blockedOn!
    entry.task.blockedOn = null
    const tp = { topic: record.topic, partition: record.partition }
    const b: BlockedPartition = { entry, tp, records: [record], settled: false, since }
    const settle = (): void => void (b.settled = true)
    wait.then(settle, settle)
    this.blocked.set(tpKey(tp.topic, tp.partition), b)
    this.consumer?.pause([tp])
    return b
  }

  /** Processes again, in order, the held records of each partition whose wait settled (or timed out: then the handler decides). */
  private retryBlocked(): void {
    for (const [key, b] of [...this.blocked]) {
      const expired = this.now - b.since >= this.taskTimeoutMs
      if (!b.settled && !expired) continue
      this.blocked.delete(key)
      const task = b.entry.task
      task.retriesDeserialization = !expired
      try {
        for (let i = 0; i < b.records.length; i++) {
          const r = b.records[i]!
          task.process(r)
          if (task.blockedOn !== null) {
            this.block(b.entry, r, b.since).records.push(...b.records.slice(i + 1))
            break
          }
          b.entry.consumed.set(r.topic, r.offset + 1)
        }
      } finally {
        task.retriesDeserialization = this.taskTimeoutMs > 0
      }
      if (!this.blocked.has(key) && !this.paused) this.consumer?.resume([b.tp])
    }
  }

  private processHeld(): void {
    const held = this.held
    this.held = []
    this.processRecords(held)
  }

  // The partition the records being visited come from: consecutive records of a poll mostly share it.
  private visitTopic = ''
  private visitPartition = -1
  private visitEntry: ActiveTask | undefined = undefined
  private visitLast = -1
  private visitFresh = true
  /** The visited partition's wait, when its records are held (see block). */
  private visitBlocked: BlockedPartition | undefined = undefined

  /**
   * Takes one polled record: processed by its task (the position it reached noted for the next
   * commit), held while paused or stopping, dropped when its partition is no longer owned.
   */
  private readonly visit = (r: RecordView): void => {
    if (this.paused || !this.running()) {
      this.held.push(r.toRecord())
      return
    }
    if (this.visitFresh) {
      this.now = Date.now()
      this.visitFresh = false
    }
    if (r.topic !== this.visitTopic || r.partition !== this.visitPartition) {
      this.endVisit()
      this.visitTopic = r.topic
      this.visitPartition = r.partition
      const sub = this.topicToSub.get(r.topic)
      this.visitEntry = sub === undefined ? undefined : this.tasks.get(`${sub.id}_${r.partition}`)
      this.visitBlocked = this.blocked.size === 0 ? undefined : this.blocked.get(tpKey(r.topic, r.partition))
    }
    const entry = this.visitEntry
    // Records polled for a partition this instance no longer owns are dropped; their new owner reads them.
    if (entry === undefined) return
    if (this.visitBlocked !== undefined) {
      this.visitBlocked.records.push(r.toRecord())
      return
    }
    entry.task.processView(r)
    if (entry.task.blockedOn !== null) {
      this.visitBlocked = this.block(entry, r.toRecord(), this.now)
      return
    }
    this.visitLast = r.offset
  }

  /** Notes how far the visited partition got; the next record starts afresh (tasks may change between polls). */
  private endVisit(): void {
    if (this.visitEntry !== undefined && this.visitLast >= 0) this.visitEntry.consumed.set(this.visitTopic, this.visitLast + 1)
    this.visitTopic = ''
    this.visitPartition = -1
    this.visitEntry = undefined
    this.visitLast = -1
    this.visitBlocked = undefined
  }

  private processRecords(records: ConsumerRecord[]): void {
    let topic = ''
    let partition = -1
    let entry: ActiveTask | undefined
    let last = -1
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!
      if (r.topic !== topic || r.partition !== partition) {
        if (entry !== undefined && last >= 0) entry.consumed.set(topic, last + 1)
        topic = r.topic
        partition = r.partition
        const sub = this.topicToSub.get(topic)
        entry = sub === undefined ? undefined : this.tasks.get(`${sub.id}_${partition}`)
        last = -1
      }
      // Records polled for a partition this instance no longer owns are dropped; their new owner reads them.
      if (entry === undefined) continue
      const waiting = this.blocked.size === 0 ? undefined : this.blocked.get(tpKey(topic, partition))
      if (waiting !== undefined) {
        waiting.records.push(r)
        continue
      }
      entry.task.process(r)
      if (entry.task.blockedOn !== null) {
        this.block(entry, r, this.now)
        continue
      }
      last = r.offset
    }
    if (entry !== undefined && last >= 0) entry.consumed.set(topic, last + 1)
  }

  private running(): boolean {
    return this.stateValue !== 'PENDING_SHUTDOWN' && this.stateValue !== 'NOT_RUNNING' && this.stateValue !== 'PENDING_ERROR' && this.stateValue !== 'ERROR'
  }

  /**
   * at_least_once: flush caches (which forwards), wait until every output and changelog record is
   * acknowledged, commit SQLite and checkpoints, and only then commit the input offsets.
   */
  private async commitNow(): Promise<void> {
    // Standby stores commit what they applied and checkpoint how far they read.
    for (const t of this.standbys.values()) checkpointStandby(t)
    if (this.transactions !== null) return this.commitTransaction(this.transactions)
    this.now = Date.now()
    for (const t of this.tasks.values()) t.task.commit()
    this.globalTask?.commit()
    // What is committed is what was processed before this point; records processed while we wait are the next commit's.
    const offsets: Array<TopicPartitionOffset & { owner: ActiveTask }> = []
    for (const t of this.tasks.values()) {
      for (const [topic, offset] of t.consumed) offsets.push({ topic, partition: t.task.partition, offset, owner: t })
    }
    await this.awaitSends()
    // Checkpoints again, now that every changelog offset is acknowledged.
    for (const t of this.tasks.values()) t.task.stateManager.flush()
    if (offsets.length > 0 && this.consumer !== null) {
      try {
        await this.consumer.commitSync(offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })))
        for (const o of offsets) if (o.owner.consumed.get(o.topic) === o.offset) o.owner.consumed.delete(o.topic)
        this.purgeRepartition(offsets)
      } catch (err) {
        if (!(err instanceof Error && RETRIABLE_COMMIT.test(`${(err as { code?: string }).code ?? ''} ${err.message}`))) throw err
        this.config.logger?.(`Commit of '${this.config.applicationId}' deferred: ${err.message}`)
      }
    }
    this.lastCommit = Date.now()
  }

  /**
   * exactly_once_v2: the checkpoints go, caches flush and SQLite commits, every send is
   * acknowledged, then outputs, changelogs and input offsets commit in one transaction, and
   * only then are the checkpoints written again.
   */
  private async commitTransaction(transactions: StreamsTransactions): Promise<void> {
    this.now = Date.now()
    for (const t of this.tasks.values()) t.task.stateManager.deleteCheckpoint()
    for (const t of this.tasks.values()) t.task.commit()
    this.globalTask?.commit()
    const offsets: Array<TopicPartitionOffset & { owner: ActiveTask }> = []
    for (const t of this.tasks.values()) {
      for (const [topic, offset] of t.consumed) offsets.push({ topic, partition: t.task.partition, offset, owner: t })
    }
    await this.awaitSends()
    await transactions.commit(
      offsets.map(({ topic, partition, offset }) => ({ topic, partition, offset })),
      this.consumer?.groupMetadata() ?? null,
      this.config.applicationId,
    )
    for (const o of offsets) if (o.owner.consumed.get(o.topic) === o.offset) o.owner.consumed.delete(o.topic)
    for (const t of this.tasks.values()) t.task.stateManager.checkpointNow()
    this.purgeRepartition(offsets)
    this.lastCommit = Date.now()
  }

  /** Records of repartition topics below the committed offsets are not needed again: deleted in the background. */
  private purgeRepartition(offsets: TopicPartitionOffset[]): void {
    if (this.purging || this.now - this.lastPurge < (this.config.repartitionPurgeIntervalMs ?? 30_000)) return
    const internal = offsets.filter((o) => this.repartitionTopics.has(o.topic)).map(({ topic, partition, offset }) => ({ topic, partition, offset }))
    if (internal.length === 0) return
    this.lastPurge = this.now
    this.purgeAdmin ??= this.client.admin()
    this.purging = this.purgeAdmin
      .deleteRecords(internal)
      .then(() => undefined)
      .catch((err: unknown) => this.config.logger?.(`Purging repartition topics of '${this.config.applicationId}' failed: ${String(err)}`))
      .finally(() => (this.purging = null))
  }

  /** Commits every task now (flush, wait for acknowledgements, commit input offsets). */
  async commit(): Promise<void> {
    if (!this.running()) throw new StreamsException(`Cannot commit KafkaStreams in state ${this.stateValue}`)
    await this.exclusive(() => this.commitNow())
  }

  // ---- pause / resume ----

  /**
   * Pauses processing (Kafka Streams' pause()): the consumer's partitions are paused, so nothing is
   * fetched, processed or punctuated; the instance stays in its group and commits what it processed.
   * Allowed before start(). resume() carries on from where processing stopped.
   */
  pause(): void {
    this.paused = true
    if (this.consumer !== null) this.consumer.pause(this.consumer.assignment())
  }

  resume(): void {
    this.paused = false
    if (this.consumer !== null) this.consumer.resume(this.consumer.assignment())
  }

  isPaused(): boolean {
    return this.paused
  }

  // ---- interactive queries ----

  /** A read-only view of a store over every task of this instance that holds it. */
  store<T>(storeName: string, type: QueryableStoreType<T>): T {
    if (this.stateValue !== 'RUNNING' && this.stateValue !== 'REBALANCING') {
      throw new StreamsException(`Cannot query store '${storeName}': KafkaStreams is ${this.stateValue}`)
    }
    const stores: StateStore[] = []
    for (const s of [this.globalTask?.getStore(storeName), ...[...this.tasks.values()].map((t) => t.task.getStore(storeName))]) {
      if (s !== null && s !== undefined) stores.push(s)
    }
    if (stores.length === 0) throw new StreamsException(`No store named '${storeName}' on this instance (state ${this.stateValue})`)
    const views = stores.map((s) => readOnlyView(storeName, s, type))
    return views.length === 1 ? views[0]! : compositeView(type, views)
  }

  /**
   * Every instance of the application that has an endpoint (application.server), with the stores and
   * partitions it holds, as of the last rebalance (Kafka's metadataForAllStreamsClients). Empty before
   * the first assignment.
   */
  metadataForAllStreamsClients(): StreamsMetadata[] {
    this.validateRunningOrRebalancing('metadataForAllStreamsClients')
    return this.metadataState.all()
  }

  /** The instances that hold some of `storeName`; every instance for a global store (Kafka's streamsMetadataForStore). */
  streamsMetadataForStore(storeName: string): StreamsMetadata[] {
    this.validateRunningOrRebalancing('streamsMetadataForStore')
    return this.metadataState.forStore(storeName)
  }

  /**
   * The instance that holds `key` in `storeName` and the key's partition (Kafka's queryMetadataForKey):
   * the key is partitioned as its source topic's records are, by `keySerializer` and the default
   * partitioner or by `partitioner`. KeyQueryMetadata.NOT_AVAILABLE until the first rebalance ends;
   * null for a store the topology does not have. The answer can be stale while a rebalance moves the
   * partition: query there, and ask again if that instance no longer has the key's task.
   */
  queryMetadataForKey<K>(storeName: string, key: K, keySerializer: Serializer<K> | StreamPartitioner): KeyQueryMetadata | null {
    this.validateRunningOrRebalancing('queryMetadataForKey')
    return this.metadataState.forKey(storeName, key, keySerializer)
  }

  /** Kafka's validateIsRunningOrRebalancing: metadata is asked of an instance that has started and not stopped. */
  private validateRunningOrRebalancing(what: string): void {
    if (this.stateValue === 'RUNNING' || this.stateValue === 'REBALANCING') return
    if (this.stateValue === 'CREATED') throw new StreamsException(`${what}: KafkaStreams has not been started, call start() first`)
    throw new StreamsException(`${what}: KafkaStreams is not running; its state is ${this.stateValue}`)
  }

  /** The input record a task of this instance is processing right now (for error reports); null between records. */
  currentRecord(): { topic: string; partition: number; offset: number } | null {
    for (const t of this.tasks.values()) {
      const r = t.task.currentInput
      if (r !== null) return { topic: r.topic, partition: r.partition, offset: r.offset }
    }
    const g = this.globalTask?.currentInput ?? null
    return g === null ? null : { topic: g.topic, partition: g.partition, offset: g.offset }
  }

  /** Tasks running on this instance, as "<subtopology>_<partition>". */
  taskIds(): string[] {
    return [...this.tasks.keys()].sort()
  }

  /** This application's local state: <stateDir>/<applicationId> (null without a stateDir: stores in memory). */
  private appStateDir(): string | null {
    const dir = this.config.stateDir
    return dir === undefined || dir === null ? null : path.join(dir, this.config.applicationId)
  }

  /**
   * Takes the application's state directory for this instance, as Kafka Streams locks its own: two instances
   * in one directory would open, checkpoint and wipe the same task directories.
   */
  private lockStateDir(action: string): DirLock | null {
    const dir = this.appStateDir()
    if (dir === null) return null
    fs.mkdirSync(dir, { recursive: true })
    try {
      return DirLock.acquire(dir, 'State directory', 'KafkaStreams process')
    } catch (err) {
      throw new StreamsException(
        `Cannot ${action} '${this.config.applicationId}': ${err instanceof Error ? err.message : String(err)}; give each instance its own stateDir`,
        { cause: err },
      )
    }
  }

  /**
   * Deletes this application's local state (<stateDir>/<applicationId>): the stores are restored from
   * their changelogs at the next start. Only before start() or after close(), as in Kafka Streams, and
   * not while another instance holds the directory.
   */
  cleanUp(): void {
    if (this.stateValue !== 'CREATED' && this.stateValue !== 'NOT_RUNNING') {
      throw new StreamsException(`Cannot clean up '${this.config.applicationId}' in state ${this.stateValue}: close() it first`)
    }
    const dir = this.appStateDir()
    if (dir === null || !fs.existsSync(dir)) return
    this.lockStateDir('clean up')?.release()
    fs.rmSync(dir, { recursive: true, force: true })
  }

  /** Commits, closes every task and leaves the group. After a processing error, tasks close without a commit and their state directories are wiped. */
  close(): Promise<void> {
    return (this.closing ??= this.doClose())
  }

  private async doClose(): Promise<void> {
    if (this.stateValue === 'NOT_RUNNING') return
    const failed = this.stateValue === 'ERROR' || this.stateValue === 'PENDING_ERROR' || this.stateValue === 'CREATED'
    this.setState('PENDING_SHUTDOWN')
    this.consumer?.wakeup()
    this.restorer?.wakeup()
    if (this.globalLoading) this.globalConsumer?.wakeup()
    await this.starting?.catch(() => undefined)
    await this.loop
    let error: unknown = null
    if (!failed) await this.exclusive(() => this.commitNow()).catch((err: unknown) => (error = err))
    else await this.transactions?.abort()
    // Leaving the group revokes (and commits) what is left.
    await this.consumer?.close().catch((err: unknown) => (error ??= err))
    await this.closeAllTasks(failed)
    await this.standbyConsumer?.close().catch(() => undefined)
    this.standbyConsumer = null
    await this.globalConsumer?.close()
    this.globalTask?.close()
    await this.producer?.close().catch(() => undefined)
    await this.purging
    await this.purgeAdmin?.close().catch(() => undefined)
    this.dirLock?.release()
    this.dirLock = null
    this.setState('NOT_RUNNING')
    if (error !== null && !failed) this.config.logger?.(`Closing '${this.config.applicationId}': ${String(error)}`)
  }
}

/**
 * Commits what a standby replica applied and checkpoints how far it read. It holds only changelog
 * records (read_committed), so the checkpoint is written under exactly_once_v2 too, where active
 * tasks write theirs only after a transaction commits.
 */
function checkpointStandby(task: StreamTask): void {
  task.stateManager.flush()
  task.stateManager.checkpointNow()
}

/** The error of a poll ended by Consumer.wakeup(). */
function isWakeup(err: unknown): boolean {
  return err instanceof BrookError && err.code === 'WAKEUP'
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
