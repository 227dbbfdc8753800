// Runs every persistent query in its own TopologyTestDriver and wires them together through
// in-memory topics: a record written to a topic reaches every query reading it, in order.
// Record caching is off, so every aggregate update is emitted (ksqlDB's test runner).
import { TopologyTestDriver } from '../../streams/testing/topology-test-driver.js'
import type { Topology } from '../../streams/processor/topology.js'
import type { Headers } from '../../streams/processor/record.js'
import type { QueryRuntime, QueryStartOptions, RunningQuery } from './runtime.js'
import { readOnlyView, type QueryableStoreType } from '../../streams/state/queryable.js'

export interface TopicRecord {
  readonly key: Buffer | null
  readonly value: Buffer | null
  readonly timestamp: number
  readonly headers: Headers
  readonly offset: number
}

interface DriverEntry {
  readonly queryId: string
  readonly driver: TopologyTestDriver
  readonly sources: Set<string>
  /** PAUSE: records reaching the query wait here, in order, until RESUME. */
  paused: boolean
  /** Wall-clock time that passed while paused, applied at RESUME. */
  pausedWallMs: number
  readonly held: Array<{ topic: string; record: TopicRecord }>
}

export class DriverRuntime implements QueryRuntime {
  readonly kind = 'driver' as const
  private readonly topics = new Map<string, { partitions: number; records: TopicRecord[] }>()
  private readonly drivers: DriverEntry[] = []
  private readonly queue: Array<{ topic: string; record: TopicRecord }> = []
  /** Every record in the order it was written, across topics. */
  private readonly log: Array<{ topic: string; record: TopicRecord }> = []
  private draining = false

  constructor(
    private readonly wallClockMs = 0,
    /** EMIT FINAL on quiet keys: stream time of an idle query moves with the wall clock after this long (null: never). */
    private readonly idleAdvanceMs: number | null = null,
  ) {}

  async start(queryId: string, applicationId: string, topology: Topology, options: QueryStartOptions = {}): Promise<RunningQuery> {
    const partitions: { [t: string]: number } = {}
    for (const [t, v] of this.topics) partitions[t] = v.partitions
    const driver = new TopologyTestDriver(topology, { applicationId, cacheMaxBytes: options.cacheMaxBytes ?? 0, initialWallClockTimeMs: this.wallClockMs, partitions, deserializationExceptionHandler: 'logAndContinue', idleAdvanceMs: this.idleAdvanceMs, ...(options.logger === undefined ? {} : { logger: options.logger }) })
    const sources = new Set<string>()
    for (const s of topology.internal.subtopologies()) for (const t of s.sourceTopics) sources.add(t)
    const entry: DriverEntry = { queryId, driver, sources, paused: options.paused ?? false, pausedWallMs: 0, held: [] }
    // auto.offset.reset=earliest (the default here, as ksqlDB's test runner): a new query reads its topics from the beginning
    const backlog = options.autoOffsetReset === 'latest' ? [] : this.log.filter((x) => sources.has(x.topic))
    this.drivers.push(entry)
    for (const x of backlog) this.deliver(entry, x.topic, x.record)
    this.drain()
    return {
      pause: () => {
        entry.paused = true
      },
      resume: () => {
        entry.paused = false
        for (const x of entry.held.splice(0)) this.deliver(entry, x.topic, x.record)
        if (entry.pausedWallMs > 0) {
          driver.advanceWallClockTime(entry.pausedWallMs)
          entry.pausedWallMs = 0
          this.collect(entry)
        }
        this.drain()
      },
      currentRecord: () => driver.currentRecord(),
      stop: async () => {
        const i = this.drivers.indexOf(entry)
        if (i >= 0) this.drivers.splice(i, 1)
        driver.close()
      },
      store: <T>(name: string, type: QueryableStoreType<T>): T | null => {
        const st = driver.getStateStore(name)
        return st === null ? null : readOnlyView(name, st, type)
      },
    }
  }

  async topicExists(topic: string): Promise<boolean> {
    return this.topics.has(topic)
  }

  async partitionsOf(topic: string): Promise<number | null> {
    return this.topics.get(topic)?.partitions ?? null
  }

  async createTopic(topic: string, partitions: number): Promise<void> {
    if (!this.topics.has(topic)) this.topics.set(topic, { partitions, records: [] })
  }

  async deleteTopics(topics: string[]): Promise<void> {
    for (const t of topics) this.topics.delete(t)
    const gone = new Set(topics)
    for (let i = this.log.length - 1; i >= 0; i--) if (gone.has(this.log[i]!.topic)) this.log.splice(i, 1)
  }

  async listTopics(): Promise<string[]> {
    return [...this.topics.keys()].sort()
  }

  async produce(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): Promise<void> {
    this.append(topic, key, value, timestamp, headers)
    this.drain()
  }

  /** The records written to a topic so far. */
  records(topic: string): readonly TopicRecord[] {
    return this.topics.get(topic)?.records ?? []
  }

  /** Moves every driver's wall clock (wall-clock punctuation, idle window closing). */
  advanceWallClock(ms: number): void {
    for (const d of this.drivers) {
      if (d.paused) {
        d.pausedWallMs += ms
        continue
      }
      d.driver.advanceWallClockTime(ms)
      this.collect(d)
    }
    this.drain()
  }

  async read(topic: string, fromBeginning: boolean, limit: number): Promise<Array<{ key: Buffer | null; value: Buffer | null; timestamp: number; partition: number; offset: number }>> {
    const all = this.records(topic)
    return (fromBeginning ? all : []).slice(0, limit).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp, partition: 0, offset: r.offset }))
  }

  async close(): Promise<void> {
    for (const d of this.drivers.splice(0)) d.driver.close()
  }

  private append(topic: string, key: Buffer | null, value: Buffer | null, timestamp: number, headers: Headers): void {
    let t = this.topics.get(topic)
    if (t === undefined) this.topics.set(topic, (t = { partitions: 1, records: [] }))
    const record: TopicRecord = { key, value, timestamp, headers, offset: t.records.length }
    t.records.push(record)
    this.log.push({ topic, record })
    this.queue.push({ topic, record })
  }

  private drain(): void {
    if (this.draining) return
    this.draining = true
    try {
      while (this.queue.length > 0) {
        const { topic, record } = this.queue.shift()!
        for (const d of [...this.drivers]) if (d.sources.has(topic)) this.deliver(d, topic, record)
      }
    } finally {
      this.draining = false
    }
  }

  private deliver(d: DriverEntry, topic: string, record: TopicRecord): void {
    if (d.paused) {
      d.held.push({ topic, record })
      return
    }
    d.driver.pipe(topic, record.key, record.value, record.timestamp, record.headers)
    this.collect(d)
  }

  /** Moves what a driver wrote to its sink topics into the shared topics. */
  private collect(d: DriverEntry): void {
    for (const topic of d.driver.producedTopicNames()) {
      if (topic.endsWith('-changelog') || topic.endsWith('-repartition')) continue
      for (;;) {
        const r = d.driver.read(topic)
        if (r === undefined) break
        this.append(topic, r.key, r.value, r.timestamp, r.headers)
      }
    }
  }
}
