// The producer engine both client implementations share: records accumulate per
// partition into wire-form v2 batches (encoded once, as they arrive), sealed batches
// carry the idempotent producer's sequence numbers and go to a ProducerTransport, which
// delivers them (in process, or in Produce requests over the wire) and reports back
// through complete()/fail(). Linger, batch size, acks and idempotence as in the Java
// client; transactions (KIP-98) through the TransactionManager.
import { BrookError } from '../../errors.js'
import type { CompressionType } from '../../protocol/records/batch-header.js'
import { RecordBatchBuilder, rangeError } from '../../protocol/records/record-batch.js'
import { StickyPartitioner, defaultPartitionOfRange } from '../partitioner.js'
import { toCompressionType, tpKey } from '../record-utils.js'
import { BatchSink, SingleSink, type Sink } from '../send-sinks.js'
import type { ConsumerGroupMetadata, Producer, ProducerConfig, ProducerRecord, RecordHeader, RecordMetadata, SendListener, TopicPartitionOffset } from '../types.js'
import { TransactionManager, type TransactionTransport } from './transaction-manager.js'

export interface ProducerBatch {
  topic: string
  partition: number
  /** tpKey(topic, partition). */
  key: string
  builder: RecordBatchBuilder
  /** The sealed wire bytes; a transport resends them unchanged on retry. */
  bytes: Buffer | null
  producerId: number
  /** Seal order, so a transport can put retried batches back in sequence. */
  order: number
  /** Per record sent with a promise (send, sendBatch): its sink, its index in its call, its position in the batch and its timestamp. */
  sinks: Sink[]
  indexes: number[]
  positions: number[]
  timestamps: number[]
  /** Per listener of sendQuiet records: how many records it has in the batch and the position of its last one. */
  listeners: SendListener[]
  listenerCounts: number[]
  listenerLast: number[]
  createdAt: number
  attempts: number
  retryAt: number
}

export interface InitProducerIdArgs {
  transactionalId: string | null
  transactionTimeoutMs: number
  /** The current id and epoch (-1 when none): asks the coordinator to bump the epoch (KIP-360). */
  producerId: number
  producerEpoch: number
}

/** What the core needs from the way to a broker. */
export interface ProducerTransport {
  /** Partition count of a topic, creating it where the broker auto-creates topics. */
  partitionCount(topic: string): Promise<number>
  initProducerId(args: InitProducerIdArgs): Promise<{ producerId: number; producerEpoch: number }>
  /** Takes a sealed batch; reports its outcome through core.complete() or core.fail(). */
  send(batch: ProducerBatch): void
  /** The requests of transactions (AddPartitionsToTxn, EndTxn, ...). */
  readonly transactions: TransactionTransport
  close(): Promise<void>
}

/** Records of sendQuiet waiting for a partition count or the producer id, with their listeners. */
type QuietBacklog = Array<{ record: ProducerRecord & { key: Buffer | string | null; value: Buffer | string | null; timestamp: number }; listener: SendListener }>

/** Open batches of one topic by partition: a record finds its batch without building a topic-partition string. */
type OpenBatches = Array<ProducerBatch | undefined>

/** Smallest first buffer of a batch builder; it doubles up to batchSize as records come (a short linger batch stays small). */
const INITIAL_BATCH_CAPACITY = 16 * 1024
/** Sealed batch sizes the next batch's first buffer is sized by. */
const SEALED_SIZES = 8
/** Bytes a record takes in a batch besides its key and value (length, attributes, deltas, headers count), about. */
const RECORD_OVERHEAD_HINT = 16

/** Bytes of a key or value, about: text counts one byte per UTF-16 unit (exact for ASCII). */
function sizeHint(v: Buffer | string | null): number {
  return v === null ? 0 : v.length
}

