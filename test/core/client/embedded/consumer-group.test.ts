import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../../core/client/embedded/client.js'
import type { Consumer, ConsumerRecord, TopicPartition } from '../../../../core/client/types.js'
import { tmpDir } from '../../../helpers/tmp.js'

const sortTps = (tps: TopicPartition[]): string[] => tps.map((t) => `${t.topic}-${t.partition}`).sort()

async function pollUntil(consumers: Consumer[], done: () => boolean, timeoutMs = 20_000): Promise<Map<Consumer, ConsumerRecord[]>> {
  const got = new Map<Consumer, ConsumerRecord[]>(consumers.map((c) => [c, []]))
  const deadline = Date.now() + timeoutMs
  while (!done() && Date.now() < deadline) {
    await Promise.all(consumers.map(async (c) => got.get(c)!.push(...(await c.poll(50)))))
  }
  return got
}

describe('EmbeddedConsumer in a group', () => {
  for (const strategy of ['range', 'roundrobin', 'cooperative-sticky'] as const) {
    it(`two members split the partitions and rebalance when one leaves (${strategy})`, async () => {
      const client = await EmbeddedClient.open({ dataDir: tmpDir() })
      await client.admin().createTopics([{ topic: 't', numPartitions: 4 }])
      const producer = client.producer()
      await Promise.all(Array.from({ length: 40 }, (_, i) => producer.send({ topic: 't', partition: i % 4, value: String(i) })))
      const config = { groupId: 'g', autoOffsetReset: 'earliest' as const, partitionAssignmentStrategy: [strategy], heartbeatIntervalMs: 100, sessionTimeoutMs: 3000 }
      const a = client.consumer({ ...config, clientId: 'a' })
      const b = client.consumer({ ...config, clientId: 'b' })
      a.subscribe(['t'])
      b.subscribe(['t'])
      await pollUntil([a, b], () => a.assignment().length + b.assignment().length === 4 && a.assignment().length === 2)
      expect(a.assignment().length).toBe(2)
      expect(b.assignment().length).toBe(2)
      expect(sortTps([...a.assignment(), ...b.assignment()])).toEqual(['t-0', 't-1', 't-2', 't-3'])
      const [desc] = await client.admin().describeGroups(['g'])
      expect(desc!.state).toBe('Stable')
      expect(desc!.members.length).toBe(2)
      expect(desc!.protocol).toBe(strategy)

      await a.commitSync()
      await b.close()
      await pollUntil([a], () => a.assignment().length === 4)
      expect(sortTps(a.assignment())).toEqual(['t-0', 't-1', 't-2', 't-3'])
      await client.close()
    })
  }

  it('every record arrives once across a rebalance, in order per partition', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    await client.admin().createTopics([{ topic: 't', numPartitions: 3 }])
    const producer = client.producer()
    await Promise.all(Array.from({ length: 300 }, (_, i) => producer.send({ topic: 't', key: `k${i}`, value: String(i) })))
    const config = { groupId: 'g2', autoOffsetReset: 'earliest' as const, enableAutoCommit: false, heartbeatIntervalMs: 100, maxPollRecords: 5 }
    const a = client.consumer(config)
    a.subscribe(['t'], { onPartitionsRevoked: async () => a.commitSync() })
    const seen: ConsumerRecord[] = []
    while (seen.length < 100) seen.push(...(await a.poll(100)))
    await a.commitSync()
    const b = client.consumer(config)
    b.subscribe(['t'])
    const bSeen = new Set<ConsumerRecord>()
    const deadline = Date.now() + 15_000
    while (seen.length < 300 && Date.now() < deadline) {
      seen.push(...(await a.poll(50)))
      const fromB = await b.poll(50)
      for (const r of fromB) bSeen.add(r)
      seen.push(...fromB)
    }
    expect(b.assignment().length).toBeGreaterThan(0)
    expect(seen.some((r) => bSeen.has(r))).toBe(true)
    await a.commitSync().catch(() => undefined)
    await b.commitSync().catch(() => undefined)
    const values = seen.map((r) => Number(r.value!.toString()))
    expect(new Set(values).size).toBe(300)
    expect(values.length).toBe(300)
    for (const p of [0, 1, 2]) {
      const offsets = seen.filter((r) => r.partition === p).map((r) => r.offset)
      expect(offsets).toEqual([...offsets].sort((x, y) => x - y))
    }
    await client.close()
  })

  it('a restarted consumer resumes from the committed offset', async () => {
    const dataDir = tmpDir()
    let client = await EmbeddedClient.open({ dataDir })
    await client.admin().createTopics([{ topic: 't', numPartitions: 2 }])
    const producer = client.producer()
    await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic: 't', partition: i % 2, value: String(i) })))
    let c = client.consumer({ groupId: 'g', autoOffsetReset: 'earliest', enableAutoCommit: true, autoCommitIntervalMs: 60_000 })
    c.subscribe(['t'])
    const first: ConsumerRecord[] = []
    while (first.length < 20) first.push(...(await c.poll(100)))
    await c.close() // auto-commit commits on close
    await client.close()

    client = await EmbeddedClient.open({ dataDir })
    const p2 = client.producer()
    await p2.send({ topic: 't', partition: 1, value: 'new' })
    c = client.consumer({ groupId: 'g', autoOffsetReset: 'earliest' })
    c.subscribe(['t'])
    const next: ConsumerRecord[] = []
    const deadline = Date.now() + 10_000
    while (next.length < 1 && Date.now() < deadline) next.push(...(await c.poll(100)))
    expect(next.map((r) => r.value!.toString())).toEqual(['new'])
    await client.close()
  })
})
