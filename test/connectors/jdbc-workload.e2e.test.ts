// A TPC-B-like workload of our own on MariaDB (account balance updates and history inserts,
// many transactions per second, rows touched in the same second) while a JDBC polling source in
// timestamp+incrementing mode streams the accounts into a topic and a JDBC sink upserts them into
// PostgreSQL. At the end the PostgreSQL table equals the MariaDB table row for row.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import { openTestDb, type TestDb } from './databases.js'
import { dbUrl, readTopic, waitFor } from './helpers.js'

const myUrl = dbUrl('BROOK_MYSQL_URL')
const pgUrl = dbUrl('BROOK_PG_URL')

describe.skipIf(myUrl === null || pgUrl === null)('JDBC polling MariaDB → topic → JDBC sink PostgreSQL under a TPC-B-like workload', () => {
  const t = `tpcb_accounts_${process.pid}`
  let my: mysql.Connection
  let pgdb: TestDb
  let client: BrookClient
  let worker: Worker
  let dir: string
  beforeAll(async () => {
    my = await mysql.createConnection({ uri: myUrl!, multipleStatements: true })
    pgdb = await openTestDb('postgres', pgUrl!)
    await my.query(`CREATE TABLE ${t} (aid INT PRIMARY KEY, bid INT NOT NULL, abalance BIGINT NOT NULL, updated_at DATETIME(6) NOT NULL DEFAULT NOW(6) ON UPDATE NOW(6))`)
    await my.query(`CREATE TABLE ${t}_history (id BIGINT AUTO_INCREMENT PRIMARY KEY, aid INT, delta INT, at DATETIME(6) DEFAULT NOW(6))`)
    await my.query(`INSERT INTO ${t} (aid, bid, abalance) SELECT seq, 1 + seq MOD 10, 0 FROM seq_1_to_20000`)
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-jdbc-tpcb-'))
    client = await EmbeddedClient.open({ dataDir: dir })
    worker = await Worker.start(client, { log: () => {} })
  }, 120_000)
  afterAll(async () => {
    await worker?.stop()
    await client?.close()
    await my?.query(`DROP TABLE IF EXISTS ${t}, ${t}_history`)
    await my?.end()
    await pgdb?.exec(`DROP TABLE IF EXISTS ${t}`).catch(() => {})
    await pgdb?.close()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('the sink table equals the source table after the workload', async () => {
    await worker.startConnector({
      name: 'tpcb-src', 'connector.class': 'JdbcSourceConnector', 'connection.url': `jdbc:${myUrl}`, 'table.whitelist': t,
      mode: 'timestamp+incrementing', 'timestamp.column.name': 'updated_at', 'incrementing.column.name': 'aid', 'topic.prefix': 'tpcb-',
      'poll.interval.ms': '100', 'batch.max.rows': '1000', 'timestamp.delay.interval.ms': '500',
    })
    await worker.startConnector({
      name: 'tpcb-sink', 'connector.class': 'JdbcSinkConnector', 'connection.url': pgdb.jdbcUrl, topics: `tpcb-${t}`, 'table.name.format': t,
      'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true', 'batch.size': '2000',
    })
    // The workload: 4 clients, each transaction updates one account and inserts a history row.
    const clients = await Promise.all([0, 1, 2, 3].map(() => mysql.createConnection({ uri: myUrl! })))
    let transactions = 0
    const deadline = Date.now() + Number(process.env.BROOK_WORKLOAD_MS ?? 6000)
    await Promise.all(clients.map(async (c, n) => {
      let seed = n + 1
      while (Date.now() < deadline) {
        seed = (seed * 1103515245 + 12345) % 2147483648
        const aid = 1 + (seed % 20000)
        const delta = (seed % 10001) - 5000
        await c.beginTransaction()
        await c.query(`UPDATE ${t} SET abalance = abalance + ? WHERE aid = ?`, [delta, aid])
        await c.query(`INSERT INTO ${t}_history (aid, delta) VALUES (?, ?)`, [aid, delta])
        await c.commit()
        transactions++
      }
      await c.end()
    }))
    const [rows] = await my.query({ sql: `SELECT aid, bid, abalance FROM ${t} ORDER BY aid`, rowsAsArray: true })
    const expected = JSON.stringify((rows as unknown[][]).map((r) => r.map(String)))
    const actual = async (): Promise<string> => JSON.stringify((await pgdb.rows(`SELECT aid, bid, abalance FROM ${t} ORDER BY aid`).catch(() => [])).map((r) => r.map(String)))
    await waitFor('PostgreSQL table equals the MariaDB table', async () => (await actual()) === expected, 180_000).catch(async () => {
      const topicRecords = (await readTopic(client, `tpcb-${t}`)).length
      const status = JSON.stringify([worker.describe('tpcb-src'), worker.describe('tpcb-sink')])
      expect({ rows: await actual(), topicRecords, status }).toEqual({ rows: expected, topicRecords, status })
    })
    console.log(`TPC-B-like workload on MariaDB: ${transactions} transactions; 20000 accounts equal in PostgreSQL`)
    expect(transactions).toBeGreaterThan(100)
  }, 300_000)
})
