// The broker-side coordinator for classic consumer groups (JoinGroup, SyncGroup,
// Heartbeat, LeaveGroup) and committed offsets. Requests and responses are plain
// data shaped like Kafka's, failures are Kafka error codes, so the embedded client
// and the wire protocol handlers share it. State is rebuilt from the OffsetsLog.
import { randomUUID } from 'node:crypto'
import type { GroupState, TopicPartition } from '../common/types.js'
import { systemTime, type Time } from '../common/time.js'
import { BrookError, InvalidConfigError } from '../errors.js'
import { CONSUMER_PROTOCOL_TYPE, decodeSubscription } from './consumer-protocol.js'
import { type CommittedOffset, Group, type GroupMember, type GroupProtocol } from './group.js'
import {
  decodeGroupMetadataValue,
  decodeOffsetCommitValue,
  decodeOffsetsKey,
  encodeGroupMetadataKey,
  encodeGroupMetadataValue,
  encodeOffsetCommitKey,
  encodeOffsetCommitValue,
} from './offsets-codec.js'
import { InMemoryOffsetsLog, type OffsetsLog, type OffsetsLogRecord } from './offsets-log.js'

export type { GroupProtocol }

/** Kafka error codes the coordinator answers with. */
export const GroupErrorCode = {
  NONE: 0,
  OFFSET_METADATA_TOO_LARGE: 12,
  COORDINATOR_NOT_AVAILABLE: 15,
  NOT_COORDINATOR: 16,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  MEMBER_ID_REQUIRED: 79,
  FENCED_INSTANCE_ID: 82,
  GROUP_SUBSCRIBED_TO_TOPIC: 86,
  INVALID_PRODUCER_EPOCH: 47,
  UNSTABLE_OFFSET_COMMIT: 88,
} as const

const E = GroupErrorCode

export { systemTime, type Time }

export interface GroupCoordinatorConfig {
  /** Where offsets and group metadata are kept; in memory when absent. */
  offsetsLog?: OffsetsLog
  time?: Time
  /**
   * group.initial.rebalance.delay.ms: how long the first rebalance of an Empty group
   * waits for more members (extended while members keep arriving, up to the rebalance
   * timeout). Default 0, right for embedded use; Kafka's broker default is 3000.
   */
  initialRebalanceDelayMs?: number
  /** Told about a record of the offsets log that cannot be decoded at load; it is skipped. Default: thrown. */
  onCorruptRecord?: (err: unknown, record: OffsetsLogRecord) => void
  /** group.min.session.timeout.ms. Default 1 (Kafka: 6000), so embedded tests may use short sessions. */
  minSessionTimeoutMs?: number
  /** group.max.session.timeout.ms. Default 1800000, as Kafka. */
  maxSessionTimeoutMs?: number
  /** offset.metadata.max.bytes. Default 4096, as Kafka. */
  maxOffsetMetadataBytes?: number
}

export interface JoinGroupRequest {
  groupId: string
  /** '' on the first join. */
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  protocols: GroupProtocol[]
  /** JoinGroup v4+: a first join gets MEMBER_ID_REQUIRED with its member id and must join again with it. */
  requireKnownMemberId: boolean
  reason?: string | null
}

export interface JoinGroupResponseMember {
  memberId: string
  groupInstanceId: string | null
  metadata: Buffer
}

export interface JoinGroupResponse {
  errorCode: number
  generationId: number
  protocolType: string | null
  protocolName: string | null
  leader: string
  memberId: string
  skipAssignment: boolean
  /** Every member's metadata for the chosen protocol, for the leader only. */
  members: JoinGroupResponseMember[]
}

export interface SyncGroupRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
  protocolType?: string | null
  protocolName?: string | null
  /** From the leader only. */
  assignments: { memberId: string; assignment: Buffer }[]
}

export interface SyncGroupResponse {
  errorCode: number
  protocolType: string | null
  protocolName: string | null
  assignment: Buffer
}

export interface HeartbeatRequest {
  groupId: string
  generationId: number
  memberId: string
  groupInstanceId: string | null
}

export interface HeartbeatResponse {
  errorCode: number
}

export interface LeaveGroupRequest {
  groupId: string
  /** memberId may be '' for a static member named by groupInstanceId. */
  members: { memberId: string; groupInstanceId: string | null; reason?: string | null }[]
}

export interface LeaveGroupResponse {
  errorCode: number
  members: { memberId: string; groupInstanceId: string | null; errorCode: number }[]
}

export interface OffsetCommitRequest {
  groupId: string
  /** -1 for consumers that assign partitions themselves (and admin commits): only allowed on Empty groups. */
  generationId: number
  memberId: string
  groupInstanceId?: string | null
  offsets: { topic: string; partition: number; offset: number; metadata?: string | null; leaderEpoch?: number }[]
}

export interface TxnOffsetCommitRequest {
  transactionalId: string
  groupId: string
  producerId: number
  producerEpoch: number
  /** -1 and '' from producers that predate KIP-447: no group check. */
  generationId: number
  memberId: string
  groupInstanceId?: string | null
  offsets: { topic: string; partition: number; offset: number; metadata?: string | null; leaderEpoch?: number }[]
}

export interface OffsetCommitResponse {
  partitions: { topic: string; partition: number; errorCode: number }[]
}

export interface OffsetFetchRequest {
  groupId: string
  /** Every committed partition when absent or null. */
  partitions?: TopicPartition[] | null
  /** KIP-447: answer UNSTABLE_OFFSET_COMMIT for partitions an open transaction holds offsets for. */
  requireStable?: boolean
}

