// The worker's error handling: retries with backoff while the status says so, errors.tolerance
// with the dead letter queue and its error headers, and a transform that does not fit failing
// the task with a message naming the connector and the transform.
import Database from 'better-sqlite3'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient, ProducerConfig } from '../../core/client/types.js'
import { ConfigDef, RetriableException, registerConnector, sourceRecord, Worker, type SinkConnector, type SinkTask, type SourceConnector, type SourceTask } from '../../connectors/index.js'
import { tmpDir } from '../helpers/tmp.js'
import { readTopic, waitFor } from './helpers.js'

let failuresLeft = 0
class FlakyTask implements SourceTask {
  private sent = false
  async start(): Promise<void> {}
  async poll() {
    if (failuresLeft > 0) {
      failuresLeft--
      throw new RetriableException('database unreachable: connect ECONNREFUSED 127.0.0.1:1')
    }
    if (this.sent) {
      await new Promise((r) => setTimeout(r, 20))
      return []
    }
    this.sent = true
    return [sourceRecord({ sourcePartition: { p: 1 }, sourceOffset: { o: 1 }, topic: 'flaky', value: 'hello' })]
  }
  async stop(): Promise<void> {}
}
const flaky: () => SourceConnector = () => ({
  kind: 'source', version: () => '1', config: () => new ConfigDef(), start: async () => {}, taskConfigs: () => [{}], stop: async () => {}, createTask: () => new FlakyTask(),
})
registerConnector(['test.Flaky'], flaky)

/** A sink whose first put lasts until its group no longer has it as a member (max.poll.interval.ms ran out meanwhile). */
const slow = { client: null as BrookClient | null, group: '', firstPutWaits: false, delivered: [] as string[] }
class SlowSinkTask implements SinkTask {
  async start(): Promise<void> {}
  async put(records: Parameters<SinkTask['put']>[0]): Promise<void> {
    for (const r of records) slow.delivered.push(String(r.value))
    if (!slow.firstPutWaits) return
    slow.firstPutWaits = false
    const admin = slow.client!.admin()
    try {
      await waitFor('the task to be out of its group', async () => ((await admin.describeGroups([slow.group]))[0]?.members.length ?? 0) === 0)
    } finally {
      await admin.close()
    }
  }
  async flush(): Promise<void> {}
  async stop(): Promise<void> {}
}
const slowSink: () => SinkConnector = () => ({
  kind: 'sink', version: () => '1', config: () => new ConfigDef(), start: async () => {}, taskConfigs: () => [{}], stop: async () => {}, createTask: () => new SlowSinkTask(),
})
registerConnector(['test.SlowSink'], slowSink)

