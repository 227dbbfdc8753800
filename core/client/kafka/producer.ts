// Producer over the wire: records accumulate per partition into v2 batches (encoded as
// they arrive), sealed batches go to their leader in Produce requests (one batch per
// partition per request, up to 5 requests in flight per broker), retriable failures
// resend the very same bytes, so an idempotent producer's sequence numbers let the
// broker drop duplicates.
import { BrookError } from '../../errors.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import { createInitProducerIdRequest } from '../../protocol/apis/generated/init-producer-id.js'
import type { ProduceRequestTopicProduceData, ProduceResponse } from '../../protocol/apis/generated/produce.js'
import type { CompressionType } from '../../protocol/records/batch-header.js'
import { RecordBatchBuilder } from '../../protocol/records/record-batch.js'
import { isRetriable } from '../../protocol/kafka-errors.js'
import { StickyPartitioner } from '../partitioner.js'
import { toBuffer, toCompressionType, tpKey } from '../record-utils.js'
import type { Producer, ProducerConfig, ProducerRecord, RecordMetadata } from '../types.js'
import { BatchSink, SingleSink, type Sink } from '../send-sinks.js'
import type { Cluster } from './cluster.js'
import { kafkaError } from './errors.js'

interface Batch {
  topic: string
  partition: number
  key: string
  builder: RecordBatchBuilder
  /** The sealed wire bytes; resent unchanged on retry. */
  bytes: Buffer | null
  producerId: number
  /** Seal order, to put retried batches back in sequence. */
  order: number
  timestamps: number[]
  sinks: Sink[]
  indexes: number[]
  createdAt: number
  attempts: number
  retryAt: number
}

/** Errors after which a partition's sequence is broken: its batches fail and a new producer id is taken. */
const SEQUENCE_FATAL = new Set([45, 47, 59])
/** Errors after which leaders are looked up again. */
const METADATA_STALE = new Set([3, 5, 6])
const DUPLICATE_SEQUENCE = 46

export interface KafkaProducerOptions {
  /** Upper bound on the time from send() to success or failure, retries included (delivery.timeout.ms). Default 120000. */
  deliveryTimeoutMs?: number
  /** Produce requests awaiting an answer per broker. Default 5. */
  maxInFlightPerBroker?: number
}

export class KafkaProducer implements Producer {
  private readonly acks: 0 | 1 | -1
  private readonly lingerMs: number
  private readonly batchSize: number
  private readonly compression: CompressionType
  private readonly idempotent: boolean
  private readonly partitioner = new StickyPartitioner()
  private readonly custom: ProducerConfig['partitioner']
  private readonly deliveryTimeoutMs: number
  private readonly maxInFlight: number
  private readonly open = new Map<string, Batch>()
  private readonly ready = new Map<string, Batch[]>()
  private readonly partitionCounts = new Map<string, number>()
  private readonly sequences = new Map<string, number>()
  private readonly inFlightByNode = new Map<number, number>()
  private unfinished = 0
  private readonly idleWaiters: Array<() => void> = []
  private producerId = -1
  private producerEpoch = -1
  private idInit: Promise<void> | null = null
  private lingerTimer: NodeJS.Timeout | null = null
  private retryTimer: NodeJS.Timeout | null = null
  private refreshing: Promise<void> | null = null
  private chain: Promise<void> = Promise.resolve()
  private queued = 0
  private order = 0
  private closed = false

