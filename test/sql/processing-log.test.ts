// The processing log as a topic and the KSQL_PROCESSING_LOG stream (ksqlDB's record shape), with
// deserialization and function errors pointing at the record being processed, also after a repartition.
import { describe, expect, it } from 'vitest'
import { KsqlEngine, type Command, type CommandLog } from '../../sql/engine/engine.js'
import { DriverRuntime } from '../../sql/engine/driver-runtime.js'
import { createBuiltinRegistry, scalar, sig, param, STRING, INTEGER } from '../../sql/functions/index.js'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { StreamsRuntime } from '../../sql/engine/streams-runtime.js'
import { CommandTopic } from '../../sql/engine/command-topic.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from './engine-harness.js'

const LOG_TOPIC = 'default_ksql_processing_log'

/** BOOM(v): the length of v; throws on 'boom'. */
function registryWithBoom() {
  const registry = createBuiltinRegistry()
  registry.register(scalar('BOOM', 'USER', 'Fails on boom', [
    sig([param('v', STRING)], INTEGER, (v: unknown) => {
      if (v === 'boom') throw new Error('boom is not allowed', { cause: new Error('inner cause') })
      return (v as string).length
    }),
  ]))
  return registry
}

const parse = (b: Buffer | null): Record<string, any> => JSON.parse(b!.toString('utf8')) as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any

