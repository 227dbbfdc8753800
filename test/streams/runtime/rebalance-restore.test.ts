import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../../core/client/embedded/client.js'
import type { BrookClient } from '../../../core/client/types.js'
import { Consumed, KafkaStreams, Materialized, QueryableStoreTypes, StreamsBuilder, type KafkaStreamsConfig, type StateRestoreListener, type Topology } from '../../../streams/index.js'
import { L, LINES, S, brookServerClient, cleanupDirs, expectedCounts, latestCounts, produce, readAll, sameMap, tmpDir, waitFor, wordCount } from './helpers.js'
import { apacheKafkaClient, itOnApacheKafka } from './apache-kafka.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c().catch(() => undefined)
  cleanupDirs()
})

async function setup(partitions: number): Promise<EmbeddedClient> {
  const client = await EmbeddedClient.open({ dataDir: tmpDir() })
  closers.push(() => client.close())
  await createTopics(client, partitions)
  return client
}

/** Brook's server on port 0 and a wire-protocol client to it. */
async function setupWire(partitions: number): Promise<BrookClient> {
  const { client } = await brookServerClient(closers)
  await createTopics(client, partitions)
  return client
}

async function createTopics(client: BrookClient, partitions: number): Promise<void> {
  const admin = client.admin()
  await admin.createTopics([
    { topic: 'text', numPartitions: partitions },
    { topic: 'word-counts', numPartitions: 1 },
  ])
  await admin.close()
}

/** Counts restored records per store partition. */
function restoreCounter(): StateRestoreListener & { restored: Map<string, number>; total(): number } {
  const restored = new Map<string, number>()
  return {
    restored,
    onRestoreEnd(tp, _store, n) {
      restored.set(`${tp.topic}-${tp.partition}`, (restored.get(`${tp.topic}-${tp.partition}`) ?? 0) + n)
    },
    total: () => [...restored.values()].reduce((a, b) => a + b, 0),
  }
}

function storeMap(s: KafkaStreams): Map<string, number> {
  return new Map(s.store('counts', QueryableStoreTypes.keyValueStore<string, number>()).all().map((e) => [e.key, e.value]))
}

async function changelogRecords(client: BrookClient, topic = 'wc-counts-changelog'): Promise<number> {
  return (await readAll(client, topic)).length
}

/** Two instances share the 8 tasks of word count; when one closes, the other restores its state and carries on. */
async function splitAndHandOver(client: BrookClient, input: string, output: string, app: string, sessionTimeoutMs: number): Promise<void> {
    const first = LINES.map((value, i) => ({ key: `k${i}`, value, partition: i % 4 }))
    await produce(client, input, first)
    const config = (): KafkaStreamsConfig => ({ applicationId: app, stateDir: tmpDir(), commitIntervalMs: 100, heartbeatIntervalMs: 100, sessionTimeoutMs })
    const restoresB = restoreCounter()
    const a = new KafkaStreams(wordCount(input, output), client, config())
    const b = new KafkaStreams(wordCount(input, output), client, { ...config(), restoreListener: restoresB })
    closers.push(() => a.close(), () => b.close())
    await a.start()
    await waitFor('instance a to own all 8 tasks', () => a.state === 'RUNNING' && a.taskIds().length === 8)
    await b.start()
    // Two sub-topologies (split words, count) x 4 partitions, shared without overlap.
    await waitFor('both instances to share the tasks', () => {
      if (a.state !== 'RUNNING' || b.state !== 'RUNNING') return false
      const ids = [...a.taskIds(), ...b.taskIds()].sort()
      return a.taskIds().length > 0 && b.taskIds().length > 0 && ids.length === 8 && new Set(ids).size === 8
    })
    expect(a.taskIds().length).toBe(4)
    expect(b.taskIds().length).toBe(4)
    const expected1 = expectedCounts(LINES)
    await waitFor('counts of the first lines', async () => sameMap(await latestCounts(client, output), expected1))
    // Each instance answers for its own partitions; together they hold every count.
    const union = new Map([...storeMap(a), ...storeMap(b)])
    expect(union).toEqual(expected1)
    expect(storeMap(a).size).toBeGreaterThan(0)
    expect(storeMap(b).size).toBeGreaterThan(0)

    const more = ['the end of the dog', 'fox fox fox', 'another brook line', 'count words again']
    await produce(client, input, more.map((value, i) => ({ key: `m${i}`, value, partition: i % 4 })))
    const expected2 = expectedCounts([...LINES, ...more])
    await waitFor('counts of all lines', async () => sameMap(await latestCounts(client, output), expected2))
    await a.close()
    // b takes every task over, restoring a's stores from their changelogs.
    await waitFor('instance b to own all 8 tasks', () => b.state === 'RUNNING' && b.taskIds().length === 8)
    expect(restoresB.total()).toBeGreaterThan(0)
    expect(storeMap(b)).toEqual(expected2)
    const last = ['dog dog', 'the last line']
    await produce(client, input, last.map((value, i) => ({ key: `l${i}`, value, partition: (i + 1) % 4 })))
    const expected3 = expectedCounts([...LINES, ...more, ...last])
    await waitFor('counts after the hand-over', async () => sameMap(await latestCounts(client, output), expected3))
    expect(storeMap(b)).toEqual(expected3)
}


