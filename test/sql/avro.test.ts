// The AVRO format of Brook SQL with the schema registry (the _schemas topic of the broker the
// engine runs on): columns inferred from a registered schema, sinks registering theirs, rows
// read and written in Confluent's wire format, a restart reading the schemas it was created
// with, and refusals that leave nothing behind.
import { afterEach, describe, expect, it } from 'vitest'
import { type EmbeddedClient } from '../../core/client/embedded/client.js'
import { startRegistryServer } from '../../registry/http/server.js'
import { AvroSerde } from '../../registry/serde/avro-serde.js'
import { type TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { KsqlEngine } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { SqlError } from '../../sql/errors.js'
import { formatType } from '../../sql/types/sql-type.js'
import { tmpDir } from '../helpers/tmp.js'
import { engineOn, waitFor } from './engine-harness.js'
import { openRegistry } from '../registry/helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function setup(dir = tmpDir()): Promise<{ client: EmbeddedClient; registry: TopicSchemaRegistry; engine: KsqlEngine; dir: string }> {
  const { client, registry } = await openRegistry(closers, `${dir}/log`)
  const engine = await engineOn(client, `${dir}/state`)
  closers.push(() => engine.close())
  return { client, registry, engine, dir }
}

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
    { name: 'price', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'placed', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'address', type: ['null', { type: 'record', name: 'Address', fields: [{ name: 'city', type: 'string' }] }], default: null },
  ],
}

const columns = (engine: KsqlEngine, name: string): string[] => engine.source(name)!.schema.columns.map((c) => `${c.name} ${formatType(c.type)}${c.namespace === 'KEY' ? ' KEY' : ''}`)

