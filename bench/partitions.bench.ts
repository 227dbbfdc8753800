// npm run bench:partitions: what the partition count costs. One broker holds topics of
// 10, 1,000 and 10,000 partitions; produce throughput to each is measured in the same run,
// in alternating rounds (medians), as a ratio to the 10-partition topic. Then the broker is
// closed and reopened with all of them: restart time, open file handles and RSS.
//
// Records have no key (the sticky partitioner fills a batch per partition, as Kafka's does)
// unless --keyed, which hashes a distinct key per record and so spreads every batch thin.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import type { ProducerRecord } from '../core/index.js'
import { segmentFiles } from '../core/log/file-handles.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 200_000)
const ROUNDS = Number(args.get('rounds') ?? 3)
const VALUE_SIZE = Number(args.get('value-size') ?? 100)
const KEYED = args.has('keyed')
const COUNTS = (args.get('partitions') ?? '10,1000,10000').split(',').map(Number)
const CHUNK = 5_000

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-partitions-'))
const dataDir = path.join(root, 'data')
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

function openFds(): number {
  try {
    return fs.readdirSync('/proc/self/fd').length
  } catch {
    return -1
  }
}

const rssMb = (): number => process.memoryUsage().rss / 1e6

async function produce(client: EmbeddedClient, topic: string, count: number): Promise<number> {
  const producer = client.producer({ acks: 'all', lingerMs: 5 })
  const value = Buffer.alloc(VALUE_SIZE, 'x')
  let n = 0
  const t0 = performance.now()
  const inFlight: Promise<unknown>[] = []
  for (let sent = 0; sent < count; sent += CHUNK) {
    const chunk: ProducerRecord[] = []
    for (let i = 0; i < CHUNK && sent + i < count; i++) chunk.push({ topic, key: KEYED ? `key-${n++}` : null, value })
    inFlight.push(producer.sendBatch(chunk))
    if (inFlight.length >= 8) await inFlight.shift()
  }
  await Promise.all(inFlight)
  await producer.close()
  return performance.now() - t0
}

async function main(): Promise<void> {
  console.log(`bench:partitions: ${fmt(RECORDS)} records of ${VALUE_SIZE} bytes per round, ${ROUNDS} rounds, ${KEYED ? 'keyed (hash)' : 'no key (sticky)'}, partitions ${COUNTS.join(' / ')}`)
  let client = await EmbeddedClient.open({ dataDir })
  const tCreate = performance.now()
  for (const n of COUNTS) await client.admin().createTopics([{ topic: `p${n}`, numPartitions: n }])
  const total = COUNTS.reduce((a, b) => a + b, 0)
  console.log(`created ${fmt(total)} partitions in ${fmt(performance.now() - tCreate)} ms`)

  const rates = new Map<number, number[]>(COUNTS.map((n) => [n, []]))
  for (let round = 0; round < ROUNDS; round++) {
    // Alternate the order so no topic always runs first (cold) or last.
    const order = round % 2 === 0 ? COUNTS : [...COUNTS].reverse()
    for (const n of order) {
      const ms = await produce(client, `p${n}`, RECORDS)
      rates.get(n)!.push(RECORDS / (ms / 1000))
    }
  }
  const base = median(rates.get(COUNTS[0]!)!)
  for (const n of COUNTS) {
    const m = median(rates.get(n)!)
    console.log(`produce ${String(n).padStart(6)} partitions: ${fmt(m).padStart(10)} records/s  (${(m / base).toFixed(2)}x of ${COUNTS[0]})  rounds: ${rates.get(n)!.map(fmt).join(', ')}`)
  }
  console.log(`while producing: ${openFds()} open file handles (segment files open ${segmentFiles.size}, budget ${segmentFiles.budget}), RSS ${rssMb().toFixed(0)} MB`)

  const tClose = performance.now()
  await client.close()
  console.log(`close: ${fmt(performance.now() - tClose)} ms`)
  const restarts: number[] = []
  for (let i = 0; i < ROUNDS; i++) {
    const t0 = performance.now()
    client = await EmbeddedClient.open({ dataDir })
    restarts.push(performance.now() - t0)
    if (i < ROUNDS - 1) await client.close()
  }
  console.log(`restart with ${fmt(total + 1)} partitions: ${fmt(median(restarts))} ms median (${restarts.map(fmt).join(', ')})`)
  console.log(`after restart: ${openFds()} open file handles (segment files open ${segmentFiles.size}, budget ${segmentFiles.budget}), RSS ${rssMb().toFixed(0)} MB`)
  await client.close()
}

main()
  .catch((err: unknown) => {
    console.error(err)
    process.exitCode = 1
  })
  .finally(() => fs.rmSync(root, { recursive: true, force: true }))
