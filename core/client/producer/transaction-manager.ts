// A transactional producer's side of KIP-98/KIP-447, written once for both clients:
// initTransactions (InitProducerId with the transactional id, which fences older
// instances), partitions added to the transaction before their first batch is sent
// (AddPartitionsToTxn), consumer offsets committed in the transaction (AddOffsetsToTxn,
// then TxnOffsetCommit with the consumer's group metadata), and EndTxn. Errors follow
// the Java client: fencing is fatal (the producer can only be closed), any other
// failure inside a transaction makes it abortable; after an abort that followed a
// failed send the epoch is bumped (KIP-360) so sequences start over cleanly.
import { BrookError } from '../../errors.js'
import type { ConsumerGroupMetadata, TopicPartition, TopicPartitionOffset } from '../types.js'
import type { ProducerBatch, ProducerCore } from './producer-core.js'

export interface TxnOffsetCommitArgs {
  transactionalId: string
  groupId: string
  producerId: number
  producerEpoch: number
  generationId: number
  memberId: string
  groupInstanceId: string | null
  offsets: TopicPartitionOffset[]
}

/** The transaction requests, answered by the transaction and group coordinators. Failures throw BrookErrors named as Kafka names them. */
export interface TransactionTransport {
  addPartitionsToTxn(transactionalId: string, producerId: number, producerEpoch: number, partitions: TopicPartition[]): Promise<void>
  addOffsetsToTxn(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<void>
  txnOffsetCommit(args: TxnOffsetCommitArgs): Promise<void>
  endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void>
}

type State = 'UNINITIALIZED' | 'READY' | 'IN_TRANSACTION' | 'COMMITTING' | 'ABORTING' | 'ABORTABLE_ERROR' | 'FATAL_ERROR'

/** Errors after which this producer instance is done (a newer one owns the transactional id). */
const FATAL = new Set(['PRODUCER_FENCED', 'TRANSACTIONAL_ID_AUTHORIZATION_FAILED', 'TRANSACTION_COORDINATOR_FENCED', 'INVALID_PRODUCER_ID_MAPPING'])
/** Answers that mean "try again shortly". */
const AGAIN = new Set(['CONCURRENT_TRANSACTIONS', 'COORDINATOR_NOT_AVAILABLE', 'NOT_COORDINATOR', 'NETWORK_EXCEPTION', 'TIMEOUT', 'UNKNOWN_TOPIC_OR_PARTITION'])
const RETRY_BACKOFF_MS = 20
const MAX_BLOCK_MS = 60_000

export class TransactionManager {
  private state: State = 'UNINITIALIZED'
  private lastError: Error | null = null
  private readonly added = new Set<string>()
  private readonly adding = new Map<string, TopicPartition>()
  /** Sealed batches waiting for their partition to be added, in seal order. */
  private waiting: ProducerBatch[] = []
  private addRunning: Promise<void> | null = null
  private bumpEpoch = false

  constructor(
    private readonly core: ProducerCore,
    readonly transactionalId: string,
    readonly transactionTimeoutMs: number,
  ) {}

  get currentState(): string {
    return this.state
  }

  get inTransaction(): boolean {
    return this.state === 'IN_TRANSACTION' || this.state === 'ABORTABLE_ERROR'
  }

  /** Why send() must refuse now, if it must. */
  checkSend(): Error | null {
    if (this.state === 'IN_TRANSACTION') return null
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR') return this.stateError('send')
    return new BrookError('ILLEGAL_STATE', `Cannot send outside a transaction (state ${this.state}); call beginTransaction() first`)
  }

  async initTransactions(): Promise<void> {
    if (this.state !== 'UNINITIALIZED' && this.state !== 'READY') throw this.stateError('initTransactions')
    await this.obtainEpoch(-1, -1)
    this.state = 'READY'
  }

  private async obtainEpoch(producerId: number, producerEpoch: number): Promise<void> {
    const res = await this.retrying('InitProducerId', () =>
      this.core.transportOf.initProducerId({ transactionalId: this.transactionalId, transactionTimeoutMs: this.transactionTimeoutMs, producerId, producerEpoch }),
    )
    this.core.setProducerId(res.producerId, res.producerEpoch)
  }

  beginTransaction(): void {
    if (this.state !== 'READY') throw this.stateError('beginTransaction')
    this.state = 'IN_TRANSACTION'
    this.added.clear()
  }

  /** Sends a sealed batch once its partition is part of the transaction. */
  route(batch: ProducerBatch): void {
    if (this.state === 'FATAL_ERROR' || this.state === 'ABORTABLE_ERROR') {
      this.core.fail(batch, this.stateError('send'))
      return
    }
    if (this.added.has(batch.key) && this.waiting.length === 0) {
      this.core.transportOf.send(batch)
      return
    }
    if (!this.added.has(batch.key)) this.adding.set(batch.key, { topic: batch.topic, partition: batch.partition })
    this.waiting.push(batch)
    this.addRunning ??= this.addPartitions().finally(() => {
      this.addRunning = null
    })
  }

  private async addPartitions(): Promise<void> {
    // Partitions sealed meanwhile go in the next round.
    await Promise.resolve()
    while (this.adding.size > 0) {
      const round = [...this.adding]
      this.adding.clear()
      const id = this.core.currentProducerId
      const epoch = this.core.currentEpoch
      try {
        await this.retrying('AddPartitionsToTxn', () =>
          this.core.transportOf.transactions.addPartitionsToTxn(this.transactionalId, id, epoch, round.map(([, tp]) => tp)),
        )
        for (const [k] of round) this.added.add(k)
      } catch (err) {
        this.failed(err as Error)
      }
      const still: ProducerBatch[] = []
      for (const b of this.waiting) {
        if (this.state === 'FATAL_ERROR' || this.state === 'ABORTABLE_ERROR') this.core.fail(b, this.stateError('send'))
        else if (this.added.has(b.key)) this.core.transportOf.send(b)
        else still.push(b)
      }
      this.waiting = still
    }
  }

