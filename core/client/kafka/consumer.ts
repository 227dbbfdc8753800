// Consumer over the wire: the shared ConsumerCore over a transport that sends one Fetch
// per leader (all at once), names topics by id from Fetch v13, reports partitions whose
// leader moved back to metadata, and reaches the group coordinator through
// WireGroupCoordinator.
import { BrookError } from '../../errors.js'
import { sleepUnlessAborted } from '../../common/time.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import { createFetchRequest, type FetchRequestFetchTopic, type FetchResponse } from '../../protocol/apis/generated/fetch.js'
import { ZERO_UUID } from '../../protocol/primitives/reader.js'
import { ConsumerCore, type ConsumerTransport, type FetchedPartition, type OffsetAnswer, type OffsetQuery } from '../consumer/consumer-core.js'
import { decodeFetched } from '../consumer/fetched-records.js'
import type { GroupCoordinatorApi } from '../group-membership.js'
import type { PartitionState } from '../partition-states.js'
import { tpKey } from '../record-utils.js'
import type { ConsumerConfig, IsolationLevel } from '../types.js'
import type { Cluster } from './cluster.js'
import { kafkaError } from './errors.js'
import { WireGroupCoordinator } from './group-coordinator.js'
import { listOffsets } from './offsets.js'

/** Fetch errors that mean the leader moved or metadata is behind: look again and refetch. */
const REFRESH_ON = new Set([3, 5, 6, 74, 75, 100])

/** Kept under its old name: decodes a fetched records field (see decodeFetched). */
export const decodeInto = decodeFetched

export interface KafkaConsumerOptions {
  /** Upper bound of bytes per Fetch response (fetch.max.bytes). Default 52428800. */
  fetchMaxBytes?: number
}

export class KafkaConsumer extends ConsumerCore {
  constructor(cluster: Cluster, config: ConsumerConfig = {}, options: KafkaConsumerOptions = {}) {
    super(config)
    this.attach(new WireConsumerTransport(cluster, options.fetchMaxBytes ?? 52_428_800))
  }
}

class WireConsumerTransport implements ConsumerTransport {
  private coordinator: WireGroupCoordinator | null = null

  constructor(
    private readonly cluster: Cluster,
    private readonly fetchMaxBytes: number,
  ) {}

  get clientId(): string {
    return this.cluster.clientId
  }

  readonly clientHost = '/'

  groupCoordinator(groupId: string, rebalanceTimeoutMs: number): GroupCoordinatorApi {
    this.coordinator ??= new WireGroupCoordinator(this.cluster, groupId, rebalanceTimeoutMs)
    return this.coordinator
  }

  async partitionCount(topic: string): Promise<number> {
    const meta = await this.cluster.topic(topic).catch(() => null)
    return meta?.partitions.length ?? 0
  }

  topicNames(): Promise<string[]> {
    return this.cluster.topicNames(false)
  }

  listOffsets(queries: OffsetQuery[], isolation: IsolationLevel): Promise<OffsetAnswer[]> {
    return listOffsets(this.cluster, queries, isolation)
  }

  /** One Fetch per leader, all at once; returns when they have all answered (or the signal fires). */
  async fetch(
    states: PartitionState[],
    options: { maxWaitMs: number; maxPartitionBytes: number; isolation: IsolationLevel; signal: AbortSignal },
  ): Promise<FetchedPartition[]> {
    const byNode = new Map<number, PartitionState[]>()
    let unknownLeader = false
    for (const s of states) {
      const leader = this.cluster.cached(s.tp.topic)?.partitions[s.tp.partition]?.leader ?? -1
      if (leader < 0) {
        unknownLeader = true
        continue
      }
      let list = byNode.get(leader)
      if (!list) byNode.set(leader, (list = []))
      list.push(s)
    }
    if (unknownLeader) {
      const topics = [...new Set(states.map((s) => s.tp.topic))]
      await Promise.all(topics.map((t) => this.cluster.topic(t, { refresh: true }).catch(() => undefined)))
    }
    if (byNode.size === 0) {
      if (options.maxWaitMs > 0) await sleepUnlessAborted(Math.min(options.maxWaitMs, 100), options.signal)
      return []
    }
    const out: FetchedPartition[] = []
    const fetches = Promise.all([...byNode].map(([node, parts]) => this.fetchFrom(node, parts, options, out)))
    await abortable(fetches, options.signal)
    return options.signal.aborted ? [] : out
  }

