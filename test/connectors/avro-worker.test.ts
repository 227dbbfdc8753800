// The AvroConverter in a Connect worker on the embedded broker: a JDBC source on SQLite writes
// Avro records framed with registry ids (schemas in Brook's own registry, the _schemas topic of
// the worker's broker), a JDBC sink and a file sink read them back (the file sink through the
// registry's REST API), and a registration the registry refuses fails the task with the
// registry's message, losing nothing.
import Database from 'better-sqlite3'
import fs from 'node:fs'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { ConfigDef, registerConnector, registerConverter, sourceRecord, StringConverter, Worker, type ConnectRecord, type RawRecord, type Schema, type SchemaAndValue, type SourceConnector, type SourceTask } from '../../connectors/index.js'
import { startRegistryServer } from '../../registry/http/server.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import { readTopic, topicCount } from './helpers.js'

const closers: Array<() => Promise<void> | void> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function setup(): Promise<{ client: BrookClient; worker: Worker; registry: TopicSchemaRegistry }> {
  const client = await EmbeddedClient.open({ dataDir: tmpDir() })
  closers.push(() => client.close())
  const worker = await Worker.start(client, { log: () => {} })
  closers.push(() => worker.stop())
  // A registry of the test's own on the same topic: registries on one _schemas topic agree.
  const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
  closers.push(() => registry.close())
  return { client, worker, registry }
}

function sqliteFile(setup: string): string {
  const file = path.join(tmpDir(), 'db.sqlite')
  const db = new Database(file)
  db.exec(setup)
  db.close()
  return file
}

function query(file: string, sql: string): unknown[] {
  const db = new Database(file, { readonly: true })
  try {
    return db.prepare(sql).all()
  } catch {
    return []
  } finally {
    db.close()
  }
}

const ITEMS = `CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(10,3), born DATE, seen TIMESTAMP, data BLOB, qty INTEGER);
  INSERT INTO items VALUES (1, 'kettle', '24.500', '2024-02-29', '2024-03-01 12:34:56.789', x'00ff', 3),
    (2, 'mug', NULL, NULL, NULL, NULL, NULL),
    (3, 'anvil', '-9999999.999', '1970-01-01', '1999-12-31 23:59:59.000', x'2a', -1);`

