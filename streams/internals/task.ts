// A task runs one sub-topology for one partition: it deserializes input
// records, pushes them through the processors, tracks stream time, fires
// punctuations and commits its state. The test driver and the runtime are
// both executors of tasks; they only feed records and call the hooks.
import type { RecordView } from '../../core/client/types.js'
import type { CacheBudget } from '../state/cache-budget.js'
import { isStringSerde, type Serde } from '../serdes.js'
import type { Cancellable, ProcessorContext, Punctuator, RecordMetadata, TaskId } from '../processor/api.js'
import type { Headers } from '../processor/record.js'
import type { StateStore } from '../state/types.js'
import type { ChangelogWriter } from '../state/state-manager.js'
import type { AnyProcessor, InternalTopologyBuilder, NodeDef, RecordContextInfo, Subtopology, TimestampExtractor } from './topology-builder.js'
import { PunctuationType } from '../processor/api.js'
import { Record as StreamRecord } from '../processor/record.js'
import { StateManager } from '../state/state-manager.js'
import { ProcessorException, StreamsException, TopologyException } from '../errors.js'
import { resolveSerde, type SerdeDefaults } from './serde-resolution.js'
import { inlineStepOf, type Emit } from './operators/base.js'

export type DeserializationExceptionHandler = 'logAndContinue' | 'logAndFail' | { deadLetterTopic: string }

/** Where a processor failed (Kafka's ErrorHandlerContext). */
export interface ErrorHandlerContext {
  /** The input record being processed: its topic, partition and offset (null in a punctuation). */
  topic: string | null
  partition: number
  offset: number
  timestamp: number
  headers: Headers
  processorNodeId: string
  taskId: string
}

/** What a processing failure does to the record (Kafka's ProcessingExceptionHandler.ProcessingHandlerResponse). */
export type ProcessingHandlerResponse = 'CONTINUE' | 'FAIL'

/**
 * processing.exception.handler (KIP-1033): 'logAndFail' (the default) stops processing with the
 * failure; 'logAndContinue' logs it and drops the record at the processor that threw (its other
 * branches go on); a function decides record by record.
 */
export type ProcessingExceptionHandler =
  | 'logAndFail'
  | 'logAndContinue'
  | ((context: ErrorHandlerContext, record: { key: unknown; value: unknown; timestamp: number }, error: Error) => ProcessingHandlerResponse)

export interface StreamsConfig extends SerdeDefaults {
  applicationId: string
  /** Directory for task state (SQLite files, checkpoints); null/undefined keeps state in memory. */
  stateDir?: string | null
  /**
   * statestore.cache.max.bytes: the record caches of all stores of an instance share this many
   * bytes (Kafka's ThreadCache; a task outside an instance has a budget of its own). Default 10 MiB.
   * 0 disables caching.
   */
  cacheMaxBytes?: number
  /** When set, stream time of a task that has seen no record for this long advances with the wall clock. */
  idleAdvanceMs?: number | null
  deserializationExceptionHandler?: DeserializationExceptionHandler
  processingExceptionHandler?: ProcessingExceptionHandler
  /** Where warnings go (skipped records, late records). Default: nowhere. */
  logger?: (message: string) => void
  /** processing.guarantee; exactly_once_v2 needs the runtime (KafkaStreams) and transactions in the client. Default at_least_once. */
  processingGuarantee?: 'at_least_once' | 'exactly_once_v2'
}

/**
 * Where sinks write. The collector picks the partition: with `partitioner` (a StreamPartitioner
 * bound to the record) when given and it returns a number, else from the key bytes (murmur2).
 * A string key or value is the output of Serdes.String(): UTF-8 text, handed on unencoded so the
 * producer writes it straight into its batch (Producer.sendQuiet).
 */
export interface RecordCollector {
  send(
    topic: string,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: Headers,
    partitioner: ((numPartitions: number) => number | null) | null,
  ): void
}

export interface InputRecord {
  topic: string
  partition: number
  offset: number
  timestamp: number
  key: Buffer | null
  value: Buffer | null
  headers: Headers
}

/** Where an input record came from: what errors and recordMetadata() report. */
export interface InputPosition {
  readonly topic: string
  readonly partition: number
  readonly offset: number
}

export class TaskIdImpl implements TaskId {
  constructor(
    readonly subtopology: number,
    readonly partition: number,
  ) {}
  toString(): string {
    return `${this.subtopology}_${this.partition}`
  }
}