describe('AVRO format', () => {
  it('infers a stream\'s columns from the registered schema and writes a derived stream as Avro with its own registered schema', async () => {
    const { client, registry, engine } = await setup()
    await client.admin().createTopics([{ topic: 'orders', numPartitions: 1 }])
    // Another application writes orders with Confluent's wire format.
    const writer = await AvroSerde.create(registry, { schema: ORDER, topics: ['orders'] })
    const price = (s: string): Buffer => {
      const n = BigInt(s.replace('.', ''))
      const hex = n.toString(16).padStart(n.toString(16).length + (n.toString(16).length % 2), '0')
      return Buffer.from((parseInt(hex.slice(0, 2), 16) & 0x80 ? '00' : '') + hex, 'hex')
    }
    const producer = client.producer()
    await producer.sendBatch([
      { topic: 'orders', key: null, value: writer.serialize('orders', { id: 1, item: 'kettle', price: price('24.50'), tags: ['kitchen'], placed: 1_700_000_000_000, address: { city: 'Lyon' } }) },
      { topic: 'orders', key: null, value: writer.serialize('orders', { id: 2, item: 'mug', price: price('6.00'), tags: [], placed: 1_700_000_001_000, address: null }) },
      { topic: 'orders', key: null, value: writer.serialize('orders', { id: 3, item: 'teapot', price: price('310.99'), tags: ['kitchen', 'gift'], placed: 1_700_000_002_000, address: { city: 'Oslo' } }) },
    ])
    await producer.close()

    await engine.execute("SET 'auto.offset.reset'='earliest';")
    await engine.execute("CREATE STREAM orders WITH (KAFKA_TOPIC='orders', VALUE_FORMAT='AVRO');")
    expect(columns(engine, 'ORDERS')).toEqual(['ID BIGINT', 'ITEM STRING', 'PRICE DECIMAL(10, 2)', 'TAGS ARRAY<STRING>', 'PLACED TIMESTAMP', 'ADDRESS STRUCT<`CITY` STRING>'])
    await engine.execute("CREATE STREAM big AS SELECT ID, ITEM, PRICE, ADDRESS->CITY AS CITY, ARRAY_LENGTH(TAGS) AS N FROM orders WHERE PRICE > 10 EMIT CHANGES;")

    // The sink's schema as ksqlDB registers it: one record, every field optional.
    const sinkSchema = JSON.parse((await registry.getVersion('BIG-value', 'latest')).schema) as { name: string; namespace: string; fields: Array<{ name: string; type: unknown; default: unknown }> }
    expect([sinkSchema.namespace, sinkSchema.name]).toEqual(['io.confluent.ksql.avro_schemas', 'KsqlDataSourceSchema'])
    expect(sinkSchema.fields.map((f) => [f.name, f.type, f.default])).toEqual([
      ['ID', ['null', 'long'], null],
      ['ITEM', ['null', 'string'], null],
      ['PRICE', ['null', { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 }], null],
      ['CITY', ['null', 'string'], null],
      ['N', ['null', 'int'], null],
    ])
    // What the query wrote decodes with the registry, as any Avro consumer would read it.
    const reader = await AvroSerde.create<Record<string, unknown>>(registry)
    const rows = await waitFor(async () => (await engine.runtime.read('BIG', true, 10, 300)).map((r) => reader.deserialize('BIG', r.value)), (r) => r.length === 2)
    expect(rows.map((r) => [r!.ID, r!.ITEM, (r!.PRICE as Buffer).toString('hex'), r!.CITY, r!.N])).toEqual([
      [1, 'kettle', Buffer.from([0x09, 0x92]).toString('hex'), 'Lyon', 1],
      [3, 'teapot', Buffer.from([0x79, 0x7b]).toString('hex'), 'Oslo', 2],
    ])
  })

  it('registers a declared source\'s key and value schemas, and INSERT VALUES rows come back through a query', async () => {
    const { registry, engine } = await setup()
    await engine.execute("SET 'auto.offset.reset'='earliest';")
    await engine.execute("CREATE STREAM pays (id INT KEY, who STRING, amount DECIMAL(8, 2), at DATE) WITH (KAFKA_TOPIC='pays', KEY_FORMAT='AVRO', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    expect(JSON.parse((await registry.getVersion('pays-key', 1)).schema)).toBe('int')
    const value = JSON.parse((await registry.getVersion('pays-value', 1)).schema) as { fields: Array<{ name: string }> }
    expect(value.fields.map((f) => f.name)).toEqual(['WHO', 'AMOUNT', 'AT'])
    await engine.execute("INSERT INTO pays (id, who, amount, at) VALUES (7, 'ana', 12.5, '2024-02-29');")
    // DROP ... DELETE TOPIC takes the subjects with the topic, as ksqlDB does.
    await engine.execute("CREATE STREAM gone (v STRING) WITH (KAFKA_TOPIC='gone', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    expect(await registry.getSubjects()).toContain('gone-value')
    await engine.execute('DROP STREAM gone DELETE TOPIC;')
    expect(await registry.getSubjects({ deleted: true })).not.toContain('gone-value')
    await engine.execute("INSERT INTO pays (id, who, amount, at) VALUES (8, NULL, -0.01, NULL);")
    const got: unknown[][] = []
    for await (const r of engine.stream('SELECT id, who, amount, at FROM pays EMIT CHANGES LIMIT 2;')) got.push([...r.row])
    expect(got.map((r) => [r[0], r[1], String(r[2]), r[3]])).toEqual([
      [7, 'ana', '12.50', 19782],
      [8, null, '-0.01', null],
    ])
  })

  it('after a restart reads the schema a source was created with, whatever was registered since', async () => {
    const { client, registry, engine, dir } = await setup()
    await client.admin().createTopics([{ topic: 'people', numPartitions: 1 }])
    const v1 = JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'name', type: 'string' }] })
    const id1 = await registry.register('people-value', { schema: v1 })
    await engine.execute("CREATE STREAM people WITH (KAFKA_TOPIC='people', VALUE_FORMAT='AVRO');")
    expect(columns(engine, 'PEOPLE')).toEqual(['NAME STRING'])
    await registry.register('people-value', { schema: JSON.stringify({ type: 'record', name: 'P', fields: [{ name: 'name', type: 'string' }, { name: 'age', type: 'int', default: 0 }] }) })
    await engine.close()
    closers.pop()
    const again = await engineOn(client, `${dir}/state`)
    closers.push(() => again.close())
    expect(columns(again, 'PEOPLE')).toEqual(['NAME STRING'])
    // The command topic keeps the id the columns came from.
    const commands = (await again.runtime.read('_confluent-ksql-default__command_topic', true, 10, 300)).map((r) => r.value!.toString('utf8'))
    expect(commands.some((c) => c.includes(`VALUE_SCHEMA_ID=${id1}`))).toBe(true)
  })

  it('refuses what it cannot do, naming the subject or property, and creates nothing', async () => {
    const { client, registry, engine } = await setup()
    const refused = async (sql: string): Promise<SqlError> => {
      const err = await engine.execute(sql).then(() => null, (e: unknown) => e)
      expect(err).toBeInstanceOf(SqlError)
      return err as SqlError
    }
    // No schema to infer from.
    const none = await refused("CREATE STREAM ghost WITH (KAFKA_TOPIC='ghost', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    expect(none.message).toMatch(/Subject: ghost-value/)
    expect(none.field).toBe('VALUE_FORMAT')
    expect(engine.source('GHOST')).toBeUndefined()
    expect(await client.admin().listTopics()).not.toContain('ghost')
    // A sink subject holding an incompatible schema: the CSAS is refused before its topic exists.
    await engine.execute("CREATE STREAM src (id INT KEY, v STRING) WITH (KAFKA_TOPIC='src', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    await registry.register('OUT-value', { schema: JSON.stringify({ type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }) })
    const incompatible = await refused('CREATE STREAM out AS SELECT id, v FROM src EMIT CHANGES;')
    expect(incompatible.message).toMatch(/OUT-value/)
    expect(incompatible.message).toMatch(/incompatible/)
    expect(engine.source('OUT')).toBeUndefined()
    expect(engine.listQueries()).toEqual([])
    expect(await client.admin().listTopics()).not.toContain('OUT')
    // An engine with no registry at all (the test driver): AVRO is refused naming the property.
    const driver = await KsqlEngine.create({ runtime: new DriverRuntime() })
    closers.push(() => driver.close())
    const noRegistry = await driver.execute("CREATE STREAM a (v STRING) WITH (KAFKA_TOPIC='a', VALUE_FORMAT='AVRO', PARTITIONS=1);").then(() => null, (e: unknown) => e as SqlError)
    expect(noRegistry?.message).toMatch(/needs a schema registry/)
    expect(noRegistry?.field).toBe('VALUE_FORMAT')
  })

  it('sends records that are not Avro to the processing log and goes on', async () => {
    const { client, engine } = await setup()
    await engine.execute("SET 'auto.offset.reset'='earliest';")
    await engine.execute("CREATE STREAM m (v STRING) WITH (KAFKA_TOPIC='m', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    await engine.execute("CREATE STREAM m2 AS SELECT v FROM m EMIT CHANGES;")
    const producer = client.producer()
    await producer.send({ topic: 'm', key: null, value: '{"V":"json, not avro"}' })
    await producer.close()
    await engine.execute("INSERT INTO m (v) VALUES ('after');")
    const reader = await AvroSerde.create<Record<string, unknown>>((await engine.runtime.schemaRegistry!()))
    const out = await waitFor(async () => (await engine.runtime.read('M2', true, 10, 300)).map((r) => reader.deserialize('M2', r.value)), (r) => r.length === 1)
    expect(out).toEqual([{ V: 'after' }])
    await waitFor(async () => [...engine.processingLog.list()], (e) => e.some((x) => /magic byte 0/.test(JSON.stringify(x))))
  })

  it('uses the registry of ksql.schema.registry.url over REST: the test driver, which has none of its own, runs AVRO queries with it', async () => {
    const { registry } = await setup()
    const server = await startRegistryServer(registry, { port: 0 })
    closers.push(() => server.close())
    const engine = await KsqlEngine.create({ runtime: new DriverRuntime(), properties: { 'ksql.schema.registry.url': server.url } })
    closers.push(() => engine.close())
    expect((await engine.execute('SHOW PROPERTIES;'))[0]!.rows).toContainEqual(['ksql.schema.registry.url', server.url])
    await engine.execute("CREATE STREAM t (k STRING KEY, n INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='AVRO', PARTITIONS=1);")
    await engine.execute('CREATE STREAM doubled AS SELECT k, n * 2 AS twice FROM t EMIT CHANGES;')
    await engine.execute("INSERT INTO t (k, n) VALUES ('a', 21);")
    const reader = await AvroSerde.create<Record<string, unknown>>(registry)
    const out = (await engine.runtime.read('DOUBLED', true, 10, 300)).map((r) => [r.key?.toString('utf8'), reader.deserialize('DOUBLED', r.value)])
    expect(out).toEqual([['a', { TWICE: 42 }]])
    expect(await registry.getSubjects()).toEqual(['DOUBLED-value', 't-value'])
  })

  it('reads a record whose schema was registered after the query started, elsewhere: the record waits for its schema, nothing is skipped', async () => {
    const { client, registry, engine } = await setup()
    await client.admin().createTopics([{ topic: 'temps', numPartitions: 1 }])
    const v1 = { type: 'record', name: 'T', fields: [{ name: 'sensor', type: 'string' }, { name: 'c', type: 'double' }] }
    const v2 = { ...v1, fields: [...v1.fields, { name: 'site', type: 'string', default: 'none' }] }
    await registry.register('temps-value', { schema: JSON.stringify(v1) })
    await engine.execute("SET 'auto.offset.reset'='earliest';")
    await engine.execute("CREATE STREAM temps WITH (KAFKA_TOPIC='temps', VALUE_FORMAT='AVRO');")
    await engine.execute('CREATE STREAM hot AS SELECT sensor, c FROM temps WHERE c > 30 EMIT CHANGES;')
    // Another application's registry (the test's, on the same _schemas topic) registers v2 now;
    // the engine's registry has not read it.
    const writer = await AvroSerde.create(registry, { schema: v2, topics: ['temps'] })
    const producer = client.producer()
    await producer.sendBatch([
      { topic: 'temps', key: null, value: writer.serialize('temps', { sensor: 'a', c: 35, site: 'roof' }) },
      { topic: 'temps', key: null, value: writer.serialize('temps', { sensor: 'b', c: 12, site: 'cellar' }) },
      { topic: 'temps', key: null, value: writer.serialize('temps', { sensor: 'c', c: 31.5, site: 'roof' }) },
    ])
    await producer.close()
    const reader = await AvroSerde.create<Record<string, unknown>>(registry)
    const rows = await waitFor(async () => (await engine.runtime.read('HOT', true, 10, 300)).map((r) => reader.deserialize('HOT', r.value)), (r) => r.length === 2)
    expect(rows).toEqual([{ SENSOR: 'a', C: 35 }, { SENSOR: 'c', C: 31.5 }])
    expect(engine.processingLog.list()).toEqual([])
  })
})