const AVRO = 'io.confluent.connect.avro.AvroConverter'
const source = (file: string, name = 'items-src'): Record<string, string> => ({
  name, 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`, mode: 'incrementing', 'incrementing.column.name': 'id', 'poll.interval.ms': '50',
  'key.converter': 'AvroConverter', 'value.converter': AVRO,
})

/** A converter with both hooks, logging what the worker calls: each hook settles a turn later, so a conversion that did not wait for it would show. */
const log: string[] = []
class HookedConverter extends StringConverter {
  prepareFromConnectData(records: readonly ConnectRecord[]): Promise<void> {
    log.push(`prepareFrom ${records.length}`)
    return new Promise((resolve) => setImmediate(() => (log.push('prepared'), resolve())))
  }
  prepareToConnectData(records: readonly RawRecord[]): Promise<void> {
    log.push(`prepareTo ${records.length}`)
    return new Promise((resolve) => setImmediate(() => (log.push('prepared'), resolve())))
  }
  override fromConnectData(topic: string, schema: Schema | null, value: unknown): Buffer | null {
    log.push('from')
    return super.fromConnectData(topic, schema, value)
  }
  override toConnectData(topic: string, bytes: Buffer | null): SchemaAndValue {
    log.push('to')
    return super.toConnectData(topic, bytes)
  }
}
registerConverter('test.HookedConverter', () => new HookedConverter())
let polls = 0
registerConnector(['test.Batches'], (): SourceConnector => ({
  kind: 'source', version: () => '1', config: () => new ConfigDef(), start: async () => {}, taskConfigs: () => [{}], stop: async () => {},
  createTask: (): SourceTask => ({
    start: async () => {},
    stop: async () => {},
    poll: async () => {
      if (polls >= 2) return new Promise((resolve) => setTimeout(() => resolve([]), 20))
      const batch = polls++
      return [0, 1, 2].map((i) => sourceRecord({ sourcePartition: { p: 0 }, sourceOffset: { o: batch * 3 + i }, topic: 'hooked', value: `v${batch * 3 + i}` }))
    },
  }),
}))

/**
 * The batch sizes the log shows, checking its grammar: per batch, the key converter's and the
 * value converter's hooks called, both settled, and only then the batch's conversions (two per record).
 */
function batches(entries: string[], prepare: string, convert: string): number[] {
  const sizes: number[] = []
  let i = 0
  while (i < entries.length) {
    const n = Number(entries[i]!.slice(prepare.length + 1))
    expect(entries.slice(i, i + 4 + 2 * n)).toEqual([`${prepare} ${n}`, `${prepare} ${n}`, 'prepared', 'prepared', ...Array<string>(2 * n).fill(convert)])
    sizes.push(n)
    i += 4 + 2 * n
  }
  return sizes
}

describe('prepare hooks in the worker', () => {
  it('awaits a converter\'s hooks once per batch, before converting that batch, on the source and the sink side', async () => {
    const { client, worker } = await setup()
    log.length = 0
    polls = 0
    await worker.startConnector({ name: 'hooked-src', 'connector.class': 'test.Batches', 'value.converter': 'test.HookedConverter', 'key.converter': 'test.HookedConverter' })
    await waitFor('6 records', async () => (await topicCount(client, 'hooked')) === 6)
    await worker.stopConnector('hooked-src')
    expect(batches(log, 'prepareFrom', 'from')).toEqual([3, 3])

    log.length = 0
    await worker.startConnector({
      name: 'hooked-sink', 'connector.class': 'FileStreamSinkConnector', topics: 'hooked', file: path.join(tmpDir(), 'out.txt'),
      'value.converter': 'test.HookedConverter', 'key.converter': 'test.HookedConverter',
    })
    await waitFor('6 records converted by the sink', () => log.filter((e) => e === 'to').length === 12)
    expect(batches(log, 'prepareTo', 'to').reduce((a, b) => a + b, 0)).toBe(6)
  })
})

describe('AvroConverter in a Connect worker', () => {
  it('a JDBC source writes Avro under items-key / items-value in Brook\'s registry; a JDBC sink and a file sink (through the REST API) read the rows back as they went in', async () => {
    const { client, worker, registry } = await setup()
    const src = sqliteFile(ITEMS)
    await worker.startConnector(source(src))
    await waitFor('3 records in items', async () => (await topicCount(client, 'items')) === 3)

    // The subjects hold the schemas Confluent's AvroData makes of the JDBC source's Connect schemas.
    expect((await registry.getSubjects()).sort()).toEqual(['items-key', 'items-value'])
    const key = await registry.getVersion('items-key', 'latest')
    expect(JSON.parse(key.schema)).toEqual({ type: 'record', name: 'Key', namespace: 'items', fields: [{ name: 'id', type: 'long' }], 'connect.name': 'items.Key' })
    const value = await registry.getVersion('items-value', 'latest')
    const valueSchema = JSON.parse(value.schema) as { type: string; name: string; 'connect.name': string; fields: Array<{ name: string; type: unknown; default?: unknown }> }
    expect([valueSchema.type, valueSchema.name, valueSchema['connect.name']]).toEqual(['record', 'items', 'items'])
    const field = (n: string): unknown => valueSchema.fields.find((f) => f.name === n)
    expect(field('name')).toEqual({ name: 'name', type: 'string' })
    expect(field('price')).toEqual({
      name: 'price', default: null,
      type: ['null', { type: 'bytes', scale: 3, precision: 10, 'connect.version': 1, 'connect.parameters': { scale: '3', 'connect.decimal.precision': '10' }, 'connect.name': 'org.apache.kafka.connect.data.Decimal', logicalType: 'decimal' }],
    })
    expect(field('born')).toEqual({ name: 'born', default: null, type: ['null', { type: 'int', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Date', logicalType: 'date' }] })
    expect(field('seen')).toEqual({ name: 'seen', default: null, type: ['null', { type: 'long', 'connect.version': 1, 'connect.name': 'org.apache.kafka.connect.data.Timestamp', logicalType: 'timestamp-millis' }] })
    expect(field('data')).toEqual({ name: 'data', default: null, type: ['null', 'bytes'] })
    // Every record is framed: magic byte 0 and the subjects' ids.
    const records = await readTopic(client, 'items')
    expect(records.every((r) => r.value![0] === 0 && r.value!.readInt32BE(1) === value.id && r.key![0] === 0 && r.key!.readInt32BE(1) === key.id)).toBe(true)

    // A JDBC sink on a second SQLite file, reading with the AvroConverter from Brook's registry.
    const dst = path.join(tmpDir(), 'dst.sqlite')
    await worker.startConnector({
      name: 'items-sink', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${dst}`, topics: 'items', 'insert.mode': 'upsert',
      'pk.mode': 'record_key', 'auto.create': 'true', 'table.name.format': 'copy_${topic}', 'key.converter': AVRO, 'value.converter': AVRO,
    })
    const copied = (): unknown[] => query(dst, 'SELECT id, name, price, born, seen, data, qty FROM copy_items ORDER BY id')
    await waitFor('3 rows in the sink', () => copied().length === 3)
    expect(copied()).toEqual([
      { id: 1, name: 'kettle', price: '24.500', born: '2024-02-29', seen: '2024-03-01 12:34:56.789', data: Buffer.from([0x00, 0xff]), qty: 3 },
      { id: 2, name: 'mug', price: null, born: null, seen: null, data: null, qty: null },
      { id: 3, name: 'anvil', price: '-9999999.999', born: '1970-01-01', seen: '1999-12-31 23:59:59.000', data: Buffer.from([0x2a]), qty: -1 },
    ])

    // A file sink reading through the registry's REST API (schema.registry.url): one JSON line per record.
    const server = await startRegistryServer(registry, { port: 0 })
    closers.push(() => server.close())
    const out = path.join(tmpDir(), 'items.jsonl')
    await worker.startConnector({
      name: 'items-file', 'connector.class': 'FileStreamSinkConnector', topics: 'items', file: out,
      'value.converter': AVRO, 'value.converter.schema.registry.url': server.url, 'key.converter': 'org.apache.kafka.connect.storage.StringConverter',
    })
    const lines = (): string[] => (fs.existsSync(out) ? fs.readFileSync(out, 'utf8').split('\n').filter((l) => l !== '') : [])
    await waitFor('3 lines in the file', () => lines().length === 3)
    const day = (y: number, m: number, d: number): number => Date.UTC(y, m - 1, d) / 86_400_000
    expect(lines().map((l) => JSON.parse(l) as unknown)).toEqual([
      { id: 1, name: 'kettle', price: '24.500', born: day(2024, 2, 29), seen: Date.UTC(2024, 2, 1, 12, 34, 56, 789), data: Buffer.from([0, 255]).toString('base64'), qty: 3 },
      { id: 2, name: 'mug', price: null, born: null, seen: null, data: null, qty: null },
      { id: 3, name: 'anvil', price: '-9999999.999', born: 0, seen: Date.UTC(1999, 11, 31, 23, 59, 59), data: Buffer.from([0x2a]).toString('base64'), qty: -1 },
    ])
    expect(worker.describe('items-src')?.tasks[0]?.state).toBe('RUNNING')
  })

  it('a subject holding an incompatible schema fails the source task with the registry\'s message; nothing is written or lost, and after the fix every row comes', async () => {
    const { client, worker, registry } = await setup()
    // items-value already holds a schema the JDBC source's cannot follow under BACKWARD (id: string → long).
    await registry.register('items-value', { schema: JSON.stringify({ type: 'record', name: 'items', fields: [{ name: 'id', type: 'string' }] }) })
    const src = sqliteFile(ITEMS)
    const props = { ...source(src, 'refused'), 'key.converter': 'org.apache.kafka.connect.json.JsonConverter' }
    await worker.startConnector(props)
    await waitFor('the task FAILED', () => worker.describe('refused')?.tasks[0]?.state === 'FAILED')
    const trace = worker.describe('refused')!.tasks[0]!.trace!
    expect(trace).toMatch(/Failed to serialize Avro data from topic items: Error registering Avro schema under subject 'items-value': Schema being registered is incompatible with an earlier schema for subject "items-value"/)
    expect(trace).toMatch(/error code: 409/)
    expect(await topicCount(client, 'items')).toBe(0)
    expect(worker.offsets.forConnector('refused')).toEqual([])
    expect(await registry.getVersions('items-value')).toEqual([1])

    // The subject's compatibility relaxed, a restart sends every row: none was dropped.
    await registry.setCompatibility('NONE', 'items-value')
    await worker.restart('refused')
    await waitFor('3 records in items', async () => (await topicCount(client, 'items')) === 3)
    await registry.sync()
    expect(await registry.getVersions('items-value')).toEqual([1, 2])
    expect(worker.describe('refused')?.tasks[0]?.state).toBe('RUNNING')
  })

  it('with errors.tolerance=all, a row the sink cannot write goes to the dead letter queue as the Avro bytes it was consumed as', async () => {
    const { client, worker } = await setup()
    await worker.startConnector(source(sqliteFile(ITEMS)))
    const dst = path.join(tmpDir(), 'dst.sqlite')
    const db = new Database(dst)
    db.exec('CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price TEXT, born TEXT, seen TEXT, data BLOB, qty INTEGER CHECK (qty >= 0))')
    db.close()
    await worker.startConnector({
      name: 'checked', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${dst}`, topics: 'items', 'pk.mode': 'record_key',
      'key.converter': AVRO, 'value.converter': AVRO, 'errors.tolerance': 'all', 'errors.deadletterqueue.topic.name': 'items-dlq',
    })
    await waitFor('a record in the dead letter queue', async () => (await topicCount(client, 'items-dlq')) === 1)
    await waitFor('2 rows written', () => query(dst, 'SELECT id FROM items').length === 2)
    // The anvil's qty (-1) breaks the CHECK: its record, byte for byte, is in the queue.
    const [dead] = await readTopic(client, 'items-dlq')
    const anvil = (await readTopic(client, 'items'))[2]!
    expect(dead!.value!.equals(anvil.value!)).toBe(true)
    expect(dead!.key!.equals(anvil.key!)).toBe(true)
    expect(worker.describe('checked')?.tasks[0]?.state).toBe('RUNNING')
  })

  it('refuses a connector whose converter config is wrong before starting it, naming the full key', async () => {
    const { worker } = await setup()
    const src = sqliteFile(ITEMS)
    await expect(worker.startConnector({ ...source(src, 'bad'), 'value.converter.schemas.enable': 'false' })).rejects.toMatchObject({ name: 'ConfigException', key: 'value.converter.schemas.enable' })
    await expect(worker.startConnector({ ...source(src, 'bad2'), 'value.converter.schema.registry.url': 'localhost:8081' })).rejects.toMatchObject({ key: 'value.converter.schema.registry.url' })
    expect(worker.connectors()).toEqual([])
  })
})
