// Transaction requests over the wire: InitProducerId, AddPartitionsToTxn, AddOffsetsToTxn
// and EndTxn to the transactional id's coordinator (FindCoordinator key type 1),
// TxnOffsetCommit to the group's coordinator. Versions stay below KIP-890's
// "transactions v2" (AddPartitionsToTxn <= 3, EndTxn <= 4, TxnOffsetCommit <= 4), whose
// per-transaction epoch bumps this client does not implement.
import { ApiKeys, type ApiKey } from '../../protocol/apis/index.js'
import type { InitProducerIdArgs } from '../producer/producer-core.js'
import type { TransactionTransport, TxnOffsetCommitArgs } from '../producer/transaction-manager.js'
import type { TopicPartition } from '../types.js'
import type { Cluster } from './cluster.js'
import type { Connection } from './connection.js'
import { kafkaError } from './errors.js'

const TRANSACTION = 1
const GROUP = 0
/** Highest versions of the classic (v1) transaction protocol. */
const MAX_VERSION: Partial<Record<ApiKey, number>> = {
  [ApiKeys.AddPartitionsToTxn]: 3,
  [ApiKeys.EndTxn]: 4,
  [ApiKeys.TxnOffsetCommit]: 4,
  [ApiKeys.AddOffsetsToTxn]: 3,
  [ApiKeys.InitProducerId]: 5,
}
const COORDINATOR_MOVED = new Set([14, 15, 16])

export class WireTransactions implements TransactionTransport {
  private readonly coordinators = new Map<string, Promise<Connection>>()

  constructor(private readonly cluster: Cluster) {}

  private coordinator(key: string, keyType: number): Promise<Connection> {
    const k = `${keyType}:${key}`
    let c = this.coordinators.get(k)
    if (!c) {
      c = this.cluster.findCoordinator(key, keyType).then((node) => this.cluster.connection(node.nodeId))
      this.coordinators.set(k, c)
      c.catch(() => this.coordinators.delete(k))
    }
    return c
  }

  private version(conn: Connection, api: ApiKey): number {
    return Math.min(conn.versionFor(api), MAX_VERSION[api] ?? Infinity)
  }

  /** Forgets a coordinator that moved or failed, so the caller's retry looks it up again. */
  private check(code: number, key: string, keyType: number, what: string): void {
    if (code === 0) return
    if (COORDINATOR_MOVED.has(code)) this.coordinators.delete(`${keyType}:${key}`)
    throw kafkaError(code, what)
  }

  private async call<T>(key: string, keyType: number, fn: (conn: Connection) => Promise<T>): Promise<T> {
    const conn = await this.coordinator(key, keyType)
    try {
      return await fn(conn)
    } catch (err) {
      this.coordinators.delete(`${keyType}:${key}`)
      throw err
    }
  }

  async initProducerId(args: InitProducerIdArgs): Promise<{ producerId: number; producerEpoch: number }> {
    const id = args.transactionalId!
    const res = await this.call(id, TRANSACTION, (conn) =>
      conn.request(ApiKeys.InitProducerId, this.version(conn, ApiKeys.InitProducerId), { ...args, transactionalId: id }, {}),
    )
    this.check(res.errorCode, id, TRANSACTION, `InitProducerId for transactional id '${id}'`)
    return { producerId: res.producerId, producerEpoch: res.producerEpoch }
  }

  async addPartitionsToTxn(transactionalId: string, producerId: number, producerEpoch: number, partitions: TopicPartition[]): Promise<void> {
    const topics = new Map<string, number[]>()
    for (const tp of partitions) {
      let list = topics.get(tp.topic)
      if (!list) topics.set(tp.topic, (list = []))
      list.push(tp.partition)
    }
    const res = await this.call(transactionalId, TRANSACTION, (conn) =>
      conn.request(
        ApiKeys.AddPartitionsToTxn,
        this.version(conn, ApiKeys.AddPartitionsToTxn),
        {
          transactions: [],
          v3AndBelowTransactionalId: transactionalId,
          v3AndBelowProducerId: producerId,
          v3AndBelowProducerEpoch: producerEpoch,
          v3AndBelowTopics: [...topics].map(([name, ps]) => ({ name, partitions: ps })),
        },
        {},
      ),
    )
    // OPERATION_NOT_ATTEMPTED (55) marks the partitions that were fine but not added because another failed.
    let worst = 0
    let where = ''
    for (const t of res.resultsByTopicV3AndBelow) {
      for (const p of t.resultsByPartition) {
        if (p.partitionErrorCode !== 0 && (worst === 0 || worst === 55)) {
          worst = p.partitionErrorCode
          where = `${t.name}-${p.partitionIndex}`
        }
      }
    }
    this.check(worst, transactionalId, TRANSACTION, `AddPartitionsToTxn of ${where} for '${transactionalId}'`)
  }

  async addOffsetsToTxn(transactionalId: string, producerId: number, producerEpoch: number, groupId: string): Promise<void> {
    const res = await this.call(transactionalId, TRANSACTION, (conn) =>
      conn.request(ApiKeys.AddOffsetsToTxn, this.version(conn, ApiKeys.AddOffsetsToTxn), { transactionalId, producerId, producerEpoch, groupId }, {}),
    )
    this.check(res.errorCode, transactionalId, TRANSACTION, `AddOffsetsToTxn of group '${groupId}' for '${transactionalId}'`)
  }

  async txnOffsetCommit(args: TxnOffsetCommitArgs): Promise<void> {
    const topics = new Map<string, Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; committedMetadata: string | null }>>()
    for (const o of args.offsets) {
      let list = topics.get(o.topic)
      if (!list) topics.set(o.topic, (list = []))
      list.push({ partitionIndex: o.partition, committedOffset: o.offset, committedLeaderEpoch: -1, committedMetadata: o.metadata ?? '' })
    }
    const res = await this.call(args.groupId, GROUP, (conn) =>
      conn.request(
        ApiKeys.TxnOffsetCommit,
        this.version(conn, ApiKeys.TxnOffsetCommit),
        {
          transactionalId: args.transactionalId,
          groupId: args.groupId,
          producerId: args.producerId,
          producerEpoch: args.producerEpoch,
          generationId: args.generationId,
          memberId: args.memberId,
          groupInstanceId: args.groupInstanceId,
          topics: [...topics].map(([name, partitions]) => ({ name, partitions })),
        },
        {},
      ),
    )
    for (const t of res.topics) {
      for (const p of t.partitions) this.check(p.errorCode, args.groupId, GROUP, `TxnOffsetCommit of ${t.name}-${p.partitionIndex} for group '${args.groupId}'`)
    }
  }

  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    const res = await this.call(transactionalId, TRANSACTION, (conn) =>
      conn.request(ApiKeys.EndTxn, this.version(conn, ApiKeys.EndTxn), { transactionalId, producerId, producerEpoch, committed: commit }, {}),
    )
    this.check(res.errorCode, transactionalId, TRANSACTION, `EndTxn (${commit ? 'commit' : 'abort'}) for '${transactionalId}'`)
  }
}
