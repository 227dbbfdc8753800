// What `produce` and `consume` check about their topic before they start, so a misspelled topic
// or partition is an error (or, for produce with auto.create.topics.enable, a creation that is said).
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { Cluster } from '../core/client/kafka/cluster.js'
import type { BrookClient, TopicDescription } from '../core/client/types.js'
import { BrookError } from '../core/errors.js'
import { CliError, type ConnectionOptions } from './context.js'

/** The topic's description, or null when it does not exist. */
export async function findTopic(client: BrookClient, topic: string): Promise<TopicDescription | null> {
  try {
    const [d] = await client.admin().describeTopics([topic])
    return d ?? null
  } catch (err) {
    if (err instanceof BrookError && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return null
    throw err
  }
}

export function checkPartition(d: TopicDescription, partition: number | undefined): void {
  if (partition !== undefined && !d.partitions.some((p) => p.partition === partition)) {
    throw new CliError(`partition ${partition} does not exist: topic '${d.topic}' has partitions 0 to ${d.partitions.length - 1}`, '--partition')
  }
}

/** Consume reads existing topics only. */
export async function requireTopic(client: BrookClient, topic: string, partition?: number): Promise<TopicDescription> {
  const d = await findTopic(client, topic)
  if (d === null) throw new CliError(`topic '${topic}' does not exist (brook topics list shows the topics)`, 'topic', 'UNKNOWN_TOPIC_OR_PARTITION')
  checkPartition(d, partition)
  return d
}

/**
 * Produce to a missing topic follows the broker's auto.create.topics.enable, as Kafka's clients do:
 * when it is on (the default) the topic is created with the broker's defaults and this returns a
 * line saying so; when it is off, an error. Returns null when the topic existed.
 */
export async function ensureTopicForProduce(client: BrookClient, opts: ConnectionOptions, topic: string, partition?: number): Promise<string | null> {
  const existing = await findTopic(client, topic)
  if (existing !== null) {
    checkPartition(existing, partition)
    return null
  }
  const refused = new CliError(
    `topic '${topic}' does not exist and the broker does not create topics (auto.create.topics.enable=false); create it with: brook topics create ${topic}`,
    'topic',
    'UNKNOWN_TOPIC_OR_PARTITION',
  )
  if (client instanceof EmbeddedClient) {
    if (!client.broker.config.autoCreateTopicsEnable) throw refused
    await client.broker.ensureTopic(topic)
  } else {
    // A Metadata request that allows auto-creation, as Kafka's producer sends.
    const cluster = new Cluster({ bootstrapServers: opts.bootstrap!, clientId: 'brook-cli' })
    try {
      const res = await cluster.metadata([topic], true)
      const t = res.topics.find((x) => x.name === topic)
      if (t === undefined || t.errorCode === 3) throw refused
    } finally {
      await cluster.close()
    }
  }
  const created = await findTopic(client, topic)
  const d = created ?? (await requireTopic(client, topic))
  checkPartition(d, partition)
  return `Created topic ${topic} with ${d.partitions.length} partition(s): it did not exist and auto.create.topics.enable is on`
}