/**
 * A node as the task runs it, with two entries: `process` takes a Record (what processors
 * forward), `emit` takes its fields. Inline steps (filter, mapValues, selectKey, ...) and sinks
 * work on fields, so a chain of them costs a call per hop and no object; a processor gets a
 * Record made where the chain reaches it.
 */
interface RuntimeNode {
  name: string
  children: RuntimeNode[]
  process(record: StreamRecord<unknown, unknown>): void
  emit: Emit
}

interface Schedule {
  interval: number
  type: PunctuationType
  callback: Punctuator
  next: number
  cancelled: boolean
}

interface SourceRuntime {
  node: RuntimeNode
  keySerde: Serde<unknown>
  valueSerde: Serde<unknown>
  extractor: TimestampExtractor | null
}

/** Global stores are owned by the executor's global task and shared with every task. */
export interface GlobalStores {
  get(name: string): StateStore | null
}

export class StreamTask {
  readonly id: TaskId
  readonly stateManager: StateManager
  private readonly sources = new Map<string, SourceRuntime>()
  private readonly processors: Array<{ processor: AnyProcessor; context: ProcessorContext }> = []
  private readonly schedules: Schedule[] = []
  private streamTime = -1
  // Mutated in place, not reallocated per record: the runtime's hot path.
  private readonly current: { input: InputPosition | null; metadata: RecordMetadata | null; timestamp: number } = { input: null, metadata: null, timestamp: 0 }
  private lastRecordWallClock: number
  private idleAdvancedTo: number
  private commitRequested = false
  private readonly log: (m: string) => void

  constructor(
    readonly subtopology: Subtopology,
    readonly partition: number,
    private readonly builder: InternalTopologyBuilder,
    readonly config: StreamsConfig,
    private readonly collector: RecordCollector,
    changelogWriter: ChangelogWriter | null,
    private readonly wallClock: () => number,
    private readonly globalStores: GlobalStores | null = null,
    /** The record-cache budget the instance's tasks share (statestore.cache.max.bytes); default: one of this task's own. */
    cacheBudget: CacheBudget | null = null,
  ) {
    this.id = new TaskIdImpl(subtopology.id, partition)
    this.log = config.logger ?? (() => {})
    this.lastRecordWallClock = wallClock()
    this.idleAdvancedTo = this.lastRecordWallClock
    this.stateManager = new StateManager({
      applicationId: config.applicationId,
      taskId: this.id.toString(),
      partition,
      stateDir: config.stateDir ?? null,
      changelogWriter,
      currentTimestamp: () => this.current.timestamp,
      cacheMaxBytes: config.cacheMaxBytes,
      ...(cacheBudget === null ? {} : { cacheBudget }),
      checkpointOnFlush: config.processingGuarantee !== 'exactly_once_v2',
    })
  }

  /** Registers stores and builds and initializes the processors. Restore (by the runtime) goes between this and processing. */
  init(): void {
    this.initStores()
    this.initProcessors()
  }

  /** Registers and opens the sub-topology's stores: all a standby replica needs. */
  initStores(): void {
    for (const s of this.subtopology.stores) {
      if (this.builder.globalStores.has(s) && !this.subtopology.global) continue
      const b = this.builder.stores.get(s)!
      let sb = b
      if (b.cachingEnabled && this.config.cacheMaxBytes === 0) sb = b.withCachingDisabled()
      this.stateManager.register(sb, resolveSerde(b.keySerde as never, 'key', this.config, `store '${s}'`), resolveSerde(b.valueSerde as never, 'value', this.config, `store '${s}'`))
    }
  }

  private initProcessors(): void {
    const byName = new Map<string, RuntimeNode>()
    for (const def of this.subtopology.nodes) byName.set(def.name, this.makeNode(def))
    for (const def of this.subtopology.nodes) {
      const node = byName.get(def.name)!
      for (const c of this.builder.children(def.name)) {
        const child = byName.get(c)
        if (child !== undefined) node.children.push(child)
      }
    }
    // Children before parents: an inline step binds to the emit of what follows it.
    for (let i = this.subtopology.nodes.length - 1; i >= 0; i--) this.link(this.subtopology.nodes[i]!, byName.get(this.subtopology.nodes[i]!.name)!)
    for (const p of this.processors) p.processor.init?.(p.context as never)
  }

