// Runs one SourceTask: poll → transforms → converters → produce; once the broker acknowledged
// every record of a poll, the offsets they carry are written to connect-offsets (acknowledged
// too), then commitRecord() for each record and task.commit() run. Up to MAX_IN_FLIGHT polls can
// be sent while earlier ones await their acknowledgement; offsets are written strictly in poll
// order. A crash loses no record: at worst the records after the last stored offset are
// produced again.
import { EventLoopTurns } from '../../core/common/time.js'
import type { Producer, SendListener } from '../../core/client/types.js'
import type { SourceTask, SourceTaskContext, TaskConfig } from '../api/connector.js'
import type { SourceOffset, SourcePartition, SourceRecord } from '../api/record.js'
import { errorMessage } from '../errors.js'
import type { OffsetStore } from './offset-store.js'
import { prepareConverters, retrying, setTaskState, transform, wrapTaskError, type TaskRuntime } from './task-runtime.js'
import { producerOverrides } from './client-overrides.js'
import type { ByteRange } from '../converters/converter.js'

const EMPTY = Buffer.alloc(0)

/**
 * Polls whose records may be in flight at once. 1 until concurrent sendBatch calls are shown to
 * keep their order on every client: the pgbench e2e with 4 saw records land out of order.
 */
const MAX_IN_FLIGHT = 1

/**
 * The source producer's batch.size unless producer.override.batch.size says otherwise. The Java
 * client's 16 KiB holds ~45 change events of ~350 bytes, so a poll of max.batch.size (2048) rows
 * became ~45 batches, each sealed, CRC'd, written to the log and acknowledged on its own. A poll
 * is flushed whole anyway (the next one waits for its acknowledgement), so larger batches only
 * cost memory while they fill: 512 KiB, half the default max.message.bytes (a record that would
 * take a batch past batch.size starts the next one, so batches stay within it).
 */
export const SOURCE_BATCH_SIZE = 512 * 1024

export class WorkerSourceTask {
  private producer: Producer | null = null
  private readonly knownTopics = new Set<string>()
  private loop: Promise<void> | null = null
  /** The poll loop gives the event loop a turn every 5 ms. */
  private readonly turns = new EventLoopTurns(5)
  private committing: Promise<void> = Promise.resolve()
  private inFlight = 0
  private commitError: unknown = null
  /** Where the converters put the current record's key and value bytes (fromConnectDataRange). */
  private readonly keyRange: ByteRange = { buffer: EMPTY, start: 0, end: 0 }
  private readonly valueRange: ByteRange = { buffer: EMPTY, start: 0, end: 0 }
  failure: Error | null = null

  constructor(
    private readonly rt: TaskRuntime,
    private readonly task: SourceTask,
    private readonly taskConfig: TaskConfig,
    private readonly offsets: OffsetStore,
  ) {}

  async start(): Promise<void> {
    const rt = this.rt
    this.producer = rt.client.producer({ clientId: `connector-producer-${rt.connector}-${rt.taskId}`, acks: 'all', lingerMs: 1, batchSize: SOURCE_BATCH_SIZE, ...producerOverrides(rt.config.originals, rt.connector) })
    const context: SourceTaskContext = {
      connector: rt.connector,
      taskId: rt.taskId,
      offsetStorageReader: this.offsets.reader(rt.connector),
      client: rt.client,
      signal: rt.signal,
      progress: progressReporter(rt),
    }
    await retrying(rt, 'task start', () => this.task.start(this.taskConfig, context))
    await setTaskState(rt, 'RUNNING', null)
    this.loop = this.run()
  }

