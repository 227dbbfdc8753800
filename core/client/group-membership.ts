// The consumer's side of a classic group: join, (as leader) assign, sync, heartbeat,
// rebalance callbacks, leave. It speaks to the coordinator through
// GroupCoordinatorApi, which the embedded client satisfies with the GroupCoordinator
// itself and the wire client with Kafka requests.
import { BrookError, type BrookErrorCode, kafkaErrorCodes, InvalidConfigError } from '../errors.js'
import {
  type HeartbeatRequest,
  type HeartbeatResponse,
  type JoinGroupRequest,
  type JoinGroupResponse,
  type LeaveGroupRequest,
  type LeaveGroupResponse,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  type OffsetFetchRequest,
  type OffsetFetchResponse,
  type SyncGroupRequest,
  type SyncGroupResponse,
  GroupErrorCode,
} from '../group/coordinator.js'
import { systemTime, type Time } from '../common/time.js'
import { CONSUMER_PROTOCOL_TYPE, decodeAssignment, decodeSubscription, encodeAssignment, encodeSubscription } from '../group/consumer-protocol.js'
import {
  assignorFor,
  DEFAULT_ASSIGNORS,
  type PartitionAssignor,
  type RebalanceProtocol,
  type Subscription,
} from './assignors/index.js'
import type { AssignorName, RebalanceListener, TopicPartition, TopicPartitionOffset } from './types.js'

const E = GroupErrorCode

export interface GroupCoordinatorApi {
  joinGroup(req: JoinGroupRequest): Promise<JoinGroupResponse>
  syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse>
  heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse>
  leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResponse>
  commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResponse>
  fetchOffsets(req: OffsetFetchRequest): Promise<OffsetFetchResponse>
}

export interface GroupMembershipConfig {
  coordinator: GroupCoordinatorApi
  groupId: string
  /** Static membership (group.instance.id): no LeaveGroup on close, a restart within the session keeps the assignment. */
  groupInstanceId?: string | null
  clientId?: string
  clientHost?: string
  /** Default 45000, as Kafka 3. */
  sessionTimeoutMs?: number
  /**
   * max.poll.interval.ms: how long the coordinator waits for members to rejoin, and how long this
   * member may go without polling before it leaves the group (as the Java client). Default 300000.
   */
  rebalanceTimeoutMs?: number
  /** Must be below sessionTimeoutMs. Default 3000, or a third of a shorter session timeout. */
  heartbeatIntervalMs?: number
  /** In order of preference. Default ['range', 'cooperative-sticky'], as Kafka 3. */
  assignors?: Array<AssignorName | PartitionAssignor>
  /** Partition count of a topic, for the leader's assignment; 0 or a rejection leaves the topic out. */
  partitionsFor(topic: string): Promise<number>
  listener?: RebalanceListener
  rackId?: string | null
  time?: Time
  /** Called from the heartbeat when the group wants this member to rejoin (so a waiting poll can return). */
  onRejoinNeeded?: () => void
}

type State = 'unjoined' | 'rebalancing' | 'stable' | 'closed'

/** The BrookError for a Kafka error code from a group or offset response. */
export function groupError(kafkaCode: number, message: string): BrookError {
  const code = (Object.keys(kafkaErrorCodes) as BrookErrorCode[]).find((c) => kafkaErrorCodes[c] === kafkaCode && kafkaCode >= 0)
  return new BrookError(code ?? 'ILLEGAL_STATE', `${message} (Kafka error ${kafkaCode})`)
}

/** Kafka's UNSTABLE_OFFSET_COMMIT: a transaction holding offsets for the partition is still open (KIP-447). */
const UNSTABLE_OFFSET_COMMIT = 88

/**
 * Committed offsets (offset null where nothing is committed), stable ones only: while a
 * transaction that commits offsets of these partitions is open, the answer waits for it.
 */