  sourceTopics(): string[] {
    return [...this.sources.keys()]
  }

  /** The input record being processed (null between records and in punctuation): where an error came from. */
  get currentInput(): InputPosition | null {
    return this.current.input
  }

  get currentStreamTime(): number {
    return this.streamTime
  }

  /**
   * Set by KafkaStreams: a deserializer's error that carries `retryAfter` (what it needs is being
   * fetched) leaves the record unprocessed, with `blockedOn` set, for the runtime to process again
   * once that settles. Off (the test driver, or past task.timeout.ms), the error goes to the
   * deserialization handler like any other.
   */
  retriesDeserialization = false
  /** After process()/processView() returned false: what the record waits for, when it waits rather than was skipped. The runtime takes it (sets it back to null). */
  blockedOn: Promise<unknown> | null = null

  /** Processes one input record; returns false when it was skipped (or, with blockedOn set, held back). */
  process(input: InputRecord): boolean {
    const src = this.source(input.topic)
    let key: unknown
    let value: unknown
    try {
      key = src.keySerde.deserialize(input.topic, input.key)
      value = src.valueSerde.deserialize(input.topic, input.value)
    } catch (err) {
      if (this.waitsFor(err)) return false
      return this.deserializationFailed(input, err)
    }
    return this.run(src, input, key, value, input.timestamp, input.headers)
  }

  /**
   * process() of a polled record left in the fetched bytes: key and value are read in place where
   * the serde can (deserializeFrom), and the record becomes an object only if it fails to.
   */
  processView(input: RecordView): boolean {
    const topic = input.topic
    const src = this.source(topic)
    const ks = src.keySerde
    const vs = src.valueSerde
    const b = input.bytes
    let key: unknown
    let value: unknown
    try {
      if (input.keyStart < 0) key = ks.deserialize(topic, null)
      else if (ks.deserializeFrom !== undefined) key = ks.deserializeFrom(topic, b, input.keyStart, input.keyEnd)
      else key = ks.deserialize(topic, b.subarray(input.keyStart, input.keyEnd))
      if (input.valueStart < 0) value = vs.deserialize(topic, null)
      else if (vs.deserializeFrom !== undefined) value = vs.deserializeFrom(topic, b, input.valueStart, input.valueEnd)
      else value = vs.deserialize(topic, b.subarray(input.valueStart, input.valueEnd))
    } catch (err) {
      if (this.waitsFor(err)) return false
      return this.deserializationFailed(input.toRecord(), err)
    }
    return this.run(src, input, key, value, input.timestamp, input.headers)
  }

  /** Whether the deserialization error is one to wait out (sets blockedOn): a `retryAfter` promise on it or on an error it wraps. */
  private waitsFor(err: unknown): boolean {
    if (!this.retriesDeserialization) return false
    const wait = retryAfterOf(err)
    if (wait === null) return false
    this.blockedOn = wait
    return true
  }

  private lastSourceTopic = ''
  private lastSource: SourceRuntime | null = null

  private source(topic: string): SourceRuntime {
    // Records come in runs of one partition: the last topic's source is mostly the one.
    if (topic === this.lastSourceTopic && this.lastSource !== null) return this.lastSource
    const src = this.sources.get(topic)
    if (src === undefined) throw new StreamsException(`Task ${this.id} has no source for topic '${topic}'`)
    this.lastSourceTopic = topic
    this.lastSource = src
    return src
  }

  private run(src: SourceRuntime, input: InputPosition, key: unknown, value: unknown, timestamp: number, headers: Headers): boolean {
    let ts = timestamp
    if (src.extractor !== null) ts = src.extractor({ topic: input.topic, key, value, timestamp }, this.streamTime)
    if (ts < 0) {
      this.log(`Skipping record with negative timestamp ${ts} from ${input.topic}-${input.partition}@${input.offset}`)
      return false
    }
    this.lastRecordWallClock = this.wallClock()
    this.idleAdvancedTo = this.lastRecordWallClock
    const first = this.streamTime < 0
    if (ts > this.streamTime) this.streamTime = ts
    const cur = this.current
    cur.input = input
    cur.metadata = null
    cur.timestamp = ts
    try {
      src.node.emit(key, value, ts, headers)
    } finally {
      cur.input = null
      cur.metadata = null
    }
    this.punctuateStreamTime(first)
    return true
  }

