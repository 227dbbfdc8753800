import { InvalidTopicError } from '../errors.js'

const LEGAL = /^[a-zA-Z0-9._-]+$/
export const MAX_TOPIC_NAME_LENGTH = 249

/** Kafka's topic name rule. Checked before a name ever reaches the file system. */
export function validateTopicName(topic: unknown): asserts topic is string {
  if (typeof topic !== 'string' || topic.length === 0) {
    throw new InvalidTopicError('Topic name must be a non-empty string', String(topic))
  }
  if (topic === '.' || topic === '..') {
    throw new InvalidTopicError(`Topic name cannot be "${topic}"`, topic)
  }
  if (topic.length > MAX_TOPIC_NAME_LENGTH) {
    throw new InvalidTopicError(
      `Topic name is ${topic.length} characters long; the limit is ${MAX_TOPIC_NAME_LENGTH}`,
      topic,
    )
  }
  if (!LEGAL.test(topic)) {
    throw new InvalidTopicError(
      `Topic name '${topic}' is illegal: it may contain only ASCII letters, digits, '.', '_' and '-'`,
      topic,
    )
  }
}

/** Internal topics clients may not create or delete. */
export function isInternalTopic(topic: string): boolean {
  return topic === '__consumer_offsets' || topic === '__cluster_metadata' || topic === '__transaction_state'
}