  private async run(): Promise<void> {
    const rt = this.rt
    try {
      while (!rt.signal.aborted) {
        if (this.commitError !== null) throw this.commitError
        if (rt.gate.paused) {
          await this.committing
          await setTaskState(rt, 'PAUSED', null)
          await rt.gate.wait(rt.signal)
          if (rt.signal.aborted) break
          await setTaskState(rt, 'RUNNING', null)
        }
        const records = await retrying(rt, 'poll', () => this.task.poll())
        if (records.length > 0) await this.sendAndCommit(records)
        // A task whose database answers synchronously (SQLite) writing to the embedded log would
        // otherwise run its whole backlog on promise callbacks alone, with no timer or socket served.
        await this.turns.take()
      }
      await this.committing
      if (this.commitError !== null) throw this.commitError
    } catch (err) {
      if (rt.signal.aborted) return
      this.failure = wrapTaskError(rt, err)
      rt.log(`${rt.connector}-${rt.taskId} FAILED: ${this.failure.message}`)
      await setTaskState(rt, 'FAILED', this.failure.message).catch(() => {})
    }
  }

  private async sendAndCommit(records: SourceRecord[]): Promise<void> {
    const rt = this.rt
    // Transforms first (they may rename topics), so the topics exist before the first send.
    let sent = records
    if (rt.chain.steps.length > 0) {
      sent = []
      for (const r of records) {
        const t = transform(rt, r)
        if (t !== null) sent.push(t)
      }
    }
    let lastTopic: string | null = null
    for (const t of sent) {
      if (t.topic === lastTopic) continue
      lastTopic = t.topic
      if (!this.knownTopics.has(t.topic)) {
        await this.ensureTopics(sent)
        break
      }
    }
    const keyConverter = rt.keyConverter
    const valueConverter = rt.valueConverter
    // Converters that register schemas (Avro) do it for the whole poll here, so converting stays synchronous.
    if (keyConverter.prepareFromConnectData !== undefined || valueConverter.prepareFromConnectData !== undefined) {
      const prepared = prepareConverters(rt, () => [keyConverter.prepareFromConnectData?.(sent), valueConverter.prepareFromConnectData?.(sent)])
      if (prepared !== null) await prepared
    }
    // Each record goes to the producer as it is converted (sendQuiet: no ProducerRecord, promise
    // or RecordMetadata per record); one listener counts the poll's acknowledgements.
    const ack = new PollAcknowledgement()
    const producer = this.producer!
    const now = Date.now()
    ack.expect(sent.length)
    if (producer.sendQuietRange !== undefined && keyConverter.fromConnectDataRange !== undefined && valueConverter.fromConnectDataRange !== undefined) {
      // Converters that write into buffers of their own hand over byte ranges: no Buffer per key and value.
      const k = this.keyRange
      const v = this.valueRange
      for (const t of sent) {
        const hasKey = keyConverter.fromConnectDataRange(t.topic, t.keySchema, t.key, k)
        const hasValue = valueConverter.fromConnectDataRange(t.topic, t.valueSchema, t.value, v)
        producer.sendQuietRange(t.topic, t.kafkaPartition ?? -1, hasKey ? k.buffer : null, k.start, k.end, hasValue ? v.buffer : null, v.start, v.end, t.timestamp ?? now, t.headers.length > 0 ? t.headers : undefined, ack)
      }
    } else {
      for (const t of sent) {
        const key = keyConverter.fromConnectData(t.topic, t.keySchema, t.key)
        const value = valueConverter.fromConnectData(t.topic, t.valueSchema, t.value)
        producer.sendQuiet(t.topic, t.kafkaPartition ?? -1, key, value, t.timestamp ?? now, t.headers.length > 0 ? t.headers : undefined, ack)
      }
    }
    const acked = ack.sealed()
    acked.catch(() => {}) // observed through the commit chain
    // The next poll waits for this one's acknowledgement (MAX_IN_FLIGHT = 1): nothing else can
    // join the open batches, so they go now instead of after linger.ms (outcomes reach `ack`).
    if (MAX_IN_FLIGHT === 1) producer.flush().catch(() => {})
    // The last offset per source partition, in poll order (records dropped by transforms count too).
    // Tasks reuse one partition object for their records: a partition is looked at once per run.
    const lastIndex = new Map<string, number>()
    let lastPartition: SourcePartition | null = null
    for (let i = 0; i < records.length; i++) {
      const p = records[i]!.sourcePartition
      if (p === lastPartition) continue
      if (lastPartition !== null) lastIndex.set(JSON.stringify(lastPartition), i - 1)
      lastPartition = p
    }
    if (lastPartition !== null) lastIndex.set(JSON.stringify(lastPartition), records.length - 1)
    const latest: Array<{ partition: SourcePartition; offset: SourceOffset }> = []
    for (const i of lastIndex.values()) latest.push({ partition: records[i]!.sourcePartition, offset: records[i]!.sourceOffset })
    this.inFlight++
    this.committing = this.committing.then(async () => {
      try {
        if (this.commitError !== null) return
        await acked
        await this.offsets.write(rt.connector, latest)
        if (this.task.commitRecord) for (const r of records) this.task.commitRecord(r)
        if (this.task.commit) await this.task.commit()
      } catch (err) {
        this.commitError ??= err
      } finally {
        this.inFlight--
      }
    })
    if (this.inFlight >= MAX_IN_FLIGHT) await this.committing
  }

