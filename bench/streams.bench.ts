// npm run bench:streams: Brook Streams in-process on the embedded client. Records/s of a stateless
// pipeline (filter + mapValues) and of word count (SQLite store with the cache, through a
// repartition topic), next to the raw consume rate of the same input in the same run (the ratio
// is what the runtime costs over reading), and the restore rate from a changelog.
// Options: --records=N (default 1000000), --partitions=N (default 4), --runs=N (default 1),
// --only=stateless|wordcount|restore, --max-poll=N (max.poll.records, default 1000), --commit-ms=N.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import type { ProducerRecord } from '../core/client/types.js'
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Repartitioned, Serdes, StreamsBuilder, type Topology } from '../streams/index.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 1_000_000)
const PARTITIONS = Number(args.get('partitions') ?? 4)
const RUNS = Number(args.get('runs') ?? 1)
const WORDS_PER_LINE = 4
const VOCABULARY = 10_000
const ONLY = args.get('only') ?? 'all'
const RESTORE_KEYS = Number(args.get('restore-records') ?? RECORDS)

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-streams-'))
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const S = Serdes.String()
const L = Serdes.Long()

async function createTopics(client: EmbeddedClient, topics: Array<[string, number, Record<string, string>?]>): Promise<void> {
  const admin = client.admin()
  await admin.createTopics(topics.map(([topic, numPartitions, configs]) => ({ topic, numPartitions, ...(configs ? { configs } : {}) })))
  await admin.close()
}

async function fill(client: EmbeddedClient, topic: string, count: number, record: (i: number) => ProducerRecord): Promise<void> {
  const producer = client.producer({ lingerMs: 5, batchSize: 256 * 1024 })
  const inFlight: Promise<unknown>[] = []
  for (let sent = 0; sent < count; ) {
    const chunk: ProducerRecord[] = []
    for (let i = 0; i < 10_000 && sent < count; i++, sent++) chunk.push(record(sent))
    inFlight.push(producer.sendBatch(chunk))
    if (inFlight.length >= 8) await inFlight.shift()
  }
  await Promise.all(inFlight)
  await producer.close()
}

async function rawConsume(client: EmbeddedClient, topic: string, count: number): Promise<number> {
  const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 1000, maxPartitionFetchBytes: 4 << 20 })
  const tps = Array.from({ length: PARTITIONS }, (_, partition) => ({ topic, partition }))
  consumer.assign(tps)
  await consumer.seekToBeginning(tps)
  const t0 = performance.now()
  let seen = 0
  let bytes = 0
  while (seen < count) {
    const rs = await consumer.poll(100)
    for (const r of rs) bytes += r.value?.length ?? 0
    seen += rs.length
  }
  const ms = performance.now() - t0
  await consumer.close()
  if (bytes === 0) throw new Error('no bytes read')
  return (count / ms) * 1000
}

/** Counts records reaching the last stage of a topology (a peek there), so the bench knows when all input went through. */
const seen = { n: 0 }

/**
 * Runs the topology from start() until the last stage has seen `expected` records and a commit
 * (caches flushed, outputs and changelogs acknowledged, offsets committed) has completed. Commits
 * otherwise come every commitIntervalMs (default 30000, as Kafka Streams at_least_once).
 */
async function runApp(client: EmbeddedClient, topology: Topology, applicationId: string, count: number, expected: number, input = 'input'): Promise<number> {
  const commitIntervalMs = args.has('commit-ms') ? Number(args.get('commit-ms')) : undefined
  const streams = new KafkaStreams(topology, client, {
    applicationId,
    stateDir: path.join(root, 'state'),
    maxPollRecords: Number(args.get('max-poll') ?? 1000),
    ...(commitIntervalMs !== undefined ? { commitIntervalMs } : {}),
  })
  seen.n = 0
  const t0 = performance.now()
  await streams.start()
  while (seen.n < expected) {
    if (streams.state === 'ERROR') throw streams.error!
    await new Promise((r) => setTimeout(r, 2))
  }
  await streams.commit()
  const ms = performance.now() - t0
  const admin = client.admin()
  const committed = (await admin.listGroupOffsets(applicationId)).filter((o) => o.topic === input).reduce((n, o) => n + (o.committedOffset ?? 0), 0)
  await admin.close()
  if (committed !== count) throw new Error(`${applicationId}: committed ${committed} of ${count} input records`)
  await streams.close()
  return (count / ms) * 1000
}

function stateless(): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>('input', Consumed.with(S, S))
    .filter((_k, v) => v.length > 3)
    .mapValues((v) => v.toUpperCase())
    .peek(() => seen.n++)
    .to('stateless-out', Produced.with(S, S))
  return b.build()
}

