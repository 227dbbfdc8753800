// MariaDB CDC against a throwaway MariaDB server of its own (own port and temp dir): the server
// checks with SET GLOBAL binlog_format=STATEMENT and binlog_row_image=MINIMAL for real, and a crash
// (SIGKILL) and restart of the database while CDC runs, losing no committed change.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import { readTopic, topicCount, waitFor, waitForTopicToEqualTable } from './helpers.js'
import { mariaDbUnavailable, startMariaDb, type MariaDbInstance } from './mariadb-instance.js'

const unavailable = mariaDbUnavailable()
if (unavailable !== null) {
  if (process.env.CI === 'true') throw new Error(`under CI=true a MariaDB server of its own must start: ${unavailable}`)
  console.warn(`skipping: ${unavailable}`)
}

describe.skipIf(unavailable !== null)('MariaDB CDC against a server of its own', () => {
  let server: MariaDbInstance
  let db: mysql.Connection
  let client: BrookClient
  let worker: Worker
  let dataDir: string
  const base = (port: number): Record<string, string> => ({
    'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.hostname': '127.0.0.1', 'database.port': String(port),
    'database.user': 'brook', 'database.password': 'brook', 'database.server.id': '4242', 'poll.interval.ms': '50', 'errors.retry.delay.max.ms': '500',
  })
  beforeAll(async () => {
    server = await startMariaDb(['--binlog-format=ROW'])
    db = await mysql.createConnection({ uri: server.url })
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-mycdc-own-'))
    client = await EmbeddedClient.open({ dataDir })
    worker = await Worker.start(client, { log: process.env.BROOK_TEST_LOG ? (l) => console.error(l) : () => {} })
  }, 120_000)
  afterAll(async () => {
    await worker?.stop()
    await client?.close()
    await db?.end().catch(() => {})
    await server?.destroy()
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses binlog_format=STATEMENT and binlog_row_image=MINIMAL with one message, starting nothing', async () => {
    await db.query('CREATE TABLE t (id INT PRIMARY KEY)')
    const props = { ...base(server.port), name: 'fmt', 'topic.prefix': 'fmt' }
    await db.query("SET GLOBAL binlog_format = 'STATEMENT'")
    await expect(worker.startConnector(props)).rejects.toThrow("Connector 'fmt': binlog_format is 'STATEMENT', CDC needs binlog_format=ROW")
    await db.query("SET GLOBAL binlog_format = 'ROW'")
    await db.query("SET GLOBAL binlog_row_image = 'MINIMAL'")
    await expect(worker.startConnector(props)).rejects.toThrow("Connector 'fmt': binlog_row_image is 'MINIMAL', CDC needs binlog_row_image=FULL")
    expect(worker.connectors()).not.toContain('fmt')
    await db.query("SET GLOBAL binlog_row_image = 'FULL'")
    await worker.startConnector(props) // the same config starts once the server is right
    await worker.stopConnector('fmt')
  })

  it('loses no committed change when the database crashes and restarts while CDC runs', async () => {
    const dbc = await mysql.createConnection({ uri: server.url })
    await dbc.query('CREATE TABLE r (id INT PRIMARY KEY, v INT)')
    await dbc.query('INSERT INTO r SELECT seq, seq FROM seq_1_to_1000')
    await worker.startConnector({ ...base(server.port), name: 'crash', 'topic.prefix': 'crash', 'table.include.list': 'brook\\.r' })
    const topic = 'crash.brook.r'
    await waitFor('snapshot', async () => (await topicCount(client, topic)) >= 1000)
    await dbc.query('INSERT INTO r SELECT seq, seq FROM seq_1001_to_1500')
    await dbc.end()
    await server.kill()
    await server.start()
    const after = await mysql.createConnection({ uri: server.url })
    await after.query('INSERT INTO r SELECT seq, seq FROM seq_1501_to_2000')
    await after.query('UPDATE r SET v = -v WHERE id <= 10')
    const [rows] = await after.query('SELECT id, v FROM r')
    await after.end()
    await waitForTopicToEqualTable(client, topic, 'id', rows as Array<Record<string, unknown>>, 60_000)
    const recs = await readTopic(client, topic)
    console.log(`MariaDB crash: ${recs.length} records for 2,010 changes (${recs.length - 2010} duplicates after the last stored offset)`)
    await worker.stopConnector('crash')
  }, 120_000)

  it('advances the stored position with heartbeats while captured tables are quiet; a purged binlog needs when_needed', async () => {
    const c = await mysql.createConnection({ uri: server.url })
    await c.query('CREATE TABLE quiet (id INT PRIMARY KEY)')
    await c.query('CREATE TABLE busy (id INT PRIMARY KEY)')
    const props = { ...base(server.port), name: 'hb', 'topic.prefix': 'hb', 'table.include.list': 'brook\\.quiet', 'heartbeat.interval.ms': '100' }
    await worker.startConnector(props)
    const stored = (): { file: string; pos: number } | undefined => worker.offsets.forConnector('hb')[0]?.offset as { file: string; pos: number } | undefined
    await waitFor('snapshot offset', () => (stored()?.pos ?? 0) > 0)
    const [[status]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: number }]]
    await c.query('INSERT INTO busy SELECT seq FROM seq_1_to_100') // not captured: only heartbeats can store its position
    const [[after]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string; Position: number }]]
    expect(after.Position).toBeGreaterThan(status.Position)
    await waitFor('heartbeat stores the position past the uncaptured commit', () => stored()?.file === after.File && stored()!.pos >= after.Position)
    await worker.stopConnector('hb')
    // The stored file purged from the server: a clear error, unless when_needed takes a new snapshot.
    await c.query('FLUSH BINARY LOGS')
    const [[now]] = (await c.query('SHOW MASTER STATUS')) as unknown as [[{ File: string }]]
    // The server keeps a file a replica still reads: purge once the stopped reader's dump thread is gone.
    await waitFor('stored binlog file purged', async () => {
      await c.query(`PURGE BINARY LOGS TO '${now.File}'`)
      const [logs] = (await c.query('SHOW BINARY LOGS')) as unknown as [Array<{ Log_name: string }>]
      return !logs.some((l) => l.Log_name === stored()!.file)
    })
    await c.query('INSERT INTO quiet VALUES (1)')
    await expect(worker.startConnector(props)).rejects.toThrow(/Connector 'hb': the stored offset's binlog file 'mariadb-bin\.\d+' is no longer on the server \(purged\): set snapshot.mode=when_needed/)
    expect(worker.connectors()).not.toContain('hb')
    await worker.startConnector({ ...props, 'snapshot.mode': 'when_needed' })
    await waitFor('new snapshot of quiet', async () => (await readTopic(client, 'hb.brook.quiet')).some((r) => r.value !== null && /"op":"r"/.test(r.value.toString())))
    await worker.stopConnector('hb')
    await c.end()
  }, 120_000)
})
