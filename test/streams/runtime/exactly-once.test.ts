// exactly_once_v2 word count (with a repartition topic written and read in transactions):
// the output read read_committed holds per word a strictly increasing run of counts ending
// at the exact reference, on the embedded client, over the wire on Brook and on Apache Kafka.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient, ConsumerRecord } from '../../../core/client/types.js'
import { KafkaStreams, QueryableStoreTypes } from '../../../streams/index.js'
import { L, S, brookServerClient, cleanupDirs, expectedCounts, produce, sameMap, tmpDir, waitFor, wordCount } from './helpers.js'
import { apacheKafkaClient, itOnApacheKafka } from './apache-kafka.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

async function readCommitted(client: BrookClient, topic: string): Promise<ConsumerRecord[]> {
  const admin = client.admin()
  const [d] = await admin.describeTopics([topic]).finally(() => admin.close())
  const c = client.consumer({ enableAutoCommit: false, isolationLevel: 'read_committed', autoOffsetReset: 'earliest' })
  try {
    const tps = d!.partitions.map((p) => ({ topic, partition: p.partition }))
    c.assign(tps)
    const ends = await c.endOffsets(tps)
    const out: ConsumerRecord[] = []
    const deadline = Date.now() + 20_000
    for (;;) {
      let behind = false
      for (const e of ends) if ((await c.position(e)) < e.offset) behind = true
      if (!behind || Date.now() > deadline) return out
      out.push(...(await c.poll(200)))
    }
  } finally {
    await c.close()
  }
}

async function runEosWordCount(client: BrookClient, suffix: string): Promise<void> {
  const input = `eos-text-${suffix}`
  const output = `eos-counts-${suffix}`
  const admin = client.admin()
  await admin.createTopics([
    { topic: input, numPartitions: 2 },
    { topic: output, numPartitions: 1 },
  ])
  await admin.close()
  const lines = Array.from({ length: 300 }, (_, i) => `w${i % 17} w${i % 5} common w${(i * 7) % 11}`)
  await produce(client, input, lines.map((value, i) => ({ key: `l${i}`, value })))
  const streams = new KafkaStreams(wordCount(input, output), client, {
    applicationId: `eos-wc-${suffix}`,
    stateDir: tmpDir(),
    commitIntervalMs: 50,
    processingGuarantee: 'exactly_once_v2',
    maxPollRecords: 40,
    cacheMaxBytes: 0,
  })
  await streams.start()
  const expected = expectedCounts(lines)
  try {
    await waitFor('the store to hold every count', () => {
      if (streams.state !== 'RUNNING') return null
      const all = new Map(streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
      return sameMap(all, expected) ? all : null
    }, 60_000)
    await streams.commit()
  } finally {
    await streams.close()
  }
  const records = await readCommitted(client, output)
  const runs = new Map<string, number[]>()
  for (const r of records) {
    const k = S.deserialize(output, r.key) as string
    const list = runs.get(k) ?? []
    list.push(L.deserialize(output, r.value) as number)
    runs.set(k, list)
  }
  expect(new Map([...runs].map(([k, v]) => [k, v[v.length - 1]!]))).toEqual(expected)
  for (const [k, v] of runs) for (let i = 1; i < v.length; i++) expect(v[i]!, `counts of '${k}' go up one by one`).toBe(v[i - 1]! + 1)
}

describe('KafkaStreams exactly_once_v2', () => {
  it('counts exactly on the embedded client', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await runEosWordCount(client, 'embedded')
  }, 90_000)

  it("counts exactly over the wire on Brook's server", async () => {
    const { client } = await brookServerClient(closers)
    await runEosWordCount(client, 'wire')
  }, 90_000)

  itOnApacheKafka('counts exactly on Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    await runEosWordCount(client, `kafka-${suffix}`)
  }, 120_000)

  it('refuses an unknown processing guarantee', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    expect(() => new KafkaStreams(wordCount('a', 'b'), client, { applicationId: 'x', processingGuarantee: 'exactly_once' as never })).toThrow(/not supported/)
  })
})
