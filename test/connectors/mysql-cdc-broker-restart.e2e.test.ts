// MariaDB binlog CDC through `brook connect run --bootstrap` to a Brook broker process that is
// killed with kill -9 (three times) while inserts, updates and deletes stream (and an ALTER TABLE
// runs while it is down), and restarted on the same data directory and port; the connector keeps
// running. While the broker is down the test opens its data directory to read exactly what it
// held at the kill: the last stored offset and the changes in the topic. At the end the table
// rebuilt from the topic equals the database's row for row, and every duplicate is a change that
// was in the topic past the last stored offset at a kill.
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { StatusStore } from '../../connectors/runtime/status-store.js'
import {
  binlogPositions, BrokerProcess, changeEvents, connectRun, countDuplicates, databaseProperties, dbUrl, kill9, readTopic, rebuildTable, ResendableChanges, storedOffset,
  topicCount, waitFor, waitForTopicToEqualTable,
} from './helpers.js'

const url = dbUrl('BROOK_MYSQL_URL')

describe.skipIf(url === null)('MariaDB CDC while the Brook broker is killed with kill -9 and restarted', () => {
  const run = `mybrk${process.pid}`
  const u = new URL(url ?? 'mysql://x@h/d')
  const dbName = u.pathname.slice(1)
  const table = `brk_moves_${process.pid}`
  let dir: string
  let db: mysql.Connection
  const children: ChildProcess[] = []
  let broker: BrokerProcess | undefined
  const output: string[] = []

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-mybroker-restart-'))
    db = await mysql.createConnection({ uri: url! })
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(40), n INT NOT NULL)`)
    await db.query(`INSERT INTO ${table} SELECT seq, CONCAT('row ', seq), 0 FROM seq_1_to_2000`) // taken by the snapshot
  })
  afterAll(async () => {
    for (const c of children) await kill9(c)
    await broker?.kill9()
    await db?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
    await db?.end()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('loses no committed change; the duplicates are changes past the last stored offset', async () => {
    broker = await BrokerProcess.start(path.join(dir, 'broker'), output)
    const bootstrap = broker.bootstrap
    const connect = await connectRun(path.join(dir, 'cdc.properties'), run, [
      'connector.class=io.debezium.connector.mariadb.MariaDbConnector', ...databaseProperties(u),
      `database.server.id=${9000 + (process.pid % 1000)}`, `topic.prefix=${run}`, `table.include.list=${dbName}\\.${table}`,
      `schema.history.internal.kafka.topic=${run}-history`, 'heartbeat.interval.ms=200', 'poll.interval.ms=50',
    ], bootstrap, output)
    children.push(connect)
    const topic = `${run}.${dbName}.${table}`

    // Three writers, one change per transaction (autocommit): inserts, and updates and deletes of earlier rows.
    let committed = 0
    let nextId = 2001
    let stopWriting = false
    const change = async (c: mysql.Connection, sql: string, values: unknown[]): Promise<void> => {
      try {
        const [res] = await c.query(sql, values)
        committed += (res as mysql.ResultSetHeader).affectedRows
      } catch (err) {
        // A statement chosen as a deadlock victim was rolled back: nothing committed.
        const code = (err as { code?: string }).code
        if (code !== 'ER_LOCK_DEADLOCK' && code !== 'ER_LOCK_WAIT_TIMEOUT') throw err
      }
    }
    const writers = [1, 2, 3].map(async () => {
      const c = await mysql.createConnection({ uri: url! })
      try {
        while (!stopWriting) {
          const id = nextId++
          await change(c, `INSERT INTO ${table} (id, note, n) VALUES (?, ?, ?)`, [id, `move ${id}`, id])
          if (id % 5 === 0) await change(c, `UPDATE ${table} SET n = n + 1, note = 'updated' WHERE id = ?`, [id - 1])
          if (id % 7 === 0) await change(c, `DELETE FROM ${table} WHERE id = ?`, [id - 3])
        }
      } finally {
        await c.end()
      }
    })

    // Three kills, each while changes stream. While the broker is down its data directory holds
    // exactly the last stored offset and the records of the kill: the changes in the topic past
    // that offset are the only ones that may come again.
    const resendable = new ResendableChanges('id', binlogPositions)
    const kills: string[] = []
    for (let k = 0; k < 3; k++) {
      const kafka = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-mybroker-restart-e2e' })
      const before = await topicCount(kafka, topic)
      await waitFor('changes streaming', async () => (await topicCount(kafka, topic)) >= Math.max(before, 2000) + 300, 60_000)
      await kafka.close()
      await broker.kill9()
      const atKill = committed
      const dead = await EmbeddedClient.open({ dataDir: broker.dataDir })
      try {
        const stored = (await storedOffset(dead, run))!
        expect(stored.snapshot_completed).toBe(true)
        const past = resendable.atKill(stored, await readTopic(dead, topic))
        kills.push(`${past} past ${binlogPositions.id(stored)}`)
      } finally {
        await dead.close()
      }
      // A schema change while the broker is down: its history record is written once the broker is back.
      if (k === 1) await db.query(`ALTER TABLE ${table} ADD COLUMN extra INT NOT NULL DEFAULT 7`)
      await broker.start()
      await waitFor('changes committed after the restart', () => committed >= atKill + 300, 60_000)
    }
    stopWriting = true
    await Promise.all(writers)

    const kafka = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-mybroker-restart-e2e' })
    try {
      const [rows] = await db.query(`SELECT id, note, n FROM ${table}`)
      await waitForTopicToEqualTable(kafka, topic, 'id', rows as Array<Record<string, unknown>>).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output:\n${output.join('').slice(-3000)}`)
      })
      // Rows written after the ALTER carry its column (the rebuilt rows are the latest images).
      const rebuilt = await rebuildTable(kafka, topic, 'id')
      expect(rebuilt.get(String(nextId - 1))?.extra).toBe(7)
      const history = (await readTopic(kafka, `${run}-history`)).map((r) => (JSON.parse(r.value!.toString()) as { ddl: string }).ddl)
      expect(history.filter((d) => /ADD COLUMN extra/.test(d))).toHaveLength(1)
      const events = changeEvents(await readTopic(kafka, topic), 'id', binlogPositions)
      const { duplicates, snapshotDuplicates, streamed } = countDuplicates(events)
      const distinct = new Set(events.filter((e) => e.op !== 'r').map((e) => e.id)).size
      console.log(`MariaDB CDC, broker kill -9: ${committed} committed changes, ${distinct} distinct in the topic, ${duplicates} duplicates; changes in the topic past the last stored offset at each kill: ${kills.join(', ')}`)
      // Every committed change is in the topic once at least; the snapshot was not taken again.
      expect(distinct).toBe(committed)
      expect(events.filter((e) => e.op === 'r')).toHaveLength(2000)
      expect(snapshotDuplicates).toBe(0)
      // Only changes in the topic past the last stored offset at a kill came again, each once.
      expect(resendable.unexpected(streamed)).toEqual([])
      expect(streamed).toHaveLength(duplicates)
      // The connector kept running through the broker's restart.
      expect(connect.exitCode).toBeNull()
      const status = new StatusStore(kafka, 'connect-status', 'test')
      await status.load()
      expect(status.get(run)?.tasks[0]?.state).toBe('RUNNING')
    } finally {
      await kafka.close()
    }
  }, 300_000)
})
