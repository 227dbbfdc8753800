// The streams runtime: runs a Topology on real topics through the client interface
// (the embedded log or any Kafka cluster). One StreamTask per (sub-topology, partition),
// partitions split across instances of one application.id by the consumer group, state
// restored from changelog topics, at-least-once commits: outputs and changelog records
// are acknowledged and stores flushed before input offsets are committed.
import type { BrookClient, Consumer, ConsumerRecord, Producer, TopicPartition } from '../../core/client/types.js'
import type { Topology } from '../processor/topology.js'
import type { Headers } from '../processor/record.js'
import type { ChangelogWriter } from '../state/state-manager.js'
import type { StateStore } from '../state/types.js'
import { StreamTask, type RecordCollector, type StreamsConfig } from '../internals/task.js'
import { checkCopartitioning, topologyTopics, type TopologyTopics } from '../internals/topology-metadata.js'
import type { Subtopology } from '../internals/topology-builder.js'
import { StreamsException } from '../errors.js'
import { readOnlyView, type QueryableStoreProvider, type QueryableStoreType } from '../state/queryable.js'
import { compositeView } from './composite-view.js'

export interface KafkaStreamsConfig extends StreamsConfig {
  /** How often tasks commit (commit.interval.ms). Default 30000, as Kafka Streams at_least_once. */
  commitIntervalMs?: number
  /** Only at_least_once for now; exactly_once needs transactions in the client. */
  processingGuarantee?: 'at_least_once'
  /** Partitions of repartition topics this application creates; default: the most of any source topic. */
  repartitionPartitions?: number
  /** Poll timeout of the processing loop. Default 100 ms. */
  pollMs?: number
  /** Records per poll. Default 1000. */
  maxPollRecords?: number
  sessionTimeoutMs?: number
  heartbeatIntervalMs?: number
}

export type KafkaStreamsState = 'CREATED' | 'REBALANCING' | 'RUNNING' | 'PENDING_SHUTDOWN' | 'NOT_RUNNING' | 'ERROR'

const tpKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export class KafkaStreams implements QueryableStoreProvider {
  private readonly config: Required<Pick<KafkaStreamsConfig, 'commitIntervalMs' | 'pollMs' | 'maxPollRecords'>> & KafkaStreamsConfig
  private readonly topics: TopologyTopics
  private readonly tasks = new Map<string, StreamTask>()
  private readonly topicToSub = new Map<string, Subtopology>()
  private readonly subsById = new Map<number, Subtopology>()
  private readonly consumed = new Map<string, number>()
  private readonly partitionCounts = new Map<string, number>()
  private readonly pendingSends = new Set<Promise<unknown>>()
  private globalTask: StreamTask | null = null
  private globalConsumer: Consumer | null = null
  private consumer: Consumer | null = null
  private producer: Producer | null = null
  private lastCommit = Date.now()
  private loop: Promise<void> | null = null
  private sendError: Error | null = null
  private stateValue: KafkaStreamsState = 'CREATED'
  private failure: Error | null = null
  /** Called on every state change; errors of the processing loop arrive as ERROR with `error`. */
  onStateChange: ((state: KafkaStreamsState, error?: Error) => void) | null = null

  constructor(
    private readonly topology: Topology,
    private readonly client: BrookClient,
    config: KafkaStreamsConfig,
  ) {
    this.config = { commitIntervalMs: 30_000, pollMs: 100, maxPollRecords: 1000, ...config }
    if (this.config.processingGuarantee !== undefined && this.config.processingGuarantee !== 'at_least_once') {
      throw new StreamsException(`processingGuarantee '${String(this.config.processingGuarantee)}' is not supported; use 'at_least_once'`)
    }
    topology.internal.validate(this.config)
    this.topics = topologyTopics(topology.internal, this.config.applicationId)
    const internalSubs = topology.internal.subtopologies()
    for (const sub of internalSubs) {
      this.subsById.set(sub.id, sub)
    }
    for (const s of this.topics.subtopologies) {
      const sub = this.subsById.get(s.id)!
      for (const t of s.sourceTopics) this.topicToSub.set(t, sub)
    }
  }

  get state(): KafkaStreamsState {
    return this.stateValue
  }

  private setState(state: KafkaStreamsState, error?: Error): void {
    this.stateValue = state
    this.onStateChange?.(state, error)
  }

  /** Creates internal topics, joins the group and starts processing in the background. */
  async start(): Promise<void> {
    if (this.stateValue !== 'CREATED') throw new StreamsException(`Cannot start KafkaStreams in state ${this.stateValue}`)
    this.setState('REBALANCING')
    await this.prepareTopics()
    this.producer = this.client.producer({ acks: 'all', lingerMs: 5 })
    await this.startGlobal()
    const sources = this.topics.subtopologies.filter((s) => !s.global).flatMap((s) => s.sourceTopics)
    if (sources.length > 0) {
      this.consumer = this.client.consumer({
        groupId: this.config.applicationId,
        clientId: `${this.config.applicationId}-consumer`,
        enableAutoCommit: false,
        autoOffsetReset: 'earliest',
        // range gives the same partition numbers of co-partitioned topics to the same instance.
        partitionAssignmentStrategy: ['range'],
        maxPollRecords: this.config.maxPollRecords,
        ...(this.config.sessionTimeoutMs !== undefined ? { sessionTimeoutMs: this.config.sessionTimeoutMs } : {}),
        ...(this.config.heartbeatIntervalMs !== undefined ? { heartbeatIntervalMs: this.config.heartbeatIntervalMs } : {}),
      })
      this.consumer.subscribe([...new Set(sources)], {
        onPartitionsAssigned: (tps) => this.onAssigned(tps),
        onPartitionsRevoked: (tps) => this.onRevoked(tps),
        onPartitionsLost: (tps) => this.closeTasksFor(tps),
      })
    }
    this.loop = this.run().catch((err: unknown) => {
      this.failure = err instanceof Error ? err : new Error(String(err))
      this.setState('ERROR', this.failure)
    })
  }

  private async prepareTopics(): Promise<void> {
    const admin = this.client.admin()
    const existing = new Set(await admin.listTopics())
    const external = new Set<string>()
    for (const s of this.topics.subtopologies) for (const t of s.sourceTopics) if (!this.topics.repartitionTopics.includes(t)) external.add(t)
    const missing = [...external].filter((t) => !existing.has(t))
    if (missing.length > 0) {
      throw new StreamsException(`Source topic(s) ${missing.map((t) => `'${t}'`).join(', ')} do not exist; create them before starting application '${this.config.applicationId}'`)
    }
    const described = external.size > 0 ? await admin.describeTopics([...external]) : []
    for (const d of described) this.partitionCounts.set(d.topic, d.partitions.length)
    checkCopartitioning(this.topology.internal, (t) => this.partitionCounts.get(t) ?? 1)
    const maxExternal = Math.max(1, ...described.map((d) => d.partitions.length))
    const repartitionCount = this.config.repartitionPartitions ?? maxExternal
    const toCreate: Array<{ topic: string; numPartitions: number; configs?: Record<string, string> }> = []
    for (const t of this.topics.repartitionTopics) {
      if (!existing.has(t)) toCreate.push({ topic: t, numPartitions: repartitionCount })
    }
    for (const s of this.topics.subtopologies) {
      const tasks = Math.max(1, ...s.sourceTopics.map((t) => this.partitionCounts.get(t) ?? repartitionCount))
      for (const changelog of s.changelogTopics.values()) {
        if (!existing.has(changelog)) toCreate.push({ topic: changelog, numPartitions: tasks, configs: { 'cleanup.policy': 'compact' } })
      }
    }
    if (toCreate.length > 0) {
      try {
        await admin.createTopics(toCreate)
      } catch (err) {
        // Another instance may have created them first.
        if (!(err instanceof Error && /already exists/i.test(err.message))) throw err
      }
    }
    for (const t of [...this.topics.repartitionTopics, ...this.topics.changelogTopics]) {
      const [d] = await admin.describeTopics([t])
      this.partitionCounts.set(t, d!.partitions.length)
    }
    await admin.close()
  }

  // ---- tasks ----

  private collector(): RecordCollector {
    return {
      send: (topic, key, value, timestamp, headers, partitioner) => {
        let partition: number | undefined
        if (partitioner !== null) {
          const count = this.partitionCounts.get(topic)
          if (count !== undefined) partition = partitioner(count) ?? undefined
        }
        this.track(this.producer!.send({ topic, key, value, timestamp, headers, ...(partition !== undefined ? { partition } : {}) }))
      },
    }
  }

  private changelogWriter(task: () => StreamTask): ChangelogWriter {
    return {
      log: (_store, topic, partition, key, value, timestamp) => {
        this.track(
          this.producer!.send({ topic, partition, key, value, timestamp }).then((m) => {
            task().stateManager.setChangelogOffset(topic, partition, m.offset + 1)
          }),
        )
      },
    }
  }

  private track(p: Promise<unknown>): void {
    const t: Promise<unknown> = p.then(
      () => this.pendingSends.delete(t),
      (err: Error) => {
        this.pendingSends.delete(t)
        this.sendError ??= err
      },
    )
    this.pendingSends.add(t)
  }

  private async createTask(sub: Subtopology, partition: number): Promise<StreamTask> {
    let created: StreamTask | null = null
    const globals = { get: (name: string) => this.globalTask?.getStore(name) ?? null }
    const task = new StreamTask(sub, partition, this.topology.internal, this.config, this.collector(), this.changelogWriter(() => created!), () => Date.now(), globals)
    created = task
    task.init()
    await this.restore(task)
    return task
  }

  /** Replays each logged store's changelog partition from the checkpoint to its end. */
  private async restore(task: StreamTask): Promise<void> {
    const changelogs = task.stateManager.changelogs()
    if (changelogs.length === 0) return
    const restorer = this.client.consumer({ enableAutoCommit: false, maxPollRecords: 10_000, maxPartitionFetchBytes: 8 << 20 })
    try {
      for (const c of changelogs) {
        const tp = { topic: c.topic, partition: c.partition }
        restorer.assign([tp])
        const [end] = await restorer.endOffsets([tp])
        const [start] = await restorer.beginningOffsets([tp])
        let from = c.checkpointOffset ?? start!.offset
        if (from < start!.offset || from > end!.offset) from = start!.offset
        if (from >= end!.offset) continue
        restorer.seek(tp, from)
        let position = from
        while (position < end!.offset) {
          const records = await restorer.poll(1000)
          const batch = records.filter((r) => r.offset < end!.offset && r.key !== null).map((r) => ({ key: r.key!, value: r.value }))
          if (records.length > 0) position = records[records.length - 1]!.offset + 1
          task.stateManager.restore(c.storeName, batch, Math.min(position, end!.offset))
          if (records.length === 0 && (await restorer.position(tp)) >= end!.offset) break
        }
      }
    } finally {
      await restorer.close()
    }
  }

  private async onAssigned(tps: TopicPartition[]): Promise<void> {
    this.setState('REBALANCING')
    for (const tp of tps) {
      const sub = this.topicToSub.get(tp.topic)
      if (!sub) continue
      const id = `${sub.id}_${tp.partition}`
      if (!this.tasks.has(id)) this.tasks.set(id, await this.createTask(sub, tp.partition))
    }
  }

  private async onRevoked(tps: TopicPartition[]): Promise<void> {
    await this.commit()
    this.closeTasksFor(tps)
  }

  private closeTasksFor(tps: TopicPartition[]): void {
    for (const tp of tps) {
      const sub = this.topicToSub.get(tp.topic)
      if (!sub) continue
      const id = `${sub.id}_${tp.partition}`
      const task = this.tasks.get(id)
      if (task) {
        task.close()
        this.tasks.delete(id)
      }
      this.consumed.delete(tpKey(tp.topic, tp.partition))
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
    this.globalTask = new StreamTask(merged, 0, this.topology.internal, this.config, this.collector(), null, () => Date.now())
    this.globalTask.init()
    const admin = this.client.admin()
    const described = await admin.describeTopics(merged.sourceTopics)
    await admin.close()
    const tps = described.flatMap((d) => d.partitions.map((p) => ({ topic: d.topic, partition: p.partition })))
    this.globalConsumer = this.client.consumer({ enableAutoCommit: false, maxPollRecords: 10_000 })
    this.globalConsumer.assign(tps)
    await this.globalConsumer.seekToBeginning()
    // A global table is complete before any task processes a record.
    const ends = await this.globalConsumer.endOffsets(tps)
    for (;;) {
      let behind = false
      for (const e of ends) if ((await this.globalConsumer.position(e)) < e.offset) behind = true
      if (!behind) break
      for (const r of await this.globalConsumer.poll(200)) this.globalTask.process(toInput(r))
    }
    this.globalTask.commit()
  }

  // ---- processing ----

  private async run(): Promise<void> {
    while (this.running()) {
      if (this.globalConsumer && this.globalTask) {
        for (const r of await this.globalConsumer.poll(0)) this.globalTask.process(toInput(r))
      }
      const records = this.consumer ? await this.consumer.poll(this.config.pollMs) : []
      if (!this.running()) break
      if (this.stateValue === 'REBALANCING' && this.consumer && this.consumer.assignment().length > 0) this.setState('RUNNING')
      else if (this.stateValue === 'REBALANCING' && !this.consumer) this.setState('RUNNING')
      for (const r of records) {
        const sub = this.topicToSub.get(r.topic)
        const task = sub ? this.tasks.get(`${sub.id}_${r.partition}`) : undefined
        if (!task) continue
        task.process(toInput(r))
        this.consumed.set(tpKey(r.topic, r.partition), r.offset + 1)
      }
      const now = Date.now()
      for (const task of this.tasks.values()) task.advanceWallClock(now)
      this.globalTask?.advanceWallClock(now)
      if (this.sendError) throw this.sendError
      if (now - this.lastCommit >= this.config.commitIntervalMs || [...this.tasks.values()].some((t) => t.needsCommit)) await this.commit()
      if (records.length === 0 && !this.consumer) await new Promise((r) => setTimeout(r, this.config.pollMs))
    }
  }

  private running(): boolean {
    return this.stateValue !== 'PENDING_SHUTDOWN' && this.stateValue !== 'NOT_RUNNING'
  }

  /**
   * at_least_once: flush caches (which forwards), wait until every output and changelog record is
   * acknowledged, commit SQLite and checkpoints, and only then commit the input offsets.
   */
  async commit(): Promise<void> {
    for (const task of this.tasks.values()) task.commit()
    await this.producer?.flush()
    while (this.pendingSends.size > 0) await Promise.all([...this.pendingSends])
    if (this.sendError) throw this.sendError
    // Checkpoints again, now that every changelog offset is acknowledged.
    for (const task of this.tasks.values()) task.stateManager.flush()
    const offsets = [...this.consumed].map(([k, offset]) => {
      const [topic, partition] = k.split('\u0000') as [string, string]
      return { topic, partition: Number(partition), offset }
    })
    if (offsets.length > 0 && this.consumer) await this.consumer.commitSync(offsets)
    this.consumed.clear()
    this.lastCommit = Date.now()
  }

  // ---- interactive queries ----

  /** A read-only view of a store over every task of this instance that holds it. */
  store<T>(storeName: string, type: QueryableStoreType<T>): T {
    const stores: StateStore[] = []
    for (const task of [this.globalTask, ...this.tasks.values()]) {
      const s = task?.getStore(storeName)
      if (s) stores.push(s)
    }
    if (stores.length === 0) throw new StreamsException(`No store named '${storeName}' on this instance (state ${this.stateValue})`)
    const views = stores.map((s) => readOnlyView(storeName, s, type))
    return views.length === 1 ? views[0]! : compositeView(type, views)
  }

  /** Tasks running on this instance, as "<subtopology>_<partition>". */
  taskIds(): string[] {
    return [...this.tasks.keys()].sort()
  }

  /** Commits, closes every task and leaves the group. */
  async close(): Promise<void> {
    if (this.stateValue === 'NOT_RUNNING') return
    const failed = this.stateValue === 'ERROR'
    this.setState('PENDING_SHUTDOWN')
    await this.loop
    if (!failed) await this.commit().catch(() => undefined)
    await this.consumer?.close()
    await this.globalConsumer?.close()
    for (const task of this.tasks.values()) task.close()
    this.tasks.clear()
    this.globalTask?.close()
    await this.producer?.close()
    this.setState('NOT_RUNNING')
  }

  /** The error that stopped processing, if any. */
  get error(): Error | null {
    return this.failure
  }
}

function toInput(r: ConsumerRecord): { topic: string; partition: number; offset: number; timestamp: number; key: Buffer | null; value: Buffer | null; headers: Headers } {
  return { topic: r.topic, partition: r.partition, offset: r.offset, timestamp: r.timestamp, key: r.key, value: r.value, headers: r.headers }
}
