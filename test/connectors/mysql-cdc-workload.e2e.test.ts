// TPC-B-like workload (test/connectors/mysql-tpcb.ts) on MariaDB while binlog CDC runs in a
// `brook connect run` child process against Apache Kafka; the child is killed with SIGKILL
// mid-snapshot and mid-stream. At the end the tables rebuilt from the topics equal the
// database's tables row for row, and the duplicates the restarts caused are counted: streamed
// duplicates can only be records after the last stored offset (at most one batch).
import type { ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../core/client/kafka/client.js'
import type { BrookClient } from '../../core/client/types.js'
import {
  changeEvents, connectRun, countDuplicates, databaseProperties, dbUrl, kill9, binlogPositions, readTopic, ResendableChanges, storedOffset, topicCount, trace, tracedOutput,
  waitFor, waitForTopicToEqualTable,
} from './helpers.js'
import { tpcbInit, tpcbRun } from './mysql-tpcb.js'

const url = dbUrl('BROOK_MYSQL_URL')
const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
if (url !== null && !bootstrap && process.env.CI === 'true') throw new Error('BROOK_KAFKA_BOOTSTRAP is not set under CI=true')
const BATCH = 2000

describe.skipIf(url === null || !bootstrap)('MariaDB CDC under a TPC-B workload with SIGKILL restarts', () => {
  const dbName = `brook_tpcb_${process.pid}`
  const run = `mytpcb${process.pid}${Date.now() % 100000}`
  let db: mysql.Connection
  let kafka: BrookClient
  let dir: string
  let child: ChildProcess | null = null
  const u = new URL(url ?? 'mysql://x@h/d')
  const options: mysql.ConnectionOptions = { host: u.hostname, port: Number(u.port), user: decodeURIComponent(u.username), password: decodeURIComponent(u.password) }

  beforeAll(async () => {
    db = await mysql.createConnection(options)
    await tpcbInit(db, dbName, 1)
    kafka = await KafkaClient.connect({ bootstrapServers: bootstrap!, clientId: 'brook-mycdc-e2e' })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-mytpcb-'))
  }, 120_000)
  afterAll(async () => {
    if (child !== null) await kill9(child)
    await kafka?.close()
    await db?.query(`DROP DATABASE IF EXISTS \`${dbName}\``).catch(() => {})
    await db?.end()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  async function startChild(): Promise<void> {
    trace('starting child')
    child = await connectRun(path.join(dir, 'mariadb.properties'), run, [
      'connector.class=io.debezium.connector.mariadb.MariaDbConnector', ...databaseProperties(u), `database.server.id=${7000 + (process.pid % 1000)}`,
      `topic.prefix=${run}`, `database.include.list=${dbName}`, `schema.history.internal.kafka.topic=${run}-history`,
      `schema.history.internal.kafka.bootstrap.servers=${bootstrap}`, `snapshot.fetch.size=${BATCH}`, `max.batch.size=${BATCH}`,
      'heartbeat.interval.ms=500', 'poll.interval.ms=50',
    ], bootstrap!, tracedOutput)
  }

  const topic = (t: string): string => `${run}.${dbName}.tpcb_${t}`
  const resendable = new ResendableChanges('aid', binlogPositions)

  /** Kills the child with kill -9 and notes the account changes past the offset it stored last: only these may come again. */
  async function killChild(): Promise<void> {
    await kill9(child!)
    child = null
    const past = resendable.atKill(await storedOffset(kafka, run), await readTopic(kafka, topic('accounts')))
    trace(`kill -9: ${past} account changes in the topic past the stored offset`)
  }

  it('rebuilds accounts, tellers, branches and history from the topics exactly, counting duplicates', async () => {
    // 1. Kill -9 in the middle of the 100,000-row snapshot.
    await startChild()
    await waitFor('snapshot under way', async () => (await topicCount(kafka, topic('accounts'))) >= 20_000, 120_000)
    await killChild()
    const atKill = await topicCount(kafka, topic('accounts'))
    trace(`killed at ${atKill}`)
    // 2. Restart: the unfinished snapshot is taken again, then streaming; the workload runs meanwhile.
    await startChild()
    const workload = tpcbRun(options, dbName, 1, 3, 8)
    await waitFor('streamed changes', async () => (await topicCount(kafka, topic('accounts'))) >= atKill + 100_000 + 200, 120_000)
    await killChild()
    await startChild()
    const committed = await workload
    trace(`workload done: ${committed} transactions`)
    // 3. Wait until the topics reflect every committed change: the tables rebuilt from them equal the database's.
    const tables: Array<[string, string, string]> = [['accounts', 'aid', 'abalance'], ['tellers', 'tid', 'tbalance'], ['branches', 'bid', 'bbalance'], ['history', 'hid', 'delta']]
    for (const [t, key, col] of tables) {
      const [rows] = await db.query(`SELECT ${key}, ${col} FROM \`${dbName}\`.tpcb_${t}`)
      await waitForTopicToEqualTable(kafka, topic(t), key, rows as Array<Record<string, unknown>>)
      trace(`${t}: rebuilt from the topic equals the table`)
    }
    // Duplicates: change events seen more than once (same op, key and position), and snapshot reads repeated by the restart.
    const events = changeEvents(await readTopic(kafka, topic('accounts')), 'aid', binlogPositions)
    const { duplicates: dups, snapshotDuplicates: snapshotDups, streamed } = countDuplicates(events)
    const records = events.length
    console.log(`MariaDB TPC-B CDC: ${committed} transactions, ${records} account events, ${dups} duplicates (${snapshotDups} from re-snapshotting after the mid-snapshot kill, ${dups - snapshotDups} streamed after the last stored offset; changes in the topic past it at each kill: ${resendable.pastAtKills.join(', ')})`)
    expect(committed).toBeGreaterThan(100)
    expect(records).toBeGreaterThan(100_000 + committed)
    // Only changes in the topic past the last stored offset at a kill came again.
    expect(resendable.unexpected(streamed)).toEqual([])
    await kill9(child!)
    child = null
  }, 600_000)
})
