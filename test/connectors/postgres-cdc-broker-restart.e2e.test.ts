// PostgreSQL CDC through `brook connect run --bootstrap` to a Brook broker process that is killed
// with kill -9 while changes stream and restarted on the same data directory and port: the table
// rebuilt from the topic equals the database's; the duplicates are counted, and each is a change
// that was in the topic past the last stored offset at the kill (read from the killed broker's
// data directory).
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EmbeddedClient } from '../../core/client/embedded/client.js'
import { KafkaClient } from '../../core/client/kafka/client.js'
import { StatusStore } from '../../connectors/runtime/status-store.js'
import {
  BrokerProcess, changeEvents, connectRun, countDuplicates, databaseProperties, dbUrl, kill9, lsnPositions, readTopic, ResendableChanges, storedOffset, topicCount, waitFor,
  waitForTopicToEqualTable,
} from './helpers.js'

const url = dbUrl('BROOK_PG_URL')

describe.skipIf(url === null)('PostgreSQL CDC while the Brook broker is killed with kill -9 and restarted', () => {
  const run = `brk${process.pid}`
  const table = `brk_moves_${process.pid}`
  const slot = `brook_test_${run}`
  const u = new URL(url ?? 'postgres://x@h/d')
  let dir: string
  let db: pg.Client
  const children: ChildProcess[] = []
  let broker: BrokerProcess | undefined
  const output: string[] = []

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-broker-restart-'))
    db = new pg.Client({ connectionString: url! })
    await db.connect()
    await db.query(`DROP TABLE IF EXISTS ${table}`)
    await db.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note TEXT)`)
  })
  afterAll(async () => {
    for (const c of children) await kill9(c)
    await broker?.kill9()
    await waitFor('slot inactive', async () => (await db.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount === 0, 30_000).catch(() => {})
    await db?.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot]).catch(() => {})
    await db?.query(`DROP PUBLICATION IF EXISTS pub_${run}`).catch(() => {})
    await db?.query(`DROP TABLE IF EXISTS ${table}`).catch(() => {})
    await db?.end()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  it('loses no committed change and counts the duplicates', async () => {
    broker = await BrokerProcess.start(path.join(dir, 'broker'), output)
    const bootstrap = broker.bootstrap
    const connect = await connectRun(path.join(dir, 'cdc.properties'), run, [
      'connector.class=io.debezium.connector.postgresql.PostgresConnector', ...databaseProperties(u),
      `database.dbname=${u.pathname.slice(1)}`, `topic.prefix=${run}`, `slot.name=${slot}`, `publication.name=pub_${run}`, 'publication.autocreate.mode=filtered',
      `table.include.list=public\\.${table}`, 'heartbeat.interval.ms=200', 'poll.interval.ms=50',
    ], bootstrap, output)
    children.push(connect)
    const topic = `${run}.public.${table}`

    const committed: number[] = []
    let stopWriting = false
    const writer = (async () => {
      for (let id = 1; !stopWriting; id++) {
        await db.query(`INSERT INTO ${table} VALUES ($1, $2)`, [id, `move ${id}`])
        committed.push(id)
      }
    })()

    let kafka = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-broker-restart-e2e' })
    await waitFor('changes streaming', async () => (await topicCount(kafka, topic)) >= 300, 60_000)
    await kafka.close()
    await broker.kill9()
    const atKill = committed.length
    // The broker is down: its data directory holds exactly the last stored offset and the records of the kill.
    const resendable = new ResendableChanges('id', lsnPositions)
    const dead = await EmbeddedClient.open({ dataDir: broker.dataDir })
    try {
      resendable.atKill(await storedOffset(dead, run), await readTopic(dead, topic))
    } finally {
      await dead.close()
    }
    await broker.start()
    await waitFor('changes committed after the restart', () => committed.length >= atKill + 300, 60_000)
    stopWriting = true
    await writer

    kafka = await KafkaClient.connect({ bootstrapServers: bootstrap, clientId: 'brook-broker-restart-e2e' })
    try {
      const { rows } = await db.query(`SELECT id, note FROM ${table}`)
      await waitForTopicToEqualTable(kafka, topic, 'id', rows as Array<Record<string, unknown>>).catch((err: unknown) => {
        throw new Error(`${(err as Error).message}; output:\n${output.join('').slice(-3000)}`)
      })
      const events = changeEvents(await readTopic(kafka, topic), 'id', lsnPositions)
      const { duplicates, streamed } = countDuplicates(events)
      console.log(`Broker kill -9: ${committed.length} committed changes, ${events.length} records, ${duplicates} duplicates; ${resendable.pastAtKills[0]} changes were in the topic past the last stored offset at the kill`)
      expect(rows).toHaveLength(committed.length)
      expect(new Set(events.map((e) => e.id)).size).toBe(committed.length)
      // Only changes in the topic past the last stored offset at the kill came again.
      expect(resendable.unexpected(streamed)).toEqual([])
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