  /**
   * Called by the executor as the wall clock moves: fires wall-clock punctuations and, with
   * idleAdvanceMs, moves stream time forward while the task has no input.
   */
  advanceWallClock(now: number): void {
    for (const s of [...this.schedules]) {
      if (s.cancelled || s.type !== PunctuationType.WALL_CLOCK_TIME || now < s.next) continue
      s.next = now + s.interval - ((now - s.next) % s.interval)
      this.punctuate(s, now)
    }
    const idle = this.config.idleAdvanceMs
    if (idle !== null && idle !== undefined && this.streamTime >= 0) {
      const from = Math.max(this.idleAdvancedTo, this.lastRecordWallClock + idle)
      if (now > from) {
        this.streamTime += now - from
        this.idleAdvancedTo = now
        this.punctuateStreamTime(false)
      }
    }
  }

  /** Flushes caches (which may forward), commits SQLite and writes the checkpoint. */
  commit(): void {
    this.current.input = null
    this.current.metadata = null
    this.stateManager.flush()
    this.commitRequested = false
  }

  get needsCommit(): boolean {
    return this.commitRequested
  }

  close(): void {
    for (const p of this.processors) p.processor.close?.()
    this.stateManager.close()
  }

  getStore(name: string): StateStore | null {
    return this.stateManager.getStore(name)
  }

  /** The input record being processed as RecordMetadata, made only when asked for. */
  private recordMetadata(): RecordMetadata | null {
    const cur = this.current
    if (cur.input === null) return null
    return (cur.metadata ??= { topic: cur.input.topic, partition: cur.input.partition, offset: cur.input.offset })
  }

  private punctuateStreamTime(first: boolean): void {
    if (this.schedules.length === 0) return
    for (const s of [...this.schedules]) {
      if (s.cancelled || s.type !== PunctuationType.STREAM_TIME) continue
      if (s.next < 0 || first) s.next = this.streamTime
      if (this.streamTime < s.next) continue
      s.next = this.streamTime + s.interval - ((this.streamTime - s.next) % s.interval)
      this.punctuate(s, this.streamTime)
    }
  }

  private punctuate(s: Schedule, time: number): void {
    this.current.input = null
    this.current.metadata = null
    this.current.timestamp = time
    s.callback(time)
  }

  /**
   * The processing exception handler's answer for an error thrown at node `name` (only the innermost
   * node asks: an error already wrapped was answered FAIL there): true to drop the record and go on.
   * A handler that throws, or answers anything else, fails processing.
   */
  private continuesAfter(name: string, err: unknown, key: unknown, value: unknown, timestamp: number, headers: Headers): boolean {
    const handler = this.config.processingExceptionHandler ?? 'logAndFail'
    if (handler === 'logAndFail' || err instanceof ProcessorException || this.current.input === null) return false
    const input = this.current.input
    const error = err instanceof Error ? err : new Error(String(err))
    let answer: ProcessingHandlerResponse
    if (handler === 'logAndContinue') answer = 'CONTINUE'
    else {
      const context: ErrorHandlerContext = { topic: input.topic, partition: input.partition, offset: input.offset, timestamp, headers, processorNodeId: name, taskId: this.id.toString() }
      try {
        answer = handler(context, { key, value, timestamp }, error)
      } catch (handlerErr) {
        throw new StreamsException(`The processing exception handler failed on an error of ${name} in task ${this.id.toString()}: ${String(handlerErr)}`, { cause: handlerErr })
      }
    }
    if (answer !== 'CONTINUE') return false
    this.log(`Skipping record at topic=${input.topic}, partition=${input.partition}, offset=${input.offset} after an error in processor ${name} (task ${this.id.toString()}): ${error.message}`)
    return true
  }

  /** An error of node `name` as the ProcessorException that says where it happened (once: the innermost node). */
  private failure(name: string, err: unknown): unknown {
    if (err instanceof ProcessorException) return err
    const md = this.recordMetadata()
    const where = md === null ? 'while punctuating or flushing' : `topic=${md.topic}, partition=${md.partition}, offset=${md.offset}`
    return new ProcessorException(this.id.toString(), name, where, err)
  }