export interface FetchedOffset {
  topic: string
  partition: number
  /** -1 when nothing is committed. */
  offset: number
  leaderEpoch: number
  metadata: string
  errorCode: number
}

export interface OffsetFetchResponse {
  errorCode: number
  offsets: FetchedOffset[]
}

export interface ListGroupsResponse {
  errorCode: number
  groups: { groupId: string; protocolType: string; state: GroupState }[]
}

export interface DescribedGroupMember {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  /** The member's metadata for the chosen protocol; empty unless the group is Stable, as in Kafka. */
  metadata: Buffer
  assignment: Buffer
}

export interface DescribedGroup {
  errorCode: number
  groupId: string
  state: GroupState
  protocolType: string
  /** The chosen protocol; '' unless the group is Stable. */
  protocol: string
  generationId: number
  members: DescribedGroupMember[]
}

export interface DeleteGroupResult {
  groupId: string
  errorCode: number
}

export interface OffsetDeleteResponse {
  errorCode: number
  partitions: { topic: string; partition: number; errorCode: number }[]
}

type CoordinatedGroup = Group<JoinGroupResponse, SyncGroupResponse>
type Member = GroupMember<JoinGroupResponse, SyncGroupResponse>

interface RebalanceTimer {
  handle: unknown
  /** The initial delay of an Empty group: never completes early. */
  initial: boolean
  /** A member joined during the initial delay, so it is extended once more. */
  newMemberAdded: boolean
  remainingMs: number
}

const EMPTY = Buffer.alloc(0)

function joinError(errorCode: number, memberId = ''): JoinGroupResponse {
  return {
    errorCode,
    generationId: -1,
    protocolType: null,
    protocolName: null,
    leader: '',
    memberId,
    skipAssignment: false,
    members: [],
  }
}

function syncError(errorCode: number): SyncGroupResponse {
  return { errorCode, protocolType: null, protocolName: null, assignment: EMPTY }
}

function sameProtocols(a: readonly GroupProtocol[], b: readonly GroupProtocol[]): boolean {
  return a.length === b.length && a.every((p, i) => p.name === b[i]!.name && p.metadata.equals(b[i]!.metadata))
}

export class GroupCoordinator {
  private readonly groups = new Map<string, CoordinatedGroup>()
  private readonly log: OffsetsLog
  private readonly time: Time
  private readonly initialRebalanceDelayMs: number
  private readonly onCorruptRecord: ((err: unknown, record: OffsetsLogRecord) => void) | undefined
  private readonly minSessionTimeoutMs: number
  private readonly maxSessionTimeoutMs: number
  private readonly maxOffsetMetadataBytes: number
  private readonly sessionTimers = new Map<Member, unknown>()
  private readonly pendingMemberTimers = new Map<string, unknown>()
  private readonly rebalanceTimers = new Map<CoordinatedGroup, RebalanceTimer>()
  /** Offsets of open transactions: producer id -> group -> offsets. */
  private readonly pendingTxnOffsets = new Map<number, Map<string, CommittedOffset[]>>()
  private closed = false

  constructor(config: GroupCoordinatorConfig = {}) {
    this.log = config.offsetsLog ?? new InMemoryOffsetsLog()
    this.onCorruptRecord = config.onCorruptRecord
    this.time = config.time ?? systemTime
    this.initialRebalanceDelayMs = nonNegative('initialRebalanceDelayMs', config.initialRebalanceDelayMs ?? 0)
    this.minSessionTimeoutMs = nonNegative('minSessionTimeoutMs', config.minSessionTimeoutMs ?? 1)
    this.maxSessionTimeoutMs = nonNegative('maxSessionTimeoutMs', config.maxSessionTimeoutMs ?? 1_800_000)
    this.maxOffsetMetadataBytes = nonNegative('maxOffsetMetadataBytes', config.maxOffsetMetadataBytes ?? 4096)
    if (this.minSessionTimeoutMs > this.maxSessionTimeoutMs) {
      throw new InvalidConfigError('minSessionTimeoutMs', `${this.minSessionTimeoutMs} exceeds maxSessionTimeoutMs ${this.maxSessionTimeoutMs}`)
    }
  }

  /**
   * Replays the offsets log: committed offsets come back, groups come back Empty with
   * their generation and protocol type. Call once, before serving requests.
   */
  load(): Promise<void> {
    const onCorrupt = this.onCorruptRecord
    for (const record of this.log.readAll()) {
      if (onCorrupt === undefined) {
        this.replay(record)
        continue
      }
      try {
        this.replay(record)
      } catch (err) {
        onCorrupt(err, record)
      }
    }
    return Promise.resolve()
  }

  private replay(record: OffsetsLogRecord): void {
    if (record.marker !== undefined) {
      this.applyTxnOffsets(record.producerId!, record.marker === 'commit', null)
      return
    }
    if (record.producerId !== undefined) {
      const key = decodeOffsetsKey(record.key)
      if (key.type !== 'offset' || record.value === null) return
      this.addPendingTxnOffset(record.producerId, key.group, storedOffset(key, record.value))
      return
    }
    const key = decodeOffsetsKey(record.key)
    if (key.type === 'unknown') return
    if (key.type === 'offset') {
      if (record.value === null) {
        this.groups.get(key.group)?.deleteOffset(key.topic, key.partition)
        return
      }
      this.groupOrCreate(key.group).commit(storedOffset(key, record.value))
      return
    }
    if (record.value === null) this.groups.delete(key.group)
    else this.groupOrCreate(key.group).restoreMetadata(decodeGroupMetadataValue(record.value))
  }

