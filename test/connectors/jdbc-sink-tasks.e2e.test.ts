// tasks.max > 1 for the JDBC sink (on SQLite, no server needed): the tasks share the consumer
// group connect-<name>, each partition is written by exactly one task, every row arrives once.
// In the e2e project because two members joining one group rebalance for several seconds.
import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { JsonConverter, Schemas, Worker } from '../../connectors/index.js'
import { tmpDir } from '../helpers/tmp.js'
import { waitFor } from './helpers.js'

const open: Array<{ close(): Promise<void> | void }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

describe('JDBC sink with tasks.max > 1', () => {
  it('the sink\'s tasks divide the partitions, each written by exactly one task, and every row arrives once', async () => {
    const client = await EmbeddedClient.open({ dataDir: tmpDir() })
    open.push(client)
    const admin = client.admin()
    await admin.createTopics([{ topic: 'orders', numPartitions: 4, replicationFactor: 1 }])
    await admin.close()
    const keyConv = new JsonConverter()
    keyConv.configure({}, true)
    const valueConv = new JsonConverter()
    valueConv.configure({}, false)
    const keySchema = Schemas.struct('orders.Key', [{ name: 'id', schema: Schemas.int32(false) }])
    const valueSchema = Schemas.struct('orders.Value', [{ name: 'id', schema: Schemas.int32(false) }, { name: 'item', schema: Schemas.string() }])
    const producer = client.producer()
    const n = 400
    await producer.sendBatch(Array.from({ length: n }, (_, i) => ({
      topic: 'orders', partition: i % 4,
      key: keyConv.fromConnectData('orders', keySchema, { id: i }), value: valueConv.fromConnectData('orders', valueSchema, { id: i, item: `item ${i}` }),
    })))
    await producer.close()

    const file = path.join(tmpDir(), 'sink.sqlite')
    const worker = await Worker.start(client, { log: () => {} })
    open.push({ close: () => worker.stop() })
    // insert mode: a row written twice would violate the primary key and fail the task.
    await worker.startConnector({
      name: 'multi-sink', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${file}`, topics: 'orders', 'tasks.max': '2',
      'insert.mode': 'insert', 'pk.mode': 'record_key', 'auto.create': 'true', 'consumer.max.poll.records': '37',
    })
    const db = new Database(file)
    open.push({ close: () => void db.close() })
    await waitFor('all rows in the sink table', () => {
      try {
        return (db.prepare('SELECT count(*) AS n FROM orders').get() as { n: number }).n >= n
      } catch {
        return false // not created yet
      }
    })
    // The second task may still be joining when the rows are in: wait for the group to settle
    // with both tasks holding two partitions each.
    const admin2 = client.admin()
    const owned = await waitFor('both tasks assigned two partitions', async () => {
      const [group] = await admin2.describeGroups(['connect-multi-sink'])
      if (group === undefined || group.members.length !== 2 || !group.members.every((m) => m.assignment.length === 2)) return false
      return group.members.flatMap((m) => m.assignment.map((tp) => tp.partition)).sort()
    })
    await admin2.close()
    expect(owned).toEqual([0, 1, 2, 3])
    expect(worker.describe('multi-sink')!.tasks.map((t) => t.state)).toEqual(['RUNNING', 'RUNNING'])
    await worker.stopConnector('multi-sink')
    const rows = db.prepare('SELECT id, item FROM orders ORDER BY id').all() as Array<{ id: number; item: string }>
    expect(rows).toEqual(Array.from({ length: n }, (_, i) => ({ id: i, item: `item ${i}` })))
  })
})
