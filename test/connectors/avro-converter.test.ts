// The AvroConverter on Brook's schema registry: its config (each wrong or unknown key named), the
// batch hooks (registering once per schema and subject, fetching unknown ids, refusals carried
// with the registry's message), Confluent's wire format, and compatibility both ways with
// @kafkajs/confluent-schema-registry against Brook's REST API.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { sourceRecord, type ConnectRecord } from '../../connectors/api/record.js'
import { changeRecord, tableSchemas, tombstone } from '../../connectors/cdc/envelope.js'
import { Decimal, Schemas, type Schema } from '../../connectors/api/schema.js'
import { AvroConverter } from '../../connectors/converters/avro/avro-converter.js'
import { createConverter, type ConverterContext, type RawRecord } from '../../connectors/converters/converter.js'
import { ConfigException, DataException, RetriableException } from '../../connectors/errors.js'
import { startRegistryServer, type RegistryServer } from '../../registry/http/server.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import type { SchemaRegistryClient } from '../../registry/types.js'
import { tmpDir } from '../helpers/tmp.js'
import { freePort } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function openRegistry(): Promise<TopicSchemaRegistry> {
  const client = await EmbeddedClient.open({ dataDir: tmpDir() })
  closers.push(() => client.close())
  const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
  closers.push(() => registry.close())
  return registry
}

/** The registry, counting the calls that reach it. */
function counted(registry: SchemaRegistryClient): { client: SchemaRegistryClient; calls: string[] } {
  const calls: string[] = []
  const client = new Proxy(registry, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown
      if (typeof v !== 'function' || prop === 'cachedSchemaById') return v
      return (...args: unknown[]) => {
        calls.push(`${String(prop)} ${typeof args[0] === 'string' || typeof args[0] === 'number' ? String(args[0]) : ''}`.trim())
        return (v as (...a: unknown[]) => unknown).apply(target, args)
      }
    },
  })
  return { client, calls }
}

const contextOf = (registry: SchemaRegistryClient): ConverterContext => ({ schemaRegistry: async () => registry })

function converter(registry: SchemaRegistryClient, props: Record<string, string> = {}, isKey = false): AvroConverter {
  const c = new AvroConverter(contextOf(registry))
  c.configure(props, isKey)
  return c
}

const row = Schemas.struct('shop.orders.Value', [
  { name: 'id', schema: Schemas.int64(false) },
  { name: 'item', schema: Schemas.string(false) },
  { name: 'price', schema: Decimal.schema(2, true, 10) },
  { name: 'at', schema: Schemas.timestamp(true) },
])

const rec = (topic: string, value: unknown, valueSchema: Schema | null = row, key: unknown = null, keySchema: Schema | null = null): ConnectRecord =>
  sourceRecord({ sourcePartition: {}, sourceOffset: {}, topic, value, valueSchema, key, keySchema })

const raw = (topic: string, value: Buffer | null, key: Buffer | null = null): RawRecord => ({ topic, key, value })

