// Kafka's RoundRobinAssignor: every partition of every subscribed topic, sorted
// by topic then partition, dealt in turn to the members (sorted by id), skipping
// members not subscribed to the partition's topic.
import type { TopicPartition } from '../types.js'
import { emptyAssignment, sortedMembers, type MemberId, type PartitionAssignor, type Subscription } from './index.js'

export class RoundRobinAssignor implements PartitionAssignor {
  readonly name = 'roundrobin'
  readonly protocol = 'eager'

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    const out = emptyAssignment(subscriptions)
    const members = sortedMembers(subscriptions)
    if (members.length === 0) return out
    const subscribed = new Map(members.map((m) => [m, new Set(subscriptions.get(m)!.topics)]))
    const topics = [...new Set(members.flatMap((m) => subscriptions.get(m)!.topics))].sort()
    let next = 0
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic) ?? 0
      for (let partition = 0; partition < count; partition++) {
        // Some member is subscribed to this topic, so this stops within one lap.
        while (!subscribed.get(members[next % members.length]!)!.has(topic)) next++
        out.get(members[next % members.length]!)!.push({ topic, partition })
        next++
      }
    }
    return out
  }
}
