// Consumer over the wire: Fetch from each partition's leader, decode the returned
// batches in place (a trailing batch the broker cut short is left for the next fetch),
// positions, pauses and commits as the Java consumer keeps them. Group membership is
// the shared GroupMembership, talking to the coordinator through WireGroupCoordinator.
import { Observable } from 'rxjs'
import { BrookError } from '../../errors.js'
import { ApiKeys } from '../../protocol/apis/index.js'
import { createFetchRequest, type FetchRequestFetchTopic, type FetchResponse } from '../../protocol/apis/generated/fetch.js'
import { ZERO_UUID } from '../../protocol/primitives/reader.js'
import { BATCH_LENGTH, isControl, lastOffset, LOG_OVERHEAD, timestampType as batchTimestampType } from '../../protocol/records/batch-header.js'
import { forEachBatch, forEachRecord } from '../../protocol/records/record-batch.js'
import { GroupMembership, groupError } from '../group-membership.js'
import { tpKey } from '../record-utils.js'
import { PartitionStates, raceTimeout, type PartitionState } from '../partition-states.js'
import type {
  Consumer,
  ConsumerConfig,
  ConsumerRecord,
  OffsetAndTimestamp,
  RebalanceListener,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.js'
import type { Cluster } from './cluster.js'
import { kafkaError } from './errors.js'
import { WireGroupCoordinator } from './group-coordinator.js'
import { EARLIEST_TIMESTAMP, LATEST_TIMESTAMP, listOffsets } from './offsets.js'

/** Fetch errors that mean the leader moved or metadata is behind: look again and refetch. */
const REFRESH_ON = new Set([3, 5, 6, 74, 75, 100])

export interface KafkaConsumerOptions {
  /** Upper bound of bytes per Fetch response (fetch.max.bytes). Default 52428800. */
  fetchMaxBytes?: number
}

export class KafkaConsumer implements Consumer {
  private readonly config: Required<Omit<ConsumerConfig, 'groupId' | 'groupInstanceId' | 'clientId'>> & ConsumerConfig
  private readonly states = new PartitionStates()
  private readonly fetchMaxBytes: number
  private subscription: string[] | RegExp | null = null
  private manual = false
  private group: GroupMembership | null = null
  private coordinator: WireGroupCoordinator | null = null
  private fetchAbort: AbortController | null = null
  private lastAutoCommit = Date.now()
  private lastPatternCheck = 0
  private patternTopics: string[] = []
  private closed = false
  private readonly abort = new AbortController()

  constructor(
    private readonly cluster: Cluster,
    config: ConsumerConfig = {},
    options: KafkaConsumerOptions = {},
  ) {
    this.config = {
      autoOffsetReset: 'latest',
      enableAutoCommit: true,
      autoCommitIntervalMs: 5000,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3000,
      rebalanceTimeoutMs: 300_000,
      maxPollRecords: 500,
      maxPartitionFetchBytes: 1_048_576,
      partitionAssignmentStrategy: ['range', 'cooperative-sticky'],
      ...config,
    }
    this.fetchMaxBytes = options.fetchMaxBytes ?? 52_428_800
    if (!['earliest', 'latest', 'none'].includes(this.config.autoOffsetReset)) {
      throw new BrookError('INVALID_CONFIG', `auto.offset.reset must be earliest, latest or none, got ${this.config.autoOffsetReset}`, {
        field: 'auto.offset.reset',
      })
    }
    if (!Number.isInteger(this.config.maxPollRecords) || this.config.maxPollRecords < 1) {
      throw new BrookError('INVALID_CONFIG', `max.poll.records must be a positive integer`, { field: 'max.poll.records' })
    }
  }

  // ---- subscription and assignment ----

  private groupCoordinator(): WireGroupCoordinator {
    const groupId = this.requireGroupId()
    this.coordinator ??= new WireGroupCoordinator(this.cluster, groupId, this.config.rebalanceTimeoutMs)
    return this.coordinator
  }

  subscribe(topics: string[] | RegExp, listener?: RebalanceListener): void {
    this.checkOpen()
    if (this.manual) throw new BrookError('ILLEGAL_STATE', 'subscribe() after assign(): a consumer uses one or the other')
    const groupId = this.config.groupId
    if (!groupId) throw new BrookError('INVALID_GROUP_ID', 'subscribe() needs a groupId', { field: 'groupId' })
    this.subscription = topics
    this.lastPatternCheck = 0
    if (!this.group) {
      const cluster = this.cluster
      this.group = new GroupMembership({
        coordinator: this.groupCoordinator(),
        groupId,
        groupInstanceId: this.config.groupInstanceId ?? null,
        clientId: this.config.clientId ?? cluster.clientId,
        clientHost: '/',
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignors: this.config.partitionAssignmentStrategy,
        partitionsFor: (topic) => cluster.partitionCount(topic),
        onRejoinNeeded: () => this.fetchAbort?.abort(),
        listener: {
          onPartitionsAssigned: async (tps) => {
            for (const tp of tps) this.states.add(tp)
            await listener?.onPartitionsAssigned?.(tps)
          },
          onPartitionsRevoked: async (tps) => {
            try {
              await listener?.onPartitionsRevoked?.(tps)
              if (this.config.enableAutoCommit) await this.commitPositions(tps).catch(() => undefined)
            } finally {
              for (const tp of tps) this.states.remove(tp)
            }
          },
          onPartitionsLost: async (tps) => {
            try {
              await listener?.onPartitionsLost?.(tps)
            } finally {
              for (const tp of tps) this.states.remove(tp)
            }
          },
        },
      })
    }
    this.group.subscribe(Array.isArray(topics) ? topics : this.patternTopics)
  }

  /** Topics matching a RegExp subscription, from metadata at most every few seconds. */
  private async refreshPattern(): Promise<void> {
    const s = this.subscription
    if (!(s instanceof RegExp) || !this.group) return
    if (Date.now() - this.lastPatternCheck < 3000) return
    this.lastPatternCheck = Date.now()
    const names = await this.cluster.topicNames(false)
    this.patternTopics = names.filter((t) => {
      s.lastIndex = 0
      return s.test(t)
    })
    this.group.subscribe(this.patternTopics)
  }

  unsubscribe(): void {
    this.subscription = null
    void this.group?.unsubscribe().catch(() => undefined)
    this.group = null
    if (this.manual) this.states.clear()
    this.manual = false
  }

  assign(partitions: TopicPartition[]): void {
    this.checkOpen()
    if (this.subscription !== null) throw new BrookError('ILLEGAL_STATE', 'assign() after subscribe(): a consumer uses one or the other')
    this.manual = true
    this.states.retainOnly(partitions)
  }

  assignment(): TopicPartition[] {
    return this.states.assignment()
  }

  groupMetadata(): { groupId: string; generationId: number; memberId: string } | null {
    const g = this.group?.generation()
    return g && this.config.groupId ? { groupId: this.config.groupId, ...g } : null
  }

  // ---- polling ----

  async poll(timeoutMs = 1000): Promise<ConsumerRecord[]> {
    this.checkOpen()
    const deadline = Date.now() + timeoutMs
    if (this.group) {
      await this.refreshPattern()
      const joined = await raceTimeout(this.group.ensureActive(), Math.max(0, deadline - Date.now()))
      if (!joined) return []
    }
    await this.maybeAutoCommit()
    await this.resolvePositions()
    let out = this.states.drain(this.config.maxPollRecords)
    if (out.length > 0) return out
    for (;;) {
      await this.fetchOnce(Math.max(0, deadline - Date.now()))
      out = this.states.drain(this.config.maxPollRecords)
      if (out.length > 0 || Date.now() >= deadline || this.closed) return out
      if (this.group?.needsRejoin) return out
      await this.resolvePositions()
    }
  }

  /** One Fetch per leader, all at once; returns when they have all answered (or a rejoin is due). */
  private async fetchOnce(maxWaitMs: number): Promise<void> {
    const byNode = new Map<number, PartitionState[]>()
    let unknownLeader = false
    for (const s of this.states.values()) {
      if (s.paused || s.position === null || s.bufferIndex < s.buffer.length) continue
      const leader = this.cluster.cached(s.tp.topic)?.partitions[s.tp.partition]?.leader ?? -1
      if (leader < 0) {
        unknownLeader = true
        continue
      }
      let list = byNode.get(leader)
      if (!list) byNode.set(leader, (list = []))
      list.push(s)
    }
    if (unknownLeader) await this.refreshMetadata()
    if (byNode.size === 0) {
      if (maxWaitMs > 0) await sleep(Math.min(maxWaitMs, 100), this.abort.signal)
      return
    }
    const fetchAbort = new AbortController()
    this.fetchAbort = fetchAbort
    const onClose = (): void => fetchAbort.abort()
    this.abort.signal.addEventListener('abort', onClose)
    try {
      const fetches = Promise.all([...byNode].map(([node, parts]) => this.fetchFrom(node, parts, maxWaitMs, fetchAbort.signal)))
      await abortable(fetches, fetchAbort.signal)
    } finally {
      this.abort.signal.removeEventListener('abort', onClose)
      this.fetchAbort = null
    }
  }

  private async refreshMetadata(): Promise<void> {
    const topics = [...new Set([...this.states.values()].map((s) => s.tp.topic))]
    await Promise.all(topics.map((t) => this.cluster.topic(t, { refresh: true }).catch(() => undefined)))
  }

  private async fetchFrom(node: number, parts: PartitionState[], maxWaitMs: number, signal: AbortSignal): Promise<void> {
    let conn
    try {
      conn = await this.cluster.connection(node)
    } catch (err) {
      if (err instanceof BrookError && err.retriable) {
        this.cluster.invalidate()
        await sleep(this.cluster.retryBackoffMs, signal)
        return
      }
      throw err
    }
    let version = conn.versionFor(ApiKeys.Fetch)
    const topics: FetchRequestFetchTopic[] = []
    const sent = new Map<string, number>()
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
        partitionMaxBytes: s.fetchBytes ?? this.config.maxPartitionFetchBytes,
        replicaDirectoryId: ZERO_UUID,
      })
      sent.set(tpKey(s.tp.topic, s.tp.partition), s.position!)
    }
    const req = { ...createFetchRequest(), maxWaitMs, minBytes: 1, maxBytes: this.fetchMaxBytes, isolationLevel: 0, topics }
    let res: FetchResponse
    try {
      res = await conn.request(ApiKeys.Fetch, version, req, { timeoutMs: this.cluster.requestTimeoutMs + maxWaitMs })
    } catch (err) {
      if (err instanceof BrookError && err.retriable) {
        // The connection broke: the next poll reconnects and fetches again from the same positions.
        this.cluster.invalidate()
        return
      }
      throw err
    }
    if (signal.aborted) return
    if (res.errorCode !== 0) {
      const err = kafkaError(res.errorCode, `Fetch from broker ${node}`)
      if (err.retriable) return
      throw err
    }
    const resets: PartitionState[] = []
    for (const t of res.responses) {
      const topic = version >= 13 ? this.cluster.topicName(t.topicId) : t.topic
      if (topic === undefined) continue
      for (const p of t.partitions) {
        const k = tpKey(topic, p.partitionIndex)
        const s = this.states.get(k)
        // Skip answers for partitions revoked, sought or refilled since the request went out.
        if (!s || s.position === null || s.position !== sent.get(k) || s.bufferIndex < s.buffer.length) continue
        if (p.errorCode !== 0) {
          if (p.errorCode === 1) resets.push(s)
          else if (REFRESH_ON.has(p.errorCode)) this.cluster.invalidate(topic)
          else throw kafkaError(p.errorCode, `Fetch of ${topic}-${p.partitionIndex}`, null, 'partition')
          continue
        }
        const records = p.records
        if (records && records.length > 0) {
          const { out, next } = decodeInto(topic, p.partitionIndex, records, s.position)
          s.buffer = out
          s.bufferIndex = 0
          // Only batches before the position, or control batches: move past them.
          if (out.length === 0 && next > s.position) s.position = next
          // Not even one whole batch: ask for enough bytes next time.
          const first = batchBytes(records)
          if (out.length === 0 && first > records.length) s.fetchBytes = Math.min(0x7fffffff, Math.max(first, 2 * (s.fetchBytes ?? 0)))
          else s.fetchBytes = undefined
        }
      }
    }
    if (resets.length > 0) await this.resetPositions(resets)
  }

  /** OFFSET_OUT_OF_RANGE or no committed offset: auto.offset.reset decides. */
  private async resetPositions(states: PartitionState[]): Promise<void> {
    const reset = this.config.autoOffsetReset
    if (reset === 'none') {
      const s = states[0]!
      throw new BrookError('OFFSET_OUT_OF_RANGE', `No valid offset for ${s.tp.topic}-${s.tp.partition} and auto.offset.reset=none`)
    }
    const answers = await listOffsets(
      this.cluster,
      states.map((s) => ({ ...s.tp, timestamp: reset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP })),
    )
    states.forEach((s, i) => {
      if (this.states.get(tpKey(s.tp.topic, s.tp.partition)) !== s) return
      s.position = answers[i]!.offset
      s.buffer = []
      s.bufferIndex = 0
    })
  }

  /** Positions of newly assigned partitions: the committed offset, else auto.offset.reset. */
  private async resolvePositions(): Promise<void> {
    let missing = [...this.states.values()].filter((s) => s.position === null)
    if (missing.length === 0) return
    // Partitions of topics that do not exist (yet) wait, as in the Java consumer.
    const known = new Set<string>()
    for (const t of new Set(missing.map((s) => s.tp.topic))) {
      const meta = await this.cluster.topic(t).catch(() => null)
      if (meta) known.add(t)
    }
    missing = missing.filter((s) => known.has(s.tp.topic) && (this.cluster.cached(s.tp.topic)?.partitions.length ?? 0) > s.tp.partition)
    if (missing.length === 0) return
    const committed = this.config.groupId ? await this.committed(missing.map((s) => s.tp)) : []
    const toReset: PartitionState[] = []
    for (const s of missing) {
      const c = committed.find((x) => x.topic === s.tp.topic && x.partition === s.tp.partition)
      if (c && c.offset !== null) s.position = c.offset
      else toReset.push(s)
    }
    if (toReset.length > 0) await this.resetPositions(toReset)
  }

  // ---- positions ----

  seek(tp: TopicPartition, offset: number): void {
    const s = this.states.require(tp)
    if (!Number.isInteger(offset) || offset < 0) throw new BrookError('OFFSET_OUT_OF_RANGE', `Cannot seek to offset ${offset}`)
    s.position = offset
    s.buffer = []
    s.bufferIndex = 0
  }

  async seekToBeginning(partitions?: TopicPartition[]): Promise<void> {
    await this.seekTo(this.states.selected(partitions), EARLIEST_TIMESTAMP)
  }

  async seekToEnd(partitions?: TopicPartition[]): Promise<void> {
    await this.seekTo(this.states.selected(partitions), LATEST_TIMESTAMP)
  }

  private async seekTo(states: PartitionState[], timestamp: number): Promise<void> {
    const answers = await listOffsets(this.cluster, states.map((s) => ({ ...s.tp, timestamp })))
    states.forEach((s, i) => this.seek(s.tp, answers[i]!.offset))
  }

  async position(tp: TopicPartition): Promise<number> {
    const s = this.states.require(tp)
    if (s.position === null) await this.resolvePositions()
    return s.position ?? 0
  }

  async offsetsForTimes(query: Array<TopicPartition & { timestamp: number }>): Promise<Array<TopicPartition & { offsetAndTimestamp: OffsetAndTimestamp | null }>> {
    for (const q of query) {
      if (!Number.isInteger(q.timestamp) || q.timestamp < 0) {
        throw new BrookError('INVALID_REQUEST', `offsetsForTimes needs a timestamp >= 0 for ${q.topic}-${q.partition}, got ${q.timestamp}`)
      }
    }
    const answers = await listOffsets(this.cluster, query.map((q) => ({ topic: q.topic, partition: q.partition, timestamp: q.timestamp })))
    return answers.map((a) => ({
      topic: a.topic,
      partition: a.partition,
      offsetAndTimestamp: a.offset < 0 ? null : { offset: a.offset, timestamp: a.timestamp },
    }))
  }

  async beginningOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const answers = await listOffsets(this.cluster, partitions.map((tp) => ({ ...tp, timestamp: EARLIEST_TIMESTAMP })))
    return answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.offset }))
  }

  async endOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const answers = await listOffsets(this.cluster, partitions.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })))
    return answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.offset }))
  }

  pause(partitions: TopicPartition[]): void {
    this.states.pause(partitions)
  }

  resume(partitions: TopicPartition[]): void {
    this.states.resume(partitions)
  }

  paused(): TopicPartition[] {
    return this.states.paused()
  }

  // ---- commits ----

  async commitSync(offsets?: TopicPartitionOffset[]): Promise<void> {
    const groupId = this.requireGroupId()
    const list = offsets ?? this.currentPositions()
    if (list.length === 0) return
    if (this.group) return this.group.commitOffsets(list)
    // assign() consumers commit outside any generation, as the Java client does.
    const res = await this.groupCoordinator().commitOffsets({
      groupId,
      generationId: -1,
      memberId: '',
      groupInstanceId: null,
      offsets: list.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    })
    const failed = res.partitions.find((p) => p.errorCode !== 0)
    if (failed) throw groupError(failed.errorCode, `Commit of ${failed.topic}-${failed.partition} for group '${groupId}' failed`)
  }

  commitAsync(offsets?: TopicPartitionOffset[], callback?: (err: Error | null) => void): void {
    this.commitSync(offsets).then(
      () => callback?.(null),
      (err: Error) => callback?.(err),
    )
  }

  async committed(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number | null; metadata?: string }>> {
    const groupId = this.requireGroupId()
    if (this.group) return this.group.committed(partitions)
    const res = await this.groupCoordinator().fetchOffsets({ groupId, partitions })
    if (res.errorCode !== 0) throw groupError(res.errorCode, `Fetching committed offsets of group '${groupId}' failed`)
    return partitions.map((tp) => {
      const o = res.offsets.find((x) => x.topic === tp.topic && x.partition === tp.partition)
      return o && o.offset >= 0 ? { ...tp, offset: o.offset, metadata: o.metadata } : { ...tp, offset: null }
    })
  }

  private currentPositions(only?: TopicPartition[]): TopicPartitionOffset[] {
    const out: TopicPartitionOffset[] = []
    for (const s of only ? only.map((tp) => this.states.of(tp)) : this.states.values()) {
      if (s && s.position !== null) out.push({ ...s.tp, offset: s.position })
    }
    return out
  }

  private async commitPositions(tps: TopicPartition[]): Promise<void> {
    const list = this.currentPositions(tps)
    if (list.length > 0) await this.commitSync(list)
  }

  private async maybeAutoCommit(): Promise<void> {
    if (!this.config.enableAutoCommit || !this.config.groupId) return
    if (Date.now() - this.lastAutoCommit < this.config.autoCommitIntervalMs) return
    this.lastAutoCommit = Date.now()
    await this.commitSync().catch(() => undefined)
  }

  // ---- rxjs ----

  records(options: { pollTimeoutMs?: number } = {}): Observable<ConsumerRecord> {
    return new Observable<ConsumerRecord>((subscriber) => {
      let stopped = false
      const loop = async (): Promise<void> => {
        while (!stopped && !this.closed) {
          const batch = await this.poll(options.pollTimeoutMs ?? 1000)
          for (const r of batch) {
            if (stopped) return
            subscriber.next(r)
          }
          await new Promise<void>((resolve) => setImmediate(resolve))
        }
        if (!stopped) subscriber.complete()
      }
      loop().catch((err: unknown) => subscriber.error(err))
      return () => {
        stopped = true
      }
    })
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    if (this.closed) return
    try {
      if (this.config.enableAutoCommit && this.config.groupId && this.states.size > 0) {
        await this.commitSync().catch(() => undefined)
      }
    } finally {
      this.closed = true
      this.abort.abort()
      try {
        await this.group?.close()
      } finally {
        this.coordinator?.close()
        await this.cluster.close()
      }
    }
  }

  private checkOpen(): void {
    if (this.closed) throw new BrookError('CLOSED', 'The consumer is closed')
  }

  private requireGroupId(): string {
    const g = this.config.groupId
    if (!g) throw new BrookError('INVALID_GROUP_ID', 'This consumer has no groupId', { field: 'groupId' })
    return g
  }
}

/**
 * Decodes the complete batches of a fetched records field, keeping records at or after
 * `from`; control batches are skipped, a cut-off trailing batch is ignored. `next` is the
 * offset after the last complete batch.
 */
export function decodeInto(topic: string, partition: number, records: Buffer, from: number): { out: ConsumerRecord[]; next: number } {
  const out: ConsumerRecord[] = []
  let next = from
  forEachBatch(records, (at) => {
    const end = lastOffset(records, at) + 1
    if (end > next) next = end
    if (isControl(records, at) || end <= from) return
    const tsType = batchTimestampType(records, at)
    forEachRecord(records, at, (r) => {
      if (r.offset < from) return
      out.push({ topic, partition, offset: r.offset, timestamp: r.timestamp, timestampType: tsType, key: r.key, value: r.value, headers: r.headers })
    })
  })
  return { out, next }
}

/** The size of the first batch in `records`, from its header (0 when not even the length is there). */
function batchBytes(records: Buffer): number {
  return records.length >= LOG_OVERHEAD ? LOG_OVERHEAD + records.readInt32BE(BATCH_LENGTH) : 0
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

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve()
      return
    }
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