describe('AvroConverter config', () => {
  const registry = {} as SchemaRegistryClient
  const bad = (props: Record<string, string>, isKey = false): ConfigException => {
    try {
      converter(registry, props, isKey)
    } catch (err) {
      if (err instanceof ConfigException) return err
      throw err
    }
    throw new Error(`accepted ${JSON.stringify(props)}`)
  }

  it('refuses unknown keys and invalid values, naming the key', () => {
    expect(bad({ 'schemas.enable': 'false' }).key).toBe('schemas.enable')
    expect(bad({ 'auto.register.schemas': 'maybe' }).key).toBe('auto.register.schemas')
    expect(bad({ 'schema.registry.url': 'ftp://registry:8081' }).key).toBe('schema.registry.url')
    expect(bad({ 'schema.registry.url': 'http://a:8081,http://b:8081' }).key).toBe('schema.registry.url')
    expect(bad({ 'use.latest.version': 'true' }).key).toBe('use.latest.version')
    expect(bad({ 'value.subject.name.strategy': 'com.example.MyStrategy' }).key).toBe('value.subject.name.strategy')
    expect(bad({ 'schemas.cache.config': '0' }).key).toBe('schemas.cache.config')
    expect(bad({ 'connect.meta.data': 'yes' }).key).toBe('connect.meta.data')
  })

  it('accepts Confluent\'s keys it honours', () => {
    expect(() =>
      converter(registry, {
        'schema.registry.url': 'http://localhost:8081', 'auto.register.schemas': 'false', 'use.latest.version': 'false', 'enhanced.avro.schema.support': 'true',
        'connect.meta.data': 'false', 'schemas.cache.config': '50', 'scrub.invalid.names': 'true',
        'value.subject.name.strategy': 'io.confluent.kafka.serializers.subject.TopicRecordNameStrategy', 'key.subject.name.strategy': 'RecordNameStrategy',
      }),
    ).not.toThrow()
  })

  it('needs schema.registry.url without a worker to keep Brook\'s own registry; createConverter names the full key and the connector', () => {
    const c = new AvroConverter()
    expect(() => c.configure({}, false)).toThrow(ConfigException)
    let err: unknown
    try {
      createConverter('value.converter', 'AvroConverter', { 'auto.register.schemas': 'sometimes' }, false, 'orders-src', contextOf(registry))
    } catch (e) {
      err = e
    }
    expect(err).toBeInstanceOf(ConfigException)
    expect((err as ConfigException).key).toBe('value.converter.auto.register.schemas')
    expect((err as ConfigException).message).toMatch(/^Connector 'orders-src': Invalid value for configuration 'value.converter.auto.register.schemas': "sometimes" is not a boolean/)
    expect(createConverter('key.converter', 'io.confluent.connect.avro.AvroConverter', {}, true, 'c', contextOf(registry))).toBeInstanceOf(AvroConverter)
  })
})

