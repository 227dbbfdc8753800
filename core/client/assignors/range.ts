// Kafka's RangeAssignor: topic by topic, the partitions are cut into contiguous
// ranges handed to the topic's subscribers in member id order; the first
// (count % members) members get one extra.
import type { TopicPartition } from '../types.js'
import { emptyAssignment, sortedMembers, type MemberId, type PartitionAssignor, type Subscription } from './index.js'

export class RangeAssignor implements PartitionAssignor {
  readonly name = 'range'
  readonly protocol = 'eager'

  assign(partitionsPerTopic: Map<string, number>, subscriptions: Map<MemberId, Subscription>): Map<MemberId, TopicPartition[]> {
    const out = emptyAssignment(subscriptions)
    const members = sortedMembers(subscriptions)
    const topics = [...new Set(members.flatMap((m) => subscriptions.get(m)!.topics))].sort()
    for (const topic of topics) {
      const count = partitionsPerTopic.get(topic)
      if (count === undefined || count <= 0) continue
      const consumers = members.filter((m) => subscriptions.get(m)!.topics.includes(topic))
      const per = Math.floor(count / consumers.length)
      const extra = count % consumers.length
      consumers.forEach((m, i) => {
        const start = per * i + Math.min(i, extra)
        const length = per + (i < extra ? 1 : 0)
        const list = out.get(m)!
        for (let p = start; p < start + length; p++) list.push({ topic, partition: p })
      })
    }
    return out
  }
}
