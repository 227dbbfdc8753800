// One classic (JoinGroup/SyncGroup) group: its state machine, members, generation
// and chosen protocol, plus its committed offsets. No timers or I/O here; the
// coordinator drives it.
import type { GroupState } from '../common/types.js'
import { BrookError } from '../errors.js'
import type { GroupMetadataValue } from './offsets-codec.js'

export type { GroupState }

export interface GroupProtocol {
  name: string
  metadata: Buffer
}

export interface CommittedOffset {
  topic: string
  partition: number
  offset: number
  leaderEpoch: number
  metadata: string
  commitTimestamp: number
}

/** What a member's pending JoinGroup or SyncGroup is eventually answered with. */
export type Waiter<T> = (response: T) => void

export interface GroupMember<J = unknown, S = unknown> {
  memberId: string
  groupInstanceId: string | null
  clientId: string
  clientHost: string
  sessionTimeoutMs: number
  rebalanceTimeoutMs: number
  protocolType: string
  /** In the member's order of preference. */
  protocols: GroupProtocol[]
  assignment: Buffer
  /** Set while the member's JoinGroup long-polls for the rebalance to complete. */
  joinWaiter: Waiter<J> | null
  /** Set while a follower's SyncGroup waits for the leader's assignment. */
  syncWaiter: Waiter<S> | null
  /** Joined in the rebalance under way (rather than rejoined). */
  isNew: boolean
}

const validPreviousStates: Record<GroupState, readonly GroupState[]> = {
  Empty: ['PreparingRebalance'],
  PreparingRebalance: ['Stable', 'CompletingRebalance', 'Empty'],
  CompletingRebalance: ['PreparingRebalance'],
  Stable: ['CompletingRebalance'],
  Dead: ['Stable', 'PreparingRebalance', 'CompletingRebalance', 'Empty', 'Dead'],
}

const offsetKey = (topic: string, partition: number): string => `${topic}\u0000${partition}`

export class Group<J = unknown, S = unknown> {
  state: GroupState = 'Empty'
  generationId = 0
  /** Null until the first member joins (and for groups that only hold offsets). */
  protocolType: string | null = null
  protocolName: string | null = null
  leaderId: string | null = null
  currentStateTimestamp: number
  readonly members = new Map<string, GroupMember<J, S>>()
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined yet. */
  readonly pendingMembers = new Set<string>()
  private readonly staticMembers = new Map<string, string>()
  private readonly offsets = new Map<string, CommittedOffset>()

  constructor(
    readonly groupId: string,
    now: number,
  ) {
    this.currentStateTimestamp = now
  }

  is(state: GroupState): boolean {
    return this.state === state
  }

  transitionTo(state: GroupState, now: number): void {
    if (!validPreviousStates[state].includes(this.state)) {
      throw new BrookError('ILLEGAL_STATE', `Group ${this.groupId} cannot go from ${this.state} to ${state}`)
    }
    this.state = state
    this.currentStateTimestamp = now
  }

  has(memberId: string): boolean {
    return this.members.has(memberId)
  }

  get(memberId: string): GroupMember<J, S> | undefined {
    return this.members.get(memberId)
  }

  isLeader(memberId: string): boolean {
    return this.leaderId === memberId
  }

  staticMemberId(groupInstanceId: string): string | undefined {
    return this.staticMembers.get(groupInstanceId)
  }

  add(member: GroupMember<J, S>): void {
    if (this.members.size === 0) this.protocolType = member.protocolType
    this.members.set(member.memberId, member)
    if (member.groupInstanceId !== null) this.staticMembers.set(member.groupInstanceId, member.memberId)
    this.pendingMembers.delete(member.memberId)
    if (this.leaderId === null) this.leaderId = member.memberId
  }

  remove(memberId: string): GroupMember<J, S> | undefined {
    const member = this.members.get(memberId)
    if (!member) return undefined
    this.members.delete(memberId)
    if (member.groupInstanceId !== null && this.staticMembers.get(member.groupInstanceId) === memberId) {
      this.staticMembers.delete(member.groupInstanceId)
    }
    if (this.leaderId === memberId) {
      // Prefer a member already waiting in JoinGroup, so the rebalance can finish.
      const next = [...this.members.values()].find((m) => m.joinWaiter !== null) ?? this.members.values().next().value
      this.leaderId = next?.memberId ?? null
    }
    return member
  }

  /** A static member rejoining with a new member id takes over the old member's place and assignment. */
  replaceStaticMember(groupInstanceId: string, oldMemberId: string, newMemberId: string): GroupMember<J, S> {
    const member = this.members.get(oldMemberId)
    if (!member) throw new BrookError('ILLEGAL_STATE', `Static member ${groupInstanceId} has no member ${oldMemberId}`)
    this.members.delete(oldMemberId)
    member.memberId = newMemberId
    this.members.set(newMemberId, member)
    this.staticMembers.set(groupInstanceId, newMemberId)
    if (this.leaderId === oldMemberId) this.leaderId = newMemberId
    return member
  }

