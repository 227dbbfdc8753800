// Runs one SinkTask: consume (group connect-<name>) → converters → transforms → put() → flush()
// → commit the consumer offsets. Progress lives only in the group's committed offsets, so a
// crash replays at most the batch in flight (the JDBC sink makes that replay idempotent).
// With errors.tolerance=all a record that fails conversion, transformation or the write goes
// to the dead letter queue with __connect.errors.* headers.
import type { Consumer, ConsumerRecord, Producer, RecordHeader, TopicPartitionOffset } from '../../core/client/types.js'
import type { SinkTask, SinkTaskContext, TaskConfig } from '../api/connector.js'
import type { SinkRecord } from '../api/record.js'
import { errorMessage, RetriableException } from '../errors.js'
import { prepareConverters, retrying, setTaskState, toleranceAll, transform, wrapTaskError, type TaskRuntime } from './task-runtime.js'
import { consumerOverrides } from './client-overrides.js'
import { BrookError } from '../../core/errors.js'

/** Commit refusals that mean this member's generation is over, not that the commit is wrong (Kafka's CommitFailedException and RebalanceInProgressException). */
const GROUP_MOVED_ON = new Set(['REBALANCE_IN_PROGRESS', 'ILLEGAL_GENERATION', 'UNKNOWN_MEMBER_ID'])

type Stage = 'KEY_CONVERTER' | 'VALUE_CONVERTER' | 'TRANSFORMATION' | 'TASK_PUT'

export class WorkerSinkTask {
  private consumer: Consumer | null = null
  private dlqProducer: Producer | null = null
  private loop: Promise<void> | null = null
  /**
   * With errors.tolerance=all, the consumed record each delivered record came from: the dead
   * letter queue gets its original bytes, as in Connect (a converter may not write a record back
   * synchronously: the Avro converter has no id for a schema it only read).
   */
  private readonly originals = new WeakMap<SinkRecord, ConsumerRecord>()
  failure: Error | null = null

  constructor(
    private readonly rt: TaskRuntime,
    private readonly task: SinkTask,
    private readonly taskConfig: TaskConfig,
  ) {}

  /** Topics this task reads: those assigned to it, or those configured (Connect's active topics of a sink). */
  topics(): string[] {
    const assigned = new Set((this.consumer?.assignment() ?? []).map((tp) => tp.topic))
    if (assigned.size > 0) return [...assigned]
    return this.rt.config.getOptionalString('topics.regex') === null ? this.rt.config.getList('topics') : []
  }

  get groupId(): string {
    return `connect-${this.rt.connector}`
  }

  async start(): Promise<void> {
    const rt = this.rt
    const consumer = rt.client.consumer({
      clientId: `connector-consumer-${rt.connector}-${rt.taskId}`,
      groupId: this.groupId,
      enableAutoCommit: false,
      autoOffsetReset: 'earliest',
      maxPollRecords: rt.config.getInt('consumer.max.poll.records'),
      ...consumerOverrides(rt.config.originals, rt.connector),
    })
    this.consumer = consumer
    const context: SinkTaskContext = {
      connector: rt.connector,
      taskId: rt.taskId,
      errantRecordReporter: toleranceAll(rt) ? { report: (r, e) => this.toDlq(r, 'TASK_PUT', e) } : null,
      assignment: () => consumer.assignment(),
    }
    await retrying(rt, 'task start', () => this.task.start(this.taskConfig, context))
    const regex = rt.config.getOptionalString('topics.regex')
    if (regex === null) await this.ensureTopics(rt.config.getList('topics'))
    consumer.subscribe(regex !== null ? new RegExp(regex) : rt.config.getList('topics'))
    await setTaskState(rt, 'RUNNING', null)
    // A stop ends the poll in progress at once (its WAKEUP error ends the loop as the stop does).
    rt.signal.addEventListener('abort', () => consumer.wakeup(), { once: true })
    this.loop = this.run()
  }

