// TPC-B-like workload (pgbench) on PostgreSQL while CDC runs in a `brook connect run` child
// process against Apache Kafka; the child is killed with SIGKILL mid-snapshot and mid-stream.
// At the end the tables rebuilt from the topics equal the database's tables row for row, and
// the duplicates the restarts caused are counted.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { KafkaClient } from '../../core/client/kafka/client.js'
import type { BrookClient } from '../../core/client/types.js'
import {
  changeEvents, connectRun, countDuplicates, databaseProperties, dbUrl, kill9, lsnPositions, readTopic, ResendableChanges, storedOffset, topicCount, trace, tracedOutput,
  waitFor, waitForTopicToEqualTable,
} from './helpers.js'

const url = dbUrl('BROOK_PG_URL')
const bootstrap = process.env.BROOK_KAFKA_BOOTSTRAP
if (url !== null && !bootstrap && process.env.CI === 'true') throw new Error('BROOK_KAFKA_BOOTSTRAP is not set under CI=true')
const pgbench = process.env.BROOK_PGBENCH ?? '/usr/lib/postgresql/15/bin/pgbench'

describe.skipIf(url === null || !bootstrap)('PostgreSQL CDC under a pgbench workload with SIGKILL restarts', () => {
  const dbName = `brook_tpcb_${process.pid}`
  const run = `tpcb${process.pid}${Date.now() % 100000}`
  const slot = `brook_test_${run}`
  let admin: pg.Client
  let db: pg.Client
  let kafka: BrookClient
  let dir: string
  let child: ChildProcess | null = null
  const u = new URL(url ?? 'postgres://x@h/d')
  const dbUrlFor = (name: string): string => { const x = new URL(url!); x.pathname = `/${name}`; return x.toString() }

  beforeAll(async () => {
    admin = new pg.Client({ connectionString: url! })
    await admin.connect()
    await admin.query(`CREATE DATABASE ${dbName}`)
    const init = spawnSync(pgbench, ['-i', '-s', '1', '-q', dbUrlFor(dbName)], { encoding: 'utf8' })
    if (init.status !== 0) throw new Error(`pgbench -i failed: ${init.stderr}`)
    db = new pg.Client({ connectionString: dbUrlFor(dbName) })
    await db.connect()
    await db.query('ALTER TABLE pgbench_accounts REPLICA IDENTITY FULL')
    kafka = await KafkaClient.connect({ bootstrapServers: bootstrap!, clientId: 'brook-cdc-e2e' })
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-tpcb-'))
  }, 120_000)
  afterAll(async () => {
    if (child !== null) await kill9(child)
    await kafka?.close()
    await db?.end()
    // The killed child's walsender may take a moment to notice; wait until the slot is free.
    await waitFor('slot inactive', async () => (await admin.query('SELECT 1 FROM pg_replication_slots WHERE slot_name = $1 AND active', [slot])).rowCount === 0, 30_000).catch(() => {})
    await admin?.query(`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active`, [slot]).catch(() => {})
    await admin?.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => {})
    await admin?.end()
    if (dir) fs.rmSync(dir, { recursive: true, force: true })
  })

  async function startChild(): Promise<void> {
    trace('starting child')
    child = await connectRun(path.join(dir, 'pg.properties'), run, [
      'connector.class=io.debezium.connector.postgresql.PostgresConnector', ...databaseProperties(u), `database.dbname=${dbName}`,
      `topic.prefix=${run}`, `slot.name=${slot}`, `publication.name=pub_${run}`, 'publication.autocreate.mode=filtered',
      'table.include.list=public\\.pgbench_(accounts|branches|tellers)', 'snapshot.fetch.size=2000', 'max.batch.size=2000',
      'heartbeat.interval.ms=500', 'poll.interval.ms=50',
    ], bootstrap!, tracedOutput)
  }

  const topic = (t: string): string => `${run}.public.pgbench_${t}`
  const resendable = new ResendableChanges('aid', lsnPositions)

  /** Kills the child with kill -9 and notes the account changes past the offset it stored last: only these may come again. */
  async function killChild(): Promise<void> {
    await kill9(child!)
    child = null
    const past = resendable.atKill(await storedOffset(kafka, run), await readTopic(kafka, topic('accounts')))
    trace(`kill -9: ${past} account changes in the topic past the stored offset`)
  }

  it('rebuilds accounts, tellers and branches from the topics exactly, counting duplicates', async () => {
    // 1. Kill -9 in the middle of the 100,000-row snapshot.
    await startChild()
    await waitFor('snapshot under way', async () => (await topicCount(kafka, topic('accounts'))) >= 20_000, 120_000)
    await killChild()
    const atKill = await topicCount(kafka, topic('accounts'))
    trace(`killed at ${atKill}`)
    // 2. Restart: the unfinished snapshot is taken again, then streaming starts; pgbench runs meanwhile.
    await startChild()
    const bench = spawn(pgbench, ['-c', '2', '-j', '1', '-T', '8', '-n', dbUrlFor(dbName)], { stdio: 'ignore' })
    const benchDone = new Promise<void>((resolve) => bench.once('exit', () => resolve()))
    // Kill again once the new snapshot is done and workload changes are streaming.
    await waitFor('streamed changes', async () => (await topicCount(kafka, topic('accounts'))) >= atKill + 100_000 + 200, 120_000)
    await killChild()
    await startChild()
    await benchDone
    trace('pgbench done')
    // 3. Wait until the topics reflect every committed change: the tables rebuilt from them equal the database's.
    const tables: Array<[string, string, string]> = [['accounts', 'aid', 'abalance'], ['tellers', 'tid', 'tbalance'], ['branches', 'bid', 'bbalance']]
    for (const [t, key, col] of tables) {
      const { rows } = await db.query(`SELECT ${key}, ${col} FROM pgbench_${t}`)
      await waitForTopicToEqualTable(kafka, topic(t), key, rows as Array<Record<string, unknown>>)
      trace(`${t}: rebuilt from the topic equals the table`)
    }
    // Duplicates: change events seen more than once (same op, key and position), and snapshot reads repeated by the restart.
    const events = changeEvents(await readTopic(kafka, topic('accounts')), 'aid', lsnPositions)
    const { duplicates: dups, snapshotDuplicates: snapshotDups, streamed } = countDuplicates(events)
    const records = events.length
    console.log(`pgbench CDC: ${records} account events, ${dups} duplicates (${snapshotDups} from re-snapshotting after the mid-snapshot kill, ${dups - snapshotDups} streamed after the last stored offset; changes in the topic past it at each kill: ${resendable.pastAtKills.join(', ')})`)
    expect(records).toBeGreaterThan(100_000)
    // Only changes in the topic past the last stored offset at a kill came again.
    expect(resendable.unexpected(streamed)).toEqual([])
    await kill9(child!)
    child = null
  }, 600_000)
})
