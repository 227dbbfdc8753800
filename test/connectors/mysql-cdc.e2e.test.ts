// MariaDB CDC (binlog) against the real server: snapshot then streaming with Debezium's
// envelope and type mapping, tombstones, the schema history carrying an ALTER across a restart,
// and the bad-input checks that must leave nothing started.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import type { SourceRecord } from '../../connectors/api/record.js'
import { MysqlCdcTask } from '../../connectors/mysql-cdc/task.js'
import { applyDdl, type Schemas } from '../../connectors/mysql-cdc/ddl.js'
import { filterOf, readTableDefs } from '../../connectors/mysql-cdc/server.js'
import { columnMapping } from '../../connectors/mysql-cdc/types.js'
import { dbUrl, readTopic, topicCount, waitFor } from './helpers.js'

const url = dbUrl('BROOK_MYSQL_URL')

describe.skipIf(url === null)('MariaDB CDC (binlog)', () => {
  let db: mysql.Connection
  let client: BrookClient
  let worker: Worker
  let dataDir: string
  const u = new URL(url ?? 'mysql://x@h/d')
  const dbName = u.pathname.slice(1)
  const suffix = `${process.pid}`
  const base = {
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.hostname': u.hostname, 'database.port': u.port,
    'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password), 'database.server.id': String(5400 + (process.pid % 1000)),
    'poll.interval.ms': '50', 'value.converter.decimal.format': 'NUMERIC',
  }
  beforeAll(async () => {
    db = await mysql.createConnection({ uri: url!, dateStrings: true })
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-mycdc-'))
    client = await EmbeddedClient.open({ dataDir })
    worker = await Worker.start(client, { log: process.env.BROOK_TEST_LOG ? (l) => console.error(l) : () => {} })
  })
  afterAll(async () => {
    await worker?.stop()
    await client?.close()
    await db?.query(`DROP TABLE IF EXISTS cdc_${suffix}, evo_${suffix}, big_${suffix}, ddl_${suffix}, ddl2_${suffix}`).catch(() => {})
    await db?.end()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const value = (r: ConsumerRecord): Record<string, unknown> | null => (r.value === null ? null : (JSON.parse(r.value.toString()) as { payload: Record<string, unknown> }).payload)
  const key = (r: ConsumerRecord): unknown => (JSON.parse(r.key!.toString()) as { payload: unknown }).payload

  it('snapshots, then streams inserts, updates and deletes with tombstones in the Debezium envelope', async () => {
    const table = `cdc_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (
      id INT UNSIGNED PRIMARY KEY, big BIGINT UNSIGNED, amount DECIMAL(20,4), at DATETIME(3), ts TIMESTAMP(6) NULL, day DATE, dur TIME(2),
      doc JSON, data BLOB, note VARCHAR(40), flag TINYINT(1), color ENUM('red','green'), n INT)`)
    await db.query(`INSERT INTO ${table} VALUES
      (4294967295, 18446744073709551615, -12345678.1234, '2024-02-03 04:05:06.789', '2024-02-03 04:05:06.123456', '2024-02-29', '-12:34:56.78', '{"a": [1, 2]}', x'00ff', 'héllo', 1, 'green', NULL),
      (2, 0, 0.0001, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 7)`)
    await worker.startConnector({ ...base, name: 'mycdc', 'topic.prefix': 'my', 'table.include.list': `${dbName}\\.${table}` })
    const topic = `my.${dbName}.${table}`
    await waitFor('snapshot', async () => (await topicCount(client, topic)) >= 2)
    await db.query(`INSERT INTO ${table} (id, amount, note) VALUES (3, 3.5, 'three')`)
    await db.query(`UPDATE ${table} SET note = 'uno', amount = 11 WHERE id = 4294967295`)
    await db.query(`DELETE FROM ${table} WHERE id = 2`)
    // 2 snapshot reads, c, u, d + tombstone
    await waitFor('all changes', async () => (await topicCount(client, topic)) >= 6)
    const recs = await readTopic(client, topic)
    expect(recs.map((r) => (value(r) === null ? 'tombstone' : value(r)!.op))).toEqual(['r', 'r', 'c', 'u', 'd', 'tombstone'])
    const snap = recs.map(value).find((v) => (v!.after as { id: number }).id === 4294967295)!
    expect(snap.after).toEqual({
      id: 4294967295, big: expect.any(Number), amount: -12345678.1234, at: Date.UTC(2024, 1, 3, 4, 5, 6, 789), ts: '2024-02-03T04:05:06.123456Z',
      day: Math.round(Date.UTC(2024, 1, 29) / 86_400_000), dur: -(12 * 3600 + 34 * 60 + 56) * 1_000_000 - 780_000, doc: '{"a": [1, 2]}',
      data: Buffer.from([0, 255]).toString('base64'), note: 'héllo', flag: 1, color: 'green', n: null,
    })
    const snapText = recs.map((r) => r.value?.toString() ?? '').find((t) => t.includes('"id":4294967295'))!
    expect(snapText).toContain('"amount":-12345678.1234') // exact decimal
    expect(snapText).toContain('"big":18446744073709551615') // BIGINT UNSIGNED beyond 2^53: exact digits
    expect(recs.slice(0, 2).map((r) => (value(r)!.source as { snapshot: string }).snapshot)).toEqual(['true', 'last'])
    expect(snap.source).toMatchObject({ connector: 'mariadb', name: 'my', db: dbName, table, snapshot: expect.stringMatching(/^(true|last)$/) })
    const c = value(recs[2]!)!
    expect(c.before).toBeNull()
    expect(c.after).toMatchObject({ id: 3, amount: 3.5, note: 'three', big: null })
    expect(c.source).toMatchObject({ connector: 'mariadb', snapshot: 'false', db: dbName, table, row: 0 })
    expect((c.source as { file: string }).file).toMatch(/-bin\.\d+$/)
    expect((c.source as { gtid: string }).gtid).toMatch(/^\d+-\d+-\d+$/)
    const upd = value(recs[3]!)!
    expect(upd.before).toMatchObject({ note: 'héllo', amount: -12345678.1234 })
    expect(upd.after).toMatchObject({ note: 'uno', amount: 11, doc: '{"a": [1, 2]}' })
    const del = value(recs[4]!)!
    expect(del.before).toMatchObject({ id: 2, n: 7 })
    expect(del.after).toBeNull()
    expect(key(recs[5]!)).toEqual({ id: 2 })
    expect(recs[5]!.value).toBeNull()
    // The stored offset is a binlog position past the delete's transaction start. Offsets are
    // stored after acknowledgement, a moment after the records can be read: wait for it.
    // gtids: the GTID position up to `pos` (the delete's transaction start), i.e. through the update's transaction.
    const updGtid = (upd.source as { gtid: string }).gtid
    const stored = await waitFor('the offset past the update', () => {
      const o = worker.offsets.forConnector('mycdc')[0]?.offset
      return o !== undefined && o.gtids === updGtid ? o : null
    })
    expect(stored).toMatchObject({ file: expect.stringMatching(/-bin\.\d+$/), pos: expect.any(Number), row: expect.any(Number), snapshot_completed: true })
    await worker.stopConnector('mycdc')
  })

  it('decodes events with the columns of their time from the schema history after a restart', async () => {
    const table = `evo_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, a VARCHAR(10))`)
    const props = { ...base, name: 'evo', 'topic.prefix': 'evo', 'database.server.id': String(6400 + (process.pid % 1000)), 'table.include.list': `${dbName}\\.${table}`, 'snapshot.mode': 'no_data', 'heartbeat.interval.ms': '0' }
    await worker.startConnector(props)
    const topic = `evo.${dbName}.${table}`
    await db.query(`INSERT INTO ${table} VALUES (1, 'one')`)
    await waitFor('first insert', async () => (await topicCount(client, topic)) >= 1)
    await worker.stopConnector('evo')
    // While the connector is down: a row with the old columns, a DROP+ADD that keeps the column
    // count (the catalog would decode the old row wrongly), a row with the new columns.
    await db.query(`INSERT INTO ${table} VALUES (2, 'two')`)
    await db.query(`ALTER TABLE ${table} ADD COLUMN b INT NOT NULL DEFAULT 5 FIRST`)
    await db.query(`INSERT INTO ${table} (id, a, b) VALUES (3, 'three', 33)`)
    await db.query(`ALTER TABLE ${table} DROP COLUMN a, ADD COLUMN c DECIMAL(6,2)`)
    await db.query(`INSERT INTO ${table} (b, id, c) VALUES (44, 4, 1.25)`)
    await worker.startConnector(props)
    await waitFor('all inserts', async () => (await topicCount(client, topic)) >= 4)
    const recs = (await readTopic(client, topic)).map(value)
    expect(recs.map((v) => v!.after)).toEqual([
      { id: 1, a: 'one' },
      { id: 2, a: 'two' },
      { b: 33, id: 3, a: 'three' },
      { b: 44, id: 4, c: 1.25 },
    ])
    // The history topic holds the DDL with positions; schema change events went to the prefix topic.
    const history = (await readTopic(client, 'schema-history.evo')).map((r) => JSON.parse(r.value!.toString()) as { ddl: string; position: { file: string; pos: number } })
    expect(history.filter((h) => /ALTER TABLE/.test(h.ddl)).map((h) => h.ddl)).toHaveLength(2)
    const changes = (await readTopic(client, 'evo')).map((r) => value(r)!.ddl)
    expect(changes.filter((d) => /ALTER TABLE/.test(String(d)))).toHaveLength(2)
    await worker.stopConnector('evo')
  })

  it('resumes inside a large transaction from a stored {file, pos, row} with no loss and no duplicate', async () => {
    const table = `big_${suffix}`
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, v VARCHAR(20))`)
    const props = { ...base, 'database.server.id': String(8400 + (process.pid % 1000)), 'topic.prefix': 'big', 'table.include.list': `${dbName}\\.${table}`, 'snapshot.mode': 'no_data', 'max.batch.size': '700', 'max.queue.size': '1000' }
    let stored: Record<string, unknown> | null = null
    const context = (): Parameters<MysqlCdcTask['start']>[1] => ({
      connector: 'big', taskId: 0, client, signal: new AbortController().signal,
      offsetStorageReader: { offset: () => stored }, progress: { start() {}, advance() {}, done() {} },
    })
    const ids = (recs: SourceRecord[]): number[] => recs.filter((r) => r.topic === `big.${dbName}.${table}`).map((r) => ((r.value as { after: { id: number } }).after.id))
    const first = new MysqlCdcTask('mariadb')
    await first.start(props, context())
    // One transaction of 5,000 rows in several rows events, then a second transaction of 10.
    await db.query(`INSERT INTO ${table} SELECT seq, CONCAT('v', seq) FROM seq_1_to_5000`)
    await db.query(`INSERT INTO ${table} SELECT seq, 'w' FROM seq_5001_to_5010`)
    const seen: number[] = []
    while (seen.length < 2100) {
      const recs = await first.poll()
      seen.push(...ids(recs))
      if (recs.length > 0) stored = recs[recs.length - 1]!.sourceOffset
    }
    await first.stop()
    expect(stored).toMatchObject({ row: seen.length, snapshot_completed: true }) // inside the first transaction
    const second = new MysqlCdcTask('mariadb')
    await second.start(props, context())
    while (seen.length < 5010) seen.push(...ids(await second.poll()))
    await second.stop()
    expect(seen).toEqual(Array.from({ length: 5010 }, (_, i) => i + 1))
  })

  it('parses DDL into the same columns, Connect schemas and keys as the server reports', async () => {
    const t = `ddl_${suffix}`
    const statements = [
      `CREATE TABLE ${t} (id BIGINT UNSIGNED NOT NULL AUTO_INCREMENT, code CHAR(3) CHARACTER SET latin1 NOT NULL, price DECIMAL(10,3) DEFAULT 0.000, qty SMALLINT UNSIGNED,
        flag BOOLEAN, born DATE, seen DATETIME(6), stamp TIMESTAMP(3) NULL, dur TIME, yr YEAR, doc JSON, pic MEDIUMBLOB, raw VARBINARY(8), kind ENUM('a','b') DEFAULT 'a',
        tags SET('x','y'), bits BIT(5), f FLOAT, d DOUBLE PRECISION, txt LONGTEXT, PRIMARY KEY (id, code), KEY k (qty)) DEFAULT CHARSET=utf8mb4`,
      `ALTER TABLE ${t} ADD COLUMN n2 MEDIUMINT UNSIGNED AFTER code, DROP COLUMN yr, MODIFY price DECIMAL(12,4) NOT NULL, CHANGE COLUMN qty quantity INT`,
      `ALTER TABLE ${t} RENAME COLUMN txt TO body, ADD COLUMN first_col TINYINT FIRST, DROP PRIMARY KEY, ADD PRIMARY KEY (id)`,
      `CREATE TABLE ddl2_${suffix} LIKE ${t}`,
    ]
    const parsed: Schemas = new Map()
    const filter = filterOf({ dbInclude: [], dbExclude: [], include: [`${dbName}\\.ddl2?_${suffix}`], exclude: [] })
    const shape = (d: { columns: Array<{ name: string; type: string; charset: string | null; nullable: boolean }>; pk: string[] }): unknown => ({
      columns: d.columns.map((c) => [c.name, columnMapping(c, c.nullable).schema]),
      pk: d.pk,
    })
    for (const sql of statements) {
      await db.query(sql)
      applyDdl(parsed, dbName, sql)
      const defs = await readTableDefs(db as never, filter)
      expect(defs.map((d) => d.table).sort()).toEqual([...parsed.keys()].map((k) => k.slice(dbName.length + 1)).sort())
      for (const def of defs) {
        expect(shape(parsed.get(`${def.db}.${def.table}`)!), sql).toEqual(shape(def))
      }
    }
  })

  it('rejects bad input with one message naming the connector and starts nothing', async () => {
    const bad = { ...base, 'topic.prefix': 'bad' }
    const names = (): string[] => worker.connectors()
    const { 'database.server.id': _id, ...noServerId } = bad
    await expect(worker.startConnector({ ...bad, name: 'pw', 'database.password': 'nope' })).rejects.toThrow(/Connector 'pw': cannot connect to MySQL\/MariaDB .*access denied for user/)
    await expect(worker.startConnector({ ...bad, name: 'dns', 'database.hostname': 'no-such-host.invalid' })).rejects.toThrow(/Connector 'dns': cannot connect to MySQL\/MariaDB no-such-host\.invalid:\d+: unknown host 'no-such-host\.invalid'/)
    await expect(worker.startConnector({ ...bad, name: 'host', 'database.port': '1' })).rejects.toThrow(/Connector 'host': cannot connect to MySQL\/MariaDB 127\.0\.0\.1:1: connection refused/)
    await expect(worker.startConnector({ ...bad, name: 'perm', 'database.user': 'brook_plain' })).rejects.toThrow(/Connector 'perm': user 'brook_plain' lacks the REPLICATION SLAVE and REPLICATION CLIENT privileges/)
    await expect(worker.startConnector({ ...bad, name: 'nt', 'table.include.list': `${dbName}\\.no_such` })).rejects.toThrow(/Connector 'nt': Invalid value for configuration 'table.include.list': no table matches/)
    await expect(worker.startConnector({ ...bad, name: 'mode', 'snapshot.mode': 'sometimes' })).rejects.toThrow(/Connector 'mode': Invalid value for configuration 'snapshot.mode': 'sometimes' must be one of/)
    await expect(worker.startConnector({ ...noServerId, name: 'sid' })).rejects.toThrow(/Connector 'sid': Invalid value for configuration 'database.server.id': Missing required/)
    await expect(worker.startConnector({ ...bad, name: 'unk', 'database.hostnam': 'x' })).rejects.toThrow(/Connector 'unk': Invalid value for configuration 'database.hostnam': unknown configuration key/)
    expect(names().filter((n) => ['pw', 'dns', 'host', 'perm', 'nt', 'mode', 'sid', 'unk'].includes(n))).toEqual([])
  })
})