describe('processing log topic and stream', () => {
  it('writes a deserialization error in ksqlDB shape to the topic, readable through KSQL_PROCESSING_LOG', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt, properties: { 'ksql.logging.processing.rows.include': 'true' } })
    expect(e.source('KSQL_PROCESSING_LOG')?.topic).toBe(LOG_TOPIC)
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v + 1 AS w FROM s;")
    await e.execute("SET 'auto.offset.reset'='earliest'; CREATE STREAM errors AS SELECT LOGGER, MESSAGE->TYPE AS T, MESSAGE->DESERIALIZATIONERROR->ERRORMESSAGE AS MSG, MESSAGE->DESERIALIZATIONERROR->RECORDB64 AS B64, MESSAGE->DESERIALIZATIONERROR->`topic` AS TOPIC, MESSAGE->DESERIALIZATIONERROR->`OFFSET` AS OFF FROM KSQL_PROCESSING_LOG;")
    await rt.produce('s', Buffer.from([0, 0, 0, 2]), Buffer.from('{"v": 1}'), 0, [])
    await rt.produce('s', Buffer.from([0, 0, 0, 1]), Buffer.from('{not json'), 0, [])
    await e.flushProcessingLog()
    const logged = rt.records(LOG_TOPIC)
    expect(logged).toHaveLength(1)
    expect(logged[0]!.key).toBeNull()
    const rec = parse(logged[0]!.value)
    expect(rec).toMatchObject({ level: 'ERROR', logger: 'processing.CSAS_O_1.KsqlTopic.Source.deserializer', message: { type: 0, recordProcessingError: null, productionError: null, serializationError: null, kafkaStreamsThreadError: null } })
    expect(typeof rec.time).toBe('number')
    expect(rec.message.deserializationError).toMatchObject({ target: 'value', recordB64: Buffer.from('{not json').toString('base64'), topic: 's', partition: 0, offset: 1 })
    expect(rec.message.deserializationError.errorMessage).toContain('Failed to deserialize value from topic: s.')
    // the stream reads the topic with ksqlDB's columns
    const rows = rt.records('ERRORS').map((r) => parse(r.value))
    expect(rows).toEqual([{ LOGGER: 'processing.CSAS_O_1.KsqlTopic.Source.deserializer', T: 0, MSG: rec.message.deserializationError.errorMessage, B64: Buffer.from('{not json').toString('base64'), TOPIC: 's', OFF: 1 }])
    await e.close()
  })

  it('leaves record bytes out unless ksql.logging.processing.rows.include, and can be turned off', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt })
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v FROM s;")
    await rt.produce('s', null, Buffer.from('nope'), 0, [])
    await e.flushProcessingLog()
    expect(parse(rt.records(LOG_TOPIC)[0]!.value).message.deserializationError.recordB64).toBeNull()
    await e.close()
    const rt2 = new DriverRuntime()
    const off = await KsqlEngine.create({ runtime: rt2, properties: { 'ksql.logging.processing.topic.auto.create': 'false', 'ksql.logging.processing.stream.auto.create': 'false' } })
    expect(off.source('KSQL_PROCESSING_LOG')).toBeUndefined()
    expect(await rt2.listTopics()).toEqual([])
    await off.close()
  })

  it('names the topic after ksql.logging.processing.topic.name and the service id', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt, serviceId: 'svc_' })
    expect(e.source('KSQL_PROCESSING_LOG')?.topic).toBe('svc_ksql_processing_log')
    const named = await KsqlEngine.create({ runtime: new DriverRuntime(), properties: { 'ksql.logging.processing.topic.name': 'errs', 'ksql.logging.processing.stream.name': 'my_log' } })
    expect(named.source('MY_LOG')?.topic).toBe('errs')
    expect((await named.execute('SHOW PROPERTIES;'))[0]!.rows).toContainEqual(['ksql.logging.processing.topic.name', 'errs'])
    await expect(named.execute("SET 'ksql.logging.processing.topic.name'='other';")).rejects.toThrow("Cannot override property 'ksql.logging.processing.topic.name'")
    await e.close()
    await named.close()
  })

  it('points a function error after a repartition at the repartition record being processed (driver)', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt, registry: registryWithBoom() })
    await e.execute(`
      CREATE STREAM s (id INT KEY, k STRING, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE TABLE t (k STRING PRIMARY KEY, n INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
      CREATE STREAM j AS SELECT s.k AS k, t.n, BOOM(s.v) AS len FROM s JOIN t ON s.k = t.k;`)
    await e.execute("INSERT INTO t (k, n) VALUES ('a', 1);")
    // offsets 0, 1, 2 of s and of the repartition topic; the one at 1 fails
    for (const v of ['ok', 'boom', 'fine']) await e.execute(`INSERT INTO s (id, k, v) VALUES (9, 'a', '${v}');`)
    const entries = e.processingLog.list()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ type: 'RECORD_PROCESSING_ERROR', queryId: 'CSAS_J_2', partition: 0, offset: 1 })
    expect(entries[0]!.topic).toMatch(/^_confluent-ksql-default_query_CSAS_J_2-.*-repartition$/)
    expect(entries[0]!.message).toContain('boom is not allowed')
    // the query went on: the failing row has a NULL result
    expect(rt.records('J').map((r) => parse(r.value))).toEqual([{ N: 1, LEN: 2 }, { N: 1, LEN: null }, { N: 1, LEN: 4 }])
    await e.flushProcessingLog()
    const rec = parse(rt.records(LOG_TOPIC)[0]!.value)
    expect(rec).toMatchObject({ logger: 'processing.CSAS_J_2.Project', message: { type: 1, deserializationError: null, recordProcessingError: { record: null, cause: ['inner cause'], topic: entries[0]!.topic, partition: 0, offset: 1 } } })
    await e.close()
  })

  it('points a function error after a repartition at the repartition record on KafkaStreams (embedded log), and writes it to the topic', async () => {
    const dir = tmpDir()
    const client = await EmbeddedClient.open({ dataDir: `${dir}/log` })
    const e = await KsqlEngine.create({ runtime: new StreamsRuntime({ client, stateDir: `${dir}/state`, commitIntervalMs: 100 }), commandLog: new CommandTopic(client), registry: registryWithBoom() })
    try {
      await e.execute(`
        CREATE STREAM s (id INT KEY, k STRING, v STRING) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1);
        CREATE TABLE t (k STRING PRIMARY KEY, n INT) WITH (KAFKA_TOPIC='t', VALUE_FORMAT='JSON', PARTITIONS=1);
        CREATE STREAM j AS SELECT s.k AS k, t.n, BOOM(s.v) AS len FROM s JOIN t ON s.k = t.k;`)
      await e.execute("INSERT INTO t (k, n) VALUES ('a', 1);")
      // the table row must be there before the stream rows arrive
      const read = async (topic: string) => (await e.runtime.read(topic, true, 100, 200)).map((r) => r.value)
      await waitFor(() => e.runtime.read('t', true, 1, 100), (r) => r.length === 1)
      for (const v of ['ok', 'boom', 'fine']) await e.execute(`INSERT INTO s (id, k, v) VALUES (9, 'a', '${v}');`)
      const logged = await waitFor(() => read(LOG_TOPIC), (r) => r.length >= 1)
      const rec = parse(logged[0]!)
      expect(rec.message.type).toBe(1)
      expect(rec.message.recordProcessingError.topic).toMatch(/^_confluent-ksql-default_query_CSAS_J_2-.*-repartition$/)
      expect(rec.message.recordProcessingError).toMatchObject({ partition: 0, offset: 1 })
      expect(rec.message.recordProcessingError.errorMessage).toContain('boom is not allowed')
    } finally {
      await e.close()
      await client.close()
    }
  }, 60_000)
})