  /** Cancels every timer and answers waiting JoinGroup/SyncGroup calls with COORDINATOR_NOT_AVAILABLE. */
  close(): void {
    if (this.closed) return
    this.closed = true
    for (const h of this.sessionTimers.values()) this.time.clearTimeout(h)
    for (const h of this.pendingMemberTimers.values()) this.time.clearTimeout(h)
    for (const t of this.rebalanceTimers.values()) this.time.clearTimeout(t.handle)
    this.sessionTimers.clear()
    this.pendingMemberTimers.clear()
    this.rebalanceTimers.clear()
    for (const group of this.groups.values()) {
      for (const m of group.members.values()) {
        this.answerJoin(m, joinError(E.COORDINATOR_NOT_AVAILABLE, m.memberId))
        this.answerSync(m, syncError(E.COORDINATOR_NOT_AVAILABLE))
      }
    }
  }

  // JoinGroup

  async joinGroup(req: JoinGroupRequest): Promise<JoinGroupResponse> {
    if (this.closed) return joinError(E.COORDINATOR_NOT_AVAILABLE, req.memberId)
    if (!req.groupId) return joinError(E.INVALID_GROUP_ID, req.memberId)
    if (req.sessionTimeoutMs < this.minSessionTimeoutMs || req.sessionTimeoutMs > this.maxSessionTimeoutMs) {
      return joinError(E.INVALID_SESSION_TIMEOUT, req.memberId)
    }
    let group = this.groups.get(req.groupId)
    if (!group) {
      if (req.memberId !== '') return joinError(E.UNKNOWN_MEMBER_ID, req.memberId)
      group = this.groupOrCreate(req.groupId)
    }
    if (!group.supportsProtocols(req.protocolType, req.protocols)) return joinError(E.INCONSISTENT_GROUP_PROTOCOL, req.memberId)
    return req.memberId === '' ? this.joinUnknownMember(group, req) : this.joinKnownMember(group, req)
  }

  private joinUnknownMember(group: CoordinatedGroup, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    const newMemberId = `${req.groupInstanceId ?? req.clientId}-${randomUUID()}`
    if (req.groupInstanceId !== null) {
      const oldMemberId = group.staticMemberId(req.groupInstanceId)
      if (oldMemberId !== undefined) return this.replaceStaticMember(group, req.groupInstanceId, oldMemberId, newMemberId, req)
      return this.addMemberAndRebalance(group, newMemberId, req)
    }
    if (req.requireKnownMemberId) {
      group.pendingMembers.add(newMemberId)
      this.schedulePendingMemberExpiry(group, newMemberId, req.sessionTimeoutMs)
      return Promise.resolve(joinError(E.MEMBER_ID_REQUIRED, newMemberId))
    }
    return this.addMemberAndRebalance(group, newMemberId, req)
  }

  private async joinKnownMember(group: CoordinatedGroup, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    if (group.pendingMembers.has(req.memberId)) return this.addMemberAndRebalance(group, req.memberId, req)
    if (this.isFenced(group, req.groupInstanceId, req.memberId)) return joinError(E.FENCED_INSTANCE_ID, req.memberId)
    const member = group.get(req.memberId)
    if (!member) return joinError(E.UNKNOWN_MEMBER_ID, req.memberId)
    switch (group.state) {
      case 'PreparingRebalance':
        return this.updateMemberAndRebalance(group, member, req)
      case 'CompletingRebalance':
        // Same metadata: the member probably lost our JoinGroup answer; repeat it.
        if (sameProtocols(member.protocols, req.protocols)) {
          this.touch(group, member)
          return this.joinResponse(group, member)
        }
        return this.updateMemberAndRebalance(group, member, req)
      case 'Stable':
        // The leader rejoining asks for a new assignment (e.g. topic metadata changed).
        if (group.isLeader(member.memberId) || !sameProtocols(member.protocols, req.protocols)) {
          return this.updateMemberAndRebalance(group, member, req)
        }
        this.touch(group, member)
        return this.joinResponse(group, member)
      default:
        return joinError(E.UNKNOWN_MEMBER_ID, req.memberId)
    }
  }

  private addMemberAndRebalance(group: CoordinatedGroup, memberId: string, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    this.clearPendingMemberTimer(group, memberId)
    const member: Member = {
      memberId,
      groupInstanceId: req.groupInstanceId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocolType: req.protocolType,
      protocols: req.protocols,
      assignment: EMPTY,
      joinWaiter: null,
      syncWaiter: null,
      isNew: true,
    }
    const answer = new Promise<JoinGroupResponse>((resolve) => (member.joinWaiter = resolve))
    group.add(member)
    const timer = this.rebalanceTimers.get(group)
    if (timer) timer.newMemberAdded = true
    this.maybePrepareRebalance(group)
    this.tryCompleteJoin(group)
    return answer
  }

  private updateMemberAndRebalance(group: CoordinatedGroup, member: Member, req: JoinGroupRequest): Promise<JoinGroupResponse> {
    // A second JoinGroup while one is pending supersedes it.
    this.answerJoin(member, joinError(E.REBALANCE_IN_PROGRESS, member.memberId))
    member.protocols = req.protocols
    member.sessionTimeoutMs = req.sessionTimeoutMs
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
    member.clientId = req.clientId
    member.clientHost = req.clientHost
    const answer = new Promise<JoinGroupResponse>((resolve) => (member.joinWaiter = resolve))
    this.maybePrepareRebalance(group)
    this.tryCompleteJoin(group)
    return answer
  }

