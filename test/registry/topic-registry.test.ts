// The registry's contract on both implementations of SchemaRegistryClient: TopicSchemaRegistry
// on the embedded broker, and HttpSchemaRegistryClient through Brook's REST API in front of it
// (so the API answers each case as the in-process registry does). Then what only the topic
// registry does: state rebuilt from the topic, two registries racing for ids on one topic.
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { SchemaRegistryException } from '../../registry/errors.js'
import { HttpSchemaRegistryClient } from '../../registry/http/client.js'
import { startRegistryServer } from '../../registry/http/server.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import type { SchemaRegistryClient } from '../../registry/types.js'
import { tmpDir } from '../helpers/tmp.js'
import { openRegistry } from './helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function open(dataDir = tmpDir()): Promise<{ client: EmbeddedClient; registry: TopicSchemaRegistry; dataDir: string }> {
  return { ...(await openRegistry(closers, dataDir)), dataDir }
}

const user = (...fields: Array<{ name: string; type: unknown; default?: unknown }>): string => JSON.stringify({ type: 'record', name: 'User', namespace: 'com.example', fields })
const V1 = user({ name: 'id', type: 'long' })
const V2 = user({ name: 'id', type: 'long' }, { name: 'email', type: ['null', 'string'], default: null })
const V2_NO_DEFAULT = user({ name: 'id', type: 'long' }, { name: 'email', type: 'string' })

