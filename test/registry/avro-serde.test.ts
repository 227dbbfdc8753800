// AvroSerde: Confluent's wire format with the registry's schemas, schema evolution on read,
// a schema registered after the serde was made, bad bytes, and a Brook Streams application
// reading and writing registry-framed Avro on the embedded broker.
import { afterEach, describe, expect, it } from 'vitest'
import { SchemaRegistryException } from '../../registry/errors.js'
import { HttpSchemaRegistryClient } from '../../registry/http/client.js'
import { startRegistryServer } from '../../registry/http/server.js'
import { AvroSerde } from '../../registry/serde/avro-serde.js'
import { Consumed, KafkaStreams, Produced, Serdes, StreamsBuilder } from '../../streams/index.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from '../helpers/wait.js'
import { openRegistry } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

const setup = (): ReturnType<typeof openRegistry> => openRegistry(closers)

const READING = { type: 'record', name: 'Reading', fields: [{ name: 'sensor', type: 'string' }, { name: 'celsius', type: 'double' }] }
const READING_V2 = { ...READING, fields: [...READING.fields, { name: 'unit', type: 'string', default: 'C' }] }

function error(f: () => unknown): SchemaRegistryException {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(SchemaRegistryException)
    return e as SchemaRegistryException
  }
  throw new Error('expected an error')
}

