// Orders enriched by a customers table (a stream-table join) with Brook Streams on the embedded log.
// Orders are keyed by order id, so they are re-keyed by customer id first: that goes through a
// repartition topic created with the partition count of 'customers', so the join is co-partitioned.
// Run: npx tsx examples/orders-enrichment.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/index.js'
import { Consumed, Joined, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder } from '../streams/index.js'

interface Customer {
  name: string
  tier: 'gold' | 'silver'
}
interface Order {
  customerId: string
  item: string
  amount: number
}
interface EnrichedOrder extends Order {
  orderId: string
  customer: string
  tier: string
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-example-orders-'))
const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
const admin = client.admin()
await admin.createTopics([
  { topic: 'customers', numPartitions: 3, configs: { 'cleanup.policy': 'compact' } },
  { topic: 'orders', numPartitions: 2 },
  { topic: 'orders-enriched', numPartitions: 3 },
])

const S = Serdes.String()
const builder = new StreamsBuilder()
const customers = builder.table<string, Customer>('customers', Consumed.with(S, Serdes.JSON<Customer>()), Materialized.as<string, Customer>('customers-store'))
builder
  .stream<string, Order>('orders', Consumed.with(S, Serdes.JSON<Order>()))
  .map((orderId, order) => ({ key: order.customerId, value: { ...order, orderId } }))
  .join(
    customers,
    (order: Order & { orderId: string }, customer: Customer): EnrichedOrder => ({ ...order, customer: customer.name, tier: customer.tier }),
    Joined.with(S, Serdes.JSON<Order & { orderId: string }>(), Serdes.JSON<Customer>()),
  )
  .mapValues((o) => (o.tier === 'gold' ? { ...o, amount: Math.round(o.amount * 0.9 * 100) / 100 } : o))
  .to('orders-enriched', Produced.with(S, Serdes.JSON<EnrichedOrder>()))

const streams = new KafkaStreams(builder.build(), client, { applicationId: 'orders-enrichment', stateDir: path.join(dir, 'state'), commitIntervalMs: 100 })
await streams.start()

const producer = client.producer()
const json = (v: unknown) => JSON.stringify(v)
// The table first: a stream-table join looks the customer up when the order arrives.
await producer.sendBatch([
  { topic: 'customers', key: 'c1', value: json({ name: 'Ada', tier: 'gold' }) },
  { topic: 'customers', key: 'c2', value: json({ name: 'Linus', tier: 'silver' }) },
  { topic: 'customers', key: 'c3', value: json({ name: 'Grace', tier: 'gold' }) },
])
await untilProcessed('orders-enrichment', ['customers'])
await producer.sendBatch([
  { topic: 'orders', key: 'o1', value: json({ customerId: 'c1', item: 'keyboard', amount: 120 }) },
  { topic: 'orders', key: 'o2', value: json({ customerId: 'c2', item: 'monitor', amount: 300 }) },
  { topic: 'orders', key: 'o3', value: json({ customerId: 'c9', item: 'cable', amount: 5 }) }, // unknown customer: an inner join drops it
  { topic: 'orders', key: 'o4', value: json({ customerId: 'c3', item: 'laptop', amount: 1500 }) },
  { topic: 'orders', key: 'o5', value: json({ customerId: 'c1', item: 'mouse', amount: 40 }) },
])
await producer.close()
const repartition = (await admin.listTopics()).filter((t) => t.startsWith('orders-enrichment-') && t.endsWith('-repartition'))
await untilProcessed('orders-enrichment', ['orders', ...repartition])
const [rp] = await admin.describeTopics(repartition)
console.log(`re-keyed orders went through ${rp!.topic} (${rp!.partitions.length} partitions, as many as 'customers')`)

const out = client.consumer({ enableAutoCommit: false })
const tps = [0, 1, 2].map((partition) => ({ topic: 'orders-enriched', partition }))
out.assign(tps)
await out.seekToBeginning(tps)
const enriched: EnrichedOrder[] = []
for (let empty = 0; empty < 3; ) {
  const records = await out.poll(100)
  if (records.length === 0) empty++
  for (const r of records) enriched.push(JSON.parse(r.value!.toString()) as EnrichedOrder)
}
await out.close()
console.log('enriched orders:')
for (const o of enriched.sort((a, b) => a.orderId.localeCompare(b.orderId))) {
  console.log(`  ${o.orderId}  ${o.customer.padEnd(6)} (${o.tier.padEnd(6)}) ${o.item.padEnd(9)} ${o.amount}`)
}

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