describe('worker error handling', () => {
  it('a put that outlasts max.poll.interval.ms costs the sink its group membership, not its life: the batch comes again and is committed', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    const admin = client.admin()
    await admin.createTopics([{ topic: 'slow-in', numPartitions: 1 }])
    const producer = client.producer()
    await producer.sendBatch(['a', 'b', 'c'].map((value) => ({ topic: 'slow-in', partition: 0, value })))
    await producer.close()
    const logs: string[] = []
    const worker = await Worker.start(client, { log: (m) => void logs.push(m) })
    // Kafka Connect's group of a sink connector: connect-<name>.
    Object.assign(slow, { client, group: 'connect-slow', firstPutWaits: true, delivered: [] })
    await worker.startConnector({
      name: 'slow', 'connector.class': 'test.SlowSink', topics: 'slow-in', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter',
      'consumer.override.max.poll.interval.ms': '500', 'consumer.override.heartbeat.interval.ms': '100',
    })
    await waitFor('the batch committed', async () => (await admin.listGroupOffsets(slow.group)).find((o) => o.topic === 'slow-in')?.committedOffset === 3)
    expect(worker.describe('slow')?.tasks[0]?.state).toBe('RUNNING')
    // Written once before the membership ran out, and again after the task joined anew (at least once).
    expect(slow.delivered).toEqual(['a', 'b', 'c', 'a', 'b', 'c'])
    expect(logs.some((l) => /slow-0: offsets not committed, the group moved on/.test(l))).toBe(true)
    await admin.close()
    await worker.stop()
    await client.close()
  })

  it('retries a retriable failure with backoff, reporting it in the task status, then delivers', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    const worker = await Worker.start(client, { log: () => {} })
    failuresLeft = 3
    await worker.startConnector({ name: 'flaky', 'connector.class': 'test.Flaky', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' })
    await waitFor('retry in the status', () => /Retrying poll in \d+ ms \(attempt \d\): database unreachable/.test(worker.describe('flaky')?.tasks[0]?.trace ?? ''))
    await waitFor('the record after the retries', async () => (await readTopic(client, 'flaky')).length === 1)
    await waitFor('status cleared', () => worker.describe('flaky')?.tasks[0]?.trace === null)
    expect(worker.describe('flaky')?.tasks[0]?.state).toBe('RUNNING')
    await worker.stop()
    await client.close()
  })

  it('errors.tolerance=all sends records the sink cannot convert or write to the dead letter queue with error headers', async () => {
    const dir = tmpDir()
    const dst = path.join(dir, 'dst.sqlite')
    const db = new Database(dst)
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL CHECK (qty >= 0))`)
    const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
    const producer = client.producer()
    await producer.sendBatch([
      { topic: 't', key: '{"id":1}', value: '{"id":1,"qty":5}' },
      { topic: 't', key: '{"id":2}', value: '{"id":2,"qty":-1}' }, // violates the CHECK: the write fails
      { topic: 't', key: '{"id":3}', value: 'not json' }, // the converter fails
      { topic: 't', key: '{"id":4}', value: '{"id":4,"qty":7}' },
    ])
    await producer.close()
    const worker = await Worker.start(client, { log: () => {} })
    await worker.startConnector({
      name: 'sink', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${dst}`, topics: 't', 'pk.mode': 'record_value', 'pk.fields': 'id',
      'key.converter.schemas.enable': 'false', 'value.converter.schemas.enable': 'false', 'errors.tolerance': 'all',
      'errors.deadletterqueue.topic.name': 'dlq', 'errors.deadletterqueue.context.headers.enable': 'true',
    })
    await waitFor('2 records in the DLQ', async () => (await readTopic(client, 'dlq')).length === 2)
    await waitFor('2 rows written', () => (db.prepare('SELECT COUNT(*) AS n FROM t').get() as { n: number }).n === 2)
    expect(db.prepare('SELECT id, qty FROM t ORDER BY id').all()).toEqual([{ id: 1, qty: 5 }, { id: 4, qty: 7 }])
    const dlq = await readTopic(client, 'dlq')
    const h = (i: number, k: string): string | undefined => dlq[i]!.headers.find((x) => x.key === `__connect.errors.${k}`)?.value?.toString()
    const byStage = new Map(dlq.map((_, i) => [h(i, 'stage'), i]))
    const conv = byStage.get('VALUE_CONVERTER')!
    expect(dlq[conv]!.value!.toString()).toBe('not json')
    expect([h(conv, 'topic'), h(conv, 'offset'), h(conv, 'connector.name')]).toEqual(['t', '2', 'sink'])
    const put = byStage.get('TASK_PUT')!
    expect(h(put, 'exception.message')).toMatch(/CHECK constraint failed/)
    expect(h(put, 'offset')).toBe('1')
    await worker.stop()
    await client.close()
    db.close()
  })

  it('a transform that does not fit the record fails the task with a message naming the connector and transform', async () => {
    const dir = tmpDir()
    const file = path.join(dir, 'src.sqlite')
    const db = new Database(file)
    db.exec(`CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a')`)
    db.close()
    const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'log') })
    const worker = await Worker.start(client, { log: () => {} })
    await worker.startConnector({
      name: 'src', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`, mode: 'bulk', 'poll.interval.ms': '50',
      transforms: 'unwrap', 'transforms.unwrap.type': 'io.debezium.transforms.ExtractNewRecordState',
    })
    await waitFor('task FAILED', () => worker.describe('src')?.tasks[0]?.state === 'FAILED')
    expect(worker.describe('src')?.tasks[0]?.trace).toBe("Connector 'src': transform 'unwrap' failed on a record of topic 't': the value is not a Debezium change event (no op/after fields)")
    await worker.stop()
    await client.close()
  })
})

describe('producer.override.* and consumer.override.*', () => {
  it("reach the task's producer, and a bad or unknown one fails the creation naming its key, with nothing started", async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    const producerConfigs: Array<ProducerConfig | undefined> = []
    const watched: BrookClient = {
      producer: (config) => {
        producerConfigs.push(config)
        return client.producer(config)
      },
      consumer: (config) => client.consumer(config),
      admin: () => client.admin(),
      close: () => client.close(),
    }
    const worker = await Worker.start(watched, { log: () => {} })
    failuresLeft = 0
    const base = { 'connector.class': 'test.Flaky', 'value.converter': 'org.apache.kafka.connect.storage.StringConverter' }
    await expect(worker.startConnector({ ...base, name: 'unknown-override', 'producer.override.max.block.ms': '10' })).rejects.toThrow(
      /Connector 'unknown-override': Invalid value for configuration 'producer.override.max.block.ms': 'max.block.ms' is not a client setting Brook applies/,
    )
    await expect(worker.startConnector({ ...base, name: 'bad-override', 'consumer.override.max.poll.records': '0' })).rejects.toThrow(
      /Invalid value for configuration 'consumer.override.max.poll.records': must be an integer of at least 1/,
    )
    expect(worker.describe('unknown-override')).toBeFalsy()
    expect(worker.describe('bad-override')).toBeFalsy()
    await worker.startConnector({ ...base, name: 'overridden', 'producer.override.compression.type': 'gzip', 'producer.override.linger.ms': '20' })
    await waitFor('the record', async () => (await readTopic(client, 'flaky')).length >= 1)
    const taskProducer = producerConfigs.find((c) => c?.clientId?.startsWith('connector-producer-overridden'))
    // The source producer's batch.size default (larger than the Java client's 16 KiB), unless overridden.
    expect(taskProducer).toMatchObject({ compressionType: 'gzip', lingerMs: 20, acks: 'all', batchSize: 512 * 1024 })
    await worker.startConnector({ ...base, name: 'small-batches', 'producer.override.batch.size': '16384' })
    expect(producerConfigs.find((c) => c?.clientId?.startsWith('connector-producer-small-batches'))).toMatchObject({ batchSize: 16384 })
    await worker.stop()
    await client.close()
  })
})
