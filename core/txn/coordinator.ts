// The transaction coordinator (KIP-98), beside the group coordinator: transactional ids
// map to a producer id and epoch, kept with the transaction's state and partitions in
// the compacted __transaction_state topic. Requests and answers are plain data with
// Kafka error codes, shared by the embedded client and the wire handlers.
//
// As in Kafka:
// - InitProducerId bumps the epoch (fencing older instances); an open transaction of
//   the id is aborted first. With the caller's current id and epoch (KIP-360/KIP-588)
//   a producer whose transaction timed out gets its epoch back in a bumped form;
//   anybody else presenting a stale id/epoch is PRODUCER_FENCED.
// - EndTxn writes PrepareCommit/PrepareAbort, then a marker (control batch) to every
//   partition of the transaction, then CompleteCommit/CompleteAbort. One node: the
//   markers are appended directly (no WriteTxnMarkers) before EndTxn answers.
// - Transactions open longer than their timeout are aborted with an epoch bump, so the
//   stalled producer is fenced and the last stable offset moves on.
// - On start, the state is replayed; transactions found in PrepareCommit/PrepareAbort
//   are completed (markers written again: writing one twice is harmless).
import type { Time } from '../common/time.js'
import { systemTime } from '../common/time.js'
import type { TopicPartition } from '../common/types.js'
import {
  type TransactionLogValue,
  type TxnStatusName,
  decodeTransactionLogKey,
  decodeTransactionLogValue,
  encodeTransactionLogKey,
  encodeTransactionLogValue,
} from './transaction-log-codec.js'
import type { TransactionLog } from './transaction-log.js'

/** Kafka error codes the coordinator answers with. */
export const TxnErrorCode = {
  NONE: 0,
  COORDINATOR_NOT_AVAILABLE: 15,
  INVALID_REQUEST: 42,
  INVALID_PRODUCER_EPOCH: 47,
  INVALID_TXN_STATE: 48,
  INVALID_PRODUCER_ID_MAPPING: 49,
  INVALID_TRANSACTION_TIMEOUT: 50,
  CONCURRENT_TRANSACTIONS: 51,
  PRODUCER_FENCED: 90,
  TRANSACTIONAL_ID_NOT_FOUND: 105,
} as const
const E = TxnErrorCode

const MAX_EPOCH = 32767
const MARKER_RETRY_MS = 1000

export interface MarkerWriter {
  /** Appends a commit or abort marker of the producer to a partition of the transaction (durably). */
  writeMarker(tp: TopicPartition, producerId: number, producerEpoch: number, commit: boolean, coordinatorEpoch: number): Promise<void>
}

export interface TransactionCoordinatorConfig {
  log: TransactionLog
  markers: MarkerWriter
  allocateProducerId(): Promise<number>
  /** The __consumer_offsets partition that holds a group's offsets (AddOffsetsToTxn adds it to the transaction). */
  offsetsPartitionFor(groupId: string): TopicPartition
  time?: Time
  /** transaction.max.timeout.ms. Default 900000. */
  transactionMaxTimeoutMs?: number
  /** transaction.abort.timed.out.transaction.cleanup.interval.ms. Default 10000. */
  abortTimedOutTransactionsIntervalMs?: number
}

export interface TransactionMetadata {
  transactionalId: string
  producerId: number
  producerEpoch: number
  /** The epoch before the last bump, so a producer fenced by a timeout can recover (KIP-588). -1 when none. */
  lastProducerEpoch: number
  transactionTimeoutMs: number
  state: TxnStatusName
  partitions: Map<string, TopicPartition>
  startTimestampMs: number
  lastUpdateTimestampMs: number
}

export interface InitProducerIdArgs {
  transactionalId: string | null
  transactionTimeoutMs: number
  producerId: number
  producerEpoch: number
}

export interface TransactionDescription {
  transactionalId: string
  errorCode: number
  state: string
  transactionTimeoutMs: number
  transactionStartTimeMs: number
  producerId: number
  producerEpoch: number
  partitions: TopicPartition[]
}