  /** A static member restarted: its new member id takes over; the old one is fenced. */
  private async replaceStaticMember(
    group: CoordinatedGroup,
    instanceId: string,
    oldMemberId: string,
    newMemberId: string,
    req: JoinGroupRequest,
  ): Promise<JoinGroupResponse> {
    const member = group.get(oldMemberId)!
    this.answerJoin(member, joinError(E.FENCED_INSTANCE_ID, oldMemberId))
    this.answerSync(member, syncError(E.FENCED_INSTANCE_ID))
    const oldProtocols = member.protocols
    group.replaceStaticMember(instanceId, oldMemberId, newMemberId)
    if (group.is('Stable')) {
      member.protocols = req.protocols
      if (group.selectProtocol() === group.protocolName) {
        // Same protocol: no rebalance; the member syncs and gets its old assignment back.
        member.clientId = req.clientId
        member.clientHost = req.clientHost
        member.sessionTimeoutMs = req.sessionTimeoutMs
        member.rebalanceTimeoutMs = req.rebalanceTimeoutMs
        this.touch(group, member)
        try {
          await this.storeGroup(group)
        } catch {
          if (group.get(newMemberId) === member) {
            group.replaceStaticMember(instanceId, newMemberId, oldMemberId)
            member.protocols = oldProtocols
          }
          return joinError(E.COORDINATOR_NOT_AVAILABLE, newMemberId)
        }
        return { ...this.joinResponse(group, member), members: [] }
      }
    }
    return this.updateMemberAndRebalance(group, member, req)
  }

  private joinResponse(group: CoordinatedGroup, member: Member): JoinGroupResponse {
    const protocolName = group.protocolName!
    const isLeader = group.isLeader(member.memberId)
    return {
      errorCode: E.NONE,
      generationId: group.generationId,
      protocolType: group.protocolType,
      protocolName,
      leader: group.leaderId ?? '',
      memberId: member.memberId,
      skipAssignment: false,
      members: isLeader
        ? [...group.members.values()].map((m) => ({
            memberId: m.memberId,
            groupInstanceId: m.groupInstanceId,
            metadata: group.metadataOf(m, protocolName),
          }))
        : [],
    }
  }

  private maybePrepareRebalance(group: CoordinatedGroup): void {
    if (group.is('Stable') || group.is('CompletingRebalance') || group.is('Empty')) this.prepareRebalance(group)
  }

  private prepareRebalance(group: CoordinatedGroup): void {
    if (group.is('CompletingRebalance')) {
      // Followers waiting for the leader's assignment must rejoin instead.
      for (const m of group.members.values()) {
        m.assignment = EMPTY
        this.answerSync(m, syncError(E.REBALANCE_IN_PROGRESS))
      }
    }
    const wasEmpty = group.is('Empty')
    group.transitionTo('PreparingRebalance', this.time.now())
    const rebalanceTimeout = group.rebalanceTimeoutMs()
    if (wasEmpty && this.initialRebalanceDelayMs > 0) {
      this.scheduleRebalance(group, {
        initial: true,
        delayMs: this.initialRebalanceDelayMs,
        remainingMs: Math.max(rebalanceTimeout - this.initialRebalanceDelayMs, 0),
      })
    } else {
      this.scheduleRebalance(group, { initial: false, delayMs: rebalanceTimeout, remainingMs: 0 })
    }
  }

  private scheduleRebalance(group: CoordinatedGroup, opts: { initial: boolean; delayMs: number; remainingMs: number }): void {
    this.clearRebalanceTimer(group)
    const timer: RebalanceTimer = { handle: null, initial: opts.initial, newMemberAdded: false, remainingMs: opts.remainingMs }
    timer.handle = this.time.setTimeout(() => {
      if (this.rebalanceTimers.get(group) !== timer) return
      this.rebalanceTimers.delete(group)
      if (timer.initial && timer.newMemberAdded && timer.remainingMs > 0) {
        const delayMs = Math.min(this.initialRebalanceDelayMs, timer.remainingMs)
        this.scheduleRebalance(group, { initial: true, delayMs, remainingMs: timer.remainingMs - delayMs })
      } else {
        this.completeJoin(group)
      }
    }, opts.delayMs)
    this.rebalanceTimers.set(group, timer)
  }

  private clearRebalanceTimer(group: CoordinatedGroup): void {
    const timer = this.rebalanceTimers.get(group)
    if (timer) {
      this.time.clearTimeout(timer.handle)
      this.rebalanceTimers.delete(group)
    }
  }

  private tryCompleteJoin(group: CoordinatedGroup): void {
    if (!group.is('PreparingRebalance')) return
    if (this.rebalanceTimers.get(group)?.initial) return
    if (group.hasAllMembersJoined()) this.completeJoin(group)
  }

  /** Ends the join phase: drops members that did not rejoin and opens the next generation. */
  private completeJoin(group: CoordinatedGroup): void {
    if (!group.is('PreparingRebalance')) return
    this.clearRebalanceTimer(group)
    for (const m of group.notYetRejoined()) {
      this.clearSessionTimer(m)
      group.remove(m.memberId)
    }
    group.initNextGeneration(this.time.now())
    if (group.is('Empty')) {
      this.storeGroup(group).catch(() => {
        // Only the generation is lost; offsets have their own records.
      })
      return
    }
    for (const m of group.members.values()) {
      this.answerJoin(m, this.joinResponse(group, m))
      this.touch(group, m)
    }
  }

  // SyncGroup

