// Word count with Brook Streams on the embedded log: lines in, a count per word out, kept in a
// SQLite store backed by a compacted changelog topic and queryable while the app runs.
// Run: npx tsx examples/word-count.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, QueryableStoreTypes, Serdes, StreamsBuilder } from '../streams/index.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-word-count-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([
  { topic: 'lines', numPartitions: 2 },
  { topic: 'word-counts', numPartitions: 2 },
])

const lines = ['Brook is a log', 'a log you can stream', 'stream the log, count the words', 'the words are counted']
const producer = client.producer()
await producer.sendBatch(lines.map((value) => ({ topic: 'lines', value })))
await producer.close()

const S = Serdes.String()
const builder = new StreamsBuilder()
builder
  .stream<string | null, string>('lines', Consumed.with(S, S))
  .flatMapValues((line) => line.toLowerCase().split(/\W+/).filter((w) => w.length > 0))
  .groupBy((_key, word) => word, Grouped.with(S, S))
  .count(Materialized.as<string, number>('word-counts-store'))
  .toStream()
  .to('word-counts', Produced.with(S, Serdes.Long()))

const streams = new KafkaStreams(builder.build(), client, { applicationId: 'word-count', stateDir: path.join(dir, 'state'), commitIntervalMs: 100 })
await streams.start()
await untilProcessed('word-count', ['lines', 'word-count-word-counts-store-repartition'])

console.log('counts from the store (interactive query):')
const store = streams.store('word-counts-store', QueryableStoreTypes.keyValueStore<string, number>())
for (const { key, value } of store.all().sort((a, b) => b.value - a.value || a.key.localeCompare(b.key))) console.log(`  ${key.padEnd(8)} ${value}`)
console.log(`the word 'log' appears ${store.get('log')} times`)

await streams.close()
await admin.close()
await client.close()
fs.rmSync(dir, { recursive: true, force: true })

/** Waits until the application has committed every offset of these topics. */
async function untilProcessed(groupId: string, topics: string[]): Promise<void> {
  const tps = (await admin.describeTopics(topics)).flatMap((d) => d.partitions.map((p) => ({ topic: d.topic, partition: p.partition })))
  for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
    if (streams.state === 'ERROR') throw streams.error
    const ends = await admin.listOffsets(tps.map((tp) => ({ ...tp, spec: 'latest' as const })))
    const committed = await admin.listGroupOffsets(groupId)
    const at = (t: string, p: number) => committed.find((c) => c.topic === t && c.partition === p)?.committedOffset ?? 0
    if (ends.every((e) => at(e.topic, e.partition) >= e.offset)) return
  }
  throw new Error(`${groupId} did not catch up in time`)
}
