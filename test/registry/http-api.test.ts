// Brook's registry REST API against a real Confluent Schema Registry client
// (@kafkajs/confluent-schema-registry, the one TypeScript Kafka apps use), both ways through
// Confluent's wire format with Brook's AvroSerde; and the API's answers to bad requests.
import { SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry'
import { afterEach, describe, expect, it } from 'vitest'
import { startRegistryServer, type RegistryServer } from '../../registry/http/server.js'
import { AvroSerde } from '../../registry/serde/avro-serde.js'
import { type TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { openRegistry } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function serve(): Promise<{ registry: TopicSchemaRegistry; server: RegistryServer }> {
  const { registry } = await openRegistry(closers)
  const server = await startRegistryServer(registry, { port: 0 })
  closers.push(() => server.close())
  return { registry, server }
}

const ORDER = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'item', type: 'string' },
    { name: 'price', type: 'double' },
  ],
} as const
const ORDER_V2 = { ...ORDER, fields: [...ORDER.fields, { name: 'coupon', type: ['null', 'string'], default: null }] }

describe('registry REST API', () => {
  it('serves @kafkajs/confluent-schema-registry: register, look up, encode and decode both ways with Brook\'s AvroSerde', async () => {
    const { registry, server } = await serve()
    const kafkajs = new SchemaRegistry({ host: server.url })
    const { id } = await kafkajs.register({ type: SchemaType.AVRO, schema: JSON.stringify(ORDER) }, { subject: 'orders-value' })
    expect(await kafkajs.getLatestSchemaId('orders-value')).toBe(id)
    expect(await kafkajs.getRegistryIdBySchema('orders-value', { type: SchemaType.AVRO, schema: JSON.stringify(ORDER) })).toBe(id)
    // The client set the subject's level on first registration (PUT /config/{subject}); Brook kept it.
    expect(await registry.getCompatibility('orders-value')).toBe('BACKWARD')

    // kafkajs writes, Brook reads.
    const order = { id: 7, item: 'kettle', price: 24.5 }
    const fromKafkajs = await kafkajs.encode(id, order)
    const serde = await AvroSerde.create(registry, { schema: ORDER_V2, topics: ['orders'] })
    expect(serde.deserialize('orders', fromKafkajs)).toEqual({ ...order, coupon: null })
    // Brook writes (with v2, registered as version 2), kafkajs reads.
    const v2 = { id: 8, item: 'mug', price: 6, coupon: 'SPRING' }
    const fromBrook = serde.serialize('orders', v2)!
    expect(fromBrook.readInt32BE(1)).toBe(serde.schemaId)
    expect(serde.schemaId).not.toBe(id)
    expect(await kafkajs.decode(fromBrook)).toEqual(v2)
    expect(await registry.getVersions('orders-value')).toEqual([1, 2])
    // An incompatible registration through kafkajs is refused with Confluent's 409.
    const broken = { ...ORDER, fields: [{ name: 'id', type: 'string' }] }
    await expect(kafkajs.register({ type: SchemaType.AVRO, schema: JSON.stringify(broken) }, { subject: 'orders-value' })).rejects.toThrow(/incompatible/)
  })

  it('answers bad requests with Confluent\'s error bodies and keeps serving', async () => {
    const { server } = await serve()
    const call = async (method: string, path: string, body?: string): Promise<[number, unknown, string | null]> => {
      const res = await fetch(`${server.url}${path}`, { method, ...(body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } }) })
      return [res.status, await res.json(), res.headers.get('content-type')]
    }
    const [status, body, type] = await call('GET', '/subjects/missing/versions')
    expect([status, body, type]).toEqual([404, { error_code: 40401, message: "Subject 'missing' not found.", field: 'subject' }, 'application/vnd.schemaregistry.v1+json'])
    expect((await call('POST', '/subjects/s/versions', '{"schema": "{broken"}'))[0]).toBe(422)
    expect((await call('POST', '/subjects/s/versions', '{not json'))).toEqual([400, expect.objectContaining({ error_code: 400 }), expect.any(String)])
    expect((await call('GET', '/subjects/s/versions/x'))[1]).toEqual(expect.objectContaining({ error_code: 42202 }))
    expect((await call('PUT', '/config', '{"compatibility":"SOMETIMES"}'))[1]).toEqual(expect.objectContaining({ error_code: 42203 }))
    expect((await call('GET', '/no/such/path'))[0]).toBe(404)
    expect((await call('DELETE', '/schemas/types'))[0]).toBe(405)
    expect((await call('GET', '/subjects/%E0%A4%A/versions'))[0]).toBe(400)
    // Still serving, and nothing was written by the refused requests.
    expect(await call('GET', '/subjects')).toEqual([200, [], 'application/vnd.schemaregistry.v1+json'])
    expect((await call('POST', '/subjects/a%2Fb/versions', '{"schema":"\\"long\\""}'))).toEqual([200, { id: 1 }, expect.any(String)])
    expect((await call('GET', '/subjects'))[1]).toEqual(['a/b'])
    expect((await call('GET', '/schemas/ids/1'))[1]).toEqual({ schema: '"long"' })
    expect((await call('GET', '/schemas/types'))[1]).toEqual(['AVRO'])
  })

  it('answers a body over the limit with 400 naming it, and goes on serving', async () => {
    const { registry } = await serve()
    const small = await startRegistryServer(registry, { port: 0, maxBodyBytes: 1024 })
    closers.push(() => small.close())
    const res = await fetch(`${small.url}/subjects/big/versions`, { method: 'POST', body: JSON.stringify({ schema: JSON.stringify({ type: 'record', name: 'R', doc: 'x'.repeat(4096), fields: [] }) }) })
    expect(res.status).toBe(400)
    expect(await res.json()).toEqual({ error_code: 400, message: 'Request body larger than 1024 bytes', field: 'body' })
    expect(await (await fetch(`${small.url}/subjects/ok/versions`, { method: 'POST', body: '{"schema":"\\"int\\""}' })).json()).toEqual({ id: 1 })
    expect(await registry.getSubjects()).toEqual(['ok'])
  })
})