  async sendOffsetsToTransaction(offsets: TopicPartitionOffset[], group: ConsumerGroupMetadata): Promise<void> {
    if (this.state !== 'IN_TRANSACTION') throw this.stateError('sendOffsetsToTransaction')
    if (!group.groupId) throw new BrookError('INVALID_GROUP_ID', 'sendOffsetsToTransaction needs a group id', { field: 'groupId' })
    const id = this.core.currentProducerId
    const epoch = this.core.currentEpoch
    try {
      await this.retrying('AddOffsetsToTxn', () => this.core.transportOf.transactions.addOffsetsToTxn(this.transactionalId, id, epoch, group.groupId))
      await this.retrying('TxnOffsetCommit', () =>
        this.core.transportOf.transactions.txnOffsetCommit({
          transactionalId: this.transactionalId,
          groupId: group.groupId,
          producerId: id,
          producerEpoch: epoch,
          generationId: group.generationId,
          memberId: group.memberId,
          groupInstanceId: group.groupInstanceId ?? null,
          offsets,
        }),
      )
    } catch (err) {
      this.failed(err as Error)
      throw err
    }
  }

  async commitTransaction(): Promise<void> {
    if (this.state === 'ABORTABLE_ERROR' || this.state === 'FATAL_ERROR') throw this.stateError('commitTransaction')
    if (this.state !== 'IN_TRANSACTION') throw this.stateError('commitTransaction')
    this.state = 'COMMITTING'
    try {
      await this.core.flush()
      await this.addRunning
    } catch {
      // Failures are in lastError via batchFailed.
    }
    if (this.lastError !== null) {
      this.state = FATAL.has((this.lastError as BrookError).code) ? 'FATAL_ERROR' : 'ABORTABLE_ERROR'
      throw this.stateError('commitTransaction')
    }
    try {
      await this.endTxn(true)
    } catch (err) {
      this.failed(err as Error)
      throw err
    }
    this.state = 'READY'
  }

  async abortTransaction(): Promise<void> {
    if (this.state === 'FATAL_ERROR') throw this.stateError('abortTransaction')
    if (this.state !== 'IN_TRANSACTION' && this.state !== 'ABORTABLE_ERROR') throw this.stateError('abortTransaction')
    this.state = 'ABORTING'
    // Batches already handed on finish first; their outcome no longer matters.
    await this.core.flush().catch(() => undefined)
    await this.addRunning
    try {
      await this.endTxn(false)
    } catch (err) {
      this.failed(err as Error)
      throw err
    }
    this.lastError = null
    if (this.bumpEpoch) {
      this.bumpEpoch = false
      await this.obtainEpoch(this.core.currentProducerId, this.core.currentEpoch)
    }
    this.state = 'READY'
  }

  private async endTxn(commit: boolean): Promise<void> {
    // A transaction that touched nothing has nothing for the coordinator to end.
    if (this.added.size === 0 && !this.offsetsSent) return
    const id = this.core.currentProducerId
    const epoch = this.core.currentEpoch
    await this.retrying('EndTxn', () => this.core.transportOf.transactions.endTxn(this.transactionalId, id, epoch, commit))
    this.added.clear()
    this.offsetsSent = false
  }

  private offsetsSent = false

  /** Called for AddOffsetsToTxn success too, so EndTxn is not skipped. */
  markOffsetsSent(): void {
    this.offsetsSent = true
  }

  /** A batch of this transaction failed. */
  batchFailed(err: Error): void {
    if (this.state === 'ABORTING') return
    this.failed(err)
    this.bumpEpoch = true
  }

  private failed(err: Error): void {
    this.lastError ??= err
    const code = err instanceof BrookError ? err.code : ''
    if (FATAL.has(code)) this.state = 'FATAL_ERROR'
    else if (this.state !== 'FATAL_ERROR') this.state = 'ABORTABLE_ERROR'
  }

  private stateError(op: string): BrookError {
    if (this.state === 'FATAL_ERROR') {
      const code = this.lastError instanceof BrookError ? this.lastError.code : 'PRODUCER_FENCED'
      return new BrookError(code, `${op}: the producer for transactional id '${this.transactionalId}' hit a fatal error and must be closed: ${this.lastError?.message ?? ''}`, {
        cause: this.lastError,
      })
    }
    if (this.state === 'ABORTABLE_ERROR') {
      return new BrookError('TRANSACTION_ABORTABLE', `${op}: the transaction of '${this.transactionalId}' failed and must be aborted: ${this.lastError?.message ?? ''}`, {
        cause: this.lastError,
      })
    }
    return new BrookError('ILLEGAL_STATE', `${op} is not allowed in transaction state ${this.state} (transactional id '${this.transactionalId}')`)
  }

  /** Retries coordinator moves and CONCURRENT_TRANSACTIONS (a previous EndTxn still completing). */
  private async retrying<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + MAX_BLOCK_MS
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await fn()
        if (what === 'AddOffsetsToTxn') this.markOffsetsSent()
        return out
      } catch (err) {
        const code = err instanceof BrookError ? err.code : ''
        if (!AGAIN.has(code) || Date.now() > deadline || this.core.isClosed) throw err
        await new Promise((resolve) => setTimeout(resolve, Math.min(500, RETRY_BACKOFF_MS * 2 ** Math.min(attempt, 5))))
      }
    }
  }
}
