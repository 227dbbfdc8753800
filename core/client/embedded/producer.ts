// In-process producer: records accumulate per partition into wire-form v2 batches
// (encoded once, as they arrive), which go to the broker whole: linger, batch size,
// acks and idempotence as in the Java client.
import { BrookError } from '../../errors.js'
import type { Broker } from '../../broker/broker.js'
import type { AckMode } from '../../broker/partition.js'
import type { CompressionType } from '../../protocol/records/batch-header.js'
import { type BatchOptions, RecordBatchBuilder } from '../../protocol/records/record-batch.js'
import { StickyPartitioner } from '../partitioner.js'
import type { Producer, ProducerConfig, ProducerRecord, RecordMetadata } from '../types.js'
import { BatchSink, SingleSink, type Sink } from '../send-sinks.js'
import { toBuffer, toCompressionType, tpKey } from '../record-utils.js'

interface OpenBatch {
  topic: string
  partition: number
  builder: RecordBatchBuilder
  /** The builder's options: producer id, epoch and sequence are filled in when the batch is sealed. */
  options: BatchOptions
  timestamps: number[]
  sinks: Sink[]
  indexes: number[]
}

/** Open batches of one topic by partition: a record finds its batch without building a topic-partition string. */
type OpenBatches = Array<OpenBatch | undefined>

/** First buffer of a batch builder; it doubles up to batchSize as records come (a short linger batch stays small). */
const INITIAL_BATCH_CAPACITY = 16 * 1024

export class EmbeddedProducer implements Producer {
  private readonly acks: AckMode
  private readonly lingerMs: number
  private readonly batchSize: number
  private readonly compression: CompressionType
  private readonly idempotent: boolean
  private readonly partitioner: StickyPartitioner
  private readonly custom: ProducerConfig['partitioner']
  private readonly open = new Map<string, OpenBatches>()
  /** The record handed to the batch builder, refilled for each append (no object per record). */
  private readonly scratch: { key: Buffer | null; value: Buffer | null; headers: ProducerRecord['headers']; timestamp: number } = { key: null, value: null, headers: undefined, timestamp: 0 }
  private readonly partitionCounts = new Map<string, number>()
  private readonly sequences = new Map<string, number>()
  private readonly inFlight = new Set<Promise<void>>()
  private producerId = -1
  private producerEpoch = -1
  private idInit: Promise<void> | null = null
  private lingerTimer: NodeJS.Timeout | null = null
  private chain: Promise<void> = Promise.resolve()
  private queued = 0
  private closed = false