  async syncGroup(req: SyncGroupRequest): Promise<SyncGroupResponse> {
    if (this.closed) return syncError(E.COORDINATOR_NOT_AVAILABLE)
    if (!req.groupId) return syncError(E.INVALID_GROUP_ID)
    const group = this.groups.get(req.groupId)
    if (!group) return syncError(E.UNKNOWN_MEMBER_ID)
    if (this.isFenced(group, req.groupInstanceId, req.memberId)) return syncError(E.FENCED_INSTANCE_ID)
    const member = group.get(req.memberId)
    if (!member) return syncError(E.UNKNOWN_MEMBER_ID)
    if (req.generationId !== group.generationId) return syncError(E.ILLEGAL_GENERATION)
    if (
      (req.protocolType != null && req.protocolType !== group.protocolType) ||
      (req.protocolName != null && req.protocolName !== group.protocolName)
    ) {
      return syncError(E.INCONSISTENT_GROUP_PROTOCOL)
    }
    switch (group.state) {
      case 'PreparingRebalance':
        return syncError(E.REBALANCE_IN_PROGRESS)
      case 'Stable':
        this.touch(group, member)
        return this.syncResponse(group, member)
      case 'CompletingRebalance': {
        this.answerSync(member, syncError(E.REBALANCE_IN_PROGRESS))
        const answer = new Promise<SyncGroupResponse>((resolve) => (member.syncWaiter = resolve))
        this.touch(group, member)
        if (group.isLeader(member.memberId)) await this.applyAssignment(group, req.assignments)
        return answer
      }
      default:
        return syncError(E.UNKNOWN_MEMBER_ID)
    }
  }

  private async applyAssignment(group: CoordinatedGroup, assignments: SyncGroupRequest['assignments']): Promise<void> {
    const generation = group.generationId
    const byMember = new Map(assignments.map((a) => [a.memberId, a.assignment]))
    for (const m of group.members.values()) m.assignment = byMember.get(m.memberId) ?? EMPTY
    let failed = false
    try {
      await this.storeGroup(group)
    } catch {
      failed = true
    }
    // The group may have moved on while the write was in flight.
    if (group.generationId !== generation || !group.is('CompletingRebalance')) return
    if (failed) {
      for (const m of group.members.values()) {
        m.assignment = EMPTY
        this.answerSync(m, syncError(E.COORDINATOR_NOT_AVAILABLE))
      }
      this.prepareRebalance(group)
      return
    }
    group.transitionTo('Stable', this.time.now())
    for (const m of group.members.values()) this.answerSync(m, this.syncResponse(group, m))
  }

  private syncResponse(group: CoordinatedGroup, member: Member): SyncGroupResponse {
    return { errorCode: E.NONE, protocolType: group.protocolType, protocolName: group.protocolName, assignment: member.assignment }
  }

  // Heartbeat