describe('KafkaStreams instances of one application', () => {
  it('split the partitions of a 4-partition input and hand tasks over with their state when one closes, on the embedded client', async () => {
    await splitAndHandOver(await setup(4), 'text', 'word-counts', 'wc', 5000)
  })

  it("split and hand over the same way over the wire protocol against Brook's server", async () => {
    await splitAndHandOver(await setupWire(4), 'text', 'word-counts', 'wc', 5000)
  })

  itOnApacheKafka('split and hand over the same way against Apache Kafka (needs BROOK_KAFKA_BOOTSTRAP)', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    const admin = client.admin()
    await admin.createTopics([
      { topic: `text-${suffix}`, numPartitions: 4 },
      { topic: `word-counts-${suffix}`, numPartitions: 1 },
    ])
    await admin.close()
    // Kafka's group.min.session.timeout.ms is 6000 by default.
    await splitAndHandOver(client, `text-${suffix}`, `word-counts-${suffix}`, `wc-${suffix}`, 10_000)
  }, 120_000)
})

describe('KafkaStreams state restore', () => {
  it('restores nothing on a warm restart (checkpoint at the changelog end) and everything from a wiped state dir', async () => {
    const client = await setup(2)
    const stateDir = tmpDir()
    await produce(client, 'text', LINES.map((value, i) => ({ key: `k${i}`, value, partition: i % 2 })))
    const expected1 = expectedCounts(LINES)
    const run = async (restores: StateRestoreListener, check: (s: KafkaStreams) => Promise<void>) => {
      const s = new KafkaStreams(wordCount(), client, { applicationId: 'wc', stateDir, commitIntervalMs: 100, restoreListener: restores })
      closers.push(() => s.close())
      await s.start()
      await waitFor('running with 4 tasks', () => s.state === 'RUNNING' && s.taskIds().length === 4)
      await check(s)
      await s.close()
    }
    const cold = restoreCounter()
    await run(cold, async () => {
      await waitFor('first counts', async () => sameMap(await latestCounts(client, 'word-counts'), expected1))
    })
    expect(cold.total()).toBe(0)
    const logged = await changelogRecords(client)
    expect(logged).toBeGreaterThan(0)
    // The checkpoint of each counting task is at the end of its changelog partition.
    const admin = client.admin()
    const ends = await admin.listOffsets([0, 1].map((partition) => ({ topic: 'wc-counts-changelog', partition, spec: 'latest' as const })))
    await admin.close()
    for (const e of ends) {
      const cp = JSON.parse(fs.readFileSync(path.join(stateDir, 'wc', `1_${e.partition}`, '.checkpoint'), 'utf8')) as { offsets: Array<{ topic: string; partition: number; offset: number }> }
      expect(cp.offsets).toEqual([{ topic: 'wc-counts-changelog', partition: e.partition, offset: e.offset }])
    }

    const warm = restoreCounter()
    const more = ['warm restart words', 'the dog again']
    await run(warm, async (s) => {
      expect(storeMap(s)).toEqual(expected1)
      await produce(client, 'text', more.map((value, i) => ({ value, partition: i % 2 })))
      await waitFor('counts after the warm restart', async () => sameMap(await latestCounts(client, 'word-counts'), expectedCounts([...LINES, ...more])))
    })
    expect(warm.total()).toBe(0)

    fs.rmSync(stateDir, { recursive: true, force: true })
    const wiped = restoreCounter()
    const total = await changelogRecords(client)
    await run(wiped, async (s) => {
      expect(storeMap(s)).toEqual(expectedCounts([...LINES, ...more]))
    })
    // Every changelog record was replayed (no compaction ran on this small log).
    expect(wiped.total()).toBe(total)
    expect([...wiped.restored.keys()].sort()).toEqual(['wc-counts-changelog-0', 'wc-counts-changelog-1'])
  })

  it('close() during a restore stops it, checkpoints how far it got, and the next start restores only the rest', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    const admin = client.admin()
    await admin.createTopics([
      { topic: 'counted', numPartitions: 1 },
      { topic: 'resume-store-changelog', numPartitions: 1, configs: { 'cleanup.policy': 'compact' } },
    ])
    await admin.close()
    // A changelog of 50,000 distinct keys, each counted once: restored in batches of at most 10,000.
    const total = 50_000
    const one = L.serialize('resume-store-changelog', 1)
    const producer = client.producer({ lingerMs: 5, batchSize: 256 * 1024 })
    await producer.sendBatch(Array.from({ length: total }, (_, i) => ({ topic: 'resume-store-changelog', partition: 0, key: `key-${i}`, value: one })))
    await producer.close()
    const topology = (): Topology => {
      const b = new StreamsBuilder()
      b.stream<string, string>('counted', Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('store'))
      return b.build()
    }
    const stateDir = tmpDir()

    // The first instance is closed as its first batch is restored.
    let suspendedAt = -1
    let ended = false
    let closing: Promise<void> | null = null
    const first: KafkaStreams = new KafkaStreams(topology(), client, {
      applicationId: 'resume',
      stateDir,
      restoreListener: {
        onBatchRestored: () => void (closing ??= first.close()),
        onRestoreSuspended: (_tp, _store, restored) => void (suspendedAt = restored),
        onRestoreEnd: () => void (ended = true),
      },
    })
    closers.push(() => first.close())
    await first.start().catch(() => undefined)
    await waitFor('the first instance closed', () => closing !== null)
    await closing
    expect(first.state).toBe('NOT_RUNNING')
    expect(ended).toBe(false)
    expect(suspendedAt).toBeGreaterThan(0)
    expect(suspendedAt).toBeLessThan(total)

    // The second resumes from the checkpoint: it restores only the rest, and the store holds every key.
    const starts: number[] = []
    let restored = 0
    const second = new KafkaStreams(topology(), client, {
      applicationId: 'resume',
      stateDir,
      restoreListener: {
        onRestoreStart: (_tp, _store, from) => void starts.push(from),
        onRestoreEnd: (_tp, _store, n) => void (restored += n),
      },
    })
    closers.push(() => second.close())
    await second.start()
    await waitFor('running', () => second.state === 'RUNNING')
    expect(starts).toEqual([suspendedAt])
    expect(restored).toBe(total - suspendedAt)
    const store = second.store('store', QueryableStoreTypes.keyValueStore<string, number>())
    let keys = 0
    for (const { value } of store.all()) {
      expect(value).toBe(1)
      keys++
    }
    expect(keys).toBe(total)
    await second.close()
  })
})
