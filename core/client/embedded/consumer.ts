// In-process consumer: fetches stored batches straight from the broker, decodes them
// into records, and keeps positions, pauses and commits like the Java consumer.
// Group membership (join/sync/heartbeat, assignors) is the shared client-side
// GroupMembership, here talking to the broker's coordinator without a socket.
import type { Observable } from 'rxjs'
import { recordsObservable } from '../records-observable.js'
import { BrookError } from '../../errors.js'
import type { Broker, FetchPartitionRequest } from '../../broker/broker.js'
import { isControl, timestampType as batchTimestampType } from '../../protocol/records/batch-header.js'
import { decodeRecordsWith, forEachBatch } from '../../protocol/records/record-batch.js'
import { tpKey } from '../record-utils.js'
import { PartitionStates, raceTimeout } from '../partition-states.js'
import { groupError } from '../group-membership.js'
import type {
  Consumer,
  ConsumerConfig,
  ConsumerRecord,
  OffsetAndTimestamp,
  RebalanceListener,
  RecordsOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.js'
import { GroupMembership } from '../group-membership.js'

export class EmbeddedConsumer implements Consumer {
  private readonly config: Required<Omit<ConsumerConfig, 'groupId' | 'groupInstanceId' | 'clientId'>> & ConsumerConfig
  private readonly states = new PartitionStates()
  private subscription: string[] | RegExp | null = null
  private manual = false
  private group: GroupMembership | null = null
  private fetchAbort: AbortController | null = null
  private lastAutoCommit = Date.now()
  private closed = false
  private readonly abort = new AbortController()

  constructor(
    private readonly broker: Broker,
    config: ConsumerConfig = {},
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

  subscribe(topics: string[] | RegExp, listener?: RebalanceListener): void {
    this.checkOpen()
    if (this.manual) throw new BrookError('ILLEGAL_STATE', 'subscribe() after assign(): a consumer uses one or the other')
    const groupId = this.config.groupId
    if (!groupId) throw new BrookError('INVALID_GROUP_ID', 'subscribe() needs a groupId', { field: 'groupId' })
    this.subscription = topics
    if (!this.group) {
      const broker = this.broker
      this.group = new GroupMembership({
        coordinator: broker.coordinator,
        groupId,
        groupInstanceId: this.config.groupInstanceId ?? null,
        clientId: this.config.clientId ?? 'brook-consumer',
        clientHost: 'embedded',
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignors: this.config.partitionAssignmentStrategy,
        partitionsFor: async (topic) => (broker.hasTopic(topic) ? broker.describeTopic(topic).partitions : 0),
        // A poll waiting on a fetch returns so the member can rejoin in time.
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
    this.group.subscribe(this.subscribedTopics())
  }

  private subscribedTopics(): string[] {
    const s = this.subscription
    if (s === null) return []
    if (Array.isArray(s)) return s
    return this.broker.listTopics().filter((t) => s.test(t))
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
      if (!Array.isArray(this.subscription)) this.group.subscribe(this.subscribedTopics())
      // The join goes on in the background when it outlasts this poll, as in the Java client.
      const joined = await raceTimeout(this.group.ensureActive(), timeoutMs)
      if (!joined) return []
    }
    await this.maybeAutoCommit()
    await this.resolvePositions()
    let out = this.states.drain(this.config.maxPollRecords)
    if (out.length > 0) return out
    for (;;) {
      const remaining = deadline - Date.now()
      await this.fetchOnce(Math.max(0, remaining))
      out = this.states.drain(this.config.maxPollRecords)
      if (out.length > 0 || Date.now() >= deadline || this.closed) return out
      if (this.group?.needsRejoin) return out
    }
  }

  private async fetchOnce(maxWaitMs: number): Promise<void> {
    const requests: FetchPartitionRequest[] = []
    for (const s of this.states.values()) {
      if (s.paused || s.position === null || s.bufferIndex < s.buffer.length) continue
      requests.push({ topic: s.tp.topic, partition: s.tp.partition, offset: s.position, maxBytes: this.config.maxPartitionFetchBytes })
    }
    if (requests.length === 0) {
      if (maxWaitMs > 0) await sleep(Math.min(maxWaitMs, 100), this.abort.signal)
      return
    }
    const fetchAbort = new AbortController()
    this.fetchAbort = fetchAbort
    const onClose = (): void => fetchAbort.abort()
    this.abort.signal.addEventListener('abort', onClose)
    let results: Awaited<ReturnType<Broker['fetch']>>
    try {
      results = await this.broker.fetch(requests, { maxWaitMs, minBytes: 1, signal: fetchAbort.signal })
    } finally {
      this.abort.signal.removeEventListener('abort', onClose)
      this.fetchAbort = null
    }
    for (const res of results) {
      const s = this.states.get(tpKey(res.topic, res.partition))
      if (!s || s.position === null) continue
      if (res.error) {
        if (res.error.code === 'OFFSET_OUT_OF_RANGE') {
          s.position = this.resetPosition(s.tp, res.logStartOffset, res.highWatermark)
          continue
        }
        if (res.error.code === 'UNKNOWN_TOPIC_OR_PARTITION') continue
        throw res.error
      }
      if (res.records.length > 0) s.buffer = decodeInto(res.topic, res.partition, res.records, s.position)
      s.bufferIndex = 0
    }
  }

  private resetPosition(tp: TopicPartition, logStart: number, logEnd: number): number {
    switch (this.config.autoOffsetReset) {
      case 'earliest':
        return logStart
      case 'latest':
        return logEnd
      default:
        throw new BrookError('OFFSET_OUT_OF_RANGE', `No committed offset for ${tp.topic}-${tp.partition} and auto.offset.reset=none`)
    }
  }

  /** Positions of newly assigned partitions: the committed offset, else auto.offset.reset. */
  private async resolvePositions(): Promise<void> {
    const missing = [...this.states.values()].filter((s) => s.position === null)
    if (missing.length === 0) return
    const committed = this.config.groupId ? await this.committed(missing.map((s) => s.tp)) : []
    for (const s of missing) {
      const c = committed.find((x) => x.topic === s.tp.topic && x.partition === s.tp.partition)
      let p: ReturnType<Broker['partition']>
      try {
        p = this.broker.partition(s.tp.topic, s.tp.partition)
      } catch {
        continue
      }
      if (c && c.offset !== null && c.offset >= p.logStartOffset && c.offset <= p.highWatermark) s.position = c.offset
      else s.position = this.resetPosition(s.tp, p.logStartOffset, p.highWatermark)
    }
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
    for (const s of this.states.selected(partitions)) this.seek(s.tp, this.broker.partition(s.tp.topic, s.tp.partition).logStartOffset)
  }

  async seekToEnd(partitions?: TopicPartition[]): Promise<void> {
    for (const s of this.states.selected(partitions)) this.seek(s.tp, this.broker.partition(s.tp.topic, s.tp.partition).highWatermark)
  }

  async position(tp: TopicPartition): Promise<number> {
    const s = this.states.require(tp)
    if (s.position === null) await this.resolvePositions()
    return s.position ?? 0
  }

  async offsetsForTimes(query: Array<TopicPartition & { timestamp: number }>): Promise<Array<TopicPartition & { offsetAndTimestamp: OffsetAndTimestamp | null }>> {
    return query.map((q) => {
      const r = this.broker.listOffset(q.topic, q.partition, { timestamp: q.timestamp })
      return { topic: q.topic, partition: q.partition, offsetAndTimestamp: r.offset < 0 ? null : r }
    })
  }

  async beginningOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return partitions.map((tp) => ({ ...tp, offset: this.broker.listOffset(tp.topic, tp.partition, 'earliest').offset }))
  }

  async endOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    return partitions.map((tp) => ({ ...tp, offset: this.broker.listOffset(tp.topic, tp.partition, 'latest').offset }))
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
    const res = await this.broker.coordinator.commitOffsets({
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
    const res = await this.broker.coordinator.fetchOffsets({ groupId, partitions })
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

  records(options: RecordsOptions = {}): Observable<ConsumerRecord> {
    return recordsObservable((ms) => this.poll(ms), () => this.closed, options)
  }

  // ---- lifecycle ----

  async close(): Promise<void> {
    if (this.closed) return
    if (this.config.enableAutoCommit && this.config.groupId && this.states.size > 0) {
      await this.commitSync().catch(() => undefined)
    }
    this.closed = true
    this.abort.abort()
    await this.group?.close()
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

/** Decodes the records at or after `from`; control batches (transaction markers) are skipped. */
export function decodeInto(topic: string, partition: number, records: Buffer, from: number): ConsumerRecord[] {
  const out: ConsumerRecord[] = []
  forEachBatch(records, (at) => {
    if (isControl(records, at)) return
    const timestampType = batchTimestampType(records, at)
    const start = out.length
    decodeRecordsWith(records, at, (offset, timestamp, key, value, headers) => ({ topic, partition, offset, timestamp, timestampType, key, value, headers }), out)
    // Only the first batch can begin before the fetch position.
    if (start === 0 && out.length > 0 && out[0]!.offset < from) {
      let skip = 0
      while (skip < out.length && out[skip]!.offset < from) skip++
      out.splice(0, skip)
    }
  })
  return out
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const t = setTimeout(done, ms)
    function done(): void {
      clearTimeout(t)
      signal.removeEventListener('abort', done)
      resolve()
    }
    signal.addEventListener('abort', done)
  })
}