describe('key deserialization errors', () => {
  it('logs a record whose key does not deserialize, with its topic, partition and offset, and goes on', async () => {
    const rt = new DriverRuntime()
    const e = await KsqlEngine.create({ runtime: rt, properties: { 'ksql.logging.processing.rows.include': 'true' } })
    await e.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM o AS SELECT id, v FROM s;")
    await rt.produce('s', Buffer.from([0, 0, 1]), Buffer.from('{"v": 1}'), 0, [])
    await rt.produce('s', Buffer.from([0, 0, 0, 2]), Buffer.from('{"v": 2}'), 0, [])
    expect(rt.records('O').map((r) => r.value?.toString())).toEqual(['{"V":2}'])
    const log = e.processingLog.list()
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ type: 'DESERIALIZATION_ERROR', queryId: 'CSAS_O_1', topic: 's', partition: 0, offset: 0, target: 'key' })
    await e.flushProcessingLog()
    expect(parse(rt.records(LOG_TOPIC)[0]!.value).message.deserializationError).toMatchObject({ target: 'key', topic: 's', offset: 0 })
    await e.close()
  })
})

describe('the processing-log stream across restarts', () => {
  it('is there before the command log is replayed, so recorded queries over it come back; dropping it is not kept', async () => {
    const commands: Command[] = []
    const log: CommandLog = { append: async (c) => void commands.push(c), readAll: async () => [...commands] }
    const e1 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    await e1.execute("CREATE STREAM s (id INT KEY, v INT) WITH (KAFKA_TOPIC='s', VALUE_FORMAT='JSON', PARTITIONS=1); CREATE STREAM errs AS SELECT LOGGER, LEVEL FROM KSQL_PROCESSING_LOG;")
    await e1.close()
    const e2 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    expect(e2.listQueries().map((q) => q.id)).toEqual(['CSAS_ERRS_1'])
    await e2.execute('TERMINATE CSAS_ERRS_1; DROP STREAM errs; DROP STREAM KSQL_PROCESSING_LOG;')
    expect(e2.source('KSQL_PROCESSING_LOG')).toBeUndefined()
    await e2.close()
    expect(commands.map((c) => c.statement)).not.toContain('DROP STREAM KSQL_PROCESSING_LOG')
    const e3 = await KsqlEngine.create({ runtime: new DriverRuntime(), commandLog: log })
    expect(e3.source('KSQL_PROCESSING_LOG')?.topic).toBe(LOG_TOPIC)
    expect(e3.listQueries()).toEqual([])
    await e3.close()
  })
})