  private async fetchFrom(
    node: number,
    parts: PartitionState[],
    options: { maxWaitMs: number; maxPartitionBytes: number; isolation: IsolationLevel; signal: AbortSignal },
    out: FetchedPartition[],
  ): Promise<void> {
    let conn
    try {
      conn = await this.cluster.connection(node)
    } catch (err) {
      if (err instanceof BrookError && err.retriable) {
        this.cluster.invalidate()
        await sleepUnlessAborted(this.cluster.retryBackoffMs, options.signal)
        return
      }
      throw err
    }
    let version = conn.versionFor(ApiKeys.Fetch)
    const topics: FetchRequestFetchTopic[] = []
    const sent = new Map<string, { state: PartitionState; from: number }>()
    for (const s of parts) {
      let t = topics.find((x) => x.topic === s.tp.topic)
      if (!t) {
        const topicId = this.cluster.cached(s.tp.topic)?.topicId ?? ZERO_UUID
        topics.push((t = { topic: s.tp.topic, topicId, partitions: [] }))
        // Fetch v13+ names topics by id only.
        if (topicId === ZERO_UUID) version = Math.min(version, 12)
      }
      t.partitions.push({
        partition: s.tp.partition,
        currentLeaderEpoch: -1,
        fetchOffset: s.position!,
        lastFetchedEpoch: -1,
        logStartOffset: -1,
        partitionMaxBytes: s.fetchBytes ?? options.maxPartitionBytes,
        replicaDirectoryId: ZERO_UUID,
      })
      sent.set(tpKey(s.tp.topic, s.tp.partition), { state: s, from: s.position! })
    }
    const req = {
      ...createFetchRequest(),
      maxWaitMs: options.maxWaitMs,
      minBytes: 1,
      maxBytes: this.fetchMaxBytes,
      isolationLevel: options.isolation === 'read_committed' ? 1 : 0,
      topics,
    }
    let res: FetchResponse
    try {
      res = await conn.request(ApiKeys.Fetch, version, req, { timeoutMs: this.cluster.requestTimeoutMs + options.maxWaitMs })
    } catch (err) {
      if (err instanceof BrookError && err.retriable) {
        // The connection broke: the next poll reconnects and fetches again from the same positions.
        this.cluster.invalidate()
        return
      }
      throw err
    }
    if (options.signal.aborted) return
    if (res.errorCode !== 0) {
      const err = kafkaError(res.errorCode, `Fetch from broker ${node}`)
      if (err.retriable) return
      throw err
    }
    for (const t of res.responses) {
      const topic = version >= 13 ? this.cluster.topicName(t.topicId) : t.topic
      if (topic === undefined) continue
      for (const p of t.partitions) {
        const asked = sent.get(tpKey(topic, p.partitionIndex))
        if (!asked) continue
        if (p.errorCode !== 0) {
          if (p.errorCode === 1) out.push({ ...asked, error: 'OFFSET_OUT_OF_RANGE', records: null, abortedTransactions: null })
          else if (REFRESH_ON.has(p.errorCode)) this.cluster.invalidate(topic)
          else throw kafkaError(p.errorCode, `Fetch of ${topic}-${p.partitionIndex}`, null, 'partition')
          continue
        }
        out.push({ ...asked, error: null, records: p.records, abortedTransactions: p.abortedTransactions })
      }
    }
  }

  async close(): Promise<void> {
    this.coordinator?.close()
    await this.cluster.close()
  }
}

/** Waits for p unless the signal fires first (the answer is then dropped). */
async function abortable(p: Promise<unknown>, signal: AbortSignal): Promise<void> {
  if (signal.aborted) {
    p.catch(() => undefined)
    return
  }
  let onAbort: (() => void) | undefined
  const aborted = new Promise<void>((resolve) => {
    onAbort = resolve
    signal.addEventListener('abort', onAbort)
  })
  p.catch(() => undefined)
  try {
    await Promise.race([p, aborted])
  } finally {
    signal.removeEventListener('abort', onAbort!)
  }
}
