// The worker's compacted internal topics, as Kafka Connect lays them out:
//   connect-offsets  key ["<connector>", {source partition}]  value {source offset} (null resets)
//   connect-status   key status-connector-<name> | status-task-<name>-<id>  value {state, trace, worker_id, generation}
//   connect-configs  key connector-<name> {properties} | target-state-<name> {state} | restart-connector-<name>
import type { Admin, BrookClient, Consumer, ConsumerRecord, Producer } from '../../core/client/types.js'
import { BrookError } from '../../core/errors.js'

export interface InternalTopicNames {
  offsets: string
  status: string
  configs: string
}

export const defaultTopics: InternalTopicNames = { offsets: 'connect-offsets', status: 'connect-status', configs: 'connect-configs' }

export async function ensureCompactedTopics(admin: Admin, topics: string[]): Promise<void> {
  const existing = new Set(await admin.listTopics({ includeInternal: true }))
  const missing = topics.filter((t) => !existing.has(t))
  if (missing.length === 0) return
  try {
    await admin.createTopics(missing.map((topic) => ({ topic, numPartitions: 1, replicationFactor: 1, configs: { 'cleanup.policy': 'compact' } })))
  } catch (err) {
    if (!(err instanceof BrookError && err.code === 'TOPIC_ALREADY_EXISTS')) throw err
  }
}

/** Reads a compacted topic from the beginning to its current end: key → last value. */
export async function readToEnd(client: BrookClient, topic: string, apply: (rec: ConsumerRecord) => void): Promise<void> {
  const consumer: Consumer = client.consumer({ clientId: `brook-connect-reader-${topic}` })
  try {
    const tp = { topic, partition: 0 }
    consumer.assign([tp])
    await consumer.seekToBeginning([tp])
    const [end] = await consumer.endOffsets([tp])
    const endOffset = end?.offset ?? 0
    while ((await consumer.position(tp)) < endOffset) {
      for (const r of await consumer.poll(200)) apply(r)
    }
  } finally {
    await consumer.close()
  }
}

/** A small writer for one internal topic: keyed JSON values, acknowledged before returning. */
export class InternalTopicWriter {
  constructor(private readonly producer: Producer, readonly topic: string) {}
  async write(entries: Array<{ key: string; value: unknown }>): Promise<void> {
    if (entries.length === 0) return
    const sent = this.producer.sendBatch(
      entries.map((e) => ({ topic: this.topic, partition: 0, key: e.key, value: e.value === null ? null : JSON.stringify(e.value) })),
    )
    // The writer waits for these records alone: they go now, not after linger.ms (even 0 is a
    // timer, ≥ 1 ms, once per poll of a source task committing its offsets).
    this.producer.flush().catch(() => {})
    await sent
  }
}
