// The AVRO format where users go when they outgrow one machine: the engine on Apache Kafka, its
// schemas in the _schemas topic of that cluster (skipped on a laptop without
// BROOK_KAFKA_BOOTSTRAP; required under CI=true).
import { afterEach, describe, expect } from 'vitest'
import { AvroSerde } from '../../registry/serde/avro-serde.js'
import { TopicSchemaRegistry } from '../../registry/store/topic-registry.js'
import { tmpDir } from '../helpers/tmp.js'
import { apacheKafkaClient, itOnApacheKafka } from '../streams/runtime/apache-kafka.js'
import { engineOn, waitFor } from './engine-harness.js'

const closers: Array<() => Promise<void>> = []
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c()
})

describe('AVRO on Apache Kafka', () => {
  itOnApacheKafka('registers, writes and reads Avro through the cluster\'s _schemas topic', async () => {
    const { client, suffix } = await apacheKafkaClient(closers)
    const name = `avro_${suffix.replace(/-/g, '_')}`
    const engine = await engineOn(client, tmpDir(), `${name}_`)
    closers.push(() => engine.close())
    await engine.execute("SET 'auto.offset.reset'='earliest';")
    await engine.execute(`CREATE STREAM ${name} (id INT KEY, who STRING, n BIGINT) WITH (KAFKA_TOPIC='${name}', VALUE_FORMAT='AVRO', PARTITIONS=1);`)
    await engine.execute(`CREATE STREAM ${name}_big AS SELECT id, who, n * 10 AS n10 FROM ${name} WHERE n > 1 EMIT CHANGES;`)
    for (const [id, who, n] of [[1, 'ana', 5], [2, 'bo', 1], [3, 'cy', 7]] as const) await engine.execute(`INSERT INTO ${name} (id, who, n) VALUES (${id}, '${who}', ${n});`)
    // Any other application on the cluster reads them with the cluster's registry.
    const registry = await TopicSchemaRegistry.open(client, { log: () => {} })
    closers.push(() => registry.close())
    const reader = await AvroSerde.create<Record<string, unknown>>(registry)
    const sink = `${name}_big`.toUpperCase()
    const rows = await waitFor(async () => (await engine.runtime.read(sink, true, 10, 500)).map((r) => reader.deserialize(sink, r.value)), (r) => r.length === 2, 60_000)
    expect(rows).toEqual([{ WHO: 'ana', N10: 50 }, { WHO: 'cy', N10: 70 }])
    expect((await registry.getSubjects()).filter((s) => s.includes(name) || s.includes(sink))).toEqual([`${name}-value`, `${sink}-value`].sort())
  }, 120_000)
})
