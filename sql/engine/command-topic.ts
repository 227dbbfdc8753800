// The command topic: every statement that changes the catalog, in order, with the query id it
// got. A new engine on the same log replays it, so streams, tables, types and persistent queries
// come back (queries resume from their committed offsets under the same application.id).
import type { BrookClient } from '../../core/client/types.js'
import type { Command, CommandLog } from './engine.js'

export function commandTopicName(serviceId = 'default_'): string {
  return `_confluent-ksql-${serviceId}_command_topic`
}

export class CommandTopic implements CommandLog {
  constructor(
    private readonly client: BrookClient,
    readonly topic: string = commandTopicName(),
  ) {}

  private async ensureTopic(): Promise<void> {
    const admin = this.client.admin()
    try {
      if (!(await admin.listTopics({ includeInternal: true })).includes(this.topic)) {
        await admin.createTopics([{ topic: this.topic, numPartitions: 1, replicationFactor: 1, configs: { 'retention.ms': '-1' } }])
      }
    } finally {
      await admin.close()
    }
  }

  async append(command: Command): Promise<void> {
    await this.ensureTopic()
    const producer = this.client.producer({})
    try {
      await producer.send({ topic: this.topic, partition: 0, key: 'command', value: JSON.stringify(command) })
    } finally {
      await producer.close()
    }
  }

  async readAll(): Promise<Command[]> {
    await this.ensureTopic()
    const consumer = this.client.consumer({ autoOffsetReset: 'earliest', enableAutoCommit: false })
    const out: Command[] = []
    try {
      const tp = { topic: this.topic, partition: 0 }
      consumer.assign([tp])
      await consumer.seekToBeginning()
      const [end] = await consumer.endOffsets([tp])
      const target = end?.offset ?? 0
      while ((await consumer.position(tp)) < target) {
        for (const r of await consumer.poll(200)) if (r.value !== null) out.push(JSON.parse(r.value.toString('utf8')) as Command)
      }
    } finally {
      await consumer.close()
    }
    return out
  }
}
