// npm run bench:txn: what transactions cost, each measured against its baseline in the same
// run, over alternating rounds, medians reported.
//  1. produce over the wire to Brook's server (its own process, scripts/ci/brook-server.ts):
//     a transactional producer committing every --txn-size records (default 1000) against an
//     idempotent producer sending the same records;
//  2. word count on the embedded client (SQLite store, repartition topic): exactly_once_v2
//     against at_least_once, same input, same commit interval.
// Options: --records=N (produce, default 300000), --txn-size=N, --rounds=N (default 3),
//   --wc-records=N (word-count lines, default 100000), --commit-ms=N (default 100), --only=produce|wordcount,
//   --bootstrap=host:port (produce against a running broker instead, e.g. Apache Kafka).
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { KafkaClient } from '../core/client/kafka/client.js'
import type { BrookClient, ProducerRecord } from '../core/client/types.js'
import { startBrookServer } from './brook-server.js'
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from '../streams/index.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 300_000)
const TXN_SIZE = Number(args.get('txn-size') ?? 1000)
const ROUNDS = Number(args.get('rounds') ?? 5)
const WC_RECORDS = Number(args.get('wc-records') ?? 100_000)
const COMMIT_MS = Number(args.get('commit-ms') ?? 100)
const ONLY = args.get('only') ?? 'all'
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const VALUE = Buffer.alloc(100, 'x')

/** Records/s of one producer sending RECORDS records of 100 bytes to a 4-partition topic. */
async function produceRate(client: BrookClient, topic: string, transactional: boolean, round: number): Promise<number> {
  const p = client.producer({
    lingerMs: 5,
    batchSize: 64 * 1024,
    ...(transactional ? { transactionalId: `bench-txn-${process.pid}-${round}` } : {}),
  })
  if (transactional) await p.initTransactions()
  const t0 = performance.now()
  for (let sent = 0; sent < RECORDS; ) {
    if (transactional) p.beginTransaction()
    const chunk: ProducerRecord[] = []
    for (let i = 0; i < TXN_SIZE && sent < RECORDS; i++, sent++) chunk.push({ topic, key: `k${sent % 10_000}`, value: VALUE })
    const pending = p.sendBatch(chunk)
    if (transactional) {
      await pending
      await p.commitTransaction()
    } else {
      // The idempotent producer keeps the same records in flight per step, then flushes as the transaction would.
      await pending
    }
  }
  await p.flush()
  const ms = performance.now() - t0
  await p.close()
  return (RECORDS / ms) * 1000
}

async function benchProduce(): Promise<void> {
  let server: { bootstrap: string; child: ChildProcess } | null = null
  const bootstrap = args.get('bootstrap') ?? (server = await startBrookServer()).bootstrap
  const client = await KafkaClient.connect({ bootstrapServers: bootstrap })
  try {
    const idem: number[] = []
    const txn: number[] = []
    // One warm-up pair (JIT, connections, the transaction coordinator's first id), not counted.
    {
      const admin = client.admin()
      await admin.createTopics([{ topic: `bench-txn-${process.pid}-warm`, numPartitions: 4, replicationFactor: 1 }])
      await admin.close()
      await produceRate(client, `bench-txn-${process.pid}-warm`, false, -1)
      await produceRate(client, `bench-txn-${process.pid}-warm`, true, -1)
    }
    for (let r = 0; r < ROUNDS; r++) {
      const topic = `bench-txn-${process.pid}-${r}`
      const admin = client.admin()
      await admin.createTopics([{ topic, numPartitions: 4, replicationFactor: 1 }])
      await admin.close()
      // Alternate which goes first.
      if (r % 2 === 0) {
        idem.push(await produceRate(client, topic, false, r))
        txn.push(await produceRate(client, topic, true, r))
      } else {
        txn.push(await produceRate(client, topic, true, r))
        idem.push(await produceRate(client, topic, false, r))
      }
      console.log(`  round ${r + 1}: idempotent ${fmt(idem[r]!)} rec/s, transactional ${fmt(txn[r]!)} rec/s`)
    }
    const i = median(idem)
    const t = median(txn)
    const ratios = idem.map((x, k) => txn[k]! / x)
    console.log(`produce over the wire (${bootstrap}${server ? ', Brook' : ''}), ${fmt(RECORDS)} x 100 B, transactions of ${fmt(TXN_SIZE)}:`)
    console.log(`  idempotent     ${fmt(i)} rec/s  ${(i * 100 / 1e6).toFixed(1)} MB/s`)
    console.log(`  transactional  ${fmt(t)} rec/s  ${(t * 100 / 1e6).toFixed(1)} MB/s  ratio ${(t / i).toFixed(2)}x (medians of ${ROUNDS}; median per-round ratio ${median(ratios).toFixed(2)}x)`)
  } finally {
    await client.close()
    server?.child.kill('SIGTERM')
  }
}

