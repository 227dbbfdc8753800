// User sessions with Brook Streams on the embedded log: clicks of one user belong to one session
// until the user is inactive for 5 minutes (sessions merge when a late click bridges a gap).
// Each session is emitted once, when it closes, with its click count and the pages seen.
// Run: npx tsx examples/sessions.ts
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
  Serdes,
  SessionWindows,
  StreamsBuilder,
  Suppressed,
  WindowedSerdes,
  type Windowed,
} from '../streams/index.js'

interface Session {
  clicks: number
  pages: string[]
}

const MINUTE = 60_000
const T0 = Date.parse('2026-01-01T09:00:00Z')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-sessions-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([
  { topic: 'clicks', numPartitions: 2 },
  { topic: 'sessions', numPartitions: 1 },
])

const S = Serdes.String()
const sessionKey = WindowedSerdes.sessionWindowedSerdeFrom(S)
const builder = new StreamsBuilder()
builder
  .stream<string, string>('clicks', Consumed.with(S, S))
  .groupByKey()
  .windowedBy(SessionWindows.ofInactivityGapAndGrace(5 * MINUTE, 10 * MINUTE))
  .aggregate<Session>(
    () => ({ clicks: 0, pages: [] }),
    (_user, page, s) => ({ clicks: s.clicks + 1, pages: s.pages.includes(page) ? s.pages : [...s.pages, page] }),
    (_user, a, b) => ({ clicks: a.clicks + b.clicks, pages: [...new Set([...a.pages, ...b.pages])] }),
    Materialized.as<string, Session>('sessions-store').withValueSerde(Serdes.JSON<Session>()),
  )
  .suppress(Suppressed.untilWindowCloses(BufferConfig.unbounded()))
  .toStream()
  .to('sessions', Produced.with(sessionKey, Serdes.JSON<Session>()))

const streams = new KafkaStreams(builder.build(), client, { applicationId: 'sessions', stateDir: path.join(dir, 'state'), commitIntervalMs: 100 })
await streams.start()

// (user, minutes after T0, page)
const clicks: Array<[string, number, string]> = [
  ['ann', 0, '/home'], ['ann', 2, '/docs'], ['ann', 4, '/docs/streams'],
  ['bob', 1, '/pricing'], ['bob', 3, '/signup'],
  ['ann', 20, '/home'], ['ann', 28, '/blog'], // two sessions: 8 minutes apart
  ['ann', 24, '/about'], // arrives late (within the 10-minute grace) and bridges them into one session
  ['bob', 40, '/home'],
  ['ann', 60, '/home'], ['bob', 60, '/home'], // stream time 60 closes every earlier session
]
const producer = client.producer()
await producer.sendBatch(clicks.map(([user, m, page]) => ({ topic: 'clicks', key: user, value: page, timestamp: T0 + m * MINUTE })))
await producer.close()
await untilProcessed('sessions', ['clicks'])

const out = client.consumer({ enableAutoCommit: false })
out.assign([{ topic: 'sessions', partition: 0 }])
await out.seekToBeginning()
const rows: string[] = []
for (let empty = 0; empty < 3; ) {
  const records = await out.poll(100)
  if (records.length === 0) empty++
  for (const r of records) {
    const k = sessionKey.deserialize(r.topic, r.key) as Windowed<string>
    // A tombstone: that session was merged into a larger one.
    if (r.value === null) continue
    const s = JSON.parse(r.value.toString()) as Session
    rows.push(`  ${k.key.padEnd(4)} ${hhmm(k.window.start)}-${hhmm(k.window.end)}  ${String(s.clicks).padStart(2)} clicks  ${s.pages.join(' ')}`)
  }
}
await out.close()
console.log('closed sessions (user, first-last click, clicks, pages):')
for (const row of rows.sort()) console.log(row)

await streams.close()
await admin.close()
await client.close()
fs.rmSync(dir, { recursive: true, force: true })

function hhmm(t: number): string {
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