  /** Listed topics that do not exist yet are created (one partition), so the subscription sees them. */
  private async ensureTopics(topics: string[]): Promise<void> {
    const admin = this.rt.client.admin()
    try {
      const existing = new Set(await admin.listTopics())
      const missing = topics.filter((t) => !existing.has(t))
      if (missing.length > 0) {
        await admin.createTopics(missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1 }))).catch((err: unknown) => {
          if (!/already exists/i.test(errorMessage(err))) throw err
        })
      }
    } finally {
      await admin.close()
    }
  }

  private async run(): Promise<void> {
    const rt = this.rt
    const consumer = this.consumer!
    try {
      while (!rt.signal.aborted) {
        if (rt.gate.paused) {
          await setTaskState(rt, 'PAUSED', null)
          consumer.pause(consumer.assignment())
          while (rt.gate.paused && !rt.signal.aborted) await consumer.poll(200) // keeps the group membership alive
          consumer.resume(consumer.assignment())
          if (rt.signal.aborted) break
          await setTaskState(rt, 'RUNNING', null)
        }
        const batch = await consumer.poll(200)
        if (batch.length === 0) continue
        // Converters that fetch schemas (Avro) do it for the whole batch here, so converting stays synchronous.
        const { keyConverter, valueConverter } = rt
        if (keyConverter.prepareToConnectData !== undefined || valueConverter.prepareToConnectData !== undefined) {
          const prepared = prepareConverters(rt, () => [keyConverter.prepareToConnectData?.(batch), valueConverter.prepareToConnectData?.(batch)])
          if (prepared !== null) await prepared
        }
        const records: SinkRecord[] = []
        const failed: Array<{ cr: ConsumerRecord; stage: Stage; err: Error }> = []
        for (const cr of batch) {
          const r = this.convert(cr, failed)
          if (r !== null) records.push(r)
        }
        for (const f of failed) await this.toDlqRaw(f.cr, f.stage, f.err)
        await this.deliver(records)
        await retrying(rt, 'flush', () => this.task.flush())
        await this.commit(consumer, nextOffsets(batch))
      }
    } catch (err) {
      if (rt.signal.aborted) return
      this.failure = wrapTaskError(rt, err)
      rt.log(`${rt.connector}-${rt.taskId} FAILED: ${this.failure.message}`)
      await setTaskState(rt, 'FAILED', this.failure.message).catch(() => {})
    }
  }

  /**
   * Commits what was written. A commit the group refuses because it moved on (a rebalance, or this
   * member left after a put that outlasted max.poll.interval.ms) is not the task's failure, as in
   * Kafka Connect: the records after the last committed offset come again, to this task or to the
   * partition's new owner, and the next poll joins the group again.
   */
  private async commit(consumer: Consumer, offsets: TopicPartitionOffset[]): Promise<void> {
    try {
      await consumer.commitSync(offsets)
    } catch (err) {
      if (!(err instanceof BrookError) || !GROUP_MOVED_ON.has(err.code)) throw err
      this.rt.log(`${this.rt.connector}-${this.rt.taskId}: offsets not committed, the group moved on (${err.message}); the records after the last commit come again`)
    }
  }

  /** Converts and transforms one record (no await per record); failures tolerated go to `failed` for the dead letter queue. */
  private convert(cr: ConsumerRecord, failed: Array<{ cr: ConsumerRecord; stage: Stage; err: Error }>): SinkRecord | null {
    const rt = this.rt
    let stage: Stage = 'KEY_CONVERTER'
    try {
      const k = rt.keyConverter.toConnectData(cr.topic, cr.key)
      stage = 'VALUE_CONVERTER'
      const v = rt.valueConverter.toConnectData(cr.topic, cr.value)
      stage = 'TRANSFORMATION'
      const record: SinkRecord = {
        topic: cr.topic, kafkaPartition: cr.partition, kafkaOffset: cr.offset, keySchema: k.schema, key: k.value,
        valueSchema: v.schema, value: v.value, timestamp: cr.timestamp, headers: cr.headers,
      }
      const delivered = transform(rt, record, (e) => failed.push({ cr, stage: 'TRANSFORMATION', err: e }))
      if (delivered !== null && toleranceAll(rt)) this.originals.set(delivered, cr)
      return delivered
    } catch (err) {
      if (!toleranceAll(rt)) throw err
      failed.push({ cr, stage, err: err as Error })
      return null
    }
  }

  /** put() with retries for retriable failures; with tolerance=all, a failing batch is retried record by record. */
  private async deliver(records: SinkRecord[]): Promise<void> {
    const rt = this.rt
    if (records.length === 0) return
    try {
      await retrying(rt, 'put', () => this.task.put(records))
    } catch (err) {
      if (!toleranceAll(rt) || err instanceof RetriableException) throw err
      for (const r of records) {
        try {
          await this.task.put([r])
        } catch (e) {
          await this.toDlq(r, 'TASK_PUT', e as Error)
        }
      }
    }
  }

  private async toDlq(r: SinkRecord, stage: Stage, err: Error): Promise<void> {
    const original = this.originals.get(r)
    if (original !== undefined) return this.toDlqRaw(original, stage, err)
    const raw: ConsumerRecord = {
      topic: r.topic, partition: r.kafkaPartition ?? 0, offset: r.kafkaOffset, timestamp: r.timestamp ?? Date.now(), timestampType: 0,
      key: this.rt.keyConverter.fromConnectData(r.topic, r.keySchema, r.key),
      value: this.rt.valueConverter.fromConnectData(r.topic, r.valueSchema, r.value), headers: r.headers,
    }
    await this.toDlqRaw(raw, stage, err)
  }

  private async toDlqRaw(cr: ConsumerRecord, stage: Stage, err: Error): Promise<void> {
    const rt = this.rt
    if (rt.config.getBoolean('errors.log.enable')) rt.log(`${rt.connector}: error at ${stage} for ${cr.topic}-${cr.partition}@${cr.offset}: ${errorMessage(err)}`)
    const topic = rt.config.getOptionalString('errors.deadletterqueue.topic.name')
    if (topic === null) return
    this.dlqProducer ??= rt.client.producer({ clientId: `connector-dlq-producer-${rt.connector}-${rt.taskId}`, acks: 'all' })
    const headers: RecordHeader[] = [...cr.headers]
    if (rt.config.getBoolean('errors.deadletterqueue.context.headers.enable')) {
      const h = (key: string, value: string): void => void headers.push({ key: `__connect.errors.${key}`, value: Buffer.from(value) })
      h('topic', cr.topic)
      h('partition', String(cr.partition))
      h('offset', String(cr.offset))
      h('connector.name', rt.connector)
      h('task.id', String(rt.taskId))
      h('stage', stage)
      h('class.name', stage === 'TASK_PUT' ? 'SinkTask' : stage === 'TRANSFORMATION' ? 'Transformation' : 'Converter')
      h('exception.class.name', err.name)
      h('exception.message', err.message)
      if (err.stack !== undefined) h('exception.stacktrace', err.stack)
    }
    await this.dlqProducer.send({ topic, key: cr.key, value: cr.value, headers, timestamp: cr.timestamp })
  }

  /** Lets the current batch finish, flushes the task, commits, stops. */
  async stop(): Promise<void> {
    await this.loop
    await this.task.flush().catch(() => {})
    await this.task.stop().catch(() => {})
    await this.dlqProducer?.close().catch(() => {})
    await this.consumer?.close().catch(() => {})
  }
}

function nextOffsets(batch: ConsumerRecord[]): TopicPartitionOffset[] {
  const m = new Map<string, TopicPartitionOffset>()
  for (const r of batch) m.set(`${r.topic}\u0000${r.partition}`, { topic: r.topic, partition: r.partition, offset: r.offset + 1 })
  return [...m.values()]
}