const S = Serdes.String()
const L = Serdes.Long()

async function wordCountRate(client: EmbeddedClient, input: string, guarantee: 'at_least_once' | 'exactly_once_v2', run: string, stateDir: string): Promise<number> {
  const b = new StreamsBuilder()
  let words = 0
  b.stream<string, string>(input, Consumed.with(S, S))
    .flatMapValues((line) => line.split(' '))
    .groupBy((_k, w) => w, Grouped.with(S, S))
    .count(Materialized.as<string, number>('counts'))
    .toStream()
    .peek(() => words++)
    .to(`wc-out-${run}`, Produced.with(S, L))
  const app = `wc-${run}`
  const streams = new KafkaStreams(b.build(), client, { applicationId: app, stateDir, processingGuarantee: guarantee, commitIntervalMs: COMMIT_MS, maxPollRecords: 1000 })
  const t0 = performance.now()
  await streams.start()
  const admin = client.admin()
  try {
    for (;;) {
      if (streams.state === 'ERROR') throw streams.error!
      const offsets = await admin.listGroupOffsets(app)
      const done = offsets.filter((o) => o.topic === input).reduce((n, o) => n + (o.committedOffset ?? 0), 0)
      if (done >= WC_RECORDS && words > 0) break
      await new Promise((r) => setTimeout(r, 5))
    }
    // The repartitioned words are counted and committed too.
    await streams.commit()
  } finally {
    await admin.close()
  }
  const ms = performance.now() - t0
  await streams.close()
  return (WC_RECORDS / ms) * 1000
}

async function benchWordCount(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-txn-'))
  const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'data') })
  try {
    const admin = client.admin()
    await admin.createTopics([{ topic: 'lines', numPartitions: 4 }])
    await admin.close()
    const p = client.producer({ lingerMs: 5, batchSize: 256 * 1024 })
    const batch: ProducerRecord[] = []
    for (let i = 0; i < WC_RECORDS; i++) {
      batch.push({ topic: 'lines', key: `l${i}`, value: `w${i % 997} w${(i * 7) % 1009} w${(i * 13) % 1013} w${(i * 31) % 1019}` })
      if (batch.length === 10_000) await p.sendBatch(batch.splice(0))
    }
    if (batch.length > 0) await p.sendBatch(batch)
    await p.close()
    const alos: number[] = []
    const eos: number[] = []
    for (let r = 0; r < ROUNDS; r++) {
      const order: Array<'at_least_once' | 'exactly_once_v2'> = r % 2 === 0 ? ['at_least_once', 'exactly_once_v2'] : ['exactly_once_v2', 'at_least_once']
      for (const g of order) {
        const rate = await wordCountRate(client, 'lines', g, `${g}-${r}`, path.join(dir, `state-${g}-${r}`))
        ;(g === 'at_least_once' ? alos : eos).push(rate)
      }
      console.log(`  round ${r + 1}: at_least_once ${fmt(alos[r]!)} lines/s, exactly_once_v2 ${fmt(eos[r]!)} lines/s`)
    }
    const a = median(alos)
    const e = median(eos)
    console.log(`word count (embedded, ${fmt(WC_RECORDS)} lines of 4 words, repartition + SQLite count, commit every ${COMMIT_MS} ms):`)
    console.log(`  at_least_once    ${fmt(a)} lines/s`)
    console.log(`  exactly_once_v2  ${fmt(e)} lines/s  ratio ${(e / a).toFixed(2)}x (median of ${ROUNDS})`)
  } finally {
    await client.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

if (ONLY === 'all' || ONLY === 'produce') await benchProduce()
if (ONLY === 'all' || ONLY === 'wordcount') await benchWordCount()