export async function fetchCommitted(
  coordinator: GroupCoordinatorApi,
  groupId: string,
  partitions: TopicPartition[],
  timeoutMs = 60_000,
): Promise<Array<TopicPartition & { offset: number | null; metadata?: string }>> {
  const deadline = Date.now() + timeoutMs
  for (let attempt = 0; ; attempt++) {
    const resp = await coordinator.fetchOffsets({ groupId, partitions, requireStable: true })
    const unstable = resp.errorCode === UNSTABLE_OFFSET_COMMIT || resp.offsets.some((o) => o.errorCode === UNSTABLE_OFFSET_COMMIT)
    if (unstable && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(200, 10 * 2 ** Math.min(attempt, 5))))
      continue
    }
    if (resp.errorCode !== E.NONE) throw groupError(resp.errorCode, `Fetching committed offsets of group '${groupId}' failed`)
    return partitions.map((tp) => {
      const o = resp.offsets.find((x) => x.topic === tp.topic && x.partition === tp.partition)
      if (o && o.errorCode !== E.NONE) throw groupError(o.errorCode, `Fetching the committed offset of ${o.topic}-${o.partition} failed`)
      return o && o.offset >= 0 ? { topic: tp.topic, partition: tp.partition, offset: o.offset, metadata: o.metadata } : { topic: tp.topic, partition: tp.partition, offset: null }
    })
  }
}

const tpKey = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`

function minus(a: TopicPartition[], b: TopicPartition[]): TopicPartition[] {
  const drop = new Set(b.map(tpKey))
  return a.filter((tp) => !drop.has(tpKey(tp)))
}

export class GroupMembership {
  readonly groupId: string
  private readonly coordinator: GroupCoordinatorApi
  private readonly groupInstanceId: string | null
  private readonly clientId: string
  private readonly clientHost: string
  private readonly sessionTimeoutMs: number
  private readonly rebalanceTimeoutMs: number
  private readonly heartbeatIntervalMs: number
  private readonly assignors: PartitionAssignor[]
  /** Cooperative only when every assignor is, as Kafka decides. */
  readonly protocol: RebalanceProtocol
  private readonly partitionsFor: (topic: string) => Promise<number>
  private readonly rackId: string | null
  private readonly time: Time
  private readonly onRejoinNeeded: (() => void) | undefined
  private listener: RebalanceListener | undefined

  private state: State = 'unjoined'
  private memberId = ''
  private generationId = -1
  private topics: string[] = []
  private owned: TopicPartition[] = []
  private rejoinRequested = false
  /** The generation was lost (fenced, expired): owned partitions are reported lost, not revoked. */
  private lost = false
  private fatal: BrookError | null = null
  private active: Promise<void> | null = null
  private heartbeatHandle: unknown = null
  private listenerError: unknown = null
  /** Polls under way, and when the last one ended: the heartbeat leaves the group once none came for max.poll.interval.ms. */
  private polling = 0
  private lastPoll = 0

  constructor(config: GroupMembershipConfig) {
    if (!config.groupId) throw new InvalidConfigError('groupId', 'a group id is required for group membership')
    this.coordinator = config.coordinator
    this.groupId = config.groupId
    this.groupInstanceId = config.groupInstanceId ?? null
    this.clientId = config.clientId ?? 'brook'
    this.clientHost = config.clientHost ?? 'localhost'
    this.sessionTimeoutMs = config.sessionTimeoutMs ?? 45_000
    this.rebalanceTimeoutMs = config.rebalanceTimeoutMs ?? 300_000
    this.heartbeatIntervalMs = config.heartbeatIntervalMs ?? Math.max(1, Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3)))
    if (!(this.heartbeatIntervalMs > 0 && this.heartbeatIntervalMs < this.sessionTimeoutMs)) {
      throw new InvalidConfigError('heartbeatIntervalMs', `must be positive and below sessionTimeoutMs (${this.sessionTimeoutMs}), got ${this.heartbeatIntervalMs}`)
    }
    const assignors = (config.assignors ?? DEFAULT_ASSIGNORS).map((a) => (typeof a === 'string' ? assignorFor(a) : a))
    if (assignors.length === 0) throw new InvalidConfigError('partitionAssignmentStrategy', 'at least one assignor is required')
    this.assignors = assignors
    this.protocol = assignors.every((a) => a.protocol === 'cooperative') ? 'cooperative' : 'eager'
    this.partitionsFor = config.partitionsFor
    this.listener = config.listener
    this.rackId = config.rackId ?? null
    this.time = config.time ?? systemTime
    this.lastPoll = this.time.now()
    this.onRejoinNeeded = config.onRejoinNeeded
  }

  /** True when the next ensureActive() will (re)join. */
  get needsRejoin(): boolean {
    return this.topics.length > 0 && (this.rejoinRequested || this.state !== 'stable')
  }

  subscribe(topics: string[], listener?: RebalanceListener): void {
    this.throwIfClosed()
    const next = [...new Set(topics)].sort()
    if (listener !== undefined) this.listener = listener
    if (next.length === this.topics.length && next.every((t, i) => t === this.topics[i])) return
    this.topics = next
    this.rejoinRequested = true
  }

  subscription(): string[] {
    return [...this.topics]
  }

  /** The consumer's poll began: while it lasts (a rebalance listener runs inside it) the member is polling. */
  pollStarted(): void {
    this.polling++
  }

  /** The consumer's poll ended: max.poll.interval.ms counts from here. */
  pollEnded(): void {
    this.polling--
    this.lastPoll = this.time.now()
  }

  /** Asks for a rebalance at the next ensureActive(), e.g. when a subscribed topic grew. */
  requestRejoin(): void {
    this.rejoinRequested = true
  }

  assignment(): TopicPartition[] {
    return this.owned.map((tp) => ({ ...tp }))
  }

  /** The current generation while this member is in a stable group. */
  /**
   * The generation this member last joined, even while a rebalance is under way (as the
   * Java consumer's groupMetadata()): what a transactional commit of work done in that
   * generation must present, so the coordinator can fence it once the generation is gone.
   */
  lastGeneration(): { generationId: number; memberId: string } | null {
    if (this.memberId === '' || this.generationId < 0) return null
    return { generationId: this.generationId, memberId: this.memberId }
  }

  generation(): { generationId: number; memberId: string } | null {
    if (this.state !== 'stable' || this.memberId === '' || this.generationId < 0) return null
    return { generationId: this.generationId, memberId: this.memberId }
  }

  /** Joins or rebalances as needed; returns once the member is stable in the group (or has nothing subscribed). */
  async ensureActive(): Promise<void> {
    this.throwIfClosed()
    if (this.fatal) throw this.fatal
    if (!this.active) {
      this.active = this.rebalanceWhileNeeded().finally(() => {
        this.active = null
      })
    }
    await this.active
    if (this.listenerError !== null) {
      const err = this.listenerError
      this.listenerError = null
      throw err
    }
  }

  private async rebalanceWhileNeeded(): Promise<void> {
    while (this.state !== 'closed' && this.needsRejoin) {
      if (this.fatal) throw this.fatal
      await this.joinOnce()
    }
  }

  /** One JoinGroup + SyncGroup round; returns early (to be retried) on retriable errors. */
  private async joinOnce(): Promise<void> {
    await this.prepareJoin()
    if (this.isClosed()) return
    this.state = 'rebalancing'
    this.rejoinRequested = false
    this.stopHeartbeat()

    const protocols = this.assignors.map((a) => ({
      name: a.name,
      metadata: encodeSubscription({
        topics: this.topics,
        userData: a.subscriptionUserData?.(this.topics) ?? null,
        ownedPartitions: this.protocol === 'cooperative' ? this.owned : [],
        generationId: this.generationId,
        rackId: this.rackId,
      }),
    }))
    const join = await this.coordinator.joinGroup({
      groupId: this.groupId,
      memberId: this.memberId,
      groupInstanceId: this.groupInstanceId,
      clientId: this.clientId,
      clientHost: this.clientHost,
      sessionTimeoutMs: this.sessionTimeoutMs,
      rebalanceTimeoutMs: this.rebalanceTimeoutMs,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocols,
      requireKnownMemberId: true,
    })
    if (this.isClosed()) {
      if (join.errorCode === E.NONE) await this.sendLeave(join.memberId)
      return
    }
    switch (join.errorCode) {
      case E.NONE:
        break
      case E.MEMBER_ID_REQUIRED:
        this.memberId = join.memberId
        return
      case E.REBALANCE_IN_PROGRESS:
        return
      default:
        this.handleMembershipError(join.errorCode, 'JoinGroup')
        return
    }
    this.memberId = join.memberId
    this.generationId = join.generationId

    let assignments: SyncGroupRequest['assignments'] = []
    if (join.leader === join.memberId) assignments = await this.assignAsLeader(join)

    const sync = await this.coordinator.syncGroup({
      groupId: this.groupId,
      generationId: join.generationId,
      memberId: join.memberId,
      groupInstanceId: this.groupInstanceId,
      protocolType: CONSUMER_PROTOCOL_TYPE,
      protocolName: join.protocolName,
      assignments,
    })
    if (this.isClosed()) return
    if (sync.errorCode === E.REBALANCE_IN_PROGRESS) return
    if (sync.errorCode !== E.NONE) {
      this.handleMembershipError(sync.errorCode, 'SyncGroup')
      return
    }
    const decoded = decodeAssignment(sync.assignment)
    const assigned = decoded.assignedPartitions
    this.assignors.find((a) => a.name === join.protocolName)?.onAssignment?.({ partitions: assigned, userData: decoded.userData ?? null }, join.generationId)
    await this.completeJoin(assigned)
  }

  /** Before joining: report lost partitions, or revoke (all under eager; unsubscribed topics under cooperative). */
  private async prepareJoin(): Promise<void> {
    if (this.lost) {
      this.lost = false
      const lost = this.owned
      this.owned = []
      if (lost.length > 0) await this.callListener('onPartitionsLost', lost)
      return
    }
    const revoked = this.protocol === 'eager' ? this.owned : this.owned.filter((tp) => !this.topics.includes(tp.topic))
    if (revoked.length === 0) return
    // Still in the old generation here, so the listener can commit what it processed.
    await this.callListener('onPartitionsRevoked', revoked)
    this.owned = minus(this.owned, revoked)
  }

  private async completeJoin(assigned: TopicPartition[]): Promise<void> {
    if (this.protocol === 'eager') {
      this.owned = assigned
      this.state = 'stable'
      this.startHeartbeat()
      await this.callListener('onPartitionsAssigned', assigned)
      return
    }
    const revoked = minus(this.owned, assigned)
    const added = minus(assigned, this.owned)
    this.state = 'stable'
    this.startHeartbeat()
    if (revoked.length > 0) {
      await this.callListener('onPartitionsRevoked', revoked)
      // The partitions given up go to their new owners in a follow-up rebalance.
      this.rejoinRequested = true
    }
    this.owned = assigned
    await this.callListener('onPartitionsAssigned', added)
  }

  private async assignAsLeader(join: JoinGroupResponse): Promise<SyncGroupRequest['assignments']> {
    const assignor = this.assignors.find((a) => a.name === join.protocolName)
    if (!assignor) throw new BrookError('INCONSISTENT_GROUP_PROTOCOL', `The group chose assignor '${join.protocolName}', which this member does not have`)
    const subscriptions = new Map<string, Subscription>()
    for (const m of join.members) {
      const sub = decodeSubscription(m.metadata)
      subscriptions.set(m.memberId, {
        topics: sub.topics,
        ownedPartitions: sub.ownedPartitions,
        userData: sub.userData,
        generationId: sub.generationId,
      })
    }
    const partitionsPerTopic = new Map<string, number>()
    const topics = new Set([...subscriptions.values()].flatMap((s) => s.topics))
    await Promise.all(
      [...topics].map(async (topic) => {
        const count = await this.partitionsFor(topic).catch(() => 0)
        if (count > 0) partitionsPerTopic.set(topic, count)
      }),
    )
    const result = assignor.assign(partitionsPerTopic, subscriptions)
    return join.members.map((m) => {
      const assignedPartitions = result.get(m.memberId) ?? []
      return {
        memberId: m.memberId,
        assignment: encodeAssignment({ assignedPartitions, userData: assignor.assignmentUserData?.(m.memberId, assignedPartitions, subscriptions, result) ?? null }),
      }
    })
  }

  /** Errors that end this round: reset what they invalidate, then the caller rejoins or gives up. */
  private handleMembershipError(code: number, what: string): void {
    switch (code) {
      case E.UNKNOWN_MEMBER_ID:
        this.resetGeneration(true)
        return
      case E.ILLEGAL_GENERATION:
        this.resetGeneration(false)
        return
      case E.FENCED_INSTANCE_ID:
        this.fatal = groupError(code, `${what}: group.instance.id '${this.groupInstanceId}' was taken over by another member`)
        this.stopHeartbeat()
        throw this.fatal
      default: {
        const err = groupError(code, `${what} for group '${this.groupId}' failed`)
        if (!err.retriable) this.fatal = err
        throw err
      }
    }
  }

  private resetGeneration(resetMemberId: boolean): void {
    if (resetMemberId) this.memberId = ''
    this.generationId = -1
    if (this.owned.length > 0) this.lost = true
    if (this.state === 'stable') this.state = 'unjoined'
    this.stopHeartbeat()
  }

  // Heartbeats

  private startHeartbeat(): void {
    this.stopHeartbeat()
    this.heartbeatHandle = this.time.setTimeout(() => void this.beat(), this.heartbeatIntervalMs)
  }

  private stopHeartbeat(): void {
    if (this.heartbeatHandle !== null) {
      this.time.clearTimeout(this.heartbeatHandle)
      this.heartbeatHandle = null
    }
  }

  private async beat(): Promise<void> {
    this.heartbeatHandle = null
    if (this.state !== 'stable') return
    if (this.polling === 0 && this.time.now() - this.lastPoll > this.rebalanceTimeoutMs) {
      // As the Java client: a member that stopped polling leaves, so its partitions go to members
      // that process. The next poll reports them lost and joins again as a new member.
      const memberId = this.memberId
      this.resetGeneration(true)
      await this.sendLeave(memberId, `the consumer did not poll for max.poll.interval.ms (${this.rebalanceTimeoutMs} ms)`)
      return
    }
    const generationId = this.generationId
    const memberId = this.memberId
    let code: number
    try {
      code = (await this.coordinator.heartbeat({ groupId: this.groupId, generationId, memberId, groupInstanceId: this.groupInstanceId }))
        .errorCode
    } catch {
      code = E.COORDINATOR_NOT_AVAILABLE
    }
    // Ignore answers about a generation we already left.
    if (this.state !== 'stable' || this.generationId !== generationId || this.memberId !== memberId) return
    switch (code) {
      case E.NONE:
        break
      case E.REBALANCE_IN_PROGRESS:
        if (!this.rejoinRequested) {
          this.rejoinRequested = true
          this.onRejoinNeeded?.()
        }
        break
      case E.UNKNOWN_MEMBER_ID:
      case E.ILLEGAL_GENERATION:
        this.resetGeneration(code === E.UNKNOWN_MEMBER_ID)
        this.onRejoinNeeded?.()
        return
      case E.FENCED_INSTANCE_ID:
        this.fatal = groupError(code, `Heartbeat: group.instance.id '${this.groupInstanceId}' was taken over by another member`)
        this.state = 'unjoined'
        this.onRejoinNeeded?.()
        return
      default:
        // Transient (coordinator unavailable...): keep beating; the session timeout decides.
        break
    }
    if (this.heartbeatHandle === null) this.startHeartbeat()
  }

  // Offsets

  /**
   * Commits for the current generation. A commit from an outdated generation fails with
   * ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID (the partitions may be someone else's now), or
   * REBALANCE_IN_PROGRESS (retriable after the rebalance).
   */
  async commitOffsets(offsets: TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return
    const gen = this.generation()
    if (!gen) {
      throw new BrookError(
        this.state === 'rebalancing' ? 'REBALANCE_IN_PROGRESS' : 'ILLEGAL_GENERATION',
        `Cannot commit offsets for group '${this.groupId}': not a member of a stable generation`,
      )
    }
    const resp = await this.coordinator.commitOffsets({
      groupId: this.groupId,
      generationId: gen.generationId,
      memberId: gen.memberId,
      groupInstanceId: this.groupInstanceId,
      offsets: offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '' })),
    })
    const failed = resp.partitions.find((p) => p.errorCode !== E.NONE)
    if (!failed) return
    const code = failed.errorCode
    const message = `Commit of ${failed.topic}-${failed.partition} for group '${this.groupId}' failed`
    if (gen.generationId === this.generationId && gen.memberId === this.memberId) {
      if (code === E.UNKNOWN_MEMBER_ID || code === E.ILLEGAL_GENERATION) this.resetGeneration(code === E.UNKNOWN_MEMBER_ID)
      else if (code === E.REBALANCE_IN_PROGRESS) this.rejoinRequested = true
      else if (code === E.FENCED_INSTANCE_ID) this.fatal = groupError(code, message)
    }
    throw groupError(code, message)
  }

  /** Committed offsets; offset null where nothing is committed. */
  committed(partitions: TopicPartition[]): Promise<Array<TopicPartition & { offset: number | null; metadata?: string }>> {
    return fetchCommitted(this.coordinator, this.groupId, partitions)
  }

  // Leaving

  /** Revokes everything and leaves the group (static members stay, as in Kafka); subscribe() again to rejoin. */
  async unsubscribe(): Promise<void> {
    this.throwIfClosed()
    await this.leave()
    this.topics = []
    this.rejoinRequested = false
    this.state = 'unjoined'
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return
    await this.leave()
    this.state = 'closed'
    if (this.listenerError !== null) {
      const err = this.listenerError
      this.listenerError = null
      throw err
    }
  }

  private async leave(): Promise<void> {
    this.stopHeartbeat()
    const owned = this.owned
    this.owned = []
    if (owned.length > 0) await this.callListener(this.lost || this.generationId < 0 ? 'onPartitionsLost' : 'onPartitionsRevoked', owned)
    this.lost = false
    const memberId = this.memberId
    this.memberId = ''
    this.generationId = -1
    this.state = 'closed'
    await this.sendLeave(memberId)
  }

  private async sendLeave(memberId: string, reason = 'the consumer is being closed'): Promise<void> {
    if (memberId === '' || this.groupInstanceId !== null) return
    try {
      await this.coordinator.leaveGroup({
        groupId: this.groupId,
        members: [{ memberId, groupInstanceId: null, reason }],
      })
    } catch {
      // The session timeout removes us anyway.
    }
  }

  private isClosed(): boolean {
    return this.state === 'closed'
  }

  private throwIfClosed(): void {
    if (this.state === 'closed') throw new BrookError('CLOSED', `Group membership of '${this.groupId}' is closed`)
  }

  /** Listener failures do not stop the rebalance; the first is rethrown from ensureActive(), as Kafka does from poll. */
  private async callListener(which: keyof RebalanceListener, partitions: TopicPartition[]): Promise<void> {
    try {
      await this.listener?.[which]?.(partitions.map((tp) => ({ ...tp })))
    } catch (err) {
      if (this.listenerError === null) this.listenerError = err
    }
  }
}