describe('AvroConverter on Brook\'s registry', () => {
  it('registers a batch\'s schema once under <topic>-value before converting, and frames records with its id', async () => {
    const registry = await openRegistry()
    const { client, calls } = counted(registry)
    const c = converter(client)
    const batch = Array.from({ length: 200 }, (_, i) => rec('orders', { id: i, item: `i${i}`, price: `${i}.50`, at: 1_700_000_000_000 + i }))
    // Converting needs the id: without the hook's registration it fails rather than write unframed data.
    expect(() => c.fromConnectData('orders', row, batch[0]!.value)).toThrow(/no id under subject 'orders-value'/)
    const pending = c.prepareFromConnectData(batch)
    expect(pending).not.toBeNull()
    await pending
    expect(calls.filter((x) => x.startsWith('register'))).toEqual(['register orders-value'])
    // Everything is known now: no further work, no promise.
    expect(c.prepareFromConnectData(batch)).toBeNull()
    const id = (await registry.getVersion('orders-value', 'latest')).id
    const bytes = batch.map((r) => Buffer.from(c.fromConnectData(r.topic, r.valueSchema, r.value)!))
    expect(bytes.every((b) => b[0] === 0 && b.readInt32BE(1) === id)).toBe(true)
    // The range form writes the same bytes.
    const into = { buffer: Buffer.alloc(0), start: 0, end: 0 }
    expect(c.fromConnectDataRange('orders', row, batch[7]!.value, into)).toBe(true)
    expect(into.buffer.subarray(into.start, into.end).equals(bytes[7]!)).toBe(true)
    // A second topic is a second subject; the same schema keeps its id.
    await c.prepareFromConnectData([rec('orders-eu', batch[0]!.value)])
    expect(await registry.getSubjects()).toEqual(['orders-eu-value', 'orders-value'])
    expect((await registry.getVersion('orders-eu-value', 'latest')).id).toBe(id)
    // The registered schema is AvroData's: a record named after the Connect name.
    expect(JSON.parse((await registry.getSchemaById(id)).schema)).toMatchObject({ type: 'record', name: 'Value', namespace: 'shop.orders', 'connect.name': 'shop.orders.Value' })
  })

  it('keys go under <topic>-key; null values are tombstones and need no schema', async () => {
    const registry = await openRegistry()
    const keySchema = Schemas.struct('shop.orders.Key', [{ name: 'id', schema: Schemas.int64(false) }])
    const k = converter(registry, {}, true)
    const v = converter(registry)
    const records = [rec('orders', null, null, { id: 1 }, keySchema)]
    await k.prepareFromConnectData(records)
    expect(v.prepareFromConnectData(records)).toBeNull()
    expect(await registry.getSubjects()).toEqual(['orders-key'])
    expect(v.fromConnectData('orders', null, null)).toBeNull()
    expect(() => v.fromConnectData('orders', row, null)).toThrow(/null value for non-optional schema/)
  })

  it('tells decimals of two scales apart: two schemas, two ids, each read back with its own scale', async () => {
    const registry = await openRegistry()
    const c = converter(registry)
    const two = Schemas.struct('m', [{ name: 'amount', schema: Decimal.schema(2, false, 10) }])
    const three = Schemas.struct('m', [{ name: 'amount', schema: Decimal.schema(3, false, 10) }])
    await c.prepareFromConnectData([rec('money', { amount: '1.25' }, two), rec('money-3', { amount: '1.250' }, three)])
    const a = c.fromConnectData('money', two, { amount: '1.25' })!
    const b = c.fromConnectData('money-3', three, { amount: '1.250' })!
    expect(a.readInt32BE(1)).not.toBe(b.readInt32BE(1))
    const reader = converter(registry)
    await reader.prepareToConnectData([raw('money', Buffer.from(a)), raw('money-3', Buffer.from(b))])
    expect(reader.toConnectData('money', Buffer.from(a)).value).toEqual({ amount: '1.25' })
    expect(reader.toConnectData('money-3', Buffer.from(b)).value).toEqual({ amount: '1.250' })
  })

  it('a registration the registry refuses (incompatible, 409) rejects with the registry\'s message; nothing is framed with a wrong id', async () => {
    const registry = await openRegistry()
    await registry.register('orders-value', { schema: JSON.stringify({ type: 'record', name: 'Value', namespace: 'shop.orders', fields: [{ name: 'id', type: 'string' }] }) })
    const c = converter(registry)
    const batch = [rec('orders', { id: 1, item: 'a', price: null, at: null })]
    const err = await c.prepareFromConnectData(batch)!.then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(DataException)
    expect((err as Error).message).toMatch(/Error registering Avro schema under subject 'orders-value': Schema being registered is incompatible with an earlier schema for subject "orders-value".*error code: 409/)
    expect(() => c.fromConnectData('orders', row, batch[0]!.value)).toThrow(/no id/)
  })

  it('with auto.register.schemas=false looks the schema up: missing, it fails with the registry\'s 404; registered, it is used', async () => {
    const registry = await openRegistry()
    const c = converter(registry, { 'auto.register.schemas': 'false' })
    const batch = [rec('orders', { id: 1, item: 'a', price: '2.00', at: null })]
    await expect(c.prepareFromConnectData(batch)!).rejects.toThrow(/Error retrieving Avro schema under subject 'orders-value'.*error code: 40401/)
    expect(await registry.getSubjects()).toEqual([])
    // Registered by someone else (here, a converter that may register).
    await converter(registry).prepareFromConnectData(batch)
    await c.prepareFromConnectData(batch)
    expect(c.fromConnectData('orders', row, batch[0]!.value)!.readInt32BE(1)).toBe((await registry.getVersion('orders-value', 1)).id)
  })

  it('reads back: fetches each unknown id once per batch, gives the subject\'s version; an unknown id fails only its records', async () => {
    const registry = await openRegistry()
    const writer = converter(registry)
    const v1 = { id: 5, item: 'kettle', price: '24.50', at: 1_700_000_000_123 }
    await writer.prepareFromConnectData([rec('orders', v1)])
    const bytes = Buffer.from(writer.fromConnectData('orders', row, v1)!)
    const { client, calls } = counted(registry)
    const reader = converter(client)
    const orphan = Buffer.from(bytes)
    orphan.writeInt32BE(999, 1)
    const batch = [raw('orders', bytes), raw('orders', bytes), raw('orders', orphan), raw('orders', null)]
    await reader.prepareToConnectData(batch)
    expect(calls.filter((x) => x.startsWith('getSchemaById'))).toEqual([`getSchemaById ${bytes.readInt32BE(1)}`, 'getSchemaById 999'])
    expect(reader.prepareToConnectData(batch)).toBeNull()
    const got = reader.toConnectData('orders', bytes)
    expect(got.value).toEqual(v1)
    expect(got.schema).toEqual({ ...row, version: 1 })
    expect(() => reader.toConnectData('orders', orphan)).toThrow(/schema 999|40403/)
    expect(reader.toConnectData('orders', null)).toEqual({ schema: null, value: null })
    expect(() => reader.toConnectData('orders', Buffer.from('{"json":true}'))).toThrow(/Unknown magic byte/)
  })

  it('writes and reads Debezium change events: the row struct defined once for before and after, tombstones as null values', async () => {
    const registry = await openRegistry()
    const source = Schemas.struct('io.debezium.connector.postgresql.Source', [{ name: 'db', schema: Schemas.string(false) }, { name: 'lsn', schema: Schemas.int64() }])
    const t = tableSchemas('pg', 'public', 'customers', [{ name: 'id', schema: Schemas.int32(false) }, { name: 'email', schema: Schemas.string() }, { name: 'since', schema: Schemas.timestamp() }], ['id'], source)
    const update = changeRecord(t, 'u', { id: 7, email: 'a@x', since: null }, { id: 7, email: 'b@x', since: 1_700_000_000_000 }, { db: 'shop', lsn: 2 ** 40 }, {}, {}, 1_700_000_000_500)
    const del = changeRecord(t, 'd', { id: 7, email: 'b@x', since: 1_700_000_000_000 }, null, { db: 'shop', lsn: null }, {}, {}, 1_700_000_000_600)
    const batch = [update, del, tombstone(del)]
    const k = converter(registry, {}, true)
    const v = converter(registry)
    await Promise.all([k.prepareFromConnectData(batch), v.prepareFromConnectData(batch)])
    expect(await registry.getSubjects()).toEqual(['pg.public.customers-key', 'pg.public.customers-value'])
    const envelope = JSON.parse((await registry.getVersion('pg.public.customers-value', 1)).schema) as { name: string; namespace: string; 'connect.version': number; fields: Array<{ name: string; type: unknown }> }
    expect([envelope.name, envelope.namespace, envelope['connect.version']]).toEqual(['Envelope', 'pg.public.customers', 1])
    expect(envelope.fields[1]).toEqual({ name: 'after', type: ['null', 'pg.public.customers.Value'], default: null })
    const bytes = batch.map((r) => ({ key: Buffer.from(k.fromConnectData(r.topic, r.keySchema, r.key)!), value: r.value === null ? null : Buffer.from(v.fromConnectData(r.topic, r.valueSchema, r.value)!) }))
    expect(bytes[2]!.value).toBeNull()
    const rk = converter(registry, {}, true)
    const rv = converter(registry)
    const consumed = bytes.map((b) => ({ topic: t.topic, ...b }))
    await Promise.all([rk.prepareToConnectData(consumed), rv.prepareToConnectData(consumed)])
    expect(consumed.map((c) => rv.toConnectData(c.topic, c.value).value)).toEqual([update.value, del.value, null])
    expect(consumed.map((c) => rk.toConnectData(c.topic, c.key).value)).toEqual([{ id: 7 }, { id: 7 }, { id: 7 }])
    expect(rv.toConnectData(t.topic, consumed[0]!.value).schema).toEqual(t.envelope)
  })

  it('an unreachable registry is retriable, on both sides', async () => {
    const url = `http://127.0.0.1:${await freePort()}`
    const c = new AvroConverter()
    c.configure({ 'schema.registry.url': url }, false)
    await expect(c.prepareFromConnectData([rec('orders', { id: 1, item: 'a', price: null, at: null })])!).rejects.toBeInstanceOf(RetriableException)
    const framed = Buffer.from([0, 0, 0, 0, 1, 2])
    await expect(c.prepareToConnectData([raw('orders', framed)])!).rejects.toBeInstanceOf(RetriableException)
  })
})

