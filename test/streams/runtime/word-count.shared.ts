// The word-count scenario every client runs the same way: the proof a topology moves between clients unchanged.
import { expect } from 'vitest'
import type { BrookClient } from '../../../core/client/types.js'
import { KafkaStreams, QueryableStoreTypes } from '../../../streams/index.js'
import { LINES, expectedCounts, latestCounts, produce, sameMap, tmpDir, waitFor, wordCount } from './helpers.js'

export async function runWordCount(client: BrookClient, suffix: string): Promise<void> {
  const input = `text-${suffix}`
  const output = `word-counts-${suffix}`
  const admin = client.admin()
  await admin.createTopics([
    { topic: input, numPartitions: 2 },
    { topic: output, numPartitions: 1 },
  ])
  await admin.close()
  await produce(client, input, LINES.map((value, i) => ({ key: `line-${i}`, value })))
  const streams = new KafkaStreams(wordCount(input, output), client, { applicationId: `wc-${suffix}`, stateDir: tmpDir(), commitIntervalMs: 100 })
  await streams.start()
  try {
    const expected = expectedCounts(LINES)
    const got = await waitFor('word counts in the output topic', async () => {
      const m = await latestCounts(client, output)
      return sameMap(m, expected) ? m : null
    }, 45_000)
    expect(got).toEqual(expected)
    expect(streams.state).toBe('RUNNING')
    const store = streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>())
    expect(store.get('the')).toBe(4)
    expect(store.get('words')).toBe(4)
    expect(store.get('absent')).toBeNull()
    const all = new Map(store.all().map((e) => [e.key, e.value]))
    expect(all).toEqual(expected)
    const range = store.range('d', 'f').map((e) => e.key).sort()
    expect(range).toEqual([...expected.keys()].filter((k) => k >= 'd' && k <= 'f').sort())
    // The internal topics exist with the names Kafka Streams gives them.
    const a = client.admin()
    const topics = await a.listTopics({ includeInternal: true })
    await a.close()
    expect(topics).toContain(`wc-${suffix}-counts-changelog`)
    expect(topics).toContain(`wc-${suffix}-counts-repartition`)
    const a3 = client.admin()
    const changelogConfig = await a3.describeConfigs(`wc-${suffix}-counts-changelog`)
    const [changelog] = await a3.describeTopics([`wc-${suffix}-counts-changelog`])
    await a3.close()
    expect(changelogConfig.find((c) => c.name === 'cleanup.policy')?.value).toBe('compact')
    // One changelog partition per counting task: as many as the repartition topic, which has as many as the input.
    expect(changelog!.partitions.length).toBe(2)
    // Committed repartition records are purged.
    await waitFor('the repartition topic purged up to the committed offsets', async () => {
      const a2 = client.admin()
      try {
        const [d] = await a2.describeTopics([`wc-${suffix}-counts-repartition`])
        const starts = await a2.listOffsets(d!.partitions.map((p) => ({ topic: d!.topic, partition: p.partition, spec: 'earliest' as const })))
        return starts.reduce((n, o) => n + o.offset, 0) > 0
      } finally {
        await a2.close()
      }
    })
  } finally {
    await streams.close()
  }
  expect(streams.state).toBe('NOT_RUNNING')
}
