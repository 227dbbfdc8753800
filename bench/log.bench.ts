// npm run bench:log: produce and consume through the embedded client, next to plain
// sequential file writes of the same bytes in the same run (the physical limit here).
// Both the produce run and the raw writes end with an fsync, so both are measured to disk.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import type { ProducerRecord } from '../core/index.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 2_000_000)
const MEMORY_RECORDS = Number(args.get('memory-records') ?? 10_000_000)
const CHUNK = 5_000
const ROUNDS = Number(args.get('rounds') ?? 3)

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-log-'))
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const mb = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000)

function rawWrite(totalBytes: number, chunkBytes: number): number {
  const file = path.join(root, `raw-${chunkBytes}.bin`)
  const fd = fs.openSync(file, 'w')
  const chunk = Buffer.alloc(chunkBytes, 7)
  const t0 = performance.now()
  for (let written = 0; written < totalBytes; written += chunkBytes) fs.writeSync(fd, chunk)
  fs.fdatasyncSync(fd)
  const ms = performance.now() - t0
  fs.closeSync(fd)
  fs.rmSync(file)
  return ms
}

async function produce(client: EmbeddedClient, topic: string, count: number, valueSize: number, onChunk?: () => void): Promise<{ ms: number; bytes: number }> {
  const producer = client.producer({ acks: 'all', lingerMs: 5, batchSize: 256 * 1024 })
  const value = Buffer.alloc(valueSize, 'x')
  const chunk: ProducerRecord[] = Array.from({ length: CHUNK }, () => ({ topic, partition: 0, value }))
  const t0 = performance.now()
  // Several chunks in flight, as an application that does not await each send would have.
  const inFlight: Promise<unknown>[] = []
  for (let sent = 0; sent < count; sent += CHUNK) {
    inFlight.push(producer.sendBatch(sent + CHUNK <= count ? chunk : chunk.slice(0, count - sent)))
    if (inFlight.length >= 8) await inFlight.shift()
    onChunk?.()
  }
  await Promise.all(inFlight)
  await producer.close()
  // Both sides end on the disk: the raw baseline fsyncs too.
  await client.broker.partition(topic, 0).log.flush()
  const ms = performance.now() - t0
  const end = (await client.admin().listOffsets([{ topic, partition: 0, spec: 'latest' }]))[0]!.offset
  if (end !== count) throw new Error(`expected ${count} records, log has ${end}`)
  return { ms, bytes: dirBytes(path.join(root, 'data', `${topic}-0`)) }
}

async function consume(client: EmbeddedClient, topic: string, count: number): Promise<number> {
  const consumer = client.consumer({ maxPollRecords: 10_000, maxPartitionFetchBytes: 4 << 20 })
  consumer.assign([{ topic, partition: 0 }])
  await consumer.seekToBeginning()
  const t0 = performance.now()
  let seen = 0
  let last = -1
  while (seen < count) {
    const records = await consumer.poll(1000)
    for (const r of records) {
      if (r.offset !== last + 1) throw new Error(`gap at ${r.offset}`)
      last = r.offset
    }
    seen += records.length
  }
  const ms = performance.now() - t0
  await consumer.close()
  return ms
}

function dirBytes(dir: string): number {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).reduce((n, f) => n + fs.statSync(path.join(dir, f)).size, 0)
}

const client = await EmbeddedClient.open({ dataDir: path.join(root, 'data') })
const admin = client.admin()
await admin.createTopics([{ topic: 'memory', numPartitions: 1, configs: { 'retention.bytes': String(256 << 20), 'segment.bytes': String(64 << 20) } }])

console.log(`Brook log bench: ${fmt(RECORDS)} records, node ${process.version}, ${os.cpus().length} cores`)
console.log(`Each figure is the median of ${ROUNDS} rounds; raw writes and produce alternate within a round.\n`)

const median = (xs: number[]): number => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!

async function compare(label: string, count: number, valueSize: number): Promise<{ topic: string; bytes: number; ms: number }> {
  const produceMs: number[] = []
  const rawMs: number[] = []
  let bytes = 0
  let topic = ''
  for (let round = 0; round < ROUNDS; round++) {
    topic = `bench-${label.replace(/\W+/g, "")}-${round}`
    await admin.createTopics([{ topic, numPartitions: 1 }])
    const r = await produce(client, topic, count, valueSize)
    bytes = r.bytes
    produceMs.push(r.ms)
    rawMs.push(rawWrite(r.bytes, 256 * 1024))
    if (round < ROUNDS - 1) await admin.deleteTopics([topic])
  }
  const p = median(produceMs)
  const raw = median(rawMs)
  console.log(`produce ${label.padEnd(6)} records : ${fmt(count / (p / 1000))} records/s, ${mb(bytes, p).toFixed(1)} MB/s`)
  console.log(`raw file writes        : ${mb(bytes, raw).toFixed(1)} MB/s (same ${fmt(bytes)} bytes, 256 KiB writes + fsync)`)
  console.log(`  ratio produce/raw    : ${(raw / p).toFixed(2)}`)
  return { topic, bytes, ms: p }
}

const small = await compare('100 B', RECORDS, 100)
const largeCount = Math.max(1, Math.floor(RECORDS / 10))
await compare('1 KiB', largeCount, 1024)
console.log('  (aim for 1 KiB: ratio >= 0.5)')

const consumeRuns: number[] = []
for (let round = 0; round < ROUNDS; round++) consumeRuns.push(await consume(client, small.topic, RECORDS))
const consumeMs = median(consumeRuns)
console.log(`consume 100 B records  : ${fmt(RECORDS / (consumeMs / 1000))} records/s, ${mb(small.bytes, consumeMs).toFixed(1)} MB/s`)
console.log(`  ratio consume/produce: ${(small.ms / consumeMs).toFixed(2)}`)

if (MEMORY_RECORDS > 0) {
  let peak = 0
  const sample = (): void => {
    peak = Math.max(peak, process.memoryUsage().rss)
  }
  const timer = setInterval(sample, 50)
  let chunks = 0
  const mem = await produce(client, 'memory', MEMORY_RECORDS, 100, () => {
    if (++chunks % 200 === 0) client.broker.maintain()
  }).catch(async (e: unknown) => {
    // retention may delete early segments, so the end offset check still holds
    throw e
  })
  clearInterval(timer)
  sample()
  console.log(`memory: produced ${fmt(MEMORY_RECORDS)} records at ${fmt(MEMORY_RECORDS / (mem.ms / 1000))} records/s, peak RSS ${(peak / 2 ** 20).toFixed(0)} MiB (aim < 300 MiB)`)
}

await client.close()
fs.rmSync(root, { recursive: true, force: true })