describe('AvroSerde', () => {
  it('frames records with the schema id and reads older and newer writers into its own schema', async () => {
    const { registry } = await setup()
    const v1 = await AvroSerde.create<{ sensor: string; celsius: number }>(registry, { schema: READING, topics: ['readings'] })
    const bytes = v1.serialize('readings', { sensor: 's1', celsius: 21.5 })!
    expect(bytes[0]).toBe(0)
    expect(bytes.readInt32BE(1)).toBe(v1.schemaId)
    expect(await registry.getVersions('readings-value')).toEqual([1])
    const v2 = await AvroSerde.create<Record<string, unknown>>(registry, { schema: READING_V2, topics: ['readings'] })
    expect(v2.deserialize('readings', bytes)).toEqual({ sensor: 's1', celsius: 21.5, unit: 'C' })
    const newer = v2.serialize('readings', { sensor: 's2', celsius: 3, unit: 'F' })!
    // An older reader drops the field it does not know.
    expect(v1.deserialize('readings', newer)).toEqual({ sensor: 's2', celsius: 3 })
    // A serde without a schema reads each record as its writer wrote it, and cannot write.
    const generic = await AvroSerde.create(registry)
    expect(generic.deserialize('readings', newer)).toEqual({ sensor: 's2', celsius: 3, unit: 'F' })
    expect(error(() => generic.serialize('readings', {})).field).toBe('schema')
    // Records larger than the serde's buffer, and smaller ones after them, keep their header and bytes.
    const big = { sensor: 'x'.repeat(5000), celsius: 1.5 }
    const bigBytes = v1.serialize('readings', big)!
    const small = v1.serialize('readings', { sensor: 's', celsius: 2 })!
    expect(bigBytes.readInt32BE(1)).toBe(v1.schemaId)
    expect(v1.deserialize('readings', bigBytes)).toEqual(big)
    expect(v1.deserialize('readings', small)).toEqual({ sensor: 's', celsius: 2 })
    expect(small.length).toBe(5 + 2 + 8)
    expect(v1.serialize('readings', null)).toBeNull()
    expect(v1.deserialize('readings', null)).toBeNull()
  })

  it('registers under a topic first written after create, and reports a refusal at the next record', async () => {
    const { registry } = await setup()
    const serde = await AvroSerde.create(registry, { schema: READING, topics: ['a'], log: () => {} })
    serde.serialize('b', { sensor: 'x', celsius: 1 })
    await waitFor('b-value registered', async () => (await registry.getSubjects()).includes('b-value'))
    expect((await registry.getVersion('b-value', 1)).id).toBe(serde.schemaId)
    // A schema with logical types registers as itself under a later topic too (same id, and records keep going).
    const money = { type: 'record', name: 'Money', fields: [{ name: 'amount', type: { type: 'bytes', logicalType: 'decimal', precision: 10, scale: 2 } }] }
    const m = await AvroSerde.create(registry, { schema: money, topics: ['m1'], log: () => {} })
    m.serialize('m2', { amount: Buffer.from([0x09, 0x92]) })
    await waitFor('m2-value registered', async () => (await registry.getSubjects()).includes('m2-value'))
    expect((await registry.getVersion('m2-value', 1)).id).toBe(m.schemaId)
    expect(m.serialize('m2', { amount: Buffer.from([0x01]) })!.readInt32BE(1)).toBe(m.schemaId)
    // A topic whose subject holds an incompatible schema: the registration fails and the next record says so.
    await registry.register('c-value', { schema: JSON.stringify({ type: 'record', name: 'Reading', fields: [{ name: 'other', type: 'int' }] }) })
    serde.serialize('c', { sensor: 'x', celsius: 1 })
    await waitFor('refusal reported', () => {
      try {
        serde.serialize('c', { sensor: 'x', celsius: 1 })
        return false
      } catch (e) {
        return e instanceof SchemaRegistryException && e.code === 'INCOMPATIBLE_SCHEMA'
      }
    })
  })

  it('finds a schema registered after it was made: at once in process, after a read of the registry over REST', async () => {
    const { registry } = await setup()
    const server = await startRegistryServer(registry, { port: 0 })
    closers.push(() => server.close())
    const inProcess = await AvroSerde.create(registry, { schema: READING_V2 })
    const reader = await AvroSerde.create(new HttpSchemaRegistryClient(server.url), { schema: READING_V2, log: () => {} })
    const writer = await AvroSerde.create(registry, { schema: READING, topics: ['late'] })
    const bytes = writer.serialize('late', { sensor: 's', celsius: 0 })!
    expect(inProcess.deserialize('late', bytes)).toEqual({ sensor: 's', celsius: 0, unit: 'C' })
    // Over REST the first record fails naming the id while the registry is read again; later ones decode.
    const e = error(() => reader.deserialize('late', bytes))
    expect(e.code).toBe('SCHEMA_NOT_FOUND')
    expect(e.message).toContain(`Schema ${writer.schemaId}`)
    await reader.settled()
    expect(reader.deserialize('late', bytes)).toEqual({ sensor: 's', celsius: 0, unit: 'C' })
  })

  it('refuses bytes that are not registry-framed and values that do not fit the schema, by name', async () => {
    const { registry } = await setup()
    const serde = await AvroSerde.create(registry, { schema: READING, topics: ['t'] })
    expect(error(() => serde.deserialize('t', Buffer.from('{"json":1}'))).message).toMatch(/magic byte 0/)
    expect(error(() => serde.deserialize('t', Buffer.from([0, 0]))).message).toMatch(/too short/)
    const good = serde.serialize('t', { sensor: 's', celsius: 1 })!
    expect(error(() => serde.deserialize('t', good.subarray(0, good.length - 3))).message).toMatch(/does not decode with schema/)
    expect(error(() => serde.serialize('t', { sensor: 5 })).field).toBe('value')
    const noTopics = await AvroSerde.create(registry, { schema: READING })
    expect(error(() => noTopics.serialize('t', { sensor: 's', celsius: 1 })).field).toBe('topics')
    // A registry holding schemas this serde cannot read does not stop it; a record written with one
    // fails naming the id.
    const other = await AvroSerde.create(registry, { schema: { type: 'record', name: 'Other', fields: [{ name: 'x', type: 'int' }] }, topics: ['o'] })
    const stranger = other.serialize('o', { x: 1 })!
    const reading = await AvroSerde.create(registry, { schema: READING })
    const e = error(() => reading.deserialize('o', stranger))
    expect([e.code, e.field]).toEqual(['INCOMPATIBLE_SCHEMA', 'id'])
    expect(e.message).toContain(`schema ${other.schemaId}`)
    expect(reading.deserialize('t', good)).toEqual({ sensor: 's', celsius: 1 })
  })

  it('serves a Brook Streams application: registry-framed Avro in, filtered and enriched, registry-framed Avro out', async () => {
    const { client, registry } = await setup()
    await client.admin().createTopics([
      { topic: 'readings', numPartitions: 2 },
      { topic: 'hot', numPartitions: 2 },
    ])
    type R = { sensor: string; celsius: number; unit?: string }
    const input = await AvroSerde.create<R>(registry, { schema: READING, topics: ['readings'] })
    const output = await AvroSerde.create<R>(registry, { schema: READING_V2, topics: ['hot'] })
    const b = new StreamsBuilder()
    b.stream<string, R>('readings', Consumed.with(Serdes.String(), input))
      .filter((_k, v) => v.celsius > 30)
      .mapValues((v): R => ({ ...v, unit: 'C' }))
      .to('hot', Produced.with(Serdes.String(), output))
    const streams = new KafkaStreams(b.build(), client, { applicationId: 'avro-app', stateDir: tmpDir(), commitIntervalMs: 100 })
    closers.push(() => streams.close())
    await streams.start()
    const producer = client.producer()
    const sent = Array.from({ length: 40 }, (_, i) => ({ sensor: `s${i % 4}`, celsius: i }))
    await producer.sendBatch(sent.map((r) => ({ topic: 'readings', key: r.sensor, value: input.serialize('readings', r) })))
    await producer.close()
    const consumer = client.consumer({ groupId: 'check', autoOffsetReset: 'earliest' })
    consumer.subscribe(['hot'])
    const got: R[] = []
    await waitFor('9 hot readings', async () => {
      for (const r of await consumer.poll(100)) got.push(output.deserialize('hot', r.value)!)
      return got.length >= 9
    })
    await consumer.close()
    expect(got.map((r) => r.celsius).sort((x, y) => x - y)).toEqual([31, 32, 33, 34, 35, 36, 37, 38, 39])
    expect(got.every((r) => r.unit === 'C')).toBe(true)
    expect(await registry.getSubjects()).toEqual(['hot-value', 'readings-value'])
  }, 30_000)

  it('a Streams application reading over REST waits for a schema registered after it started, and loses nothing', async () => {
    const { client, registry } = await setup()
    const server = await startRegistryServer(registry, { port: 0 })
    closers.push(() => server.close())
    await client.admin().createTopics([{ topic: 'readings', numPartitions: 1 }, { topic: 'celsius', numPartitions: 1 }])
    type R = { sensor: string; celsius: number; unit?: string }
    const input = await AvroSerde.create<R>(new HttpSchemaRegistryClient(server.url), { schema: READING_V2 })
    const b = new StreamsBuilder()
    b.stream<string, R>('readings', Consumed.with(Serdes.String(), input))
      .mapValues((v) => `${v.sensor}=${v.celsius}${v.unit ?? '?'}`)
      .to('celsius', Produced.with(Serdes.String(), Serdes.String()))
    // Default handler (logAndFail): a record that could not be read would fail the application.
    const streams = new KafkaStreams(b.build(), client, { applicationId: 'late-schema', stateDir: tmpDir(), commitIntervalMs: 50 })
    closers.push(() => streams.close())
    await streams.start()
    // Written with schemas the app's serde has never seen: v1, then v2, both registered after it started.
    const v1 = await AvroSerde.create<R>(registry, { schema: READING, topics: ['readings'] })
    const v2 = await AvroSerde.create<R>(registry, { schema: READING_V2, topics: ['readings'] })
    const producer = client.producer()
    await producer.sendBatch([
      { topic: 'readings', key: 's1', value: v1.serialize('readings', { sensor: 's1', celsius: 20 }) },
      { topic: 'readings', key: 's2', value: v2.serialize('readings', { sensor: 's2', celsius: 68, unit: 'F' }) },
      { topic: 'readings', key: 's3', value: v1.serialize('readings', { sensor: 's3', celsius: -4 }) },
    ])
    await producer.close()
    const consumer = client.consumer({ groupId: 'check-late', autoOffsetReset: 'earliest' })
    consumer.subscribe(['celsius'])
    const got: string[] = []
    await waitFor('3 readings', async () => {
      for (const r of await consumer.poll(100)) got.push(r.value!.toString())
      return got.length >= 3
    })
    await consumer.close()
    expect(got).toEqual(['s1=20C', 's2=68F', 's3=-4C'])
    expect(streams.state).toBe('RUNNING')
  }, 30_000)
})