  constructor(
    private readonly broker: Broker,
    config: ProducerConfig = {},
  ) {
    const acks = config.acks ?? 'all'
    this.acks = acks === 'all' ? -1 : acks
    if (this.acks !== 0 && this.acks !== 1 && this.acks !== -1) {
      throw new BrookError('INVALID_CONFIG', `acks must be 0, 1, -1 or 'all', got ${String(acks)}`, { field: 'acks' })
    }
    this.lingerMs = config.lingerMs ?? 5
    this.batchSize = config.batchSize ?? 16384
    this.compression = toCompressionType(config.compressionType)
    this.idempotent = config.enableIdempotence ?? true
    if (this.idempotent && this.acks !== -1) {
      throw new BrookError('INVALID_CONFIG', 'enableIdempotence requires acks=all', { field: 'acks' })
    }
    this.partitioner = new StickyPartitioner()
    this.custom = config.partitioner
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
          // Only records that wait for metadata cost an await.
          if (pending !== RESOLVED) await pending
        }
      }
      run().catch((e: Error) => sink.fail(e))
    })
  }

  /** Synchronous when the topic is known; awaits metadata (and auto-creation) otherwise. */
  private enqueue(record: ProducerRecord, sink: Sink, index: number): Promise<void> {
    if (this.closed) return Promise.reject(new BrookError('CLOSED', 'The producer is closed'))
    const count = this.partitionCounts.get(record.topic)
    if (count === undefined || this.queued > 0 || (this.idempotent && this.producerId < 0)) {
      // Records that must wait for metadata keep their order through one chain.
      this.queued++
      const step = this.chain.then(async () => {
        try {
          await this.initProducerId()
          let n = this.partitionCounts.get(record.topic)
          if (n === undefined) {
            n = (await this.broker.ensureTopic(record.topic)).partitions
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
      throw new BrookError('UNKNOWN_TOPIC_OR_PARTITION', `Partition ${partition} does not exist in topic '${record.topic}' (${partitionCount} partitions)`, { field: 'partition' })
    }
    let byPartition = this.open.get(record.topic)
    if (byPartition === undefined) {
      byPartition = []
      this.open.set(record.topic, byPartition)
    }
    let batch = byPartition[partition]
    if (batch === undefined) {
      const options: BatchOptions & { initialCapacity: number } = {
        compression: this.compression,
        initialCapacity: Math.min(INITIAL_BATCH_CAPACITY, this.batchSize + 1024),
      }
      batch = {
        topic: record.topic,
        partition,
        options,
        builder: new RecordBatchBuilder(options),
        timestamps: [],
        sinks: [],
        indexes: [],
      }
      byPartition[partition] = batch
    }
    const timestamp = record.timestamp ?? Date.now()
    const r = this.scratch
    r.key = key
    r.value = toBuffer(record.value)
    r.headers = record.headers
    r.timestamp = timestamp
    batch.builder.append(r)
    r.key = null
    r.value = null
    r.headers = undefined
    batch.timestamps.push(timestamp)
    batch.sinks.push(sink)
    batch.indexes.push(index)
    if (batch.builder.sizeInBytes >= this.batchSize) {
      byPartition[partition] = undefined
      this.partitioner.onNewBatch(record.topic)
      this.dispatch(batch)
    } else if (this.lingerTimer === null) {
      this.lingerTimer = setTimeout(() => this.drain(), this.lingerMs)
    }
  }

  private drain(): void {
    if (this.lingerTimer) clearTimeout(this.lingerTimer)
    this.lingerTimer = null
    const batches: OpenBatch[] = []
    for (const byPartition of this.open.values()) {
      for (let p = 0; p < byPartition.length; p++) {
        const b = byPartition[p]
        if (b === undefined) continue
        batches.push(b)
        byPartition[p] = undefined
      }
    }
    for (const b of batches) {
      this.partitioner.onNewBatch(b.topic)
      this.dispatch(b)
    }
  }

  /** Seals the batch: the next batch of this partition continues its sequence. */
  private dispatch(batch: OpenBatch): void {
    const task = this.write(batch, tpKey(batch.topic, batch.partition)).finally(() => this.inFlight.delete(task))
    this.inFlight.add(task)
  }

  private async write(batch: OpenBatch, tp: string): Promise<void> {
    try {
      if (this.idempotent) {
        // After a reset (a batch that did not land) the next batch waits for the new producer id.
        if (this.producerId < 0) await this.initProducerId()
        const seq = this.sequences.get(tp) ?? 0
        batch.options.producerId = this.producerId
        batch.options.producerEpoch = this.producerEpoch
        batch.options.baseSequence = seq
        this.sequences.set(tp, (seq + batch.builder.recordCount) % 0x80000000)
      }
      // Each batch has its own builder, so its buffer can go to the log without a copy.
      const bytes = batch.builder.buildDetached()
      const result = await this.broker.produce(batch.topic, batch.partition, bytes, this.acks)
      const { sinks, indexes, timestamps } = batch
      for (let i = 0; i < sinks.length; i++) {
        sinks[i]!.done(indexes[i]!, {
          topic: batch.topic,
          partition: batch.partition,
          offset: this.acks === 0 ? -1 : result.baseOffset + i,
          timestamp: result.logAppendTime >= 0 ? result.logAppendTime : timestamps[i]!,
        })
      }
    } catch (err) {
      // A batch that did not land (storage error, ...) leaves the broker's sequence behind ours:
      // start over with a new producer id, as the Java producer does, so later sends succeed once the cause is gone.
      if (this.idempotent && batch.options.producerId === this.producerId && !(err instanceof BrookError && err.code === 'DUPLICATE_SEQUENCE_NUMBER')) {
        this.producerId = -1
        this.producerEpoch = -1
        this.idInit = null
        this.sequences.clear()
      }
      for (const sink of batch.sinks) sink.fail(err as Error)
    }
  }

  private initProducerId(): Promise<void> {
    if (!this.idempotent) return RESOLVED
    this.idInit ??= this.broker.initProducerId().then(({ producerId, producerEpoch }) => {
      this.producerId = producerId
      this.producerEpoch = producerEpoch
    })
    return this.idInit
  }

  async flush(): Promise<void> {
    await this.chain
    this.drain()
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }

  async close(): Promise<void> {
    if (this.closed) return
    await this.flush()
    this.closed = true
  }
}

const RESOLVED = Promise.resolve()
