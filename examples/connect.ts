// Connectors on the embedded log: a JDBC source streams the rows of a SQLite table into a topic,
// a Brook Streams step keeps the large orders and tags them, and a JDBC sink upserts them into a
// table of a second SQLite file. One process, no Connect cluster.
// Run: npm run example:connect
import Database from 'better-sqlite3'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import { Worker } from '../connectors/index.js'
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../streams/index.js'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-connect-'))
const shopDb = path.join(dir, 'shop.sqlite')
const reportDb = path.join(dir, 'report.sqlite')

// 1. A shop database with orders.
const shop = new Database(shopDb)
shop.exec(`CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT NOT NULL, amount DECIMAL(10,2) NOT NULL, placed_at TIMESTAMP NOT NULL)`)
const insert = shop.prepare('INSERT INTO orders VALUES (?, ?, ?, ?)')
const customers = ['ada', 'bo', 'cy', 'dee']
for (let id = 1; id <= 200; id++) insert.run(id, customers[id % 4], ((id * 37) % 250 + 0.99).toFixed(2), `2024-05-01 10:${String(id % 60).padStart(2, '0')}:00`)

const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([{ topic: 'shop-orders' }, { topic: 'big-orders' }])
await admin.close()
const worker = await Worker.start(client, { log: (l) => console.log(`  [connect] ${l}`) })

// 2. Source: the orders table → topic shop-orders (Connect's JSON with schema; decimals as numbers).
await worker.startConnector({
  name: 'shop-source', 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${shopDb}`,
  'table.whitelist': 'orders', mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'shop-', 'poll.interval.ms': '200',
  'batch.max.rows': '500', 'value.converter.decimal.format': 'NUMERIC',
})

// 3. Streams: keep orders of 200 or more and add a tier field (schema and payload).
type Envelope = { schema: { fields: Array<Record<string, unknown>> }; payload: Record<string, unknown> }
const S = Serdes.String()
const builder = new StreamsBuilder()
builder
  .stream<string, string>('shop-orders', Consumed.with(S, S))
  .filter((_k, v) => Number((JSON.parse(v) as Envelope).payload.amount) >= 200)
  .mapValues((v) => {
    const e = JSON.parse(v) as Envelope
    e.schema.fields.push({ type: 'string', optional: true, field: 'tier' })
    e.payload.tier = Number(e.payload.amount) >= 240 ? 'gold' : 'silver'
    return JSON.stringify(e)
  })
  .to('big-orders', Produced.with(S, S))
const streams = new KafkaStreams(builder.build(), client, { applicationId: 'big-orders', stateDir: path.join(dir, 'state'), commitIntervalMs: 100 })
await streams.start()

// 4. Sink: big-orders → table big_orders in report.sqlite, created from the record schema.
await worker.startConnector({
  name: 'report-sink', 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${reportDb}`,
  topics: 'big-orders', 'table.name.format': 'big_orders', 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true',
  'value.converter.decimal.format': 'NUMERIC',
})

const expected = shop.prepare('SELECT COUNT(*) AS n FROM orders WHERE CAST(amount AS REAL) >= 200').get() as { n: number }
const report = (): Array<Record<string, unknown>> => {
  if (!fs.existsSync(reportDb)) return []
  const db = new Database(reportDb, { readonly: true })
  try {
    return db.prepare('SELECT * FROM big_orders ORDER BY id').all() as Array<Record<string, unknown>>
  } catch {
    return []
  } finally {
    db.close()
  }
}
for (const deadline = Date.now() + 30_000; report().length < expected.n; await new Promise((r) => setTimeout(r, 100))) {
  if (Date.now() > deadline) throw new Error(`the sink has ${report().length} of ${expected.n} rows`)
}

const rows = report()
console.log(`report.sqlite big_orders: ${rows.length} rows (orders >= 200 in shop.sqlite: ${expected.n})`)
for (const r of rows.slice(0, 5)) console.log(`  ${JSON.stringify(r)}`)
console.log(`  ...`)
console.log('status:', JSON.stringify(worker.describe('shop-source')?.connector.state), JSON.stringify(worker.describe('report-sink')?.connector.state))

await worker.stop()
await streams.close()
await client.close()
shop.close()
fs.rmSync(dir, { recursive: true, force: true })
