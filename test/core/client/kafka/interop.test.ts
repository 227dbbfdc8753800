// The wire client next to an independent Kafka client (kafkajs) on Brook's server:
// each reads what the other wrote, and sees the other's commits.
import { afterEach, describe, expect, it } from 'vitest'
import { CompressionTypes, Kafka, logLevel } from 'kafkajs'
import type { ConsumerRecord } from '../../../../core/client/types.js'
import { defaultPartition } from '../../../../core/client/partitioner.js'
import { startBrook, type Harness } from './brook-server.js'

let harness: Harness | null = null
afterEach(async () => {
  await harness?.close()
  harness = null
})

function kafkajs(bootstrap: string): Kafka {
  return new Kafka({ clientId: 'interop', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } })
}

describe('KafkaClient with kafkajs', () => {
  for (const codec of ['none', 'gzip'] as const) {
    it(`kafkajs reads what the wire client produced (${codec}, idempotent, headers)`, async () => {
      harness = await startBrook()
      await harness.client.admin().createTopics([{ topic: 'to-kafkajs', numPartitions: 2 }])
      const producer = harness.client.producer({ compressionType: codec })
      const sent = await producer.sendBatch(
        Array.from({ length: 40 }, (_, i) => ({ topic: 'to-kafkajs', key: `k${i % 7}`, value: `v${i}`, headers: [{ key: 'n', value: Buffer.from(String(i)) }] })),
      )
      await producer.close()

      const consumer = kafkajs(harness.bootstrap).consumer({ groupId: `kjs-${codec}` })
      await consumer.connect()
      await consumer.subscribe({ topic: 'to-kafkajs', fromBeginning: true })
      const got: Array<{ partition: number; offset: number; key: string; value: string; n: string }> = []
      await consumer.run({
        eachMessage: async ({ partition, message }) => {
          got.push({
            partition,
            offset: Number(message.offset),
            key: message.key!.toString(),
            value: message.value!.toString(),
            n: (message.headers!['n'] as Buffer).toString(),
          })
        },
      })
      const deadline = Date.now() + 20_000
      while (got.length < 40 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
      await consumer.disconnect()
      expect(got.length).toBe(40)
      for (const g of got) {
        const i = Number(g.value.slice(1))
        expect(g.key).toBe(`k${i % 7}`)
        expect(g.n).toBe(String(i))
        expect(g.partition).toBe(defaultPartition(Buffer.from(g.key), 2))
        expect(g.offset).toBe(sent[i]!.offset)
      }
    })
  }

  it('the wire client reads what kafkajs produced, and resumes from a kafkajs commit', async () => {
    harness = await startBrook()
    await harness.client.admin().createTopics([{ topic: 'from-kafkajs', numPartitions: 1 }])
    const kafka = kafkajs(harness.bootstrap)
    const producer = kafka.producer({ idempotent: true })
    await producer.connect()
    await producer.send({
      topic: 'from-kafkajs',
      compression: CompressionTypes.GZIP,
      messages: Array.from({ length: 20 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } })),
    })
    await producer.disconnect()
    const admin = kafka.admin()
    await admin.connect()
    await admin.setOffsets({ groupId: 'shared', topic: 'from-kafkajs', partitions: [{ partition: 0, offset: '15' }] })
    await admin.disconnect()

    const all = harness.client.consumer({ autoOffsetReset: 'earliest' })
    all.assign([{ topic: 'from-kafkajs', partition: 0 }])
    const records: ConsumerRecord[] = []
    const deadline = Date.now() + 10_000
    while (records.length < 20 && Date.now() < deadline) records.push(...(await all.poll(100)))
    await all.close()
    expect(records.map((r) => [r.offset, r.key!.toString(), r.value!.toString(), r.headers[0]!.value!.toString()])).toEqual(
      Array.from({ length: 20 }, (_, i) => [i, `k${i}`, `v${i}`, `x${i}`]),
    )

    const member = harness.client.consumer({ groupId: 'shared', heartbeatIntervalMs: 200 })
    member.subscribe(['from-kafkajs'])
    const rest: ConsumerRecord[] = []
    const until = Date.now() + 10_000
    while (rest.length < 5 && Date.now() < until) rest.push(...(await member.poll(100)))
    expect(rest.map((r) => r.offset)).toEqual([15, 16, 17, 18, 19])
    await member.close()
  })
})