  /** Runs a processor node on a record, with the record's timestamp as the current one. */
  private runNode(node: RuntimeNode, run: (record: StreamRecord<unknown, unknown>) => void, record: StreamRecord<unknown, unknown>): void {
    const prevTs = this.current.timestamp
    this.current.timestamp = record.timestamp
    try {
      run(record)
    } catch (err) {
      if (!this.continuesAfter(node.name, err, record.key, record.value, record.timestamp, record.headers)) throw this.failure(node.name, err)
    } finally {
      this.current.timestamp = prevTs
    }
  }

  /** The emit of everything below a node: one child's own, or each child's in turn. */
  private static childrenEmit(children: RuntimeNode[]): Emit {
    if (children.length === 0) return () => {}
    // Children are linked before their parents, so a lone child's emit is final: called directly, no hop between.
    if (children.length === 1) return children[0]!.emit
    return (k, v, ts, h) => {
      for (let i = 0; i < children.length; i++) children[i]!.emit(k, v, ts, h)
    }
  }

  /** Binds a node's entries once its children are known (inline steps to their children's emit). */
  private link(def: NodeDef, node: RuntimeNode): void {
    if (def.kind !== 'processor') {
      if (def.kind === 'source') node.emit = StreamTask.childrenEmit(node.children)
      return
    }
    const step = inlineStepOf(def.supplier)
    if (step === null) return
    const body = step(StreamTask.childrenEmit(node.children))
    const name = def.name
    node.emit = (k, v, ts, h) => {
      try {
        body(k, v, ts, h)
      } catch (err) {
        if (!this.continuesAfter(name, err, k, v, ts, h)) throw this.failure(name, err)
      }
    }
    node.process = (r) => node.emit(r.key, r.value, r.timestamp, r.headers)
  }

  private deserializationFailed(input: InputRecord, err: unknown): boolean {
    const handler = this.config.deserializationExceptionHandler ?? 'logAndFail'
    const where = `topic '${input.topic}', partition ${input.partition}, offset ${input.offset}`
    const reason = err instanceof Error ? err.message : String(err)
    if (handler === 'logAndFail') throw new StreamsException(`Deserialization failed for record at ${where}: ${reason}`, { cause: err })
    if (handler === 'logAndContinue') {
      this.log(`Skipping record that failed deserialization at ${where}: ${reason}`)
      return false
    }
    const headers: Headers = [
      ...input.headers,
      { key: '__brook.dlq.reason', value: Buffer.from(reason) },
      { key: '__brook.dlq.topic', value: Buffer.from(input.topic) },
      { key: '__brook.dlq.partition', value: Buffer.from(String(input.partition)) },
      { key: '__brook.dlq.offset', value: Buffer.from(String(input.offset)) },
    ]
    this.collector.send(handler.deadLetterTopic, input.key, input.value, input.timestamp, headers, null)
    this.log(`Sent record that failed deserialization at ${where} to '${handler.deadLetterTopic}'`)
    return false
  }

