import Database from 'better-sqlite3'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import { TableQuerier } from '../../connectors/jdbc/source/table-querier.js'
import { sqliteDialect } from '../../connectors/jdbc/sqlite/dialect.js'
import type { SourceRecord } from '../../connectors/api/record.js'
import { tmpDir } from '../helpers/tmp.js'
import { json, readTopic, topicCount, waitFor } from './helpers.js'

const open: Array<{ close(): Promise<void> | void }> = []
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close()
})

async function embedded(dir = tmpDir()): Promise<BrookClient> {
  const c = await EmbeddedClient.open({ dataDir: dir })
  open.push(c)
  return c
}

function sqliteFile(setup: string): string {
  const file = path.join(tmpDir(), 'db.sqlite')
  const db = new Database(file)
  db.exec(setup)
  db.close()
  return file
}

describe('JDBC source on SQLite', () => {
  it('timestamp mode skips no row when many rows share a timestamp across a batch boundary and a restart', async () => {
    // 2 rows at t1, 4 at t2 (more than batch.max.rows=3), 1 at t3.
    const file = sqliteFile(`CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL, v TEXT);
      INSERT INTO ev VALUES (1,'2024-01-01 00:00:01','a'),(2,'2024-01-01 00:00:01','b'),(3,'2024-01-01 00:00:02','c'),(4,'2024-01-01 00:00:02','d'),
      (5,'2024-01-01 00:00:02','e'),(6,'2024-01-01 00:00:02','f'),(7,'2024-01-01 00:00:03','g');`)
    const conn = await sqliteDialect.open({ dialect: 'sqlite', path: file, params: {} })
    open.push(conn)
    const spec = { mode: 'timestamp' as const, table: 'ev', query: null, topic: 'ev', incrementingColumn: null, timestampColumns: ['ts'], delayMs: 0, batchMaxRows: 3, querySuffix: '', columns: await sqliteDialect.describeTable(conn, 'ev') }
    const first = new TableQuerier(spec, sqliteDialect, null)
    const batch1 = await first.poll(conn)
    // The limit cut the t2 group: the batch ends at the t1 boundary.
    expect(batch1.map((r) => (r.value as { id: number }).id)).toEqual([1, 2])
    const stored = batch1[batch1.length - 1]!.sourceOffset
    expect(stored).toEqual({ timestamp: '2024-01-01 00:00:01' })
    // "Restart": a new querier from the stored offset reads the whole t2 group although it exceeds the batch.
    const second = new TableQuerier(spec, sqliteDialect, stored)
    const got: SourceRecord[] = []
    for (let i = 0; i < 3; i++) got.push(...(await second.poll(conn)))
    expect(got.map((r) => (r.value as { id: number }).id)).toEqual([3, 4, 5, 6, 7])
    // Inside a group the offset stays at the previous complete timestamp.
    expect(got.map((r) => r.sourceOffset.timestamp)).toEqual(['2024-01-01 00:00:01', '2024-01-01 00:00:01', '2024-01-01 00:00:01', '2024-01-01 00:00:02', '2024-01-01 00:00:03'])
  })

  it('timestamp+incrementing resumes inside a timestamp group after a restart', async () => {
    const file = sqliteFile(`CREATE TABLE ev (id INTEGER PRIMARY KEY, ts TIMESTAMP NOT NULL);
      INSERT INTO ev VALUES (1,'2024-01-01 00:00:01'),(2,'2024-01-01 00:00:01'),(3,'2024-01-01 00:00:01'),(4,'2024-01-01 00:00:01'),(5,'2024-01-01 00:00:02');`)
    const conn = await sqliteDialect.open({ dialect: 'sqlite', path: file, params: {} })
    open.push(conn)
    const spec = { mode: 'timestamp+incrementing' as const, table: 'ev', query: null, topic: 'ev', incrementingColumn: 'id', timestampColumns: ['ts'], delayMs: 0, batchMaxRows: 3, querySuffix: '', columns: null }
    const b1 = await new TableQuerier(spec, sqliteDialect, null).poll(conn)
    expect(b1.map((r) => (r.value as { id: number }).id)).toEqual([1, 2, 3])
    const b2 = await new TableQuerier(spec, sqliteDialect, b1[2]!.sourceOffset).poll(conn)
    expect(b2.map((r) => (r.value as { id: number }).id)).toEqual([4, 5])
  })

  it('streams a table into a topic with schema envelope, exact decimals and pk keys; offsets survive a restart', async () => {
    const file = sqliteFile(`CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT, balance DECIMAL(12,2), opened DATE, note TEXT, data BLOB);
      INSERT INTO accounts VALUES (1,'ann','12345678901.25','2024-02-29',NULL,x'0102'),(2,'bob','-0.10','1970-01-02','hi',NULL);`)
    const dir = tmpDir()
    const props = {
      name: 'accounts-src', 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`,
      mode: 'incrementing', 'incrementing.column.name': 'id', 'topic.prefix': 'db-', 'poll.interval.ms': '50',
      'value.converter.decimal.format': 'NUMERIC',
    }
    let client = await embedded(dir)
    let worker = await Worker.start(client, { log: () => {} })
    await worker.startConnector(props)
    await waitFor('2 records', async () => (await topicCount(client, 'db-accounts')) >= 2)
    const recs = await readTopic(client, 'db-accounts')
    const first = json(recs[0]!)!
    expect(first.payload).toEqual({ id: 1, name: 'ann', balance: 12345678901.25, opened: 19782, note: null, data: 'AQI=' })
    // The decimal is written as its exact digits, not a rounded double.
    expect(recs[0]!.value!.toString()).toContain('"balance":12345678901.25')
    expect(JSON.parse(recs[0]!.key!.toString())).toMatchObject({ payload: { id: 1 } })
    expect(worker.describe('accounts-src')).toMatchObject({ connector: { state: 'RUNNING' }, tasks: [{ id: 0, state: 'RUNNING' }] })
    await worker.stop()
    expect(worker.offsets.forConnector('accounts-src')).toEqual([{ partition: { protocol: '1', table: 'accounts' }, offset: { incrementing: 2 } }])
    await client.close()
    open.splice(open.indexOf(client), 1)
    // New rows while stopped; after a restart only they arrive (no duplicates).
    const db = new Database(file)
    db.exec(`INSERT INTO accounts VALUES (3,'cy','1.00','2024-01-01',NULL,NULL)`)
    db.close()
    client = await embedded(dir)
    worker = await Worker.start(client, { log: () => {} })
    await worker.startConnector(props)
    await waitFor('3 records', async () => (await topicCount(client, 'db-accounts')) >= 3)
    await worker.stop()
    const all = await readTopic(client, 'db-accounts')
    expect(all.map((r) => json(r)!.payload.id)).toEqual([1, 2, 3])
  })

  it('copies every table but table.blacklist / table.exclude.list, and only table.whitelist when given; bulk reads each once per poll.interval.ms', async () => {
    const file = sqliteFile(`CREATE TABLE a (id INTEGER PRIMARY KEY); CREATE TABLE b (id INTEGER PRIMARY KEY); CREATE TABLE c (id INTEGER PRIMARY KEY);
      INSERT INTO a VALUES (1); INSERT INTO b VALUES (1); INSERT INTO c VALUES (1);`)
    const client = await embedded()
    const worker = await Worker.start(client, { log: () => {} })
    const base = { 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`, mode: 'bulk', 'poll.interval.ms': '60000' }
    await worker.startConnector({ ...base, name: 'all-but-b', 'table.blacklist': 'b', 'topic.prefix': 'x-' })
    await worker.startConnector({ ...base, name: 'only-c', 'table.whitelist': 'c', 'topic.prefix': 'y-' })
    await worker.startConnector({ ...base, name: 'exclude-list', 'table.exclude.list': 'a,c', 'topic.prefix': 'z-' })
    await waitFor('the copied tables', async () => (await topicCount(client, 'x-a')) === 1 && (await topicCount(client, 'x-c')) === 1 && (await topicCount(client, 'y-c')) === 1 && (await topicCount(client, 'z-b')) === 1)
    const topics = (await client.admin().listTopics()).filter((t) => /^[xyz]-/.test(t)).sort()
    expect(topics).toEqual(['x-a', 'x-c', 'y-c', 'z-b'])
    await worker.stop()
  })

  it('a SQLite backlog loads while timers keep running: the load is seen part-way, not only done', async () => {
    const file = sqliteFile('CREATE TABLE big (id INTEGER PRIMARY KEY, v TEXT)')
    const db = new Database(file)
    const insert = db.prepare('INSERT INTO big VALUES (?, ?)')
    db.transaction(() => {
      for (let i = 1; i <= 30_000; i++) insert.run(i, `v${i}`)
    })()
    db.close()
    const client = await embedded()
    const admin = client.admin()
    await admin.createTopics([{ topic: 'bl-big' }])
    const worker = await Worker.start(client, { log: () => {} })
    // SQLite and the embedded log answer synchronously: without turns of the event loop this
    // timer would run only once the whole table is in the topic.
    const seen: number[] = []
    const timer = setInterval(() => void admin.listOffsets([{ topic: 'bl-big', partition: 0, spec: 'latest' }]).then(([o]) => seen.push(o?.offset ?? 0)), 1)
    await worker.startConnector({ name: 'big', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${file}`, mode: 'incrementing', 'incrementing.column.name': 'id', 'batch.max.rows': '100', 'poll.interval.ms': '60000', 'topic.prefix': 'bl-' })
    await waitFor('the whole table', async () => (await topicCount(client, 'bl-big')) === 30_000)
    clearInterval(timer)
    expect(seen.some((n) => n > 0 && n < 30_000)).toBe(true)
    await admin.close()
    await worker.stop()
  })

  it('a custom query source writes to topic.prefix as the topic; an update-mode sink keyed from the value changes existing rows only; auto.evolve adds a new field as a column', async () => {
    const src = sqliteFile(`CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, secret TEXT);
      INSERT INTO people VALUES (1,'ann','oslo','a'),(2,'bob','rome','b'),(3,'cy','oslo','c');`)
    const dst = path.join(tmpDir(), 'dst.sqlite')
    const target = new Database(dst)
    target.exec(`CREATE TABLE people_oslo (id INTEGER PRIMARY KEY, name TEXT)`)
    target.exec(`INSERT INTO people_oslo VALUES (1,'old ann'),(2,'old bob')`)
    target.close()
    const client = await embedded()
    const worker = await Worker.start(client, { log: () => {} })
    // Confluent's query mode: the query's rows (incrementing on id), all to the topic named by topic.prefix.
    await worker.startConnector({
      name: 'q', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${src}`, mode: 'incrementing', 'incrementing.column.name': 'id',
      query: `SELECT id, name, city FROM people WHERE city = 'oslo'`, 'topic.prefix': 'oslo-people', 'poll.interval.ms': '50',
    })
    await waitFor('the query rows', async () => (await topicCount(client, 'oslo-people')) >= 2)
    const recs = await readTopic(client, 'oslo-people')
    expect(recs.map((r) => json(r)!.payload)).toEqual([{ id: 1, name: 'ann', city: 'oslo' }, { id: 3, name: 'cy', city: 'oslo' }])
    await worker.startConnector({
      name: 'upd', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${dst}`, topics: 'oslo-people', 'table.name.format': 'people_oslo',
      'insert.mode': 'update', 'pk.mode': 'record_value', 'pk.fields': 'id', 'auto.evolve': 'true',
    })
    const rows = (): unknown[] => {
      const db = new Database(dst, { readonly: true })
      try {
        return db.prepare('SELECT * FROM people_oslo ORDER BY id').all()
      } finally {
        db.close()
      }
    }
    // id 1 exists and is updated (its new city column added by auto.evolve); id 3 does not exist and is not inserted; id 2 is untouched.
    await waitFor('the update', () => JSON.stringify(rows()) === JSON.stringify([{ id: 1, name: 'ann', city: 'oslo' }, { id: 2, name: 'old bob', city: null }]))
    await worker.stop()
  })

  it('JDBC sink upserts into a second SQLite file, auto-creates the table and deletes on tombstones; a replayed batch changes nothing', async () => {
    const src = sqliteFile(`CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price DECIMAL(10,3));
      INSERT INTO items VALUES (1,'a','1.500'),(2,'b','2.250'),(3,'c',NULL);`)
    const dst = path.join(tmpDir(), 'dst.sqlite')
    const client = await embedded()
    const worker = await Worker.start(client, { log: () => {} })
    open.push({ close: () => worker.stop() })
    await worker.startConnector({ name: 'src', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:sqlite:${src}`, mode: 'incrementing', 'incrementing.column.name': 'id', 'poll.interval.ms': '50' })
    await worker.startConnector({
      name: 'sink', 'connector.class': 'JdbcSinkConnector', 'connection.url': `jdbc:sqlite:${dst}`, topics: 'items', 'insert.mode': 'upsert',
      'pk.mode': 'record_key', 'auto.create': 'true', 'delete.enabled': 'true', 'table.name.format': 'copy_${topic}',
    })
    const rows = (): unknown[] => {
      try {
        const db = new Database(dst, { readonly: true })
        try {
          return db.prepare('SELECT id, name, price FROM copy_items ORDER BY id').all()
        } finally {
          db.close()
        }
      } catch {
        return []
      }
    }
    await waitFor('3 rows in the sink', () => rows().length === 3)
    expect(rows()).toEqual([{ id: 1, name: 'a', price: '1.500' }, { id: 2, name: 'b', price: '2.250' }, { id: 3, name: 'c', price: null }])
    // A tombstone for id 2, then the same records again (a replay): the table ends the same, minus the deleted row.
    const producer = client.producer()
    const keySchema = { schema: { type: 'struct', fields: [{ type: 'int64', optional: false, field: 'id' }], optional: false }, payload: { id: 2 } }
    await producer.send({ topic: 'items', key: JSON.stringify(keySchema), value: null })
    const again = await readTopic(client, 'items')
    await producer.sendBatch(again.filter((r) => r.value !== null).map((r) => ({ topic: 'items', key: r.key, value: r.value })))
    await producer.send({ topic: 'items', key: JSON.stringify(keySchema), value: null })
    await producer.close()
    await waitFor('sink caught up', async () => {
      const g = await client.admin().listGroupOffsets('connect-sink')
      return g.every((p) => p.lag === 0) && g.length > 0
    })
    expect(rows()).toEqual([{ id: 1, name: 'a', price: '1.500' }, { id: 3, name: 'c', price: null }])
  })
})
