// Topic ids: the broker keeps them as dashed uuid strings, the wire carries Kafka's
// 22-character base64url form.
import type { Broker } from '../broker/broker.js'
import type { TopicMetadata } from '../broker/metadata-store.js'
import { ZERO_UUID } from '../protocol/primitives/reader.js'

export { ZERO_UUID }

/** '2f1c...-...' -> 'LxwF...' (Kafka's Uuid.toString form). */
export function toWireUuid(uuid: string): string {
  const hex = uuid.replace(/-/g, '')
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return ZERO_UUID
  return Buffer.from(hex, 'hex').toString('base64url')
}

/** The topic with this wire id, or undefined. Linear: ids are looked up rarely (Metadata v10+, DeleteTopics v6). */
export function topicById(broker: Broker, wireId: string): TopicMetadata | undefined {
  if (wireId === ZERO_UUID) return undefined
  for (const name of broker.listTopics(true)) {
    const topic = broker.describeTopic(name)
    if (toWireUuid(topic.topicId) === wireId) return topic
  }
  return undefined
}

const namesById = new WeakMap<Broker, Map<string, string>>()

/** The topic name for a wire topic id (Fetch v13+), cached; the cache is checked against the live topic id. */
export function topicNameById(broker: Broker, wireId: string): string | undefined {
  let cache = namesById.get(broker)
  if (!cache) namesById.set(broker, (cache = new Map()))
  const cached = cache.get(wireId)
  if (cached !== undefined && broker.hasTopic(cached) && toWireUuid(broker.describeTopic(cached).topicId) === wireId) return cached
  cache.clear()
  for (const name of broker.listTopics(true)) cache.set(toWireUuid(broker.describeTopic(name).topicId), name)
  return cache.get(wireId)
}
