// The consumer engine both client implementations share: subscription or assignment,
// group membership (GroupMembership over the transport's coordinator), positions,
// pauses, the poll loop, auto-commit, decoding of fetched batches (read_committed
// filtering included) and offset resets, as the Java consumer keeps them. A
// ConsumerTransport does the fetching and offset lookups, in process or over the wire.
import type { Observable } from 'rxjs'
import { BrookError } from '../../errors.js'
import { EventLoopTurns, sleepUnlessAborted } from '../../common/time.js'
import { BUILT_IN_ASSIGNORS, type PartitionAssignor } from '../assignors/index.js'
import { GroupMembership, fetchCommitted, groupError, type GroupCoordinatorApi } from '../group-membership.js'
import { PartitionStates, raceTimeout, type PartitionState } from '../partition-states.js'
import { tpKey } from '../record-utils.js'
import { recordsObservable } from '../records-observable.js'
import type {
  Consumer,
  ConsumerConfig,
  ConsumerGroupMetadata,
  ConsumerRecord,
  RecordView,
  IsolationLevel,
  OffsetAndTimestamp,
  RebalanceListener,
  RecordsOptions,
  TopicPartition,
  TopicPartitionOffset,
} from '../types.js'
import { FetchedRecords, type AbortedTransaction } from './fetched-records.js'

/** ListOffsets' special timestamps. */
export const LATEST_TIMESTAMP = -1
export const EARLIEST_TIMESTAMP = -2

export interface OffsetQuery extends TopicPartition {
  /** -1 latest, -2 earliest, else the earliest offset whose timestamp is at or after this. */
  timestamp: number
}

export interface OffsetAnswer extends TopicPartition {
  /** -1 when no record has a timestamp at or after the one asked. */
  offset: number
  timestamp: number
}

/** One partition's answer to a fetch. */
export interface FetchedPartition {
  state: PartitionState
  /** The position the fetch asked from. */
  from: number
  error: 'OFFSET_OUT_OF_RANGE' | null
  records: Buffer | null
  abortedTransactions: AbortedTransaction[] | null
}

export interface ConsumerTransport {
  readonly clientId: string
  readonly clientHost: string
  groupCoordinator(groupId: string, rebalanceTimeoutMs: number): GroupCoordinatorApi
  /** Partition count of a topic; 0 when it does not exist. */
  partitionCount(topic: string): Promise<number>
  topicNames(): Promise<string[]>
  listOffsets(queries: OffsetQuery[], isolation: IsolationLevel): Promise<OffsetAnswer[]>
  /** Fetches the given partitions from their positions; answers only for partitions it got a usable answer for. */
  fetch(states: PartitionState[], options: { maxWaitMs: number; maxPartitionBytes: number; isolation: IsolationLevel; signal: AbortSignal }): Promise<FetchedPartition[]>
  close(): Promise<void>
}

type ResolvedConfig = Required<Omit<ConsumerConfig, 'groupId' | 'groupInstanceId' | 'clientId'>> & ConsumerConfig

export class ConsumerCore implements Consumer {
  private readonly config: ResolvedConfig
  private readonly states = new PartitionStates()
  private transport!: ConsumerTransport
  private subscription: string[] | RegExp | null = null
  private manual = false
  private group: GroupMembership | null = null
  private coordinator: GroupCoordinatorApi | null = null
  private fetchAbort: AbortController | null = null
  /** A poll gives the event loop a turn every 5 ms (see pollWith). */
  private readonly turns = new EventLoopTurns(5)
  private lastAutoCommit = Date.now()
  private lastPatternCheck = 0
  private closed = false
  private readonly abort = new AbortController()
  /** wakeup() was called and no poll has answered it with WAKEUP yet. */
  private wakeupPending = false
  /** Aborted by wakeup() and by close(): ends a poll's wait for its group join or for partitions to fetch. */
  private wake = new AbortController()

