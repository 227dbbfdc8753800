// The registry keeps its schemas through any BrookClient: over the Kafka protocol against
// Brook's server, and against Apache Kafka (the road out of one machine). Two registries race
// for ids over the wire, and a third one opened later reads what they agreed.
import { afterEach, describe, expect, it } from 'vitest'
import type { BrookClient } from '../../core/client/types.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { apacheKafkaClient, itOnApacheKafka } from '../streams/runtime/apache-kafka.js'
import { brookServerClient } from '../streams/runtime/helpers.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

async function scenario(client: BrookClient, topic: string): Promise<void> {
  const open = async (): Promise<TopicSchemaRegistry> => {
    const r = await TopicSchemaRegistry.open(client, { topic, log: () => {} })
    closers.push(() => r.close())
    return r
  }
  const [a, b] = [await open(), await open()]
  await a.setCompatibility('NONE')
  const schemas = Array.from({ length: 6 }, (_, i) => JSON.stringify({ type: 'record', name: `R${i}`, fields: [{ name: 'f', type: 'long' }] }))
  const ids = await Promise.all(schemas.map((s, i) => (i % 2 === 0 ? a : b).register('s-value', { schema: s })))
  expect(new Set(ids).size).toBe(schemas.length)
  const c = await open()
  expect(await c.getVersions('s-value')).toEqual([1, 2, 3, 4, 5, 6])
  for (const [i, s] of schemas.entries()) expect(JSON.parse((await c.getSchemaById(ids[i]!)).schema)).toEqual(JSON.parse(s))
  expect(await c.getCompatibility()).toBe('NONE')
}

describe('TopicSchemaRegistry over the Kafka protocol', () => {
  it("on Brook's server", async () => {
    const { client } = await brookServerClient(closers)
    await scenario(client, '_schemas')
  }, 30_000)

  itOnApacheKafka('on Apache Kafka', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    await scenario(client, `_schemas-${suffix}`)
  }, 60_000)
})