async function rejected(p: Promise<unknown>): Promise<SchemaRegistryException> {
  const err = await p.then(
    () => null,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(SchemaRegistryException)
  return err as SchemaRegistryException
}

const implementations: Array<[string, () => Promise<SchemaRegistryClient>]> = [
  ['in process (TopicSchemaRegistry)', async () => (await open()).registry],
  [
    'over the REST API (HttpSchemaRegistryClient)',
    async () => {
      const server = await startRegistryServer((await open()).registry, { port: 0 })
      closers.push(() => server.close())
      return new HttpSchemaRegistryClient(server.url)
    },
  ],
]

describe.each(implementations)('the registry %s', (_name, make) => {
  it('registers versions with global ids, the same id for the same schema, idempotently', async () => {
    const registry = await make()
    const id1 = await registry.register('users-value', { schema: V1 })
    expect(await registry.register('users-value', { schema: V1 })).toBe(id1)
    // Whitespace and key order do not make another schema.
    expect(await registry.register('users-value', { schema: JSON.stringify(JSON.parse(V1), null, 2) })).toBe(id1)
    const id2 = await registry.register('users-value', { schema: V2 })
    expect(id2).not.toBe(id1)
    expect(await registry.register('archive-value', { schema: V2 })).toBe(id2)
    expect(await registry.getVersions('users-value')).toEqual([1, 2])
    expect(await registry.getVersions('archive-value')).toEqual([1])
    expect((await registry.getVersion('users-value', 'latest')).id).toBe(id2)
    expect((await registry.lookup('users-value', { schema: V1 })).version).toBe(1)
    expect(JSON.parse((await registry.getSchemaById(id1)).schema)).toEqual(JSON.parse(V1))
    expect(await registry.getSubjectVersionsById(id2)).toEqual([{ subject: 'archive-value', version: 1 }, { subject: 'users-value', version: 2 }])
    expect(await registry.getSubjects()).toEqual(['archive-value', 'users-value'])
  })

  it('refuses what the compatibility level forbids and writes nothing for it', async () => {
    const registry = await make()
    await registry.register('users-value', { schema: V1 })
    // BACKWARD (the default): a new field without a default cannot be read from old records.
    const e = await rejected(registry.register('users-value', { schema: V2_NO_DEFAULT }))
    expect(e.code).toBe('INCOMPATIBLE_SCHEMA')
    expect(e.errorCode).toBe(409)
    expect(e.message).toMatch(/email/)
    expect(await registry.getVersions('users-value')).toEqual([1])
    expect((await registry.testCompatibility('users-value', { schema: V2_NO_DEFAULT })).isCompatible).toBe(false)
    expect((await registry.testCompatibility('users-value', { schema: V2 }, 'latest')).isCompatible).toBe(true)
    // FORWARD: the old schema must read the new one's records; dropping a field without a default breaks that.
    await registry.setCompatibility('FORWARD', 'users-value')
    expect(await registry.getCompatibility('users-value')).toBe('FORWARD')
    await registry.register('users-value', { schema: V2_NO_DEFAULT })
    const dropped = user({ name: 'email', type: 'string' })
    expect((await rejected(registry.register('users-value', { schema: dropped }))).code).toBe('INCOMPATIBLE_SCHEMA')
    await registry.setCompatibility('NONE', 'users-value')
    expect(await registry.register('users-value', { schema: dropped })).toBeGreaterThan(0)
    // Subject-level config unset: 40408 unless asked for the global default.
    expect((await rejected(registry.getCompatibility('other'))).errorCode).toBe(40408)
    expect(await registry.getCompatibility('other', { defaultToGlobal: true })).toBe('BACKWARD')
  })

  it('checks every version under a _TRANSITIVE level and only the latest otherwise', async () => {
    const registry = await make()
    const a = user({ name: 'id', type: 'long' }, { name: 'x', type: 'string' })
    const b = user({ name: 'id', type: 'long' }, { name: 'x', type: 'string', default: '' })
    const c = user({ name: 'id', type: 'long' })
    await registry.setCompatibility('FORWARD', 's')
    await registry.register('s', { schema: a })
    await registry.register('s', { schema: b })
    // c drops x: b (x has a default) reads c's records; a (x without default) does not.
    await registry.setCompatibility('FORWARD_TRANSITIVE', 's')
    expect((await rejected(registry.register('s', { schema: c }))).message).toMatch(/s version 1/)
    await registry.setCompatibility('FORWARD', 's')
    expect(await registry.register('s', { schema: c })).toBeGreaterThan(0)
  })

  it('refuses bad input by name: invalid Avro, other schema types, references, bad versions and levels', async () => {
    const registry = await make()
    const bad = await rejected(registry.register('s', { schema: '{"type":"record","name":"X","fields":[{"name":"a","type":"nope"}]}' }))
    expect([bad.code, bad.errorCode, bad.field]).toEqual(['INVALID_SCHEMA', 42201, 'schema'])
    expect((await rejected(registry.register('s', { schema: '{not json' }))).errorCode).toBe(42201)
    expect((await rejected(registry.register('s', { schema: '{}', schemaType: 'PROTOBUF' }))).field).toBe('schemaType')
    expect((await rejected(registry.register('s', { schema: '"long"', references: [{ name: 'x', subject: 'y', version: 1 }] }))).field).toBe('references')
    expect((await rejected(registry.getVersion('s', 0))).errorCode).toBe(42202)
    expect((await rejected(registry.getVersion('missing', 1))).errorCode).toBe(40401)
    await registry.register('s', { schema: '"long"' })
    expect((await rejected(registry.getVersion('s', 9))).errorCode).toBe(40402)
    expect((await rejected(registry.getSchemaById(99))).errorCode).toBe(40403)
    expect((await rejected(registry.setCompatibility('SIDEWAYS' as never))).errorCode).toBe(42203)
    // Nothing of the refused registrations was written.
    expect(await registry.getSubjects()).toEqual(['s'])
    expect(await registry.getVersions('s')).toEqual([1])
  })

  it('soft-deletes, then permanently deletes, and numbers new versions after the deleted ones', async () => {
    const registry = await make()
    const id = await registry.register('s', { schema: V1 })
    await registry.register('s', { schema: V2 })
    expect((await rejected(registry.deleteSubject('s', { permanent: true }))).errorCode).toBe(40405)
    expect(await registry.deleteVersion('s', 'latest')).toBe(2)
    expect(await registry.getVersions('s')).toEqual([1])
    expect(await registry.getVersions('s', { deleted: true })).toEqual([1, 2])
    expect(await registry.deleteSubject('s')).toEqual([1])
    expect(await registry.getSubjects()).toEqual([])
    expect(await registry.getSubjects({ deleted: true })).toEqual(['s'])
    // An id stays readable after its subject is deleted: records written with it still decode.
    expect(JSON.parse((await registry.getSchemaById(id)).schema)).toEqual(JSON.parse(V1))
    expect(await registry.deleteSubject('s', { permanent: true })).toEqual([1, 2])
    expect(await registry.getSubjects({ deleted: true })).toEqual([])
    // Registering again starts the subject over; the schema keeps its id.
    expect(await registry.register('s', { schema: V1 })).toBe(id)
  })

})

describe('TopicSchemaRegistry', () => {
  it('rebuilds everything from the topic after a restart', async () => {
    const dataDir = tmpDir()
    const client = await EmbeddedClient.open({ dataDir })
    const first = await TopicSchemaRegistry.open(client, { log: () => {} })
    const id1 = await first.register('a', { schema: V1 })
    const id2 = await first.register('a', { schema: V2 })
    await first.setCompatibility('FULL')
    await first.deleteVersion('a', 1)
    await first.close()
    await client.close()
    const { registry } = await open(dataDir)
    expect(await registry.getVersions('a', { deleted: true })).toEqual([1, 2])
    expect(await registry.getVersions('a')).toEqual([2])
    expect((await registry.getVersion('a', 2)).id).toBe(id2)
    expect(JSON.parse((await registry.getSchemaById(id1)).schema)).toEqual(JSON.parse(V1))
    expect(await registry.getCompatibility()).toBe('FULL')
    expect(await registry.register('b', { schema: '"string"' })).toBe(Math.max(id1, id2) + 1)
  })

  it('two registries on one topic never give one id to two schemas: the log decides, the loser retries', async () => {
    const { client, registry: a } = await open()
    const b = await TopicSchemaRegistry.open(client, { log: () => {} })
    closers.push(() => b.close())
    await a.setCompatibility('NONE') // unrelated records under one subject
    const schemas = Array.from({ length: 12 }, (_, i) => JSON.stringify({ type: 'record', name: `R${i}`, fields: [{ name: 'f', type: 'int' }] }))
    // Both write at once, each unaware of the other's latest records.
    const ids = await Promise.all(schemas.map((s, i) => (i % 2 === 0 ? a : b).register(`subject-${i % 3}`, { schema: s })))
    expect(new Set(ids).size).toBe(schemas.length)
    // The race happened: claims were voided by the log's order (and retried), the same ones for both readers.
    await Promise.all([a.sync(), b.sync()])
    expect(a.skippedRecords.length).toBeGreaterThan(0)
    expect(b.skippedRecords.map((r) => r.offset)).toEqual(a.skippedRecords.map((r) => r.offset))
    for (const [i, s] of schemas.entries()) {
      for (const r of [a, b]) expect(JSON.parse((await r.getSchemaById(ids[i]!)).schema)).toEqual(JSON.parse(s))
    }
    // Both see the same versions, each schema once, in the same order.
    for (let k = 0; k < 3; k++) {
      const va = await a.getVersions(`subject-${k}`)
      expect(await b.getVersions(`subject-${k}`)).toEqual(va)
      expect(va).toHaveLength(4)
    }
    // What one registry adds, the other's latest version and version list show at once (no miss needed).
    const extra = await a.register('subject-0', { schema: JSON.stringify({ type: 'record', name: 'Extra', fields: [] }) })
    expect((await b.getVersion('subject-0', 'latest')).id).toBe(extra)
    expect(await b.getVersions('subject-0')).toHaveLength(5)
    // The same schema registered from both at once gets one id.
    const same = JSON.stringify({ type: 'record', name: 'Same', fields: [] })
    const [x, y] = await Promise.all([a.register('p', { schema: same }), b.register('q', { schema: same })])
    expect(x).toBe(y)
  })

  it('refuses a schemas topic with more than one partition', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    closers.push(() => client.close())
    await client.admin().createTopics([{ topic: 'many', numPartitions: 3 }])
    const e = await rejected(TopicSchemaRegistry.open(client, { topic: 'many' }))
    expect(e.field).toBe('topic')
    expect(e.message).toMatch(/3 partitions/)
  })
})
