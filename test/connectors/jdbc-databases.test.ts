// The JDBC source and sink against real PostgreSQL and MariaDB (scripts/ci/start-databases.sh).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import type { BrookClient } from '../../core/client/types.js'
import { Worker } from '../../connectors/index.js'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { uniqueName } from '../helpers/tmp.js'
import { openTestDb, type TestDb } from './databases.js'
import { dbUrl, json, readTopic, topicCount, waitFor } from './helpers.js'

const targets = [
  { name: 'postgres' as const, env: 'BROOK_PG_URL' as const },
  { name: 'mysql' as const, env: 'BROOK_MYSQL_URL' as const },
]

for (const t of targets) {
  const url = dbUrl(t.env)
  describe.skipIf(url === null)(`JDBC connectors on ${t.name}`, () => {
    let db: TestDb
    let client: BrookClient
    let worker: Worker
    let dataDir: string
    beforeAll(async () => {
      db = await openTestDb(t.name, url!)
      dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-connect-'))
      client = await EmbeddedClient.open({ dataDir })
      worker = await Worker.start(client, { log: process.env.BROOK_TEST_LOG ? (l) => console.error(l) : () => {} })
    })
    afterAll(async () => {
      await worker?.stop()
      await client?.close()
      await db?.close()
      if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true })
    })

    it('copies a table through a topic into another table: exact decimals, timestamps, JSON, bytes and NULLs; source and sink tables equal', async () => {
      const src = uniqueName('src').replace(/-/g, '_')
      const dst = `${src}_copy`
      const pgTypes = 'id BIGINT PRIMARY KEY, amount NUMERIC(20,6), big BIGINT, at TIMESTAMP(3) NOT NULL, day DATE, doc JSONB, raw BYTEA, name TEXT'
      const myTypes = 'id BIGINT PRIMARY KEY, amount DECIMAL(20,6), big BIGINT, at DATETIME(3) NOT NULL, day DATE, doc JSON, raw VARBINARY(16), name TEXT'
      await db.exec(`CREATE TABLE ${src} (${t.name === 'postgres' ? pgTypes : myTypes})`)
      const bytes = t.name === 'postgres' ? "'\\x00ff'::bytea" : "X'00FF'"
      await db.exec(`INSERT INTO ${src} VALUES
        (1, 12345678901234.123456, 9007199254740993, '2024-03-01 10:00:00.123', '2024-02-29', '{"a": 1}', ${bytes}, 'x'),
        (2, -0.000001, NULL, '2024-03-01 10:00:00.123', NULL, NULL, NULL, NULL),
        (3, 0, -1, '2024-03-01 10:00:01.000', '1969-12-31', '[]', NULL, 'z')`)
      const topicPrefix = `${t.name}-`
      await worker.startConnector({
        name: `${src}-source`, 'connector.class': 'io.confluent.connect.jdbc.JdbcSourceConnector', 'connection.url': db.jdbcUrl,
        mode: 'timestamp+incrementing', 'timestamp.column.name': 'at', 'incrementing.column.name': 'id', 'table.whitelist': src,
        'topic.prefix': topicPrefix, 'poll.interval.ms': '50', 'batch.max.rows': '2',
      })
      const topic = `${topicPrefix}${src}`
      await waitFor('3 records', async () => (await topicCount(client, topic)) >= 3)
      const recs = await readTopic(client, topic)
      const p = json(recs[0]!)!.payload
      expect(p).toMatchObject({ id: 1, at: Date.UTC(2024, 2, 1, 10, 0, 0, 123), day: 19782, raw: 'AP8=' })
      // int64 beyond 2^53 and the decimal keep every digit in the JSON text.
      expect(recs[0]!.value!.toString()).toContain('"big":9007199254740993')
      expect(JSON.parse(String(p.doc))).toEqual({ a: 1 })
      await worker.startConnector({
        name: `${src}-sink`, 'connector.class': 'io.confluent.connect.jdbc.JdbcSinkConnector', 'connection.url': db.jdbcUrl, topics: topic,
        'table.name.format': dst, 'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true', 'auto.evolve': 'true',
      })
      // More rows while both run, including an update (same id, later timestamp).
      await db.exec(`INSERT INTO ${src} VALUES (4, 4.5, 4, '2024-03-01 10:00:02.000', NULL, NULL, NULL, 'four')`)
      await db.exec(`UPDATE ${src} SET amount = 99.000001, at = '2024-03-01 10:00:03.000' WHERE id = 2`)
      const cols = 'id, amount, big, at, day, name'
      const srcRows = async (): Promise<string> => JSON.stringify(await db.rows(`SELECT ${cols} FROM ${src} ORDER BY id`))
      const dstRows = async (): Promise<string> => JSON.stringify(await db.rows(`SELECT ${cols} FROM ${dst} ORDER BY id`).catch(() => []))
      const expected = await srcRows()
      await waitFor('sink table equals source table', async () => (await dstRows()) === expected).catch(async () => {
        expect(await dstRows()).toEqual(expected)
      })
      expect(JSON.parse(expected)).toHaveLength(4)
      await worker.stopConnector(`${src}-source`)
      await worker.stopConnector(`${src}-sink`)
    })

    it('fails fast with one clear message for a wrong password, a missing table and an unknown key; nothing is left running', async () => {
      const bad = db.jdbcUrl.replace(/:\/\/([^:]+):[^@]+@/, '://$1:wrong@')
      await expect(worker.startConnector({ name: 'pw', 'connector.class': 'JdbcSourceConnector', 'connection.url': bad, mode: 'bulk' }))
        .rejects.toThrow(/Connector 'pw': cannot connect to .*\*\*\*\*.*authentication failed/)
      await expect(worker.startConnector({ name: 'nt', 'connector.class': 'JdbcSourceConnector', 'connection.url': db.jdbcUrl, mode: 'bulk', 'table.whitelist': 'no_such_table' }))
        .rejects.toThrow(/Connector 'nt': table 'no_such_table' does not exist/)
      await expect(worker.startConnector({ name: 'uk', 'connector.class': 'JdbcSourceConnector', 'connection.url': db.jdbcUrl, mode: 'bulk', 'poll.intervall.ms': '5' }))
        .rejects.toThrow(/Connector 'uk': Invalid value for configuration 'poll.intervall.ms': unknown configuration key/)
      await expect(worker.startConnector({ name: 'refused', 'connector.class': 'JdbcSourceConnector', 'connection.url': db.jdbcUrl.replace(/:(\d+)\//, ':1/'), mode: 'bulk' }))
        .rejects.toThrow(/connection refused/)
      expect(worker.connectors().filter((n) => ['pw', 'nt', 'uk', 'refused'].includes(n))).toEqual([])
    })
  })
}