const key = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`

export class TransactionCoordinator {
  private readonly txns = new Map<string, TransactionMetadata>()
  private readonly locks = new Map<string, Promise<unknown>>()
  private readonly time: Time
  private readonly maxTimeoutMs: number
  private readonly intervalMs: number
  private timer: unknown = null
  private closed = false
  /** One node, one coordinator: its epoch goes into the markers. */
  readonly coordinatorEpoch = 0

  constructor(private readonly config: TransactionCoordinatorConfig) {
    this.time = config.time ?? systemTime
    this.maxTimeoutMs = config.transactionMaxTimeoutMs ?? 900_000
    this.intervalMs = config.abortTimedOutTransactionsIntervalMs ?? 10_000
  }

  /** Replays __transaction_state, completes transactions caught mid-commit or mid-abort, and starts the timeout check. */
  async load(): Promise<void> {
    for (const r of this.config.log.readAll()) {
      const id = decodeTransactionLogKey(r.key)
      if (r.value === null) {
        this.txns.delete(id)
        continue
      }
      const v = decodeTransactionLogValue(r.value)
      this.txns.set(id, {
        transactionalId: id,
        producerId: v.producerId,
        producerEpoch: v.producerEpoch,
        lastProducerEpoch: -1,
        transactionTimeoutMs: v.transactionTimeoutMs,
        state: v.status,
        partitions: new Map(v.partitions.map((tp) => [key(tp), tp])),
        startTimestampMs: v.startTimestampMs,
        lastUpdateTimestampMs: v.lastUpdateTimestampMs,
      })
    }
    for (const m of this.txns.values()) {
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort') {
        const commit = m.state === 'PrepareCommit'
        await this.locked(m.transactionalId, () => this.completeTransaction(m, commit)).catch(() => this.retryCompletion(m, commit))
      }
    }
    this.schedule()
  }

  private schedule(): void {
    if (this.closed) return
    this.timer = this.time.setTimeout(() => {
      void this.abortTimedOutTransactions().finally(() => this.schedule())
    }, this.intervalMs)
    ;(this.timer as { unref?: () => void } | null)?.unref?.()
  }

  close(): void {
    this.closed = true
    if (this.timer !== null) this.time.clearTimeout(this.timer)
  }

  /** Requests for one transactional id run one at a time. */
  private locked<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(id) ?? Promise.resolve()
    const run = prev.then(fn, fn)
    const tail = run.catch(() => undefined)
    this.locks.set(id, tail)
    void tail.then(() => {
      if (this.locks.get(id) === tail) this.locks.delete(id)
    })
    return run
  }

  private async persist(m: TransactionMetadata): Promise<void> {
    m.lastUpdateTimestampMs = this.time.now()
    const value: TransactionLogValue = {
      producerId: m.producerId,
      producerEpoch: m.producerEpoch,
      transactionTimeoutMs: m.transactionTimeoutMs,
      status: m.state,
      partitions: [...m.partitions.values()],
      lastUpdateTimestampMs: m.lastUpdateTimestampMs,
      startTimestampMs: m.startTimestampMs,
    }
    await this.config.log.append(m.transactionalId, { key: encodeTransactionLogKey(m.transactionalId), value: encodeTransactionLogValue(value) })
  }

  // ---- InitProducerId ----

  async initProducerId(req: InitProducerIdArgs): Promise<{ errorCode: number; producerId: number; producerEpoch: number }> {
    const fail = (errorCode: number) => ({ errorCode, producerId: -1, producerEpoch: -1 })
    if (this.closed) return fail(E.COORDINATOR_NOT_AVAILABLE)
    const id = req.transactionalId
    if (id === null) return { errorCode: 0, producerId: await this.config.allocateProducerId(), producerEpoch: 0 }
    if (id === '') return fail(E.INVALID_REQUEST)
    if (!Number.isInteger(req.transactionTimeoutMs) || req.transactionTimeoutMs <= 0 || req.transactionTimeoutMs > this.maxTimeoutMs) {
      return fail(E.INVALID_TRANSACTION_TIMEOUT)
    }
    return this.locked(id, async () => {
      let m = this.txns.get(id)
      if (!m) {
        m = {
          transactionalId: id,
          producerId: await this.config.allocateProducerId(),
          producerEpoch: -1,
          lastProducerEpoch: -1,
          transactionTimeoutMs: req.transactionTimeoutMs,
          state: 'Empty',
          partitions: new Map(),
          startTimestampMs: -1,
          lastUpdateTimestampMs: this.time.now(),
        }
        this.txns.set(id, m)
      } else if (req.producerId >= 0) {
        // KIP-360: the caller names the id/epoch it has; only the current owner (or the
        // one a timeout just fenced) may bump.
        const current = req.producerId === m.producerId && (req.producerEpoch === m.producerEpoch || req.producerEpoch === m.lastProducerEpoch)
        if (!current) return fail(E.PRODUCER_FENCED)
        if (req.producerEpoch === m.lastProducerEpoch && m.lastProducerEpoch >= 0) {
          // A retry, or a producer whose transaction a timeout aborted: it gets the epoch already bumped.
          if (m.state === 'Ongoing' || m.state === 'PrepareCommit' || m.state === 'PrepareAbort') return fail(E.CONCURRENT_TRANSACTIONS)
          return { errorCode: 0, producerId: m.producerId, producerEpoch: m.producerEpoch }
        }
      }
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort' || m.state === 'PrepareEpochFence') return fail(E.CONCURRENT_TRANSACTIONS)
      if (m.state === 'Ongoing') {
        // A new instance fences the old one: its transaction is aborted under a bumped epoch.
        await this.bumpEpoch(m)
        await this.endTransaction(m, false)
      }
      await this.bumpEpoch(m)
      m.transactionTimeoutMs = req.transactionTimeoutMs
      m.state = 'Empty'
      m.partitions = new Map()
      m.startTimestampMs = -1
      await this.persist(m)
      return { errorCode: 0, producerId: m.producerId, producerEpoch: m.producerEpoch }
    })
  }

  /** Next epoch; an exhausted epoch takes a new producer id (as Kafka does). */
  private async bumpEpoch(m: TransactionMetadata): Promise<void> {
    if (m.producerEpoch >= MAX_EPOCH - 1) {
      m.producerId = await this.config.allocateProducerId()
      m.lastProducerEpoch = -1
      m.producerEpoch = 0
      return
    }
    m.lastProducerEpoch = m.producerEpoch
    m.producerEpoch++
  }

  // ---- AddPartitionsToTxn / AddOffsetsToTxn ----

  private check(m: TransactionMetadata | undefined, producerId: number, producerEpoch: number): number {
    if (!m) return E.INVALID_PRODUCER_ID_MAPPING
    if (m.producerId !== producerId) return E.INVALID_PRODUCER_ID_MAPPING
    if (m.producerEpoch !== producerEpoch) return E.PRODUCER_FENCED
    return E.NONE
  }

  async addPartitionsToTxn(req: {
    transactionalId: string
    producerId: number
    producerEpoch: number
    partitions: TopicPartition[]
  }): Promise<Array<TopicPartition & { errorCode: number }>> {
    const all = (errorCode: number) => req.partitions.map((tp) => ({ topic: tp.topic, partition: tp.partition, errorCode }))
    if (this.closed) return all(E.COORDINATOR_NOT_AVAILABLE)
    const code = await this.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, req.partitions)
    return all(code)
  }

  async addOffsetsToTxn(req: { transactionalId: string; producerId: number; producerEpoch: number; groupId: string }): Promise<number> {
    if (this.closed) return E.COORDINATOR_NOT_AVAILABLE
    if (!req.groupId) return E.INVALID_REQUEST
    return this.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [this.config.offsetsPartitionFor(req.groupId)])
  }

  private addPartitions(id: string, producerId: number, producerEpoch: number, partitions: TopicPartition[]): Promise<number> {
    return this.locked(id, async () => {
      const m = this.txns.get(id)
      const code = this.check(m, producerId, producerEpoch)
      if (code !== E.NONE || !m) return code
      if (m.state === 'PrepareCommit' || m.state === 'PrepareAbort' || m.state === 'PrepareEpochFence') return E.CONCURRENT_TRANSACTIONS
      const fresh = partitions.filter((tp) => !m.partitions.has(key(tp)))
      if (m.state === 'Ongoing' && fresh.length === 0) return E.NONE
      if (m.state !== 'Ongoing') {
        m.state = 'Ongoing'
        m.startTimestampMs = this.time.now()
        m.partitions = new Map()
      }
      for (const tp of fresh) m.partitions.set(key(tp), tp)
      await this.persist(m)
      return E.NONE
    })
  }

  // ---- EndTxn ----

  async endTxn(req: { transactionalId: string; producerId: number; producerEpoch: number; committed: boolean }): Promise<number> {
    if (this.closed) return E.COORDINATOR_NOT_AVAILABLE
    return this.locked(req.transactionalId, async () => {
      const m = this.txns.get(req.transactionalId)
      const code = this.check(m, req.producerId, req.producerEpoch)
      if (!m) return code
      if (code !== E.NONE) {
        // The abort of a transaction a timeout already aborted (under the epoch it bumped) succeeds (KIP-588).
        const timedOut = m.producerId === req.producerId && req.producerEpoch === m.lastProducerEpoch && m.state === 'CompleteAbort'
        return timedOut && !req.committed ? E.NONE : code
      }
      switch (m.state) {
        case 'Ongoing':
          await this.endTransaction(m, req.committed)
          return E.NONE
        case 'CompleteCommit':
          return req.committed ? E.NONE : E.INVALID_TXN_STATE
        case 'CompleteAbort':
          return req.committed ? E.INVALID_TXN_STATE : E.NONE
        case 'PrepareCommit':
          return req.committed ? E.CONCURRENT_TRANSACTIONS : E.INVALID_TXN_STATE
        case 'PrepareAbort':
          return req.committed ? E.INVALID_TXN_STATE : E.CONCURRENT_TRANSACTIONS
        default:
          return E.INVALID_TXN_STATE
      }
    })
  }

  /**
   * Prepare, markers, complete; the caller holds the id's lock. Once the prepare state is
   * durable the outcome is decided: markers that cannot be written now are retried in the
   * background (requests meanwhile get CONCURRENT_TRANSACTIONS), as Kafka's marker channel does.
   */
  private async endTransaction(m: TransactionMetadata, commit: boolean): Promise<void> {
    m.state = commit ? 'PrepareCommit' : 'PrepareAbort'
    await this.persist(m)
    try {
      await this.completeTransaction(m, commit)
    } catch {
      this.retryCompletion(m, commit)
    }
  }

  private retryCompletion(m: TransactionMetadata, commit: boolean): void {
    if (this.closed) return
    const h = this.time.setTimeout(() => {
      void this.locked(m.transactionalId, async () => {
        if (m.state !== (commit ? 'PrepareCommit' : 'PrepareAbort')) return
        await this.completeTransaction(m, commit)
      }).catch(() => this.retryCompletion(m, commit))
    }, MARKER_RETRY_MS)
    ;(h as { unref?: () => void } | null)?.unref?.()
  }

  private async completeTransaction(m: TransactionMetadata, commit: boolean): Promise<void> {
    await Promise.all(
      [...m.partitions.values()].map((tp) => this.config.markers.writeMarker(tp, m.producerId, m.producerEpoch, commit, this.coordinatorEpoch)),
    )
    m.state = commit ? 'CompleteCommit' : 'CompleteAbort'
    m.partitions = new Map()
    await this.persist(m)
  }

  // ---- timeouts ----

  /** Aborts transactions open longer than their timeout, bumping the epoch to fence their producer. */
  async abortTimedOutTransactions(): Promise<number> {
    const now = this.time.now()
    let aborted = 0
    for (const m of [...this.txns.values()]) {
      if (m.state !== 'Ongoing' || m.startTimestampMs + m.transactionTimeoutMs > now) continue
      await this.locked(m.transactionalId, async () => {
        if (m.state !== 'Ongoing' || m.startTimestampMs + m.transactionTimeoutMs > this.time.now()) return
        await this.bumpEpoch(m)
        await this.endTransaction(m, false)
        aborted++
      }).catch(() => undefined)
    }
    return aborted
  }

  // ---- admin ----

  describeTransactions(ids: string[]): TransactionDescription[] {
    return ids.map((id) => {
      const m = this.txns.get(id)
      if (!m) {
        return { transactionalId: id, errorCode: E.TRANSACTIONAL_ID_NOT_FOUND, state: '', transactionTimeoutMs: 0, transactionStartTimeMs: -1, producerId: -1, producerEpoch: -1, partitions: [] }
      }
      return {
        transactionalId: id,
        errorCode: 0,
        state: m.state,
        transactionTimeoutMs: m.transactionTimeoutMs,
        transactionStartTimeMs: m.startTimestampMs,
        producerId: m.producerId,
        producerEpoch: m.producerEpoch,
        partitions: [...m.partitions.values()],
      }
    })
  }

  listTransactions(filters: { states?: string[]; producerIds?: number[]; durationMs?: number } = {}): Array<{ transactionalId: string; producerId: number; state: string }> {
    const now = this.time.now()
    const out: Array<{ transactionalId: string; producerId: number; state: string }> = []
    for (const m of this.txns.values()) {
      if (filters.states && filters.states.length > 0 && !filters.states.includes(m.state)) continue
      if (filters.producerIds && filters.producerIds.length > 0 && !filters.producerIds.includes(m.producerId)) continue
      if (filters.durationMs !== undefined && filters.durationMs >= 0 && (m.state !== 'Ongoing' || now - m.startTimestampMs < filters.durationMs)) continue
      out.push({ transactionalId: m.transactionalId, producerId: m.producerId, state: m.state })
    }
    return out
  }

  /** The state of one transactional id (tests, tools). */
  metadata(id: string): Readonly<TransactionMetadata> | undefined {
    return this.txns.get(id)
  }
}