/** A partition the caller chose, checked against the topic's partition count. */
function checkedPartition(topic: string, partition: number, count: number): number {
  if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${partition} does not exist in topic '${topic}' (${count} partitions)`, { field: 'partition' })
  }
  return partition
}

export class ProducerCore implements Producer {
  readonly acks: 0 | 1 | -1
  readonly idempotent: boolean
  private readonly lingerMs: number
  private readonly batchSize: number
  private readonly compression: CompressionType
  private readonly partitioner = new StickyPartitioner()
  private readonly custom: ProducerConfig['partitioner']
  private readonly open = new Map<string, OpenBatches>()
  private lastOpenTopic = ''
  private lastOpen: OpenBatches | undefined = undefined
  private openCount = 0
  /**
   * Uncompressed bytes of the last SEALED_SIZES batches sealed (a ring): the next batch's first
   * buffer is as large as the largest of them, so a stream that fills its batches (a snapshot,
   * whose polls end in a flushed partial batch) does not grow them by copying, and a producer
   * that went back to small batches allocates small buffers again a few batches later.
   */
  private readonly sealedSizes = new Array<number>(SEALED_SIZES).fill(0)
  private sealedCount = 0
  /** The record handed to the batch builder, refilled for each append (no object per record). */
  private readonly scratch: { key: Buffer | string | null; value: Buffer | string | null; headers: RecordHeader[] | undefined; timestamp: number } = {
    key: null,
    value: null,
    headers: undefined,
    timestamp: 0,
  }
  private readonly partitionCounts = new Map<string, number>()
  private readonly sequences = new Map<string, number>()
  private readonly idleWaiters: Array<() => void> = []
  private readonly txn: TransactionManager | null
  /** sendQuiet records waiting for the chain (see sendQuiet); null when none is open to join. */
  private quietBacklog: QuietBacklog | null = null
  private transport!: ProducerTransport
  private unfinished = 0
  private producerId = -1
  private producerEpoch = -1
  private idInit: Promise<void> | null = null
  private lingerTimer: NodeJS.Timeout | null = null
  private chain: Promise<void> = Promise.resolve()
  private queued = 0
  private order = 0
  private closed = false

  constructor(config: ProducerConfig = {}) {
    const acks = config.acks ?? 'all'
    const a = acks === 'all' ? -1 : acks
    if (a !== 0 && a !== 1 && a !== -1) {
      throw new BrookError('INVALID_CONFIG', `acks must be 0, 1, -1 or 'all', got ${String(acks)}`, { field: 'acks' })
    }
    this.acks = a
    this.lingerMs = config.lingerMs ?? 5
    this.batchSize = config.batchSize ?? 16384
    this.compression = toCompressionType(config.compressionType)
    const transactional = config.transactionalId !== undefined && config.transactionalId !== null
    if (transactional && config.transactionalId === '') {
      throw new BrookError('INVALID_CONFIG', 'transactional.id must not be empty', { field: 'transactional.id' })
    }
    if (transactional && config.enableIdempotence === false) {
      throw new BrookError('INVALID_CONFIG', 'A transactional producer needs enable.idempotence=true', { field: 'enable.idempotence' })
    }
    this.idempotent = config.enableIdempotence ?? true
    if (this.idempotent && this.acks !== -1) {
      throw new BrookError('INVALID_CONFIG', 'enableIdempotence requires acks=all', { field: 'acks' })
    }
    this.custom = config.partitioner
    this.txn = transactional
      ? new TransactionManager(this, config.transactionalId!, config.transactionTimeoutMs ?? 60_000)
      : null
  }

  /** Set once by the implementation that owns this core. */
  attach(transport: ProducerTransport): void {
    this.transport = transport
  }

  get currentProducerId(): number {
    return this.producerId
  }

  get currentEpoch(): number {
    return this.producerEpoch
  }

  get isClosed(): boolean {
    return this.closed
  }

  get transportOf(): ProducerTransport {
    return this.transport
  }

  send(record: ProducerRecord): Promise<RecordMetadata> {
    return new Promise((resolve, reject) => {
      this.enqueue([record], new SingleSink((_, m) => resolve(m), reject))
    })
  }

  async sendBatch(records: ProducerRecord[]): Promise<RecordMetadata[]> {
    if (records.length === 0) return []
    return new Promise((resolve, reject) => {
      this.enqueue(records, new BatchSink(records.length, resolve, reject))
    })
  }

  sendQuiet(
    topic: string,
    partition: number,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: RecordHeader[] | undefined,
    listener: SendListener,
  ): void {
    if (this.closed) return listener.onFailed(topic, partition, 1, new BrookError('CLOSED', 'The producer is closed'))
    if (this.txn !== null) {
      const err = this.txn.checkSend()
      if (err !== null) return listener.onFailed(topic, partition, 1, err)
    }
    if (this.queued === 0 && !(this.idempotent && this.producerId < 0)) {
      const count = this.partitionCounts.get(topic)
      if (count !== undefined) {
        try {
          this.append(topic, partition < 0 ? undefined : partition, key, value, timestamp, headers, count, null, 0, listener)
        } catch (err) {
          listener.onFailed(topic, partition, 1, err as Error)
        }
        return
      }
    }
    // The rare path (first records of a topic, producer id not there yet): the record waits, with copies of its bytes,
    // in one backlog that a single step of the chain appends; later quiet sends join it until another send is chained.
    let backlog = this.quietBacklog
    if (backlog === null) {
      backlog = this.chainQuietBacklog()
    }
    backlog.push({
      record: {
        topic,
        key: key === null || typeof key === 'string' ? key : Buffer.from(key),
        value: value === null || typeof value === 'string' ? value : Buffer.from(value),
        timestamp,
        ...(partition >= 0 ? { partition } : {}),
        ...(headers !== undefined ? { headers } : {}),
      },
      listener,
    })
  }

  /**
   * sendQuiet of a key and value that are byte ranges of larger buffers (key[keyStart, keyEnd),
   * value[valueStart, valueEnd); a null buffer is a null key or value), copied into the batch
   * before the call returns: a caller that writes records into a buffer of its own (a converter)
   * hands them over without a Buffer view per record. Partitioned, ordered and reported as sendQuiet.
   */
  sendQuietRange(
    topic: string,
    partition: number,
    key: Buffer | null,
    keyStart: number,
    keyEnd: number,
    value: Buffer | null,
    valueStart: number,
    valueEnd: number,
    timestamp: number,
    headers: RecordHeader[] | undefined,
    listener: SendListener,
  ): void {
    const outside = rangeError(key, keyStart, keyEnd, value, valueStart, valueEnd)
    if (outside !== null) return listener.onFailed(topic, partition, 1, outside)
    if (this.queued === 0 && !this.closed && this.txn === null && !(this.idempotent && this.producerId < 0)) {
      const count = this.partitionCounts.get(topic)
      if (count !== undefined) {
        try {
          let p: number
          if (partition >= 0) p = checkedPartition(topic, partition, count)
          else if (this.custom) {
            p = this.custom(topic, key === null ? null : key.subarray(keyStart, keyEnd), count)
          } else {
            p = key === null ? this.partitioner.partition(topic, null, count) : defaultPartitionOfRange(key, keyStart, keyEnd, count)
          }
          const batch = this.openBatch(topic, p, (key === null ? 0 : keyEnd - keyStart) + (value === null ? 0 : valueEnd - valueStart) + RECORD_OVERHEAD_HINT)
          const position = batch.builder.recordCount
          batch.builder.appendRange(key, keyStart, keyEnd, value, valueStart, valueEnd, timestamp, headers)
          this.appended(batch, position, timestamp, null, 0, listener)
        } catch (err) {
          listener.onFailed(topic, partition, 1, err as Error)
        }
        return
      }
    }
    // Every other case (closed, transactional checks, the first records of a topic): as sendQuiet, which copies what must wait.
    this.sendQuiet(topic, partition, key === null ? null : key.subarray(keyStart, keyEnd), value === null ? null : value.subarray(valueStart, valueEnd), timestamp, headers, listener)
  }

  private chainQuietBacklog(): QuietBacklog {
    const backlog: QuietBacklog = []
    this.quietBacklog = backlog
    this.queued++
    let j = 0
    const step = this.chain.then(async () => {
      try {
        await this.initProducerId()
        // The backlog may grow while a partition count is looked up: the loop takes those records too.
        for (; j < backlog.length; j++) {
          const { record: r, listener } = backlog[j]!
          let n = this.partitionCounts.get(r.topic)
          if (n === undefined) {
            n = await this.transport.partitionCount(r.topic)
            this.partitionCounts.set(r.topic, n)
          }
          try {
            this.append(r.topic, r.partition, r.key, r.value, r.timestamp, r.headers, n, null, 0, listener)
          } catch (err) {
            listener.onFailed(r.topic, r.partition ?? -1, 1, err as Error)
          }
        }
      } finally {
        if (this.quietBacklog === backlog) this.quietBacklog = null
        this.queued--
      }
    })
    this.chain = step.catch(() => undefined)
    step.catch((err: Error) => {
      for (; j < backlog.length; j++) backlog[j]!.listener.onFailed(backlog[j]!.record.topic, backlog[j]!.record.partition ?? -1, 1, err)
    })
    return backlog
  }

  /**
   * Appends synchronously while the topics' partition counts are known and nothing waits
   * before; from the first record that must wait, the rest of the call waits as one step
   * of a chain, so concurrent sends keep their order.
   */
  private enqueue(records: readonly ProducerRecord[], sink: Sink): void {
    if (this.closed) return sink.fail(new BrookError('CLOSED', 'The producer is closed'))
    if (this.txn) {
      const err = this.txn.checkSend()
      if (err) return sink.fail(err)
    }
    let i = 0
    try {
      if (this.queued === 0 && !(this.idempotent && this.producerId < 0)) {
        for (; i < records.length; i++) {
          const r = records[i]!
          const count = this.partitionCounts.get(r.topic)
          if (count === undefined) break
          this.appendRecord(r, count, sink, i)
        }
      }
    } catch (err) {
      return sink.fail(err as Error)
    }
    if (i === records.length) return
    const from = i
    // Quiet sends after this one must not join a backlog appended before it.
    this.quietBacklog = null
    this.queued++
    const step = this.chain.then(async () => {
      try {
        await this.initProducerId()
        for (let j = from; j < records.length; j++) {
          const r = records[j]!
          let n = this.partitionCounts.get(r.topic)
          if (n === undefined) {
            n = await this.transport.partitionCount(r.topic)
            this.partitionCounts.set(r.topic, n)
          }
          this.appendRecord(r, n, sink, j)
        }
      } finally {
        this.queued--
      }
    })
    this.chain = step.catch(() => undefined)
    step.catch((err: Error) => sink.fail(err))
  }

  /** A topic that grew spreads new records over its new partitions too. */
  setPartitionCount(topic: string, count: number): void {
    this.partitionCounts.set(topic, count)
  }

  private appendRecord(record: ProducerRecord, partitionCount: number, sink: Sink, index: number): void {
    const timestamp = record.timestamp ?? Date.now()
    // Text keys and values go into the batch as UTF-8 as they are (no Buffer of their own).
    this.append(record.topic, record.partition, record.key ?? null, record.value ?? null, timestamp, record.headers, partitionCount, sink, index, null)
  }

  /** One record into its partition's open batch; its outcome goes to `sink` (at `index`) or to `listener`. */
  private append(
    topic: string,
    chosen: number | undefined,
    key: Buffer | string | null,
    value: Buffer | string | null,
    timestamp: number,
    headers: RecordHeader[] | undefined,
    partitionCount: number,
    sink: Sink | null,
    index: number,
    listener: SendListener | null,
  ): void {
    let partition = chosen
    if (partition === undefined) {
      partition = this.custom
        ? this.custom(topic, typeof key === 'string' ? Buffer.from(key) : key, partitionCount)
        : this.partitioner.partition(topic, key, partitionCount)
    } else partition = checkedPartition(topic, partition, partitionCount)
    const batch = this.openBatch(topic, partition, sizeHint(key) + sizeHint(value) + RECORD_OVERHEAD_HINT)
    const position = batch.builder.recordCount
    if (headers === undefined || headers.length === 0) {
      // no headers: a streams sink's or changelog's records, written in one pass
      batch.builder.appendKeyValue(key, value, timestamp)
    } else {
      const r = this.scratch
      r.key = key
      r.value = value
      r.headers = headers
      r.timestamp = timestamp
      batch.builder.append(r)
      r.key = null
      r.value = null
      r.headers = undefined
    }
    this.appended(batch, position, timestamp, sink, index, listener)
  }

  /**
   * The open batch of a partition for a record of about `recordBytes`, started when there is none.
   * As in the Java producer's accumulator, a record that would take a batch past batch.size goes
   * to the next batch (the full one is sealed): a batch exceeds batch.size only when it holds one record.
   */
  private openBatch(topic: string, partition: number, recordBytes: number): ProducerBatch {
    // Records come in runs of one topic: its open batches are the last ones looked up (the arrays stay in the map for good).
    let byPartition = topic === this.lastOpenTopic ? this.lastOpen : this.open.get(topic)
    if (byPartition === undefined) {
      byPartition = []
      this.open.set(topic, byPartition)
    }
    this.lastOpenTopic = topic
    this.lastOpen = byPartition
    let batch = byPartition[partition]
    if (batch !== undefined && batch.builder.recordCount > 0 && batch.builder.sizeInBytes + recordBytes > this.batchSize) {
      this.sealFull(batch)
      batch = undefined
    }
    if (batch === undefined) {
      const k = tpKey(topic, partition)
      batch = {
        topic,
        partition,
        key: k,
        builder: new RecordBatchBuilder({
          compression: this.compression,
          // As large as the largest of the last batches sealed (see sealedSizes), at most batch.size.
          initialCapacity: Math.min(this.recentLargestBatch(), this.batchSize + 1024),
          ...(this.idempotent ? { producerId: this.producerId, producerEpoch: this.producerEpoch, baseSequence: this.sequences.get(k) ?? 0 } : {}),
          ...(this.txn ? { transactional: true } : {}),
        }),
        bytes: null,
        producerId: this.producerId,
        order: 0,
        sinks: [],
        indexes: [],
        positions: [],
        timestamps: [],
        listeners: [],
        listenerCounts: [],
        listenerLast: [],
        createdAt: Date.now(),
        attempts: 0,
        retryAt: 0,
      }
      byPartition[partition] = batch
      this.openCount++
      this.unfinished++
    }
    return batch
  }

  /** Takes a full open batch out of the open ones and seals it; the sticky partitioner moves on. */
  private sealFull(batch: ProducerBatch): void {
    this.open.get(batch.topic)![batch.partition] = undefined
    this.openCount--
    this.partitioner.onNewBatch(batch.topic)
    this.seal(batch)
  }

  /** The largest of the last batches sealed, at least INITIAL_BATCH_CAPACITY. */
  private recentLargestBatch(): number {
    let max = INITIAL_BATCH_CAPACITY
    for (const n of this.sealedSizes) if (n > max) max = n
    return max
  }

  /** Books the record just appended at `position` to its sink or listener; seals the batch once full, else starts the linger. */
  private appended(batch: ProducerBatch, position: number, timestamp: number, sink: Sink | null, index: number, listener: SendListener | null): void {
    if (sink !== null) {
      batch.sinks.push(sink)
      batch.indexes.push(index)
      batch.positions.push(position)
      batch.timestamps.push(timestamp)
    } else if (listener !== null) {
      const ls = batch.listeners
      let j = ls.length - 1
      while (j >= 0 && ls[j] !== listener) j--
      if (j < 0) {
        ls.push(listener)
        batch.listenerCounts.push(1)
        batch.listenerLast.push(position)
      } else {
        batch.listenerCounts[j]!++
        batch.listenerLast[j] = position
      }
    }
    if (batch.builder.sizeInBytes >= this.batchSize) this.sealFull(batch)
    else if (this.lingerTimer === null) {
      this.lingerTimer = setTimeout(() => this.drain(), this.lingerMs)
    }
  }

  /** Seals every open batch now (linger expired, flush). */
  drain(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = null
    if (this.openCount === 0) return
    const batches: ProducerBatch[] = []
    for (const byPartition of this.open.values()) {
      for (let p = 0; p < byPartition.length; p++) {
        const b = byPartition[p]
        if (b === undefined) continue
        batches.push(b)
        byPartition[p] = undefined
      }
    }
    this.openCount = 0
    for (const b of batches) {
      this.partitioner.onNewBatch(b.topic)
      this.seal(b)
    }
  }

  /** Encodes the batch for good; the partition's next batch continues its sequence. */
  private seal(batch: ProducerBatch): void {
    if (this.idempotent && batch.producerId === this.producerId) {
      const seq = this.sequences.get(batch.key) ?? 0
      this.sequences.set(batch.key, (seq + batch.builder.recordCount) % 0x80000000)
    }
    this.sealedSizes[this.sealedCount++ % SEALED_SIZES] = batch.builder.sizeInBytes
    // Each batch has its own builder, so its buffer can go to the log without a copy.
    batch.bytes = batch.builder.buildDetached()
    batch.order = this.order++
    if (this.txn) this.txn.route(batch)
    else this.transport.send(batch)
  }

  // ---- outcomes, reported by the transport ----

  complete(b: ProducerBatch, baseOffset: number, logAppendTime: number): void {
    const { sinks, indexes, positions, timestamps, listeners } = b
    const known = this.acks !== 0 && baseOffset >= 0
    for (let i = 0; i < sinks.length; i++) {
      sinks[i]!.done(indexes[i]!, {
        topic: b.topic,
        partition: b.partition,
        offset: known ? baseOffset + positions[i]! : -1,
        timestamp: logAppendTime >= 0 ? logAppendTime : timestamps[i]!,
      })
    }
    for (let j = 0; j < listeners.length; j++) {
      listeners[j]!.onAcknowledged(b.topic, b.partition, known ? baseOffset + b.listenerLast[j]! : -1, b.listenerCounts[j]!)
    }
    this.settled()
  }

  fail(b: ProducerBatch, err: Error): void {
    for (const sink of b.sinks) sink.fail(err)
    for (let j = 0; j < b.listeners.length; j++) b.listeners[j]!.onFailed(b.topic, b.partition, b.listenerCounts[j]!, err)
    this.txn?.batchFailed(err)
    this.settled()
  }

  private settled(): void {
    if (--this.unfinished === 0) for (const w of this.idleWaiters.splice(0)) w()
  }

  /** The open batch of a partition whose sequence broke: it fails with the others. */
  takeOpen(topic: string, partition: number): ProducerBatch | undefined {
    const byPartition = this.open.get(topic)
    const b = byPartition?.[partition]
    if (b !== undefined) {
      byPartition![partition] = undefined
      this.openCount--
    }
    return b
  }

  /**
   * The broker lost this producer's sequence (idempotent, not transactional): the next
   * batches start over with a new producer id.
   */
  resetProducerId(ofBatch: ProducerBatch): void {
    if (ofBatch.producerId !== this.producerId || this.txn) return
    this.producerId = -1
    this.producerEpoch = -1
    this.idInit = null
    this.sequences.clear()
  }

  // ---- producer id ----

  private initProducerId(): Promise<void> {
    if (!this.idempotent || this.producerId >= 0) return RESOLVED
    if (this.txn) return Promise.reject(new BrookError('ILLEGAL_STATE', 'A transactional producer must call initTransactions() first'))
    this.idInit ??= this.transport
      .initProducerId({ transactionalId: null, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 })
      .then(
        (res) => this.setProducerId(res.producerId, res.producerEpoch),
        (err: unknown) => {
          this.idInit = null
          throw err
        },
      )
    return this.idInit
  }

  /** A new id or epoch: sequences start over at 0. */
  setProducerId(producerId: number, producerEpoch: number): void {
    this.producerId = producerId
    this.producerEpoch = producerEpoch
    this.sequences.clear()
  }

  // ---- transactions ----

  private requireTxn(): TransactionManager {
    if (!this.txn) throw new BrookError('ILLEGAL_STATE', 'Transactions need a transactionalId in the producer config', { field: 'transactionalId' })
    return this.txn
  }

  initTransactions(): Promise<void> {
    return this.requireTxn().initTransactions()
  }

  beginTransaction(): void {
    this.requireTxn().beginTransaction()
  }

  sendOffsetsToTransaction(offsets: TopicPartitionOffset[], groupMetadata: ConsumerGroupMetadata): Promise<void> {
    return this.requireTxn().sendOffsetsToTransaction(offsets, groupMetadata)
  }

  commitTransaction(): Promise<void> {
    return this.requireTxn().commitTransaction()
  }

  abortTransaction(): Promise<void> {
    return this.requireTxn().abortTransaction()
  }

  // ---- flush and close ----

  async flush(): Promise<void> {
    await this.chain
    this.drain()
    if (this.unfinished > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  async close(): Promise<void> {
    if (this.closed) return
    try {
      // As the Java client: an incomplete transaction is aborted on a graceful close.
      if (this.txn?.inTransaction) await this.txn.abortTransaction().catch(() => undefined)
      await this.flush()
    } finally {
      this.closed = true
      if (this.lingerTimer) clearTimeout(this.lingerTimer)
      await this.transport.close()
    }
  }
}

const RESOLVED = Promise.resolve()