describe('AvroConverter and @kafkajs/confluent-schema-registry through Brook\'s REST API', () => {
  async function serve(): Promise<{ registry: TopicSchemaRegistry; server: RegistryServer }> {
    const registry = await openRegistry()
    const server = await startRegistryServer(registry, { port: 0 })
    closers.push(() => server.close())
    return { registry, server }
  }

  it('records the converter writes decode with the kafkajs client', async () => {
    const { server } = await serve()
    const c = new AvroConverter()
    c.configure({ 'schema.registry.url': server.url }, false)
    const values = [
      { id: 1, item: 'kettle', price: '24.50', at: 1_700_000_000_123 },
      { id: 2, item: 'mug', price: null, at: null },
    ]
    await c.prepareFromConnectData(values.map((v) => rec('orders', v)))
    const kafkajs = new SchemaRegistry({ host: server.url })
    const decoded: unknown[] = []
    for (const v of values) decoded.push(await kafkajs.decode(Buffer.from(c.fromConnectData('orders', row, v)!)))
    // kafkajs reads Avro as Avro is: the decimal as its unscaled two's complement bytes (2450 = 0x0992), the timestamp as a long.
    expect(decoded.map((d) => ({ ...(d as object) }))).toEqual([
      { id: 1, item: 'kettle', price: Buffer.from([0x09, 0x92]), at: 1_700_000_000_123 },
      { id: 2, item: 'mug', price: null, at: null },
    ])
    expect(await kafkajs.getLatestSchemaId('orders-value')).toBe((await c.registry().then((r) => r.getVersion('orders-value', 'latest'))).id)
  })

  it('bytes the kafkajs client encodes come back through toConnectData', async () => {
    const { server } = await serve()
    const kafkajs = new SchemaRegistry({ host: server.url })
    const schema = {
      type: 'record', name: 'Payment', namespace: 'bank',
      fields: [
        { name: 'id', type: 'long' },
        { name: 'kind', type: { type: 'enum', name: 'Kind', symbols: ['CARD', 'CASH'] } },
        { name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 9, scale: 2 } },
        { name: 'day', type: { type: 'int', logicalType: 'date' } },
        { name: 'note', type: ['null', 'string'], default: null },
        { name: 'tags', type: { type: 'array', items: 'string' } },
      ],
    }
    const { id } = await kafkajs.register({ type: SchemaType.AVRO, schema: JSON.stringify(schema) }, { subject: 'payments-value' })
    const bytes = await kafkajs.encode(id, { id: 42, kind: 'CASH', amount: Buffer.from([0xff, 0x38]), day: 19_000, note: 'tip', tags: ['x'] })
    const c = new AvroConverter()
    c.configure({ 'schema.registry.url': server.url }, false)
    await c.prepareToConnectData([raw('payments', bytes)])
    const got = c.toConnectData('payments', bytes)
    // -200 unscaled at scale 2.
    expect(got.value).toEqual({ id: 42, kind: 'CASH', amount: '-2.00', day: 19_000, note: 'tip', tags: ['x'] })
    expect(got.schema).toMatchObject({ type: 'struct', name: 'bank.Payment', version: 1 })
    expect(got.schema!.fields!.map((f) => [f.name, f.schema.type, f.schema.name ?? null, f.schema.optional])).toEqual([
      ['id', 'int64', null, false],
      ['kind', 'string', 'bank.Kind', false],
      ['amount', 'bytes', 'org.apache.kafka.connect.data.Decimal', false],
      ['day', 'int32', 'org.apache.kafka.connect.data.Date', false],
      ['note', 'string', null, true],
      ['tags', 'array', null, false],
    ])
  })
})