  constructor(config: ConsumerConfig = {}) {
    this.config = {
      autoOffsetReset: 'latest',
      enableAutoCommit: true,
      autoCommitIntervalMs: 5000,
      sessionTimeoutMs: 45_000,
      heartbeatIntervalMs: 3000,
      rebalanceTimeoutMs: 300_000,
      maxPollRecords: 500,
      maxPartitionFetchBytes: 1_048_576,
      fetchMaxWaitMs: 500,
      partitionAssignmentStrategy: ['range', 'cooperative-sticky'],
      isolationLevel: 'read_uncommitted',
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
    if (!Number.isInteger(this.config.fetchMaxWaitMs) || this.config.fetchMaxWaitMs < 0) {
      throw new BrookError('INVALID_CONFIG', `fetch.max.wait.ms must be a non-negative integer, got ${String(this.config.fetchMaxWaitMs)}`, { field: 'fetch.max.wait.ms' })
    }
    if (this.config.isolationLevel !== 'read_committed' && this.config.isolationLevel !== 'read_uncommitted') {
      throw new BrookError('INVALID_CONFIG', `isolation.level must be read_committed or read_uncommitted, got ${String(this.config.isolationLevel)}`, {
        field: 'isolation.level',
      })
    }
    checkAssignors(this.config.partitionAssignmentStrategy)
  }

  /** Set once by the implementation that owns this core. */
  protected attach(transport: ConsumerTransport): void {
    this.transport = transport
  }

  // ---- subscription and assignment ----

  private groupCoordinator(): GroupCoordinatorApi {
    this.coordinator ??= this.transport.groupCoordinator(this.requireGroupId(), this.config.rebalanceTimeoutMs)
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
      const transport = this.transport
      this.group = new GroupMembership({
        coordinator: this.groupCoordinator(),
        groupId,
        groupInstanceId: this.config.groupInstanceId ?? null,
        clientId: this.config.clientId ?? transport.clientId,
        clientHost: transport.clientHost,
        sessionTimeoutMs: this.config.sessionTimeoutMs,
        rebalanceTimeoutMs: this.config.rebalanceTimeoutMs,
        heartbeatIntervalMs: this.config.heartbeatIntervalMs,
        assignors: this.config.partitionAssignmentStrategy,
        partitionsFor: (topic) => transport.partitionCount(topic),
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
    this.group.subscribe(Array.isArray(topics) ? topics : [])
  }

  /** Topics matching a RegExp subscription, from metadata at most every few seconds. */
  private async refreshPattern(): Promise<void> {
    const s = this.subscription
    if (!(s instanceof RegExp) || !this.group) return
    if (Date.now() - this.lastPatternCheck < 3000) return
    this.lastPatternCheck = Date.now()
    const names = await this.transport.topicNames()
    this.group.subscribe(
      names.filter((t) => {
        s.lastIndex = 0
        return s.test(t)
      }),
    )
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

  groupMetadata(): ConsumerGroupMetadata | null {
    const g = this.group?.lastGeneration()
    return g && this.config.groupId ? { groupId: this.config.groupId, ...g, groupInstanceId: this.config.groupInstanceId ?? null } : null
  }

  // ---- polling ----

  async poll(timeoutMs = 1000): Promise<ConsumerRecord[]> {
    let out: ConsumerRecord[] = []
    await this.pollWith(timeoutMs, () => (out = this.states.drain(this.config.maxPollRecords)).length)
    return out
  }

  async pollInto(timeoutMs: number, visit: (record: RecordView) => void): Promise<number> {
    let n = 0
    await this.pollWith(timeoutMs, () => (n = this.states.drainInto(this.config.maxPollRecords, visit)))
    return n
  }

  enforceRebalance(): void {
    this.checkOpen()
    if (!this.group) throw new BrookError('ILLEGAL_STATE', 'enforceRebalance() needs subscribe(): an assigned consumer is in no group')
    this.group.requestRejoin()
    // A poll waiting on a fetch returns, so the next one rejoins.
    this.fetchAbort?.abort()
  }

  wakeup(): void {
    this.wakeupPending = true
    this.wake.abort()
    this.fetchAbort?.abort()
  }

  /** Answers a pending wakeup(): the poll rejects with WAKEUP, and the next one waits again. */
  private checkWakeup(): void {
    if (!this.wakeupPending) return
    this.wakeupPending = false
    this.wake = new AbortController()
    throw new BrookError('WAKEUP', 'The poll was woken up by Consumer.wakeup()')
  }

  /** The poll loop: joins, commits, fetches until `drain` gives records, the time is up or wakeup() is called. */
  private async pollWith(timeoutMs: number, drain: () => number): Promise<void> {
    // The group counts max.poll.interval.ms from the end of the last poll.
    const group = this.group
    group?.pollStarted()
    try {
      await this.pollOnce(timeoutMs, drain)
    } finally {
      group?.pollEnded()
    }
  }

  private async pollOnce(timeoutMs: number, drain: () => number): Promise<void> {
    this.checkOpen()
    this.checkWakeup()
    // A loop whose polls always find records (buffered, or read from the log at once by the embedded
    // fetch) would run on promise callbacks alone: timers, sockets and the app's own server would
    // wait until the backlog is gone.
    await this.turns.take()
    const deadline = Date.now() + timeoutMs
    if (this.group) {
      await this.refreshPattern()
      // The join goes on in the background when it outlasts this poll, as in the Java client.
      const joined = await raceTimeout(this.group.ensureActive(), Math.max(0, deadline - Date.now()), this.wake.signal)
      this.checkWakeup()
      if (!joined) return
    }
    await this.maybeAutoCommit()
    await this.resolvePositions()
    if (drain() > 0) return
    for (;;) {
      await this.fetchOnce(Math.min(this.config.fetchMaxWaitMs, Math.max(0, deadline - Date.now())))
      // Records fetched before a wakeup are handed out; the wakeup answers the next poll.
      if (drain() > 0) return
      this.checkWakeup()
      if (Date.now() >= deadline || this.closed) return
      if (this.group?.needsRejoin) return
      await this.resolvePositions()
    }
  }

  private async fetchOnce(maxWaitMs: number): Promise<void> {
    const wanted: PartitionState[] = []
    for (const s of this.states.values()) {
      if (s.paused || s.position === null || s.fetched !== null) continue
      wanted.push(s)
    }
    if (wanted.length === 0) {
      if (maxWaitMs > 0) await sleepUnlessAborted(Math.min(maxWaitMs, 100), this.wake.signal)
      return
    }
    const fetchAbort = new AbortController()
    if (this.wakeupPending) fetchAbort.abort()
    this.fetchAbort = fetchAbort
    const onClose = (): void => fetchAbort.abort()
    this.abort.signal.addEventListener('abort', onClose)
    let results: FetchedPartition[]
    try {
      results = await this.transport.fetch(wanted, {
        maxWaitMs,
        maxPartitionBytes: this.config.maxPartitionFetchBytes,
        isolation: this.config.isolationLevel,
        signal: fetchAbort.signal,
      })
    } finally {
      this.abort.signal.removeEventListener('abort', onClose)
      this.fetchAbort = null
    }
    const resets: PartitionState[] = []
    for (const r of results) {
      const s = r.state
      // Skip answers for partitions revoked, sought or refilled since the request went out.
      if (this.states.get(tpKey(s.tp.topic, s.tp.partition)) !== s || s.position !== r.from || s.fetched !== null) continue
      if (r.error === 'OFFSET_OUT_OF_RANGE') {
        resets.push(s)
        continue
      }
      const records = r.records
      if (records === null || records.length === 0) continue
      const fetched = new FetchedRecords(s.tp.topic, s.tp.partition, records, r.from, r.abortedTransactions)
      const next = fetched.next
      const empty = !fetched.hasMore
      s.fetched = empty ? null : fetched
      // Only batches before the position, control batches or aborted ones: move past them.
      if (empty && next > r.from) s.position = next
      // Not even one whole batch: ask for enough bytes next time.
      const first = records.length >= 12 ? 12 + records.readInt32BE(8) : 0
      if (empty && next === r.from && first > records.length) s.fetchBytes = Math.min(0x7fffffff, Math.max(first, 2 * (s.fetchBytes ?? 0)))
      else s.fetchBytes = undefined
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
    const answers = await this.transport.listOffsets(
      states.map((s) => ({ ...s.tp, timestamp: reset === 'earliest' ? EARLIEST_TIMESTAMP : LATEST_TIMESTAMP })),
      this.config.isolationLevel,
    )
    states.forEach((s, i) => {
      if (this.states.get(tpKey(s.tp.topic, s.tp.partition)) !== s) return
      s.position = answers[i]!.offset
      s.fetched = null
    })
  }

  /** Positions of newly assigned partitions: the committed offset, else auto.offset.reset. */
  private async resolvePositions(): Promise<void> {
    let missing = [...this.states.values()].filter((s) => s.position === null)
    if (missing.length === 0) return
    // Partitions of topics that do not exist (yet) wait, as in the Java consumer.
    const counts = new Map<string, number>()
    for (const t of new Set(missing.map((s) => s.tp.topic))) counts.set(t, await this.transport.partitionCount(t).catch(() => 0))
    missing = missing.filter((s) => (counts.get(s.tp.topic) ?? 0) > s.tp.partition)
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
    s.fetched = null
  }

  async seekToBeginning(partitions?: TopicPartition[]): Promise<void> {
    await this.seekTo(this.states.selected(partitions), EARLIEST_TIMESTAMP)
  }

  async seekToEnd(partitions?: TopicPartition[]): Promise<void> {
    await this.seekTo(this.states.selected(partitions), LATEST_TIMESTAMP)
  }

  private async seekTo(states: PartitionState[], timestamp: number): Promise<void> {
    const answers = await this.transport.listOffsets(states.map((s) => ({ ...s.tp, timestamp })), this.config.isolationLevel)
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
    const answers = await this.transport.listOffsets(
      query.map((q) => ({ topic: q.topic, partition: q.partition, timestamp: q.timestamp })),
      this.config.isolationLevel,
    )
    return answers.map((a) => ({
      topic: a.topic,
      partition: a.partition,
      offsetAndTimestamp: a.offset < 0 ? null : { offset: a.offset, timestamp: a.timestamp },
    }))
  }

  async beginningOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const answers = await this.transport.listOffsets(partitions.map((tp) => ({ ...tp, timestamp: EARLIEST_TIMESTAMP })), this.config.isolationLevel)
    return answers.map((a) => ({ topic: a.topic, partition: a.partition, offset: a.offset }))
  }

  /** The high watermark, or with read_committed the last stable offset, as in Kafka. */
  async endOffsets(partitions: TopicPartition[]): Promise<TopicPartitionOffset[]> {
    const answers = await this.transport.listOffsets(partitions.map((tp) => ({ ...tp, timestamp: LATEST_TIMESTAMP })), this.config.isolationLevel)
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
    return fetchCommitted(this.groupCoordinator(), groupId, partitions)
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
    try {
      if (this.config.enableAutoCommit && this.config.groupId && this.states.size > 0) {
        await this.commitSync().catch(() => undefined)
      }
    } finally {
      this.closed = true
      this.abort.abort()
      this.wake.abort()
      try {
        await this.group?.close()
      } finally {
        await this.transport.close()
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

/** partition.assignment.strategy: at least one assignor, each a built-in name or an assignor object, no name twice. */
function checkAssignors(strategy: unknown): void {
  const bad = (why: string): never => {
    throw new BrookError('INVALID_CONFIG', `partition.assignment.strategy ${why}`, { field: 'partition.assignment.strategy' })
  }
  if (!Array.isArray(strategy) || strategy.length === 0) bad('must list at least one assignor')
  const names = new Set<string>()
  for (const a of strategy as unknown[]) {
    let name: string
    if (typeof a === 'string') {
      if (!(BUILT_IN_ASSIGNORS as readonly string[]).includes(a)) bad(`names an unknown assignor '${a}' (built in: ${BUILT_IN_ASSIGNORS.join(', ')})`)
      name = a
    } else {
      const o = a as Partial<PartitionAssignor> | null
      if (o === null || typeof o !== 'object' || typeof o.name !== 'string' || o.name === '' || typeof o.assign !== 'function' || (o.protocol !== 'eager' && o.protocol !== 'cooperative')) {
        bad('entries must be assignor names or objects with a name, a protocol (eager or cooperative) and assign()')
      }
      name = o!.name!
    }
    if (names.has(name)) bad(`lists '${name}' twice`)
    names.add(name)
  }
}
