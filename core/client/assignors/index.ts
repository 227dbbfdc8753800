// Client-side partition assignors. The group leader runs the one the group chose
// over every member's subscription; the broker only carries the bytes.
import { BrookError } from '../../errors.js'
import type { AssignorName, TopicPartition } from '../types.js'
import { CooperativeStickyAssignor } from './cooperative-sticky.js'
import { RangeAssignor } from './range.js'
import { RoundRobinAssignor } from './round-robin.js'

export { CooperativeStickyAssignor, RangeAssignor, RoundRobinAssignor }

export type MemberId = string

/** One member's decoded ConsumerProtocolSubscription. */
export interface Subscription {
  topics: string[]
  /** What the member owns now (cooperative protocol; empty under eager, which revokes before joining). */
  ownedPartitions: TopicPartition[]
  userData?: Buffer | null
  /** The generation ownedPartitions is from; -1 or absent when unknown. */
  generationId?: number
}

/** EAGER: members give up everything before a rebalance. COOPERATIVE: only what moves, over two rebalances. */
export type RebalanceProtocol = 'eager' | 'cooperative'

/** One member's share of a rebalance as the leader sent it (Kafka's ConsumerPartitionAssignor.Assignment). */
export interface MemberAssignment {
  partitions: TopicPartition[]
  userData: Buffer | null
}

/**
 * An assignor (Kafka's ConsumerPartitionAssignor): the built-in ones by name, or an object of the
 * application's (Kafka Streams has its own). The optional hooks carry an application's own bytes
 * through a rebalance: each member's subscription to the leader, the leader's word back to each member.
 */
export interface PartitionAssignor {
  /** The protocol name members agree on: the group uses the first name every member lists. */
  readonly name: AssignorName | (string & {})
  readonly protocol: RebalanceProtocol
  /**
   * partitionsPerTopic holds the partition count of every subscribed topic that exists.
   * The result has an entry, maybe empty, for every member.
   */
  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]>
  /** Bytes this member puts in its subscription at every join (Kafka's subscriptionUserData); the leader's assign sees them. */
  subscriptionUserData?(topics: readonly string[]): Buffer | null
  /** On the leader, after assign: the bytes that go to `memberId` with its partitions (null: none); `assignment` is assign's whole result. */
  assignmentUserData?(memberId: MemberId, partitions: readonly TopicPartition[], subscriptions: Map<MemberId, Subscription>, assignment: ReadonlyMap<MemberId, readonly TopicPartition[]>): Buffer | null
  /** This member's assignment as the leader sent it, before the rebalance listener hears of it (Kafka's onAssignment). */
  onAssignment?(assignment: MemberAssignment, generationId: number): void
}

/** The assignors known by name (partition.assignment.strategy). */
export const BUILT_IN_ASSIGNORS: readonly AssignorName[] = ['range', 'roundrobin', 'cooperative-sticky']

export function assignorFor(name: AssignorName): PartitionAssignor {
  switch (name) {
    case 'range':
      return new RangeAssignor()
    case 'roundrobin':
      return new RoundRobinAssignor()
    case 'cooperative-sticky':
      return new CooperativeStickyAssignor()
    default:
      throw new BrookError('INVALID_CONFIG', `Unknown partition assignor '${String(name)}'`, { field: 'partitionAssignmentStrategy' })
  }
}

/** Kafka 3's default partition.assignment.strategy: range, with cooperative-sticky to upgrade to. */
export const DEFAULT_ASSIGNORS: readonly AssignorName[] = ['range', 'cooperative-sticky']

/** Members sorted the way assignors iterate them, so every leader computes the same result. */
export function sortedMembers(subscriptions: Map<MemberId, Subscription>): MemberId[] {
  return [...subscriptions.keys()].sort()
}

export function emptyAssignment(subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
  const out = new Map<MemberId, TopicPartition[]>()
  for (const id of sortedMembers(subscriptions)) out.set(id, [])
  return out
}

export const compareTopicPartitions = (a: TopicPartition, b: TopicPartition): number =>
  a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition
