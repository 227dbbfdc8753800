// npm run bench:streams: Brook Streams in-process on the embedded client, on the path users run:
// commits every second (commit.interval.ms 1000, --commit-ms), the default record cache, SQLite
// state on disk. Cases, run over alternating rounds (the order rotates each round) and reported
// as medians, each with a ratio against the raw consume rate of the same input in the same run:
//   raw           raw consume of the 4-word lines (the baseline: what reading alone costs)
//   stateless     filter + mapValues + to, records/s
//   hand-loop     the same written by hand on the client (poll, decode, filter, upper-case,
//                 sendQuiet, commit after the outputs are acknowledged every --commit-ms): a peer
//                 that shows what the DSL costs over the client itself
//   hand-view     the same hand loop on the client's cheapest read path: each record read in place
//                 (pollInto's view, its value decoded from the fetched bytes, no record object nor
//                 Buffer per record). The ceiling of this topology on this client in JavaScript:
//                 the work the topology asks for (decode, filter, upper-case, encode, produce) and nothing else
//   copy          the hand loop with no decoding and no processing: each value is produced as it is,
//                 read in place (pollInto) and copied into the batch (sendQuietRange). The floor of
//                 any topology writing one output per input on this client (reading plus producing),
//                 beside which the stateless ratio can be read
//   wc-cached     word count (flatMapValues, selectKey, repartition, count, to) over a small
//                 vocabulary that fits the record cache: SQLite is written once per key per commit
//   wc-sqlite     the same over a vocabulary larger than the cache: cache misses read SQLite and
//                 evictions and commits write it (every word's count is checked against the store)
//   restore       restore rate from a changelog (with --cases=...,restore)
// Options: --lines=N (default 500000 4-word lines), --partitions=N (4), --rounds=N (3),
// --cases=a,b (default raw,stateless,hand-loop,hand-view,copy,wc-cached,wc-sqlite), --vocab-small=N (10000),
// --vocab-large=N (1000000), --commit-ms=N (1000), --max-poll=N (1000), --restore-records=N (500000),
// --cpu-profile=FILE (a V8 CPU profile of the measured runs only, not of filling the topics).
// Each figure also comes per CPU second of the process (broker included), steadier than wall time on a shared machine.
import fs from 'node:fs'
import { Session } from 'node:inspector/promises'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import type { ProducerRecord, RecordView, SendListener } from '../core/client/types.js'
import {
  Consumed,
  KafkaStreams,
  Materialized,
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
  type Topology,
} from '../streams/index.js'
import { rawConsume } from './raw-consume.js'
import { runUntilCommitted } from './streams-timing.js'
import { seen, stateless, wordCount } from './streams-topologies.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const LINES = Number(args.get('lines') ?? 500_000)
const PARTITIONS = Number(args.get('partitions') ?? 4)
const ROUNDS = Number(args.get('rounds') ?? 3)
const WORDS_PER_LINE = 4
const VOCAB_SMALL = Number(args.get('vocab-small') ?? 10_000)
const VOCAB_LARGE = Number(args.get('vocab-large') ?? 1_000_000)
const COMMIT_MS = Number(args.get('commit-ms') ?? 1000)
const MAX_POLL = Number(args.get('max-poll') ?? 1000)
const RESTORE_RECORDS = Number(args.get('restore-records') ?? 500_000)
const CASES = (args.get('cases') ?? 'raw,stateless,hand-loop,hand-view,copy,wc-cached,wc-sqlite').split(',')
const KNOWN = ['raw', 'stateless', 'hand-loop', 'hand-view', 'copy', 'wc-cached', 'wc-sqlite', 'restore']
for (const c of CASES) if (!KNOWN.includes(c)) throw new Error(`unknown case '${c}' (known: ${KNOWN.join(', ')})`)

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-streams-'))
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!
const S = Serdes.String()
const L = Serdes.Long()

async function createTopics(client: EmbeddedClient, topics: Array<[string, number, Record<string, string>?]>): Promise<void> {
  const admin = client.admin()
  await admin.createTopics(topics.map(([topic, numPartitions, configs]) => ({ topic, numPartitions, ...(configs ? { configs } : {}) })))
  await admin.close()
}

async function fill(client: EmbeddedClient, count: number, record: (i: number) => ProducerRecord): Promise<void> {
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

/** Lines of 4 words drawn uniformly from a vocabulary of `vocab` words. */
async function fillLines(client: EmbeddedClient, topic: string, vocab: number, seed: number): Promise<void> {
  const words = Array.from({ length: vocab }, (_, i) => `w${i.toString(36)}`)
  let s = seed
  const rnd = (): number => (s = (s * 1103515245 + 12345) & 0x7fffffff) % vocab
  await fill(client, LINES, (i) => ({
    topic,
    partition: i % PARTITIONS,
    key: null,
    value: Buffer.from(`${words[rnd()]} ${words[rnd()]} ${words[rnd()]} ${words[rnd()]}`),
  }))
}

async function rawRate(client: EmbeddedClient, topic: string): Promise<Rate> {
  const { ms, cpuMs: cpu } = await rawConsume(client, topic, PARTITIONS, LINES, MAX_POLL)
  return { wall: (LINES / ms) * 1000, cpu: (LINES / cpu) * 1000 }
}

/** The producer settings KafkaStreams gives its own producer (streams/runtime/kafka-streams.ts). */
const STREAMS_PRODUCER = { lingerMs: 5, batchSize: 256 * 1024 }

/**
 * filter + mapValues + to written by hand on the client, with the guarantee KafkaStreams gives:
 * input offsets are committed (every COMMIT_MS and at the end) only once the outputs before them
 * are acknowledged. `copy`: every value is produced as it came, not decoded nor changed, by the
 * client's cheapest path (a view of each record, its bytes copied straight into the batch).
 */
async function handLoop(client: EmbeddedClient, input: string, output: string, groupId: string, mode: 'poll' | 'view' | 'copy'): Promise<Rate> {
  const consumer = client.consumer({ groupId, enableAutoCommit: false, maxPollRecords: MAX_POLL, maxPartitionFetchBytes: 256 << 10, autoOffsetReset: 'earliest' })
  const producer = client.producer(STREAMS_PRODUCER)
  let failed: Error | null = null
  const listener: SendListener = { onAcknowledged: () => {}, onFailed: (_t, _p, _n, err) => void (failed ??= err) }
  consumer.assign(Array.from({ length: PARTITIONS }, (_, partition) => ({ topic: input, partition })))
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  const next = new Map<number, number>()
  let seenRecords = 0
  let lastCommit = Date.now()
  const commit = async (): Promise<void> => {
    await producer.flush()
    if (failed !== null) throw failed
    await consumer.commitSync([...next].map(([partition, offset]) => ({ topic: input, partition, offset })))
    lastCommit = Date.now()
  }
  // copy reads each record in place (pollInto's view) and hands its value's byte range to the producer
  // (sendQuietRange): the cheapest way through the client, no record object nor Buffer per record.
  // view: the topology's work on pollInto's view, the value decoded in place as the DSL's source does.
  const processView = (r: RecordView): void => {
    const v = r.valueStart < 0 ? null : S.deserializeFrom!(input, r.bytes, r.valueStart, r.valueEnd)
    if (v !== null && v.length > 3) producer.sendQuiet(output, -1, null, v.toUpperCase(), r.timestamp, undefined, listener)
    next.set(r.partition, r.offset + 1)
    seenRecords++
  }
  const copyView = (r: RecordView): void => {
    producer.sendQuietRange!(output, -1, null, 0, 0, r.valueStart < 0 ? null : r.bytes, r.valueStart, r.valueEnd, r.timestamp, undefined, listener)
    next.set(r.partition, r.offset + 1)
    seenRecords++
  }
  while (seenRecords < LINES) {
    if (mode === 'copy') await consumer.pollInto(100, copyView)
    else if (mode === 'view') await consumer.pollInto(100, processView)
    else {
      for (const r of await consumer.poll(100)) {
        const v = r.value === null ? null : r.value.toString('utf8')
        if (v !== null && v.length > 3) producer.sendQuiet(output, -1, null, v.toUpperCase(), r.timestamp, undefined, listener)
        next.set(r.partition, r.offset + 1)
        seenRecords++
      }
    }
    if (Date.now() - lastCommit >= COMMIT_MS) await commit()
  }
  await commit()
  const ms = performance.now() - t0
  const cpu = cpuMs(c0)
  await consumer.close()
  await producer.close()
  return { wall: (LINES / ms) * 1000, cpu: (LINES / cpu) * 1000 }
}

/** Wall-clock rate and rate per CPU second of this process (the embedded broker runs in it too): the second is steadier on a loaded machine. */
interface Rate {
  wall: number
  cpu: number
}

function cpuMs(since: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(since)
  return (d.user + d.system) / 1000
}


/**
 * Runs the topology and returns input records/s, timed from the first assignment (RUNNING) until
 * the last stage has seen `expected` records and a commit (caches flushed, outputs and changelogs
 * acknowledged, offsets committed) has completed. `check` runs on the store before close.
 */
async function runApp(client: EmbeddedClient, topology: Topology, applicationId: string, input: string, expected: number, check?: (s: KafkaStreams) => void): Promise<Rate> {
  const streams = new KafkaStreams(topology, client, {
    applicationId,
    stateDir: path.join(root, 'state'),
    maxPollRecords: MAX_POLL,
    commitIntervalMs: COMMIT_MS,
  })
  seen.n = 0
  const { ms, cpuMs: cpu } = await runUntilCommitted(streams, () => seen.n >= expected)
  const admin = client.admin()
  const committed = (await admin.listGroupOffsets(applicationId)).filter((o) => o.topic === input).reduce((n, o) => n + (o.committedOffset ?? 0), 0)
  await admin.close()
  if (committed !== LINES) throw new Error(`${applicationId}: committed ${committed} of ${LINES} input records`)
  check?.(streams)
  await streams.close()
  return { wall: (LINES / ms) * 1000, cpu: (LINES / cpu) * 1000 }
}

/** Every word of the input counted once: the counts in the store add up to the number of words. */
function checkCounts(streams: KafkaStreams): void {
  const store = streams.store('counts', QueryableStoreTypes.keyValueStore<string, number>())
  let total = 0
  for (const { value } of store.all()) total += value
  if (total !== LINES * WORDS_PER_LINE) throw new Error(`counts add up to ${total}, expected ${LINES * WORDS_PER_LINE}`)
}

async function restoreRate(client: EmbeddedClient, run: number): Promise<Rate> {
  const app = `restore-${run}`
  const changelog = `${app}-store-changelog`
  await createTopics(client, [
    [`restore-in-${run}`, PARTITIONS],
    [changelog, PARTITIONS, { 'cleanup.policy': 'compact' }],
  ])
  const one = L.serialize(changelog, 1)
  await fill(client, RESTORE_RECORDS, (i) => ({ topic: changelog, partition: i % PARTITIONS, key: `key-${i}`, value: one }))
  const b = new StreamsBuilder()
  b.stream<string, string>(`restore-in-${run}`, Consumed.with(S, S)).groupByKey().count(Materialized.as<string, number>('store'))
  let restored = 0
  let first = 0
  let last = 0
  let c0 = process.cpuUsage()
  let cpu = 0
  const streams = new KafkaStreams(b.build(), client, {
    applicationId: app,
    stateDir: path.join(root, `restore-state-${run}`),
    restoreListener: {
      onRestoreStart: () => {
        if (first === 0) {
          first = performance.now()
          c0 = process.cpuUsage()
        }
      },
      onRestoreEnd: (_tp, _s, n) => {
        restored += n
        last = performance.now()
        cpu = cpuMs(c0)
      },
    },
  })
  await streams.start()
  while (restored < RESTORE_RECORDS) {
    if (streams.state === 'ERROR') throw streams.error!
    await new Promise((r) => setTimeout(r, 5))
  }
  await streams.close()
  return { wall: (restored / (last - first)) * 1000, cpu: (restored / cpu) * 1000 }
}

async function main(): Promise<void> {
  console.log(
    `Brook Streams bench: ${fmt(LINES)} lines of ${WORDS_PER_LINE} words, ${PARTITIONS} partitions, commit every ${COMMIT_MS} ms, ` +
      `vocabularies ${fmt(VOCAB_SMALL)} (cached) and ${fmt(VOCAB_LARGE)} (beyond the cache), node ${process.version}, ${os.cpus().length} CPUs`,
  )
  console.log(`Medians of ${ROUNDS} rounds; the order of the cases rotates each round.\n`)
  const client = await EmbeddedClient.open({ dataDir: path.join(root, 'data') })
  const want = (c: string): boolean => CASES.includes(c)
  await createTopics(client, [
    ['lines-small', PARTITIONS],
    ['lines-large', PARTITIONS],
  ])
  await fillLines(client, 'lines-small', VOCAB_SMALL, 42)
  if (want('wc-sqlite')) await fillLines(client, 'lines-large', VOCAB_LARGE, 4242)

  const results = new Map<string, Rate[]>(KNOWN.map((c) => [c, []]))
  const rawLarge: Rate[] = []
  let app = 0
  const runCase = async (c: string, round: number): Promise<void> => {
    const id = `${c}-${round}-${app++}`
    const out = `${id}-out`
    if (c !== 'raw' && c !== 'restore') await createTopics(client, [[out, PARTITIONS]])
    let rate: Rate
    if (c === 'raw') rate = await rawRate(client, 'lines-small')
    else if (c === 'stateless') rate = await runApp(client, stateless('lines-small', out), id, 'lines-small', LINES)
    else if (c === 'hand-loop') rate = await handLoop(client, 'lines-small', out, id, 'poll')
    else if (c === 'hand-view') rate = await handLoop(client, 'lines-small', out, id, 'view')
    else if (c === 'copy') rate = await handLoop(client, 'lines-small', out, id, 'copy')
    else if (c === 'wc-cached') rate = await runApp(client, wordCount('lines-small', out), id, 'lines-small', LINES * WORDS_PER_LINE, checkCounts)
    else if (c === 'wc-sqlite') {
      rawLarge.push(await rawRate(client, 'lines-large'))
      rate = await runApp(client, wordCount('lines-large', out), id, 'lines-large', LINES * WORDS_PER_LINE, checkCounts)
    } else rate = await restoreRate(client, round)
    results.get(c)!.push(rate)
    const k = c.startsWith('wc') ? WORDS_PER_LINE : 1
    const unit = c.startsWith('wc') ? 'words/s' : 'records/s'
    console.log(`  round ${round + 1} ${c.padEnd(10)} ${fmt(rate.wall * k).padStart(11)} ${unit.padEnd(9)} ${fmt(rate.cpu * k).padStart(11)} per CPU second`)
  }
  const profile = args.get('cpu-profile')
  const session = profile === undefined ? null : new Session()
  if (session !== null) {
    session.connect()
    await session.post('Profiler.enable')
    await session.post('Profiler.start')
  }
  for (let round = 0; round < ROUNDS; round++) {
    const order = CASES.map((_, i) => CASES[(i + round) % CASES.length]!)
    for (const c of order) await runCase(c, round)
  }
  if (session !== null) {
    const { profile: p } = await session.post('Profiler.stop')
    fs.writeFileSync(profile!, JSON.stringify(p))
    session.disconnect()
  }
  await client.close()

  const med = (rs: Rate[]): Rate => ({ wall: median(rs.map((r) => r.wall)), cpu: median(rs.map((r) => r.cpu)) })
  const none: Rate = { wall: NaN, cpu: NaN }
  const raw = want('raw') ? med(results.get('raw')!) : none
  const ratio = (x: Rate, base: Rate): string =>
    Number.isNaN(base.wall) ? '' : `${(x.wall / base.wall).toFixed(2)}x of raw consume (${(x.cpu / base.cpu).toFixed(2)}x per CPU second)`
  const line = (label: string, r: Rate, k: number, unit: string, rest: string): void =>
    console.log(`  ${label.padEnd(22)} ${fmt(r.wall * k).padStart(11)} ${unit.padEnd(9)} ${fmt(r.cpu * k).padStart(11)} per CPU s  ${rest}`)
  console.log('\nmedians:')
  if (want('raw')) line('raw consume', raw, 1, 'lines/s', `(${fmt(raw.wall * WORDS_PER_LINE)} words/s)`)
  if (want('stateless')) line('stateless filter+map', med(results.get('stateless')!), 1, 'records/s', `${ratio(med(results.get('stateless')!), raw)}  (aim 0.70x)`)
  if (want('hand-loop')) {
    const hand = med(results.get('hand-loop')!)
    const dsl = want('stateless') ? med(results.get('stateless')!) : none
    const vsHand = Number.isNaN(dsl.wall) ? '' : `; the DSL runs at ${(dsl.wall / hand.wall).toFixed(2)}x of it (${(dsl.cpu / hand.cpu).toFixed(2)}x per CPU second)`
    line('  same, by hand', hand, 1, 'records/s', `${ratio(hand, raw)}${vsHand}`)
  }
  if (want('hand-view')) {
    const view = med(results.get('hand-view')!)
    const dsl = want('stateless') ? med(results.get('stateless')!) : none
    const vsView = Number.isNaN(dsl.wall) ? '' : `; the DSL runs at ${(dsl.wall / view.wall).toFixed(2)}x of it (${(dsl.cpu / view.cpu).toFixed(2)}x per CPU second)`
    line('  same, by hand, views', view, 1, 'records/s', `${ratio(view, raw)}: the topology's own work and nothing else${vsView}`)
  }
  if (want('copy')) line('consume + produce only', med(results.get('copy')!), 1, 'records/s', `${ratio(med(results.get('copy')!), raw)}: no decoding, no processing (the floor of one output per input)`)
  if (want('wc-cached')) {
    const wc = med(results.get('wc-cached')!)
    line('word count, cached', wc, WORDS_PER_LINE, 'words/s', ratio(wc, raw))
  }
  if (want('wc-sqlite')) {
    const wc = med(results.get('wc-sqlite')!)
    const base = med(rawLarge)
    line('word count, SQLite', wc, WORDS_PER_LINE, 'words/s', `${ratio(wc, base)} of its input (${fmt(base.wall)} lines/s)  (aim 1,000,000 words/s)`)
  }
  if (want('restore')) line('restore from changelog', med(results.get('restore')!), 1, 'records/s', `(${fmt(RESTORE_RECORDS)} records)`)
}

try {
  await main()
} finally {
  fs.rmSync(root, { recursive: true, force: true })
}