  private makeNode(def: NodeDef): RuntimeNode {
    const children: RuntimeNode[] = []
    const unlinked = (): never => {
      throw new StreamsException(`node ${def.name} ran before the task was initialized`)
    }
    if (def.kind === 'source') {
      const node: RuntimeNode = {
        name: def.name,
        children,
        process: (r) => node.emit(r.key, r.value, r.timestamp, r.headers),
        emit: unlinked,
      }
      const src: SourceRuntime = {
        node,
        keySerde: resolveSerde(def.keySerde, 'key', this.config, def.name),
        valueSerde: resolveSerde(def.valueSerde, 'value', this.config, def.name),
        extractor: def.timestampExtractor,
      }
      for (const t of def.topics) this.sources.set(this.builder.resolveTopic(t, this.config.applicationId), src)
      return node
    }
    if (def.kind === 'sink') {
      const keySerde = resolveSerde(def.keySerde, 'key', this.config, def.name)
      const valueSerde = resolveSerde(def.valueSerde, 'value', this.config, def.name)
      const appId = this.config.applicationId
      const fixedTopic = typeof def.topic === 'string' ? this.builder.resolveTopic(def.topic, appId) : null
      // Strings of Serdes.String() go on as text: the producer writes their UTF-8 bytes into its batch.
      const keyText = isStringSerde(keySerde)
      const valueText = isStringSerde(valueSerde)
      const send = (k: unknown, v: unknown, ts: number, h: Headers): void => {
        let topic: string
        if (fixedTopic !== null) topic = fixedTopic
        else if (typeof def.topic !== 'string') {
          const md = this.recordMetadata()
          const ctx: RecordContextInfo = { topic: md?.topic ?? null, partition: md?.partition ?? -1, offset: md?.offset ?? -1, timestamp: ts }
          topic = def.topic(k, v, ctx)
        } else topic = def.topic
        const p = def.partitioner
        const partitioner = p === null ? null : (n: number) => p(topic, k, v, n)
        this.collector.send(
          topic,
          keyText && typeof k === 'string' ? k : keySerde.serialize(topic, k),
          valueText && typeof v === 'string' ? v : valueSerde.serialize(topic, v),
          ts,
          h,
          partitioner,
        )
      }
      const emit: Emit = (k, v, ts, h) => {
        try {
          send(k, v, ts, h)
        } catch (err) {
          throw this.failure(def.name, err)
        }
      }
      return { name: def.name, children, emit, process: (r) => emit(r.key, r.value, r.timestamp, r.headers) }
    }
    // An inline step: link() gives it its entries once its children are known.
    if (inlineStepOf(def.supplier) !== null) return { name: def.name, children, process: unlinked, emit: unlinked }
    const processor = def.supplier()
    const run = (r: StreamRecord<unknown, unknown>): void => processor.process(r)
    const node: RuntimeNode = {
      name: def.name,
      children,
      process: (r) => this.runNode(node, run, r),
      emit: (k, v, ts, h) => this.runNode(node, run, new StreamRecord(k, v, ts, h)),
    }
    const context = this.makeContext(node, def.stores)
    this.processors.push({ processor, context })
    return node
  }

  private makeContext(node: RuntimeNode, stores: string[]): ProcessorContext {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the context object's methods need the task, not themselves
    const task = this
    return {
      applicationId: this.config.applicationId,
      taskId: this.id,
      recordMetadata: () => task.recordMetadata(),
      forward(record, childName) {
        const rec = record as StreamRecord<unknown, unknown>
        if (childName === undefined) {
          const children = node.children
          for (let i = 0; i < children.length; i++) children[i]!.process(rec)
          return
        }
        const child = node.children.find((c) => c.name === childName)
        if (child === undefined) throw new StreamsException(`${node.name} has no child named ${childName}`)
        child.process(rec)
      },
      schedule(intervalMs, type, callback): Cancellable {
        if (!(intervalMs > 0)) throw new TopologyException(`${node.name} scheduled a punctuation with interval ${intervalMs}; it must be > 0`)
        const s: Schedule = {
          interval: intervalMs,
          type,
          callback,
          next: type === PunctuationType.WALL_CLOCK_TIME ? task.wallClock() + intervalMs : task.streamTime < 0 ? -1 : task.streamTime + intervalMs,
          cancelled: false,
        }
        task.schedules.push(s)
        return {
          cancel: () => {
            s.cancelled = true
            const i = task.schedules.indexOf(s)
            if (i >= 0) task.schedules.splice(i, 1)
          },
        }
      },
      getStateStore<S extends StateStore>(name: string): S {
        if (!stores.includes(name)) {
          const global = task.globalStores?.get(name)
          if (global !== null && global !== undefined) return global as S
          throw new StreamsException(`Processor ${node.name} has no access to store '${name}': connect it to the processor first`)
        }
        const s = task.stateManager.getStore(name) ?? task.globalStores?.get(name) ?? null
        if (s === null) throw new StreamsException(`Store '${name}' is not registered in task ${task.id}`)
        return s as S
      },
      currentStreamTimeMs: () => task.streamTime,
      currentSystemTimeMs: () => task.wallClock(),
      commit: () => {
        task.commitRequested = true
      },
    }
  }
}

/** The record timestamp the task is processing (for operators needing it without a context). */
export type { RecordContextInfo }

/** The `retryAfter` promise of an error or of one it wraps (serdes wrap what they call), or null. */
export function retryAfterOf(err: unknown): Promise<unknown> | null {
  let e: unknown = err
  for (let depth = 0; depth < 8 && typeof e === 'object' && e !== null; depth++) {
    const wait = (e as { retryAfter?: unknown }).retryAfter
    if (wait instanceof Promise) return wait
    e = (e as { cause?: unknown }).cause
  }
  return null
}
