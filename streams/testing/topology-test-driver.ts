// Runs a topology synchronously with no broker: one task per sub-topology on
// partition 0, in-memory topics, repartition topics routed back in, and a
// wall clock that only moves when told to.
import type { Serde } from '../serdes.js'
import type { Topology } from '../processor/topology.js'
import { CacheBudget } from '../state/cache-budget.js'
import type { Headers } from '../processor/record.js'
import type { ReadOnlyKeyValueStore, ReadOnlySessionStore, ReadOnlyWindowStore, StateStore, KeyValueStore, WindowStore, SessionStore } from '../state/types.js'
import type { ChangelogWriter } from '../state/state-manager.js'
import { StreamTask, type RecordCollector, type StreamsConfig } from '../internals/task.js'
import { TopologyException, StreamsException } from '../errors.js'
import { checkCopartitioning } from '../internals/topology-metadata.js'
import { TestInputTopic, TestOutputTopic, type DriverTopics } from './test-topics.js'
import { MeteredKeyValueStore, MeteredSessionStore, MeteredWindowStore } from '../state/metered.js'
import { readOnlyView, type QueryableStoreProvider, type QueryableStoreType } from '../state/queryable.js'

export interface TopologyTestDriverConfig extends StreamsConfig {
  initialWallClockTimeMs?: number
  /** Partition counts of external topics, for the co-partitioning check (default 1 each). */
  partitions?: { [topic: string]: number }
  /**
   * Commit (flush caches, forward their contents, write checkpoints) after every piped record when
   * undefined, as Kafka's driver does; otherwise only when the wall clock has moved this far since the last commit.
   */
  commitIntervalMs?: number
}

interface StoredRecord {
  key: Buffer | null
  value: Buffer | null
  timestamp: number
  headers: Headers
  offset: number
}

export class TopologyTestDriver implements DriverTopics, QueryableStoreProvider {
  private readonly tasks: StreamTask[] = []
  private readonly globalTask: StreamTask | null = null
  private readonly topicTask = new Map<string, StreamTask>()
  private readonly outputs = new Map<string, StoredRecord[]>()
  private readonly logEnd = new Map<string, number>()
  private readonly produced = new Set<string>()
  private readonly pending: Array<{ topic: string; record: StoredRecord }> = []
  private readonly internalTopics = new Set<string>()
  private now: number
  private lastCommit: number
  private closed = false
  private draining = false
  readonly config: TopologyTestDriverConfig

  constructor(topology: Topology, config: TopologyTestDriverConfig) {
    this.config = { stateDir: null, ...config }
    this.now = config.initialWallClockTimeMs ?? 0
    this.lastCommit = this.now
    const b = topology.internal
    b.validate(this.config)
    for (const t of b.internalTopics) this.internalTopics.add(b.resolveTopic(t, config.applicationId))
    const counts = this.config.partitions ?? {}
    checkCopartitioning(b, (t) => counts[t] ?? 1)
    const collector: RecordCollector = {
      send: (topic, key, value, timestamp, headers) => {
        // Text (from Serdes.String()) becomes its UTF-8 bytes, as the producer writes it.
        const rec = this.append(topic, typeof key === 'string' ? Buffer.from(key) : key, typeof value === 'string' ? Buffer.from(value) : value, timestamp, headers)
        if (this.topicTask.has(topic)) this.pending.push({ topic, record: rec })
      },
    }
    const changelog: ChangelogWriter = {
      log: (_store, topic, _partition, key, value, timestamp) => this.append(topic, key, value, timestamp, []).offset,
    }
    const subs = b.subtopologies()
    // One record-cache budget for the driver's tasks, as an instance's tasks share one.
    const budget = new CacheBudget(this.config.cacheMaxBytes)
    const globalSub = subs.filter((s) => s.global)
    if (globalSub.length > 0) {
      const merged = { id: globalSub[0]!.id, nodes: globalSub.flatMap((s) => s.nodes), sourceTopics: globalSub.flatMap((s) => s.sourceTopics), stores: globalSub.flatMap((s) => s.stores), global: true }
      this.globalTask = new StreamTask(merged, 0, b, this.config, collector, null, () => this.now, null, budget)
      this.globalTask.init()
      for (const t of this.globalTask.sourceTopics()) this.topicTask.set(t, this.globalTask)
    }
    const globals = { get: (name: string) => this.globalTask?.getStore(name) ?? null }
    for (const s of subs) {
      if (s.global) continue
      const task = new StreamTask(s, 0, b, this.config, collector, changelog, () => this.now, globals, budget)
      task.init()
      this.tasks.push(task)
      for (const t of task.sourceTopics()) this.topicTask.set(t, task)
    }
  }

  createInputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>, options: { startTimestampMs?: number; autoAdvanceMs?: number } = {}): TestInputTopic<K, V> {
    if (!this.topicTask.has(name)) throw new TopologyException(`topic '${name}' is not a source topic of this topology`)
    return new TestInputTopic(this, name, keySerde, valueSerde, options.startTimestampMs, options.autoAdvanceMs)
  }

  createOutputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    return new TestOutputTopic(this, name, keySerde, valueSerde)
  }

  /** Moves the wall clock: fires wall-clock punctuations, idle stream-time advance and due commits. */
  advanceWallClockTime(ms: number): void {
    this.checkOpen()
    this.now += ms
    for (const t of this.allTasks()) {
      t.advanceWallClock(this.now)
      this.drain()
    }
    this.maybeCommit()
  }

  /** Commits every task now. */
  commit(): void {
    this.checkOpen()
    for (const t of this.allTasks()) {
      t.commit()
      this.drain()
    }
    this.lastCommit = this.now
  }

  /** The input record being processed right now (for error reports); null between records. */
  currentRecord(): { topic: string; partition: number; offset: number } | null {
    for (const t of this.tasks) {
      const r = t.currentInput
      if (r !== null) return { topic: r.topic, partition: r.partition, offset: r.offset }
    }
    return null
  }

  getStateStore(name: string): StateStore | null {
    for (const t of this.allTasks()) {
      const s = t.getStore(name)
      if (s !== null) return s
    }
    return null
  }

  getKeyValueStore<K, V>(name: string): KeyValueStore<K, V> & ReadOnlyKeyValueStore<K, V> {
    const s = this.getStateStore(name)
    if (!(s instanceof MeteredKeyValueStore)) throw new StreamsException(`No key-value store named '${name}'`)
    return s as KeyValueStore<K, V>
  }

  getWindowStore<K, V>(name: string): WindowStore<K, V> & ReadOnlyWindowStore<K, V> {
    const s = this.getStateStore(name)
    if (!(s instanceof MeteredWindowStore)) throw new StreamsException(`No window store named '${name}'`)
    return s as WindowStore<K, V>
  }

  getSessionStore<K, V>(name: string): SessionStore<K, V> & ReadOnlySessionStore<K, V> {
    const s = this.getStateStore(name)
    if (!(s instanceof MeteredSessionStore)) throw new StreamsException(`No session store named '${name}'`)
    return s as SessionStore<K, V>
  }

  /** Interactive queries: a read-only view of a store, as the runtime will offer with streams.store(). */
  store<T>(storeName: string, type: QueryableStoreType<T>): T {
    return readOnlyView(storeName, this.getStateStore(storeName), type)
  }

  /** Every topic written so far: sinks, repartition, changelog and dead-letter topics. */
  producedTopicNames(): string[] {
    return [...this.produced].sort()
  }

  /** Raw records of any produced topic, including ones already read (for checking changelogs). */
  readRawRecords(topic: string): Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; offset: number; headers: Headers }> {
    return [...(this.history.get(topic) ?? [])]
  }

  /** The tasks, for tests of executor seams. */
  taskList(): StreamTask[] {
    return [...this.tasks]
  }

  close(): void {
    if (this.closed) return
    for (const t of this.allTasks()) {
      t.commit()
      this.drain()
    }
    for (const t of this.allTasks()) t.close()
    this.closed = true
  }

  // DriverTopics

  pipe(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    this.checkOpen()
    const task = this.topicTask.get(topic)
    if (task === undefined) throw new TopologyException(`topic '${topic}' is not a source topic of this topology`)
    const rec = this.append(topic, key, value, timestamp, headers, false)
    task.process({ topic, partition: 0, offset: rec.offset, timestamp, key, value, headers })
    this.drain()
    if (this.config.commitIntervalMs === undefined) this.commit()
  }

  read(topic: string): StoredRecord | undefined {
    return this.outputs.get(topic)?.shift()
  }

  queueSize(topic: string): number {
    return this.outputs.get(topic)?.length ?? 0
  }

  wallClockTime(): number {
    return this.now
  }

  private readonly history = new Map<string, StoredRecord[]>()

  private append(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers, output = true): StoredRecord {
    const offset = this.logEnd.get(topic) ?? 0
    this.logEnd.set(topic, offset + 1)
    const rec: StoredRecord = { key, value, timestamp, headers, offset }
    if (output) {
      this.produced.add(topic)
      let q = this.outputs.get(topic)
      if (q === undefined) this.outputs.set(topic, (q = []))
      q.push(rec)
      let h = this.history.get(topic)
      if (h === undefined) this.history.set(topic, (h = []))
      h.push(rec)
    }
    return rec
  }

  /** Feeds records written to repartition topics to the tasks reading them, until none are left. */
  private drain(): void {
    if (this.draining) return
    this.draining = true
    try {
      while (this.pending.length > 0) {
        const { topic, record } = this.pending.shift()!
        const task = this.topicTask.get(topic)
        if (task === undefined) continue
        task.process({ topic, partition: 0, offset: record.offset, timestamp: record.timestamp, key: record.key, value: record.value, headers: record.headers })
      }
    } finally {
      this.draining = false
    }
  }

  private maybeCommit(): void {
    const interval = this.config.commitIntervalMs
    if (interval === undefined || this.now - this.lastCommit >= interval) this.commit()
  }

  private allTasks(): StreamTask[] {
    return this.globalTask === null ? this.tasks : [this.globalTask, ...this.tasks]
  }

  private checkOpen(): void {
    if (this.closed) throw new StreamsException('The TopologyTestDriver is closed')
  }
}
