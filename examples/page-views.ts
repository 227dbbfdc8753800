// Page views per page and minute with Brook Streams on the embedded log, emitted once per window
// when it closes (suppress untilWindowCloses): downstream sees final counts, not every update.
// Stream time comes from the records' timestamps; the still-open window is read by a query.
// Run: npx tsx examples/page-views.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import {
  BufferConfig,
  Consumed,
  KafkaStreams,
  Materialized,
  Produced,
  QueryableStoreTypes,
  Serdes,
  StreamsBuilder,
  Suppressed,
  TimeWindows,
  WindowedSerdes,
  type Windowed,
} from '../streams/index.js'

const MINUTE = 60_000
const T0 = Date.parse('2026-01-01T10:00:00Z')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-page-views-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([
  { topic: 'page-views', numPartitions: 1 },
  { topic: 'page-views-per-minute', numPartitions: 1 },
])

const S = Serdes.String()
const windowedKey = WindowedSerdes.timeWindowedSerdeFrom(S, MINUTE)
const builder = new StreamsBuilder()
builder
  .stream<string, string>('page-views', Consumed.with(S, S))
  .groupByKey()
  .windowedBy(TimeWindows.ofSizeAndGrace(MINUTE, 10_000))
  .count(Materialized.as<string, number>('views-per-minute').withRetention(60 * MINUTE))
  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
  .toStream()
  .to('page-views-per-minute', Produced.with(windowedKey, Serdes.Long()))

const streams = new KafkaStreams(builder.build(), client, { applicationId: 'page-views', stateDir: path.join(dir, 'state'), commitIntervalMs: 100 })
await streams.start()

// Views over three minutes (page, seconds after T0). /docs at 0:58 comes after stream time 1:15, past the
// close of its window (1:00 + 10 s grace): it is dropped as late.
const views: Array<[string, number]> = [
  ['/home', 1], ['/docs', 5], ['/home', 20], ['/pricing', 42], ['/home', 59],
  ['/docs', 61], ['/home', 75], ['/docs', 58], ['/docs', 90], ['/docs', 119],
  ['/home', 125], ['/pricing', 150], ['/home', 170],
  ['/home', 200], // stream time 3:20 closes the window of minute 2 (end 3:00 + grace 0:10)
]
const producer = client.producer()
await producer.sendBatch(views.map(([page, s]) => ({ topic: 'page-views', key: page, value: 'view', timestamp: T0 + s * 1000 })))
await producer.close()
await untilProcessed('page-views', ['page-views'])

const out = client.consumer({ enableAutoCommit: false })
out.assign([{ topic: 'page-views-per-minute', partition: 0 }])
await out.seekToBeginning()
console.log('final counts per page and minute (one record per closed window):')
for (let empty = 0; empty < 3; ) {
  const records = await out.poll(100)
  if (records.length === 0) empty++
  for (const r of records) {
    const w = windowedKey.deserialize(r.topic, r.key) as Windowed<string>
    console.log(`  ${minute(w.window.start)}  ${w.key.padEnd(9)} ${Serdes.Long().deserialize(r.topic, r.value)}`)
  }
}
await out.close()
const store = streams.store('views-per-minute', QueryableStoreTypes.windowStore<string, number>())
console.log(`still open: /home has ${store.fetch('/home', T0 + 3 * MINUTE)} view(s) in the window starting ${minute(T0 + 3 * MINUTE)}`)

await streams.close()
await admin.close()
await client.close()
fs.rmSync(dir, { recursive: true, force: true })

function minute(t: number): string {
  return new Date(t).toISOString().slice(11, 16)
}

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
