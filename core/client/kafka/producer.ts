// Producer over the wire: the shared ProducerCore over a transport that sends sealed
// batches to their leader in Produce requests (one batch per partition per request, up
// to 5 requests in flight per broker); retriable failures resend the very same bytes,
// so an idempotent producer's sequence numbers let the broker drop duplicates.
// Transaction requests go to the transaction coordinator (FindCoordinator key type 1)
// and TxnOffsetCommit to the group's coordinator.
import { BrookError } from '../../errors.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import { createInitProducerIdRequest } from '../../protocol/apis/generated/init-producer-id.js'
import type { ProduceRequestTopicProduceData, ProduceResponse } from '../../protocol/apis/generated/produce.js'
import { isRetriable } from '../../protocol/kafka-errors.js'
import { ProducerCore, type InitProducerIdArgs, type ProducerBatch, type ProducerTransport } from '../producer/producer-core.js'
import type { TransactionTransport } from '../producer/transaction-manager.js'
import type { ProducerConfig } from '../types.js'
import type { Cluster } from './cluster.js'
import { kafkaError } from './errors.js'
import { WireTransactions } from './transactions.js'

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

export class KafkaProducer extends ProducerCore {
  constructor(cluster: Cluster, config: ProducerConfig = {}, options: KafkaProducerOptions = {}) {
    super(config)
    this.attach(new WireProducerTransport(this, cluster, config.transactionalId ?? null, options))
  }
}

class WireProducerTransport implements ProducerTransport {
  private readonly deliveryTimeoutMs: number
  private readonly maxInFlight: number
  private readonly ready = new Map<string, ProducerBatch[]>()
  private readonly inFlightByNode = new Map<number, number>()
  private retryTimer: NodeJS.Timeout | null = null
  private refreshing: Promise<void> | null = null
  private closedHard = false
  readonly transactions: TransactionTransport

  constructor(
    private readonly core: ProducerCore,
    private readonly cluster: Cluster,
    private readonly transactionalId: string | null,
    options: KafkaProducerOptions,
  ) {
    this.deliveryTimeoutMs = options.deliveryTimeoutMs ?? 120_000
    this.maxInFlight = options.maxInFlightPerBroker ?? 5
    this.transactions = new WireTransactions(cluster)
  }

  async partitionCount(topic: string): Promise<number> {
    return (await this.cluster.topic(topic, { autoCreate: true })).partitions.length
  }

  async initProducerId(args: InitProducerIdArgs): Promise<{ producerId: number; producerEpoch: number }> {
    if (args.transactionalId !== null) return (this.transactions as WireTransactions).initProducerId(args)
    return this.cluster.retry(async () => {
      const req = { ...createInitProducerIdRequest(), transactionalId: null, transactionTimeoutMs: args.transactionTimeoutMs }
      const res = await this.cluster.send(undefined, ApiKeys.InitProducerId, req)
      if (res.errorCode !== 0) throw kafkaError(res.errorCode, 'InitProducerId')
      return res
    })
  }

  send(batch: ProducerBatch): void {
    let q = this.ready.get(batch.key)
    if (!q) this.ready.set(batch.key, (q = []))
    q.push(batch)
    this.pump()
  }

  /** Sends what can go now: the head batch of each partition, grouped by leader. */
  private pump(): void {
    const now = Date.now()
    let nextRetry = Infinity
    let needMetadata = false
    for (;;) {
      const byNode = new Map<number, ProducerBatch[]>()
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
            (meta) => this.core.setPartitionCount(t, meta.partitions.length),
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
      for (const b of q) if (!keep.includes(b)) this.core.fail(b, err)
      if (keep.length === 0) this.ready.delete(k)
      else {
        for (const b of keep) b.retryAt = Date.now() + this.cluster.retryBackoffMs
        this.ready.set(k, keep)
      }
    }
  }

  private async sendTo(node: number, batches: ProducerBatch[]): Promise<void> {
    this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 0) + 1)
    for (const b of batches) b.attempts++
    const topicData: ProduceRequestTopicProduceData[] = []
    for (const b of batches) {
      let t = topicData.find((x) => x.name === b.topic)
      if (!t) topicData.push((t = { name: b.topic, partitionData: [] }))
      t.partitionData.push({ index: b.partition, records: b.bytes })
    }
    const acks = this.core.acks
    const request = { transactionalId: this.transactionalId, acks, timeoutMs: this.cluster.requestTimeoutMs, topicData }
    try {
      const conn = await this.cluster.connection(node)
      if (acks === 0) {
        await conn.send(ApiKeys.Produce, request, { noResponse: true })
        for (const b of batches) this.core.complete(b, -1, -1)
        return
      }
      // Produce v12+ belongs to KIP-890's transactions v2, which this client does not speak.
      const version = this.transactionalId === null ? conn.versionFor(ApiKeys.Produce) : Math.min(conn.versionFor(ApiKeys.Produce), 11)
      const res = await conn.request(ApiKeys.Produce, version, request, {})
      this.handleResponse(batches, res)
    } catch (err) {
      for (const b of batches) this.retryOrFail(b, err as Error)
    } finally {
      this.inFlightByNode.set(node, (this.inFlightByNode.get(node) ?? 1) - 1)
      this.pump()
    }
  }

  private handleResponse(batches: ProducerBatch[], res: ProduceResponse): void {
    for (const b of batches) {
      const p = res.responses.find((t) => t.name === b.topic)?.partitionResponses.find((x) => x.index === b.partition)
      if (!p) {
        this.retryOrFail(b, new BrookError('NETWORK_EXCEPTION', `The Produce answer has no result for ${b.topic}-${b.partition}`))
        continue
      }
      if (p.errorCode === 0 || p.errorCode === DUPLICATE_SEQUENCE) {
        this.core.complete(b, p.baseOffset, p.logAppendTimeMs)
        continue
      }
      const err = kafkaError(p.errorCode, `Produce to ${b.topic}-${b.partition}`, p.errorMessage ?? p.recordErrors[0]?.batchIndexErrorMessage, 'partition')
      if (this.core.idempotent && SEQUENCE_FATAL.has(p.errorCode)) {
        this.sequenceBroken(b, err)
        continue
      }
      if (METADATA_STALE.has(p.errorCode)) this.cluster.invalidate(b.topic)
      if (isRetriable(p.errorCode)) this.retryOrFail(b, err)
      else this.giveUp(b, err)
    }
  }

  private retryOrFail(b: ProducerBatch, err: Error): void {
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
  private giveUp(b: ProducerBatch, err: Error): void {
    if (this.core.idempotent) this.sequenceBroken(b, err)
    else this.core.fail(b, err)
  }

  /** The broker lost track of this partition's sequence: fail what is queued for it and start over with a new producer id. */
  private sequenceBroken(b: ProducerBatch, err: Error): void {
    this.core.fail(b, err)
    for (const other of this.ready.get(b.key) ?? []) this.core.fail(other, err)
    this.ready.delete(b.key)
    const open = this.core.takeOpen(b.topic, b.partition)
    if (open) this.core.fail(open, err)
    this.core.resetProducerId(b)
  }

  async close(): Promise<void> {
    this.closedHard = true
    if (this.retryTimer) clearTimeout(this.retryTimer)
    await this.cluster.close()
  }
}