  constructor(
    private readonly cluster: Cluster,
    config: ProducerConfig = {},
    options: KafkaProducerOptions = {},
  ) {
    const acks = config.acks ?? 'all'
    const a = acks === 'all' ? -1 : acks
    if (a !== 0 && a !== 1 && a !== -1) {
      throw new BrookError('INVALID_CONFIG', `acks must be 0, 1, -1 or 'all', got ${String(acks)}`, { field: 'acks' })
    }
    this.acks = a
    this.lingerMs = config.lingerMs ?? 5
    this.batchSize = config.batchSize ?? 16384
    this.compression = toCompressionType(config.compressionType)
    this.idempotent = config.enableIdempotence ?? true
    if (this.idempotent && this.acks !== -1) {
      throw new BrookError('INVALID_CONFIG', 'enableIdempotence requires acks=all', { field: 'acks' })
    }
    this.custom = config.partitioner
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000
    this.maxInFlight = options.maxInFlightPerBroker ?? 5
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      const pending = this.enqueue(record, new SingleSink((_, m) => resolve(m), reject), 0)
      if (pending !== RESOLVED) pending.catch(reject)
    })
  }

  async sendBatch(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return []
    return new Promise((resolve, reject) => {
      const sink = new BatchSink(records.length, resolve, reject)
      const run = async (): Promise<void> => {
        for (let i = 0; i < records.length; i++) {
          const pending = this.enqueue(records[i]!, sink, i)
          if (pending !== RESOLVED) await pending
        }
      }
      run().catch((e: Error) => sink.fail(e))
    })
  }

  /** Synchronous when the topic's partition count is known; waits for metadata otherwise. */
  private enqueue(record: ProducerRecord, sink: Sink, index: number): Promise<void> {
    if (this.closed) return Promise.reject(new BrookError('CLOSED', 'The producer is closed'))
    const count = this.partitionCounts.get(record.topic)
    if (count === undefined || this.queued > 0 || (this.idempotent && this.producerId < 0)) {
      // Records that wait keep their order through one chain.
      this.queued++
      const step = this.chain.then(async () => {
        try {
          await this.initProducerId()
          let n = this.partitionCounts.get(record.topic)
          if (n === undefined) {
            n = (await this.cluster.topic(record.topic, { autoCreate: true })).partitions.length
            this.partitionCounts.set(record.topic, n)
          }
          this.append(record, n, sink, index)
        } finally {
          this.queued--
        }
      })
      this.chain = step.catch(() => undefined)
      return step
    }
    this.append(record, count, sink, index)
    return RESOLVED
  }

  private append(record: ProducerRecord, partitionCount: number, sink: Sink, index: number): void {
    const key = toBuffer(record.key)
    let partition = record.partition
    if (partition === undefined) {
      partition = this.custom
        ? this.custom(record.topic, key, partitionCount)
        : this.partitioner.partition(record.topic, key, partitionCount)
    } else if (!Number.isInteger(partition) || partition < 0 || partition >= partitionCount) {
      throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${partition} does not exist in topic '${record.topic}' (${partitionCount} partitions)`, {
        field: 'partition',
      })
    }
    const k = tpKey(record.topic, partition)
    let batch = this.open.get(k)
    if (!batch) {
      batch = {
        topic: record.topic,
        partition,
        key: k,
        builder: new RecordBatchBuilder({
          compression: this.compression,
          initialCapacity: this.batchSize + 1024,
          ...(this.idempotent ? { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: this.sequences.get(k) ?? 0 } : {}),
        }),
        bytes: null,
        producerId: this.producerId,
        order: 0,
        timestamps: [],
        sinks: [],
        indexes: [],
        createdAt: Date.now(),
        attempts: 0,
        retryAt: 0,
      }
      this.open.set(k, batch)
      this.unfinished++
    }
    const timestamp = record.timestamp ?? Date.now()
    batch.builder.append({ key, value: toBuffer(record.value), headers: record.headers, timestamp })
    batch.timestamps.push(timestamp)
    batch.sinks.push(sink)
    batch.indexes.push(index)
    if (batch.builder.sizeInBytes >= this.batchSize) {
      this.open.delete(k)
      this.partitioner.onNewBatch(record.topic)
      this.seal(batch)
      this.pump()
    } else if (this.lingerTimer === null) {
      this.lingerTimer = setTimeout(() => this.drain(), this.lingerMs)
    }
  }

  private drain(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = null
    const batches = [...this.open.values()]
    this.open.clear()
    for (const b of batches) {
      this.partitioner.onNewBatch(b.topic)
      this.seal(b)
    }
    this.pump()
  }

  /** Encodes the batch for good; the partition's next batch continues its sequence. */
  private seal(batch: Batch): void {
    if (this.idempotent && batch.producerId === this.producerId) {
      const seq = this.sequences.get(batch.key) ?? 0
      this.sequences.set(batch.key, (seq + batch.builder.recordCount) % 0x80000000)
    }
    batch.bytes = batch.builder.buildDetached()
    batch.order = this.order++
    let q = this.ready.get(batch.key)
    if (!q) {
      q = []
      this.ready.set(batch.key, q)
    }
    q.push(batch)
  }

  // ---- sending ----

  /** Sends what can go now: the head batch of each partition, grouped by leader. */
  private pump(): void {
    const now = Date.now()
    let nextRetry = Infinity
    let needMetadata = false
    for (;;) {
      const byNode = new Map<number, Batch[]>()
      for (const [k, q] of this.ready) {
        const head = q[0]
        if (!head) {
          this.ready.delete(k)
          continue
        }
        if (head.retryAt > now) {
          nextRetry = Math.min(nextRetry, head.retryAt)
          continue
        }
        const leader = this.cluster.cached(head.topic)?.partitions[head.partition]?.leader ?? -1
        if (leader < 0) {
          needMetadata = true
          continue
        }
        if ((this.inFlightByNode.get(leader) ?? 0) >= this.maxInFlight) continue
        let list = byNode.get(leader)
        if (!list) byNode.set(leader, (list = []))
        list.push(head)
        q.shift()
      }
      if (byNode.size === 0) break
      for (const [node, batches] of byNode) void this.sendTo(node, batches)
    }
    if (needMetadata) this.refreshMetadata()
    if (nextRetry < Infinity && this.retryTimer === null) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null
        this.pump()
      }, Math.max(1, nextRetry - now))
    }
  }

  private refreshMetadata(): void {
    if (this.refreshing) return
    const topics = [...new Set([...this.ready.values()].flatMap((q) => q.map((b) => b.topic)))]
    this.refreshing = (async () => {
      await Promise.all(
        topics.map((t) =>
          this.cluster.topic(t, { refresh: true, autoCreate: true }).then(
            // A topic that grew spreads new records over its new partitions too.
            (meta) => void this.partitionCounts.set(t, meta.partitions.length),
            (err: Error) => this.failTopic(t, err),
          ),
        ),
      )
    })().finally(() => {
      this.refreshing = null
      this.pump()
    })
  }

  /** Metadata cannot be had: the topic's queued batches fail unless they still have time. */
  private failTopic(topic: string, err: Error): void {
    for (const [k, q] of this.ready) {
      if (q[0]?.topic !== topic) continue
      const keep = q.filter((b) => Date.now() < b.createdAt + this.deliveryTimeoutMs && err instanceof BrookError && err.retriable)
      for (const b of q) if (!keep.includes(b)) this.finish(b, err)
      if (keep.length === 0) this.ready.delete(k)
      else {
        for (const b of keep) b.retryAt = Date.now() + this.cluster.retryBackoffMs
        this.ready.set(k, keep)
      }
    }
  }

  private async sendTo(node: number, batches: Batch[]): Promise<void> {
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1)
    for (const b of batches) b.attempts++
    const topicData: ProduceRequestTopicProduceData[] = []
    for (const b of batches) {
      let t = topicData.find((x) => x.name === b.topic)
      if (!t) topicData.push((t = { name: b.topic, partitionData: [] }))
      t.partitionData.push({ index: b.partition, records: b.bytes })
    }
    const request = { transactionalId: null, acks: this.acks, timeoutMs: this.cluster.requestTimeoutMs, topicData }
    try {
      const conn = await this.cluster.connection(node)
      if (this.acks === 0) {
        await conn.send(ApiKeys.Produce, request, { noResponse: true })
        for (const b of batches) this.complete(b, -1, -1)
        return
      }
      const res = await conn.send(ApiKeys.Produce, request)
      this.handleResponse(batches, res)
    } catch (err) {
      for (const b of batches) this.retryOrFail(b, err as Error)
    } finally {
      this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 1) - 1)
      this.pump()
    }
  }

  private handleResponse(batches: Batch[], res: ProduceResponse): void {
    for (const b of batches) {
      const p = res.responses.find((t) => t.name === b.topic)?.partitionResponses.find((x) => x.index === b.partition)
      if (!p) {
        this.retryOrFail(b, new BrookError('NETWORK_EXCEPTION', `The Produce answer has no result for ${b.topic}-${b.partition}`))
        continue
      }
      if (p.errorCode === 0 || p.errorCode === DUPLICATE_SEQUENCE) {
        this.complete(b, p.baseOffset, p.logAppendTimeMs)
        continue
      }
      const err = kafkaError(p.errorCode, `Produce to ${b.topic}-${b.partition}`, p.errorMessage ?? p.recordErrors[0]?.batchIndexErrorMessage, 'partition')
      if (this.idempotent && SEQUENCE_FATAL.has(p.errorCode)) {
        this.sequenceBroken(b, err)
        continue
      }
      if (METADATA_STALE.has(p.errorCode)) this.cluster.invalidate(b.topic)
      if (isRetriable(p.errorCode)) this.retryOrFail(b, err)
      else this.giveUp(b, err)
    }
  }

  private retryOrFail(b: Batch, err: Error): void {
    const retriable = err instanceof BrookError && err.retriable && !this.closedHard
    if (!retriable || Date.now() >= b.createdAt + this.deliveryTimeoutMs) {
      this.giveUp(b, err)
      return
    }
    if (err instanceof BrookError && (err.code === 'NETWORK_EXCEPTION' || err.code === 'TIMEOUT')) this.cluster.invalidate()
    b.retryAt = Date.now() + Math.min(1000, this.cluster.retryBackoffMs * 2 ** Math.min(b.attempts - 1, 4))
    // Back in sequence order, ahead of later batches of the partition.
    let q = this.ready.get(b.key)
    if (!q) this.ready.set(b.key, (q = []))
    let i = 0
    while (i < q.length && q[i]!.order < b.order) i++
    q.splice(i, 0, b)
  }

  /**
   * A batch fails for good. It never landed, so an idempotent producer's later sequence
   * numbers for the partition would be out of order: start over with a new producer id
   * (so sends succeed again once the cause, e.g. a full disk, is gone).
   */
  private giveUp(b: Batch, err: Error): void {
    if (this.idempotent) this.sequenceBroken(b, err)
    else this.finish(b, err)
  }

  /** The broker lost track of this partition's sequence: fail what is queued for it and start over with a new producer id. */
  private sequenceBroken(b: Batch, err: Error): void {
    this.finish(b, err)
    for (const other of this.ready.get(b.key) ?? []) this.finish(other, err)
    this.ready.delete(b.key)
    const open = this.open.get(b.key)
    if (open) {
      this.open.delete(b.key)
      this.finish(open, err)
    }
    if (b.producerId === this.producerId) {
      this.producerId = -1
      this.producerEpoch = -1
      this.idInit = null
      this.sequences.clear()
    }
  }

  private complete(b: Batch, baseOffset: number, logAppendTime: number): void {
    const { sinks, indexes, timestamps } = b
    for (let i = 0; i < sinks.length; i++) {
      sinks[i]!.done(indexes[i]!, {
        topic: b.topic,
        partition: b.partition,
        offset: this.acks === 0 || baseOffset < 0 ? -1 : baseOffset + i,
        timestamp: logAppendTime >= 0 ? logAppendTime : timestamps[i]!,
      })
    }
    this.settled()
  }

  private finish(b: Batch, err: Error): void {
    for (const sink of b.sinks) sink.fail(err)
    this.settled()
  }

  private settled(): void {
    if (--this.unfinished === 0) for (const w of this.idleWaiters.splice(0)) w()
  }

  private initProducerId(): Promise<void> {
    if (!this.idempotent || this.producerId >= 0) return RESOLVED
    this.idInit ??= this.cluster
      .retry(async () => {
        const req = { ...createInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: 60_000 }
        const res = await this.cluster.send(undefined, ApiKeys.InitProducerId, req)
        if (res.errorCode !== 0) throw kafkaError(res.errorCode, 'InitProducerId')
        return res
      })
      .then(
        (res) => {
          this.producerId = res.producerId
          this.producerEpoch = res.producerEpoch
        },
        (err: unknown) => {
          this.idInit = null
          throw err
        },
      )
    return this.idInit
  }

  async flush(): Promise<void> {
    await this.chain
    this.drain()
    if (this.unfinished > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  private closedHard = false

  async close(): Promise<void> {
    if (this.closed) return
    try {
      await this.flush()
    } finally {
      this.closed = true
      this.closedHard = true
      if (this.retryTimer) clearTimeout(this.retryTimer)
      await this.cluster.close()
    }
  }
}

const RESOLVED = Promise.resolve()