  private async ensureTopics(records: SourceRecord[]): Promise<void> {
    const missing = new Set<string>()
    for (const r of records) if (!this.knownTopics.has(r.topic)) missing.add(r.topic)
    if (missing.size === 0) return
    const admin = this.rt.client.admin()
    try {
      const existing = new Set(await admin.listTopics())
      const create = [...missing].filter((t) => !existing.has(t))
      if (create.length > 0) {
        const partitions = this.rt.config.getInt('topic.creation.default.partitions')
        await admin.createTopics(create.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 }))).catch((err: unknown) => {
          if (!/already exists/i.test(errorMessage(err))) throw err
        })
      }
      for (const t of missing) this.knownTopics.add(t)
    } finally {
      await admin.close()
    }
  }

  /** Topics this task has written to (Connect's active topics of a source). */
  topics(): string[] {
    return [...this.knownTopics]
  }

  /** Stops polling, lets the task stop (it flushes), closes the producer. */
  async stop(): Promise<void> {
    await this.loop
    await this.task.stop().catch(() => {})
    await this.producer?.flush().catch(() => {})
    await this.producer?.close().catch(() => {})
  }
}

/** Counts one poll's acknowledgements (SendListener of its sendQuiet records); settles once all were sent and acknowledged, or one failed. */
class PollAcknowledgement implements SendListener {
  private left = 0
  private isSealed = false
  private failure: Error | null = null
  private resolve: (() => void) | null = null
  private reject: ((e: Error) => void) | null = null

  /** `n` more records are about to be sent. */
  expect(n: number): void {
    this.left += n
  }

  /** Every record was sent: the promise of their acknowledgement. */
  sealed(): Promise<void> {
    this.isSealed = true
    if (this.failure !== null) return Promise.reject(this.failure)
    if (this.left === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
    })
  }

  onAcknowledged(_topic: string, _partition: number, _lastOffset: number, count: number): void {
    this.left -= count
    if (this.left === 0 && this.isSealed && this.failure === null) this.resolve?.()
  }

  onFailed(_topic: string, _partition: number, _count: number, error: Error): void {
    if (this.failure !== null) return
    this.failure = error
    this.reject?.(error)
  }
}

function progressReporter(rt: TaskRuntime): SourceTaskContext['progress'] {
  let label = ''
  let total: number | null = null
  let done = 0
  return {
    start(l, t) {
      label = l
      total = t
      done = 0
      rt.onProgress({ connector: rt.connector, taskId: rt.taskId, label, total, done, finished: false })
    },
    advance(rows) {
      done += rows
      rt.onProgress({ connector: rt.connector, taskId: rt.taskId, label, total, done, finished: false })
    },
    done() {
      rt.onProgress({ connector: rt.connector, taskId: rt.taskId, label, total, done, finished: true })
    },
  }
}