  /** Protocols every member supports, i.e. the candidates for the next generation. */
  private candidateProtocols(): Set<string> {
    let candidates: Set<string> | null = null
    for (const m of this.members.values()) {
      const names = new Set<string>(m.protocols.map((p) => p.name))
      if (candidates === null) candidates = names
      else for (const n of candidates) if (!names.has(n)) candidates.delete(n)
    }
    return candidates ?? new Set<string>()
  }

  /** Whether a (re)joining member with these protocols is compatible with the group. */
  supportsProtocols(protocolType: string, protocols: readonly GroupProtocol[]): boolean {
    if (this.members.size === 0) return protocolType.length > 0 && protocols.length > 0
    if (this.protocolType !== protocolType) return false
    const candidates = this.candidateProtocols()
    return protocols.some((p) => candidates.has(p.name))
  }

  /**
   * Kafka's choice: each member votes for the first protocol of its list that all
   * members support; the most votes win. Ties go to the leader's preference.
   */
  selectProtocol(): string {
    const candidates = this.candidateProtocols()
    if (candidates.size === 0) throw new BrookError('INCONSISTENT_GROUP_PROTOCOL', `Group ${this.groupId} has no common protocol`)
    const votes = new Map<string, number>()
    for (const m of this.members.values()) {
      const vote = m.protocols.find((p) => candidates.has(p.name))!.name
      votes.set(vote, (votes.get(vote) ?? 0) + 1)
    }
    const leader = (this.leaderId !== null && this.members.get(this.leaderId)) || this.members.values().next().value!
    let best: string | null = null
    let bestVotes = -1
    for (const p of leader.protocols) {
      const n = votes.get(p.name) ?? 0
      if (candidates.has(p.name) && n > bestVotes) {
        best = p.name
        bestVotes = n
      }
    }
    return best!
  }

  /** Opens the next generation once the rebalance's joins are in. */
  initNextGeneration(now: number): void {
    this.generationId++
    if (this.members.size > 0) {
      this.protocolName = this.selectProtocol()
      this.transitionTo('CompletingRebalance', now)
    } else {
      this.protocolName = null
      this.transitionTo('Empty', now)
    }
    for (const m of this.members.values()) m.isNew = false
  }

  metadataOf(member: GroupMember<J, S>, protocolName: string): Buffer {
    return member.protocols.find((p) => p.name === protocolName)?.metadata ?? Buffer.alloc(0)
  }

  notYetRejoined(): GroupMember<J, S>[] {
    return [...this.members.values()].filter((m) => m.joinWaiter === null)
  }

  hasAllMembersJoined(): boolean {
    return this.pendingMembers.size === 0 && this.notYetRejoined().length === 0
  }

  /** The longest rebalance timeout of the members bounds how long a rebalance waits. */
  rebalanceTimeoutMs(): number {
    let max = 0
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs)
    return max
  }

  // Offsets

  commit(offset: CommittedOffset): void {
    this.offsets.set(offsetKey(offset.topic, offset.partition), offset)
  }

  offset(topic: string, partition: number): CommittedOffset | undefined {
    return this.offsets.get(offsetKey(topic, partition))
  }

  deleteOffset(topic: string, partition: number): boolean {
    return this.offsets.delete(offsetKey(topic, partition))
  }

  allOffsets(): CommittedOffset[] {
    return [...this.offsets.values()]
  }

  // Persistence

  toMetadataValue(): GroupMetadataValue {
    const protocol = this.protocolName
    return {
      protocolType: this.protocolType ?? '',
      generation: this.generationId,
      protocol,
      leader: this.leaderId,
      currentStateTimestamp: this.currentStateTimestamp,
      members:
        protocol === null
          ? []
          : [...this.members.values()].map((m) => ({
              memberId: m.memberId,
              groupInstanceId: m.groupInstanceId,
              clientId: m.clientId,
              clientHost: m.clientHost,
              rebalanceTimeout: m.rebalanceTimeoutMs,
              sessionTimeout: m.sessionTimeoutMs,
              subscription: this.metadataOf(m, protocol),
              assignment: m.assignment,
            })),
    }
  }

  /** A group restored from the log comes back Empty with its generation: members must rejoin. */
  restoreMetadata(value: GroupMetadataValue): void {
    this.generationId = value.generation
    this.protocolType = value.protocolType === '' ? null : value.protocolType
    this.protocolName = null
    this.leaderId = null
    this.state = 'Empty'
    if (value.currentStateTimestamp >= 0) this.currentStateTimestamp = value.currentStateTimestamp
  }
}
