// npm run bench:converters: the Connect converters on the worker's path, Avro (Confluent's wire
// format, schemas in the _schemas topic of an embedded log) against JSON with schemas (Connect's
// default) in the same run. Each side converts the same order rows (id, item, price decimal(10,2),
// quantity, placed timestamp, note) one after another as a source task does: the worker's
// per-batch hook (registering the schema) for each batch of 1000, then fromConnectData per record;
// and back: the sink's hook, then toConnectData. Records/s, MB/s of what goes to the log and bytes
// per record, over alternating rounds, medians. Options: --records=N (default 500000), --rounds=N (5).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { sourceRecord, type ConnectRecord } from '../connectors/api/record.js'
import { Decimal, Schemas } from '../connectors/api/schema.js'
import { AvroConverter } from '../connectors/converters/avro/avro-converter.js'
import { JsonConverter } from '../connectors/converters/json-converter.js'
import type { Converter, RawRecord } from '../connectors/converters/converter.js'
import { TopicSchemaRegistry } from '../registry/store/topic-registry.js'
import { alternateRounds, med } from './rounds.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 500_000)
const ROUNDS = Number(args.get('rounds') ?? 5)
const BATCH = 1000
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')

const schema = Schemas.struct('shop.orders.Value', [
  { name: 'id', schema: Schemas.int64(false) },
  { name: 'item', schema: Schemas.string(false) },
  { name: 'price', schema: Decimal.schema(2, false, 10) },
  { name: 'quantity', schema: Schemas.int32(false) },
  { name: 'placed', schema: Schemas.timestamp(false) },
  { name: 'note', schema: Schemas.string(true) },
])
const records: ConnectRecord[] = Array.from({ length: RECORDS }, (_, i) =>
  sourceRecord({
    sourcePartition: {}, sourceOffset: {}, topic: 'orders', valueSchema: schema,
    value: { id: i, item: `item-${i % 5000}`, price: ((i % 10000) / 100).toFixed(2), quantity: i % 7, placed: 1_700_000_000_000 + i, note: i % 3 === 0 ? null : 'gift wrap' },
  }),
)

/** Records/s each way, MB/s of converted bytes, bytes per record. */
async function measure(c: Converter): Promise<Record<string, number>> {
  const out: Buffer[] = new Array(RECORDS)
  let bytes = 0
  const t0 = performance.now()
  for (let i = 0; i < RECORDS; i += BATCH) {
    const batch = records.slice(i, i + BATCH)
    const prepared = c.prepareFromConnectData?.(batch)
    if (prepared) await prepared
    for (let j = 0; j < batch.length; j++) {
      const r = batch[j]!
      // a copy: the converter's bytes are a view of its slab, valid until the next call
      const b = Buffer.from(c.fromConnectData(r.topic, r.valueSchema ?? null, r.value)!)
      out[i + j] = b
      bytes += b.length
    }
  }
  const write = performance.now() - t0
  const t1 = performance.now()
  for (let i = 0; i < RECORDS; i += BATCH) {
    const raws: RawRecord[] = []
    for (let j = i; j < Math.min(RECORDS, i + BATCH); j++) raws.push({ topic: 'orders', key: null, value: out[j]! })
    const prepared = c.prepareToConnectData?.(raws)
    if (prepared) await prepared
    for (const r of raws) if (c.toConnectData('orders', r.value).value === null) throw new Error('lost a record')
  }
  const read = performance.now() - t1
  return { write: (RECORDS / write) * 1000, read: (RECORDS / read) * 1000, mbs: bytes / 1e6 / (write / 1000), size: bytes / RECORDS }
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-converters-'))
  const client = await EmbeddedClient.open({ dataDir: dir })
  const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
  try {
    console.log(`bench:converters, ${fmt(RECORDS)} order rows, batches of ${BATCH}, ${ROUNDS} alternating rounds, medians`)
    const results = await alternateRounds(
      ROUNDS,
      {
        avro: () => {
          const c = new AvroConverter({ schemaRegistry: async () => registry })
          c.configure({}, false)
          return measure(c)
        },
        json: () => {
          const c = new JsonConverter()
          c.configure({ 'schemas.enable': 'true' }, false)
          return measure(c)
        },
      },
      (r, side, m) => console.log(`  round ${r + 1} ${side.padEnd(5)} write ${fmt(m.write!).padStart(10)} rec/s   read ${fmt(m.read!).padStart(10)} rec/s   ${m.size!.toFixed(0)} bytes/record`),
    )
    console.log('\nmedians:')
    for (const side of ['avro', 'json'] as const) {
      console.log(
        `  ${side.padEnd(5)} fromConnectData ${fmt(med(results, side, 'write')).padStart(10)} rec/s (${med(results, side, 'mbs').toFixed(1)} MB/s, ${med(results, side, 'size').toFixed(0)} bytes/record)   toConnectData ${fmt(med(results, side, 'read')).padStart(10)} rec/s`,
      )
    }
    console.log(`  Avro/JSON: write ${(med(results, 'avro', 'write') / med(results, 'json', 'write')).toFixed(2)}x, read ${(med(results, 'avro', 'read') / med(results, 'json', 'read')).toFixed(2)}x, bytes ${(med(results, 'avro', 'size') / med(results, 'json', 'size')).toFixed(2)}x`)
  } finally {
    await registry.close()
    await client.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

await main()