/** Word count as groupBy would build it, with the repartition explicit so a peek can count words reaching the count. */
function wordCount(input = 'input'): Topology {
  const b = new StreamsBuilder()
  b.stream<string, string>(input, Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .selectKey((_k, w) => w)
    .repartition(Repartitioned.with(S, S).withName('words'))
    .peek(() => seen.n++)
    .groupByKey(Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .to('wc-out', Produced.with(S, L))
  return b.build()
}

async function restoreRate(client: EmbeddedClient, run: number): Promise<number> {
  const app = `restore-${run}`
  const changelog = `${app}-store-changelog`
  await createTopics(client, [
    [`restore-in-${run}`, PARTITIONS],
    [changelog, PARTITIONS, { 'cleanup.policy': 'compact' }],
  ])
  const one = L.serialize(changelog, 1)
  await fill(client, changelog, RESTORE_KEYS, (i) => ({ topic: changelog, partition: i % PARTITIONS, key: `key-${i}`, value: one }))
  const b = new StreamsBuilder()
  b.stream<string, string>(`restore-in-${run}`, Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('store'))
  let restored = 0
  let first = 0
  let last = 0
  const streams = new KafkaStreams(b.build(), client, {
    applicationId: app,
    stateDir: path.join(root, `restore-state-${run}`),
    restoreListener: {
      onRestoreStart: () => {
        if (first === 0) first = performance.now()
      },
      onRestoreEnd: (_tp, _s, n) => {
        restored += n
        last = performance.now()
      },
    },
  })
  await streams.start()
  while (restored < RESTORE_KEYS) {
    if (streams.state === 'ERROR') throw streams.error!
    await new Promise((r) => setTimeout(r, 5))
  }
  await streams.close()
  return (restored / (last - first)) * 1000
}

async function main(): Promise<void> {
  console.log(`Brook Streams bench: ${fmt(RECORDS)} records, ${PARTITIONS} partitions, node ${process.version}, ${os.cpus().length} CPUs`)
  for (let run = 0; run < RUNS; run++) {
    const client = await EmbeddedClient.open({ dataDir: path.join(root, `data-${run}`) })
    await createTopics(client, [
      ['input', PARTITIONS],
      ['words', PARTITIONS],
      ['stateless-out', PARTITIONS],
      ['wc-out', PARTITIONS],
    ])
    const words = Array.from({ length: VOCABULARY }, (_, i) => `w${i.toString(36)}`)
    let seed = 42
    const rnd = (): number => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) % VOCABULARY
    const lines: Buffer[] = Array.from({ length: 4096 }, () => Buffer.from(Array.from({ length: WORDS_PER_LINE }, () => words[rnd()]).join(' ')))
    await fill(client, 'input', RECORDS, (i) => ({ topic: 'input', partition: i % PARTITIONS, key: null, value: lines[i % lines.length]! }))

    const want = (what: string): boolean => ONLY === 'all' || ONLY === what
    if (want('wordcount')) await fill(client, 'words', RECORDS, (i) => ({ topic: 'words', partition: i % PARTITIONS, key: null, value: words[rnd()]! }))
    const raw = await rawConsume(client, 'input', RECORDS)
    const rawWords = want('wordcount') ? await rawConsume(client, 'words', RECORDS) : NaN
    const sl = want('stateless') ? await runApp(client, stateless(), `stateless-${run}`, RECORDS, RECORDS) : NaN
    const wc = want('wordcount') ? await runApp(client, wordCount(), `wc-${run}`, RECORDS, RECORDS * WORDS_PER_LINE) : NaN
    const wc1 = want('wordcount') ? await runApp(client, wordCount('words'), `wc1-${run}`, RECORDS, RECORDS, 'words') : NaN
    const rs = want('restore') ? await restoreRate(client, run) : NaN
    await client.close()
    console.log(`run ${run + 1}:`)
    console.log(`  raw consume            ${fmt(raw).padStart(11)} records/s`)
    console.log(`  stateless filter+map   ${fmt(sl).padStart(11)} records/s  (${((sl / raw) * 100).toFixed(0)}% of raw consume)`)
    console.log(`  word count (SQLite)    ${fmt(wc).padStart(11)} lines/s    (${fmt(wc * WORDS_PER_LINE)} words/s, ${((wc / raw) * 100).toFixed(0)}% of raw consume)`)
    console.log(`  word count, 1 word/rec ${fmt(wc1).padStart(11)} records/s  (${((wc1 / rawWords) * 100).toFixed(0)}% of raw consume of that input, ${fmt(rawWords)}/s)`)
    console.log(`  restore from changelog ${fmt(rs).padStart(11)} records/s  (${fmt(RESTORE_KEYS)} records)`)
  }
}

try {
  await main()
} finally {
  fs.rmSync(root, { recursive: true, force: true })
}
