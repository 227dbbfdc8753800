// Kafka's cooperative-sticky semantics: members keep what they own where that stays
// balanced, the rest is spread to the least loaded subscribers, and under the
// cooperative protocol a partition moving away from a current owner is assigned to
// nobody this generation: the owner revokes it, rejoins, and the follow-up
// rebalance hands it to its new member.
import type { TopicPartition } from '../types.js'
import {
  compareTopicPartitions,
  emptyAssignment,
  sortedMembers,
  type MemberId,
  type PartitionAssignor,
  type Subscription,
} from './index.js'

const keyOf = (tp: TopicPartition): string => `${tp.topic}\u0000${tp.partition}`

export class CooperativeStickyAssignor implements PartitionAssignor {
  readonly name = 'cooperative-sticky'
  readonly protocol = 'cooperative'

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    const members = sortedMembers(subscriptions)
    const subscribed = new Map(members.map((m) => [m, new Set(subscriptions.get(m)!.topics)]))
    const exists = (tp: TopicPartition): boolean => {
      const count = partitionsPerTopic.get(tp.topic)
      return count !== undefined && Number.isInteger(tp.partition) && tp.partition >= 0 && tp.partition < count
    }

    // Who owns what: every claimant counts for revocation; the highest generation wins for stickiness.
    const claimants = new Map<string, Set<MemberId>>()
    const owner = new Map<string, { member: MemberId; generation: number; tp: TopicPartition }>()
    const contested = new Set<string>()
    for (const member of members) {
      const sub = subscriptions.get(member)!
      const generation = sub.generationId ?? -1
      for (const tp of sub.ownedPartitions) {
        if (!exists(tp)) continue
        const k = keyOf(tp)
        let set = claimants.get(k)
        if (!set) claimants.set(k, (set = new Set()))
        set.add(member)
        const current = owner.get(k)
        if (!current || generation > current.generation) {
          owner.set(k, { member, generation, tp: { topic: tp.topic, partition: tp.partition } })
          contested.delete(k)
        } else if (generation === current.generation && current.member !== member) {
          contested.add(k)
        }
      }
    }

    const assigned = new Map<MemberId, Map<string, TopicPartition>>(members.map((m) => [m, new Map()]))
    const placed = new Set<string>()
    for (const [k, o] of owner) {
      if (contested.has(k) || !subscribed.get(o.member)!.has(o.tp.topic)) continue
      assigned.get(o.member)!.set(k, o.tp)
      placed.add(k)
    }

    // Unowned partitions go, in order, to the least loaded subscriber.
    const topics = [...new Set(members.flatMap((m) => subscriptions.get(m)!.topics))].sort()
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0
      for (let partition = 0; partition < count; partition++) {
        const tp = { topic, partition }
        const k = keyOf(tp)
        if (placed.has(k)) continue
        const to = leastLoaded(members, assigned, subscribed, topic, Infinity)
        if (to === null) continue
        assigned.get(to)!.set(k, tp)
        placed.add(k)
      }
    }

    rebalance(members, assigned, subscribed, owner)

    // Cooperative: nothing is added to a member while another member still owns it
    // (a claimant keeping its own partition is fine, even if a stale claimant loses it).
    const out = emptyAssignment(subscriptions)
    for (const member of members) {
      const list = out.get(member)!
      for (const [k, tp] of assigned.get(member)!) {
        const owners = claimants.get(k)
        if (owners && !owners.has(member)) continue
        list.push(tp)
      }
      list.sort(compareTopicPartitions)
    }
    return out
  }
}

/** The subscriber with the fewest partitions, below `below`; ties by member id. */
function leastLoaded(
  members: MemberId[],
  assigned: Map<MemberId, Map<string, TopicPartition>>,
  subscribed: Map<MemberId, Set<string>>,
  topic: string,
  below: number,
): MemberId | null {
  let best: MemberId | null = null
  let bestCount = below
  for (const m of members) {
    const n = assigned.get(m)!.size
    if (n < bestCount && subscribed.get(m)!.has(topic)) {
      best = m
      bestCount = n
    }
  }
  return best
}

/**
 * Moves partitions from the most to the least loaded eligible member while that
 * narrows the gap by two or more. Each move lowers the sum of squared loads, so this
 * ends; with identical subscriptions it ends within one partition of balance.
 * Partitions a member did not own before move first, to keep revocations rare.
 */
function rebalance(
  members: MemberId[],
  assigned: Map<MemberId, Map<string, TopicPartition>>,
  subscribed: Map<MemberId, Set<string>>,
  owner: Map<string, { member: MemberId }>,
): void {
  for (;;) {
    let moved = false
    const byLoad = [...members].sort((a, b) => assigned.get(b)!.size - assigned.get(a)!.size || (a < b ? -1 : 1))
    for (const from of byLoad) {
      const mine = assigned.get(from)!
      const candidates = [...mine].sort(([ka, a], [kb, b]) => {
        const ownedA = owner.get(ka)?.member === from ? 1 : 0
        const ownedB = owner.get(kb)?.member === from ? 1 : 0
        return ownedA - ownedB || compareTopicPartitions(b, a)
      })
      for (const [k, tp] of candidates) {
        const to = leastLoaded(members, assigned, subscribed, tp.topic, mine.size - 1)
        if (to === null) continue
        mine.delete(k)
        assigned.get(to)!.set(k, tp)
        moved = true
        break
      }
      if (moved) break
    }
    if (!moved) return
  }
}