  async heartbeat(req: HeartbeatRequest): Promise<HeartbeatResponse> {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE }
    if (!req.groupId) return { errorCode: E.INVALID_GROUP_ID }
    const group = this.groups.get(req.groupId)
    if (!group) return { errorCode: E.UNKNOWN_MEMBER_ID }
    if (this.isFenced(group, req.groupInstanceId, req.memberId)) return { errorCode: E.FENCED_INSTANCE_ID }
    const member = group.get(req.memberId)
    if (!member) return { errorCode: E.UNKNOWN_MEMBER_ID }
    switch (group.state) {
      case 'PreparingRebalance':
        this.touch(group, member)
        return { errorCode: E.REBALANCE_IN_PROGRESS }
      case 'CompletingRebalance':
      case 'Stable':
        if (req.generationId !== group.generationId) return { errorCode: E.ILLEGAL_GENERATION }
        this.touch(group, member)
        return { errorCode: E.NONE }
      default:
        return { errorCode: E.UNKNOWN_MEMBER_ID }
    }
  }

  // LeaveGroup

  async leaveGroup(req: LeaveGroupRequest): Promise<LeaveGroupResponse> {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, members: [] }
    if (!req.groupId) return { errorCode: E.INVALID_GROUP_ID, members: [] }
    const group = this.groups.get(req.groupId)
    const members = req.members.map((leaving) => ({
      memberId: leaving.memberId,
      groupInstanceId: leaving.groupInstanceId,
      errorCode: group ? this.removeLeavingMember(group, leaving.memberId, leaving.groupInstanceId) : E.UNKNOWN_MEMBER_ID,
    }))
    return { errorCode: E.NONE, members }
  }

  private removeLeavingMember(group: CoordinatedGroup, memberId: string, instanceId: string | null): number {
    let id = memberId
    if (id === '') {
      const found = instanceId === null ? undefined : group.staticMemberId(instanceId)
      if (found === undefined) return E.UNKNOWN_MEMBER_ID
      id = found
    } else if (this.isFenced(group, instanceId, id)) {
      return E.FENCED_INSTANCE_ID
    }
    if (group.pendingMembers.has(id)) {
      group.pendingMembers.delete(id)
      this.clearPendingMemberTimer(group, id)
      this.tryCompleteJoin(group)
      return E.NONE
    }
    const member = group.get(id)
    if (!member) return E.UNKNOWN_MEMBER_ID
    this.removeMemberAndUpdateGroup(group, member)
    return E.NONE
  }

  private removeMemberAndUpdateGroup(group: CoordinatedGroup, member: Member): void {
    this.clearSessionTimer(member)
    group.remove(member.memberId)
    this.answerJoin(member, joinError(E.UNKNOWN_MEMBER_ID, member.memberId))
    this.answerSync(member, syncError(E.UNKNOWN_MEMBER_ID))
    if (group.is('Stable') || group.is('CompletingRebalance')) this.prepareRebalance(group)
    this.tryCompleteJoin(group)
  }

  // Session expiry

  private touch(group: CoordinatedGroup, member: Member): void {
    this.clearSessionTimer(member)
    const handle = this.time.setTimeout(() => {
      if (this.sessionTimers.get(member) !== handle) return
      this.sessionTimers.delete(member)
      if (group.get(member.memberId) !== member) return
      // A member long-polling in JoinGroup/SyncGroup cannot heartbeat; it is alive.
      if (member.joinWaiter !== null || member.syncWaiter !== null) this.touch(group, member)
      else this.removeMemberAndUpdateGroup(group, member)
    }, member.sessionTimeoutMs)
    this.sessionTimers.set(member, handle)
  }

  private clearSessionTimer(member: Member): void {
    const h = this.sessionTimers.get(member)
    if (h !== undefined) {
      this.time.clearTimeout(h)
      this.sessionTimers.delete(member)
    }
  }

  private schedulePendingMemberExpiry(group: CoordinatedGroup, memberId: string, ms: number): void {
    const key = `${group.groupId}\u0000${memberId}`
    const handle = this.time.setTimeout(() => {
      this.pendingMemberTimers.delete(key)
      if (group.pendingMembers.delete(memberId)) this.tryCompleteJoin(group)
    }, ms)
    this.pendingMemberTimers.set(key, handle)
  }

  private clearPendingMemberTimer(group: CoordinatedGroup, memberId: string): void {
    const key = `${group.groupId}\u0000${memberId}`
    const h = this.pendingMemberTimers.get(key)
    if (h !== undefined) {
      this.time.clearTimeout(h)
      this.pendingMemberTimers.delete(key)
    }
  }

  // Offsets

  async commitOffsets(req: OffsetCommitRequest): Promise<OffsetCommitResponse> {
    const all = (errorCode: number): OffsetCommitResponse => ({
      partitions: req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    })
    if (this.closed) return all(E.COORDINATOR_NOT_AVAILABLE)
    if (!req.groupId) return all(E.INVALID_GROUP_ID)
    const group = this.groups.get(req.groupId)
    if (!group) {
      // Consumers that assign partitions themselves commit without a generation.
      if (req.generationId >= 0) return all(E.ILLEGAL_GENERATION)
    } else {
      const instanceId = req.groupInstanceId ?? null
      if (this.isFenced(group, instanceId, req.memberId)) return all(E.FENCED_INSTANCE_ID)
      if (!(req.generationId < 0 && group.is('Empty'))) {
        if (group.is('CompletingRebalance')) return all(E.REBALANCE_IN_PROGRESS)
        const member = group.get(req.memberId)
        if (!member) return all(E.UNKNOWN_MEMBER_ID)
        if (req.generationId !== group.generationId) return all(E.ILLEGAL_GENERATION)
        this.touch(group, member)
      }
    }
    const now = this.time.now()
    const results: OffsetCommitResponse['partitions'] = []
    const accepted: CommittedOffset[] = []
    for (const o of req.offsets) {
      const metadata = o.metadata ?? ''
      const tooLarge = Buffer.byteLength(metadata, 'utf8') > this.maxOffsetMetadataBytes
      results.push({ topic: o.topic, partition: o.partition, errorCode: tooLarge ? E.OFFSET_METADATA_TOO_LARGE : E.NONE })
      if (!tooLarge) {
        accepted.push({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset,
          leaderEpoch: o.leaderEpoch ?? -1,
          metadata,
          commitTimestamp: now,
        })
      }
    }
    if (accepted.length === 0) return { partitions: results }
    try {
      await this.log.append(
        accepted.map((c) => ({ key: encodeOffsetCommitKey(req.groupId, c.topic, c.partition), value: encodeOffsetCommitValue(c) })),
      )
    } catch {
      return all(E.COORDINATOR_NOT_AVAILABLE)
    }
    // Apply once durable; the group may have been created (or deleted and recreated) meanwhile.
    const target = this.groupOrCreate(req.groupId)
    for (const c of accepted) target.commit(c)
    return { partitions: results }
  }

  // Transactional offsets (KIP-98 TxnOffsetCommit, KIP-447 fencing)

  /**
   * TxnOffsetCommit: offsets written now as the producer's transactional records, applied
   * when its transaction commits (dropped if it aborts). With a generation and member id
   * the commit is checked against the group like a consumer's commit (KIP-447), so a
   * zombie that lost its partitions cannot commit for them.
   */
  async txnCommitOffsets(req: TxnOffsetCommitRequest): Promise<OffsetCommitResponse> {
    const all = (errorCode: number): OffsetCommitResponse => ({
      partitions: req.offsets.map((o) => ({ topic: o.topic, partition: o.partition, errorCode })),
    })
    if (this.closed) return all(E.COORDINATOR_NOT_AVAILABLE)
    if (!req.groupId) return all(E.INVALID_GROUP_ID)
    const group = this.groups.get(req.groupId)
    if (group && (req.generationId >= 0 || req.memberId !== '')) {
      if (this.isFenced(group, req.groupInstanceId ?? null, req.memberId)) return all(E.FENCED_INSTANCE_ID)
      if (!group.get(req.memberId)) return all(E.UNKNOWN_MEMBER_ID)
      if (req.generationId !== group.generationId) return all(E.ILLEGAL_GENERATION)
    } else if (!group && req.generationId >= 0) {
      return all(E.ILLEGAL_GENERATION)
    }
    const now = this.time.now()
    const results: OffsetCommitResponse['partitions'] = []
    const accepted: CommittedOffset[] = []
    for (const o of req.offsets) {
      const metadata = o.metadata ?? ''
      const tooLarge = Buffer.byteLength(metadata, 'utf8') > this.maxOffsetMetadataBytes
      results.push({ topic: o.topic, partition: o.partition, errorCode: tooLarge ? E.OFFSET_METADATA_TOO_LARGE : E.NONE })
      if (!tooLarge) accepted.push({ topic: o.topic, partition: o.partition, offset: o.offset, leaderEpoch: o.leaderEpoch ?? -1, metadata, commitTimestamp: now })
    }
    if (accepted.length === 0) return { partitions: results }
    try {
      await this.log.appendTransactional(
        accepted.map((c) => ({ key: encodeOffsetCommitKey(req.groupId, c.topic, c.partition), value: encodeOffsetCommitValue(c) })),
        req.producerId,
        req.producerEpoch,
      )
    } catch (err) {
      if (err instanceof BrookError && err.code === 'INVALID_PRODUCER_EPOCH') return all(E.INVALID_PRODUCER_EPOCH)
      return all(E.COORDINATOR_NOT_AVAILABLE)
    }
    for (const c of accepted) this.addPendingTxnOffset(req.producerId, req.groupId, c)
    return { partitions: results }
  }

  private addPendingTxnOffset(producerId: number, groupId: string, c: CommittedOffset): void {
    let byGroup = this.pendingTxnOffsets.get(producerId)
    if (!byGroup) this.pendingTxnOffsets.set(producerId, (byGroup = new Map()))
    let list = byGroup.get(groupId)
    if (!list) byGroup.set(groupId, (list = []))
    list.push(c)
  }

  /**
   * The transaction coordinator ends a transaction that holds offsets on `partition` of the
   * offsets log: the marker is written there, then the offsets apply (commit) or go (abort).
   */
  async completeTransaction(partition: number, producerId: number, producerEpoch: number, commit: boolean): Promise<void> {
    await this.log.appendMarker(partition, producerId, producerEpoch, commit)
    this.applyTxnOffsets(producerId, commit, partition)
  }

  private applyTxnOffsets(producerId: number, commit: boolean, partition: number | null): void {
    const byGroup = this.pendingTxnOffsets.get(producerId)
    if (!byGroup) return
    for (const [groupId, list] of [...byGroup]) {
      if (partition !== null && this.log.partitionOf(groupId) !== partition) continue
      byGroup.delete(groupId)
      if (!commit) continue
      const group = this.groupOrCreate(groupId)
      for (const c of list) group.commit(c)
    }
    if (byGroup.size === 0) this.pendingTxnOffsets.delete(producerId)
  }

  private hasPendingTxnOffset(groupId: string, topic: string, partition: number): boolean {
    for (const byGroup of this.pendingTxnOffsets.values()) {
      const list = byGroup.get(groupId)
      if (list?.some((c) => c.topic === topic && c.partition === partition)) return true
    }
    return false
  }

  async fetchOffsets(req: OffsetFetchRequest): Promise<OffsetFetchResponse> {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, offsets: [] }
    if (!req.groupId) return { errorCode: E.INVALID_GROUP_ID, offsets: [] }
    const group = this.groups.get(req.groupId)
    if (req.requireStable === true && this.pendingTxnOffsets.size > 0) {
      // KIP-447: partitions an open transaction holds offsets for answer UNSTABLE_OFFSET_COMMIT (the client retries).
      const answer = await this.fetchOffsets({ groupId: req.groupId, partitions: req.partitions ?? null })
      for (const o of answer.offsets) {
        if (this.hasPendingTxnOffset(req.groupId, o.topic, o.partition)) {
          o.errorCode = E.UNSTABLE_OFFSET_COMMIT
          o.offset = -1
        }
      }
      return answer
    }
    if (req.partitions == null) {
      const offsets = (group?.allOffsets() ?? []).map((c) => fetched(c))
      return { errorCode: E.NONE, offsets }
    }
    const offsets = req.partitions.map((tp) => {
      const c = group?.offset(tp.topic, tp.partition)
      return c ? fetched(c) : { topic: tp.topic, partition: tp.partition, offset: -1, leaderEpoch: -1, metadata: '', errorCode: E.NONE }
    })
    return { errorCode: E.NONE, offsets }
  }

  /** OffsetDelete: only offsets of topics the group is not consuming (all of them for an Empty group). */
  async deleteOffsets(groupId: string, partitions: TopicPartition[]): Promise<OffsetDeleteResponse> {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, partitions: [] }
    if (!groupId) return { errorCode: E.INVALID_GROUP_ID, partitions: [] }
    const group = this.groups.get(groupId)
    if (!group) return { errorCode: E.GROUP_ID_NOT_FOUND, partitions: [] }
    let subscribed = new Set<string>()
    if (!group.is('Empty')) {
      if (group.protocolType !== CONSUMER_PROTOCOL_TYPE) return { errorCode: E.NON_EMPTY_GROUP, partitions: [] }
      subscribed = subscribedTopics(group)
    }
    const tombstones: OffsetsLogRecord[] = []
    const results = partitions.map((tp) => {
      if (subscribed.has(tp.topic)) return { ...tp, errorCode: E.GROUP_SUBSCRIBED_TO_TOPIC }
      if (group.deleteOffset(tp.topic, tp.partition)) {
        tombstones.push({ key: encodeOffsetCommitKey(groupId, tp.topic, tp.partition), value: null })
      }
      return { topic: tp.topic, partition: tp.partition, errorCode: E.NONE }
    })
    if (tombstones.length > 0) {
      try {
        await this.log.append(tombstones)
      } catch {
        return { errorCode: E.COORDINATOR_NOT_AVAILABLE, partitions: [] }
      }
    }
    return { errorCode: E.NONE, partitions: results }
  }

  // Admin

  async listGroups(states?: GroupState[]): Promise<ListGroupsResponse> {
    if (this.closed) return { errorCode: E.COORDINATOR_NOT_AVAILABLE, groups: [] }
    const groups = [...this.groups.values()]
      .filter((g) => !states || states.length === 0 || states.includes(g.state))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', state: g.state }))
    return { errorCode: E.NONE, groups }
  }

  async describeGroups(groupIds: string[]): Promise<DescribedGroup[]> {
    return groupIds.map((groupId) => {
      const unknown: DescribedGroup = { errorCode: E.NONE, groupId, state: 'Dead', protocolType: '', protocol: '', generationId: -1, members: [] }
      if (this.closed) return { ...unknown, errorCode: E.COORDINATOR_NOT_AVAILABLE }
      if (!groupId) return { ...unknown, errorCode: E.INVALID_GROUP_ID }
      const group = this.groups.get(groupId)
      if (!group) return unknown
      const stable = group.is('Stable')
      const protocol = stable ? group.protocolName! : ''
      return {
        errorCode: E.NONE,
        groupId,
        state: group.state,
        protocolType: group.protocolType ?? '',
        protocol,
        generationId: group.generationId,
        members: [...group.members.values()].map((m) => ({
          memberId: m.memberId,
          groupInstanceId: m.groupInstanceId,
          clientId: m.clientId,
          clientHost: m.clientHost,
          metadata: stable ? group.metadataOf(m, protocol) : EMPTY,
          assignment: stable ? m.assignment : EMPTY,
        })),
      }
    })
  }

  /** Deletes Empty groups with their offsets, writing tombstones. */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupResult[]> {
    const results: DeleteGroupResult[] = []
    const tombstones: OffsetsLogRecord[] = []
    for (const groupId of groupIds) {
      if (this.closed) {
        results.push({ groupId, errorCode: E.COORDINATOR_NOT_AVAILABLE })
        continue
      }
      if (!groupId) {
        results.push({ groupId, errorCode: E.INVALID_GROUP_ID })
        continue
      }
      const group = this.groups.get(groupId)
      if (!group) {
        results.push({ groupId, errorCode: E.GROUP_ID_NOT_FOUND })
        continue
      }
      if (!group.is('Empty')) {
        results.push({ groupId, errorCode: E.NON_EMPTY_GROUP })
        continue
      }
      group.transitionTo('Dead', this.time.now())
      this.groups.delete(groupId)
      this.clearRebalanceTimer(group)
      for (const c of group.allOffsets()) tombstones.push({ key: encodeOffsetCommitKey(groupId, c.topic, c.partition), value: null })
      tombstones.push({ key: encodeGroupMetadataKey(groupId), value: null })
      results.push({ groupId, errorCode: E.NONE })
    }
    if (tombstones.length > 0) {
      try {
        await this.log.append(tombstones)
      } catch {
        for (const r of results) if (r.errorCode === E.NONE) r.errorCode = E.COORDINATOR_NOT_AVAILABLE
      }
    }
    return results
  }

  // Helpers

  private groupOrCreate(groupId: string): CoordinatedGroup {
    let group = this.groups.get(groupId)
    if (!group) {
      group = new Group(groupId, this.time.now())
      this.groups.set(groupId, group)
    }
    return group
  }

  /** Another member id now holds this static instance id. */
  private isFenced(group: CoordinatedGroup, instanceId: string | null | undefined, memberId: string): boolean {
    if (instanceId == null) return false
    const current = group.staticMemberId(instanceId)
    return current !== undefined && current !== memberId
  }

  private storeGroup(group: CoordinatedGroup): Promise<void> {
    return this.log.append([{ key: encodeGroupMetadataKey(group.groupId), value: encodeGroupMetadataValue(group.toMetadataValue()) }])
  }

  private answerJoin(member: Member, response: JoinGroupResponse): void {
    const waiter = member.joinWaiter
    member.joinWaiter = null
    waiter?.(response)
  }

  private answerSync(member: Member, response: SyncGroupResponse): void {
    const waiter = member.syncWaiter
    member.syncWaiter = null
    waiter?.(response)
  }
}

function fetched(c: CommittedOffset): FetchedOffset {
  return { topic: c.topic, partition: c.partition, offset: c.offset, leaderEpoch: c.leaderEpoch, metadata: c.metadata, errorCode: E.NONE }
}

function subscribedTopics(group: CoordinatedGroup): Set<string> {
  const topics = new Set<string>()
  for (const m of group.members.values()) {
    for (const p of m.protocols) {
      try {
        for (const t of decodeSubscription(p.metadata).topics) topics.add(t)
      } catch {
        // Metadata that is not a consumer subscription names no topics.
      }
    }
  }
  return topics
}

function nonNegative(key: string, v: number): number {
  if (!Number.isFinite(v) || v < 0) throw new InvalidConfigError(key, `must be a non-negative number, got ${v}`)
  return v
}

/** A committed offset as replayed from __consumer_offsets: the key names it, the value holds it. */
function storedOffset(key: { topic: string; partition: number }, value: Buffer) {
  const v = decodeOffsetCommitValue(value)
  return {
    topic: key.topic,
    partition: key.partition,
    offset: v.offset,
    leaderEpoch: v.leaderEpoch,
    metadata: v.metadata,
    commitTimestamp: v.commitTimestamp,
  }
}
