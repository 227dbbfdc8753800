// MariaDB binlog CDC figures for `npm run bench:connect` (bench/connect.bench.ts calls this once
// per round): the snapshot's rows/s beside a bulk SELECT of the same table, and streaming rows/s
// (an INSERT ... SELECT of ROWS rows, from the statement's start to every record acknowledged)
// beside the INSERT itself. The same two figures for the task's poll() alone (no transforms,
// converters or producer) show how much of the end-to-end time is the binlog side.
import mysql from 'mysql2/promise'
import type { BrookClient } from '../core/client/types.js'
import type { Worker } from '../connectors/index.js'
import { MysqlCdcTask } from '../connectors/mysql-cdc/task.js'

export interface BenchContext {
  rows: number
  record(name: string, brook: number, db: number, unit?: string): void
  until(what: string, cond: () => Promise<boolean>, timeoutMs?: number): Promise<void>
  topicEnd(client: BrookClient, topic: string): Promise<number>
}

export async function benchMariaDbCdc(client: BrookClient, worker: Worker, myUrl: string, round: number, ctx: BenchContext): Promise<void> {
  const ROWS = ctx.rows
  const u = new URL(myUrl)
  const dbName = u.pathname.slice(1)
  const db = await mysql.createConnection({ uri: myUrl })
  const t = `bench_mycdc_${process.pid}_${round}`
  const name = `mycdc-${round}`
  try {
    await db.query(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY, name TEXT, amount DECIMAL(12,2), at DATETIME(3))`)
    await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_1_to_${ROWS}`)
    let t0 = performance.now()
    await db.query({ sql: `SELECT * FROM ${t}`, rowsAsArray: true })
    const selectRate = ROWS / ((performance.now() - t0) / 1000)

    const prefix = `bmy${round}`
    const topic = `${prefix}.${dbName}.${t}`
    t0 = performance.now()
    await worker.startConnector({
      name, 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.hostname': u.hostname, 'database.port': u.port,
      'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password), 'database.server.id': String(9000 + round),
      'topic.prefix': prefix, 'table.include.list': `${dbName}\\.${t}`, 'snapshot.fetch.size': '4096', 'max.batch.size': '4096', 'max.queue.size': '16384',
      'poll.interval.ms': '5', 'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'false',
    })
    await ctx.until('MariaDB snapshot', async () => (await ctx.topicEnd(client, topic)) >= ROWS)
    ctx.record('MariaDB CDC snapshot (vs bulk SELECT)', ROWS / ((performance.now() - t0) / 1000), selectRate)

    t0 = performance.now()
    await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_${ROWS + 1}_to_${2 * ROWS}`)
    const insertSecs = (performance.now() - t0) / 1000
    await ctx.until('MariaDB CDC', async () => (await ctx.topicEnd(client, topic)) >= 2 * ROWS)
    ctx.record('MariaDB CDC streaming (vs the INSERT itself)', ROWS / ((performance.now() - t0) / 1000), ROWS / insertSecs)
    await worker.stopConnector(name)

    // The task alone: snapshot of the 2 × ROWS rows, then ROWS more streamed.
    const task = new MysqlCdcTask('mariadb')
    const signal = new AbortController().signal
    t0 = performance.now()
    await task.start({
      'database.hostname': u.hostname, 'database.port': u.port, 'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password),
      'database.server.id': String(9100 + round), 'topic.prefix': `${prefix}t`, 'table.include.list': `${dbName}\\.${t}`, 'snapshot.fetch.size': '4096', 'max.batch.size': '4096',
      'max.queue.size': '16384', 'poll.interval.ms': '5',
    }, { connector: `${name}-task`, taskId: 0, client, signal, offsetStorageReader: { offset: () => null }, progress: { start() {}, advance() {}, done() {} } })
    const rowsOf = (recs: Array<{ topic: string }>): number => recs.filter((r) => r.topic === `${prefix}t.${dbName}.${t}`).length
    let n = 0
    try {
      while (n < 2 * ROWS) n += rowsOf(await task.poll())
      ctx.record('MariaDB CDC snapshot, task poll() alone (vs bulk SELECT)', n / ((performance.now() - t0) / 1000), selectRate)
      t0 = performance.now()
      await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_${2 * ROWS + 1}_to_${3 * ROWS}`)
      const insert2 = (performance.now() - t0) / 1000
      n = 0
      while (n < ROWS) n += rowsOf(await task.poll())
      ctx.record('MariaDB CDC streaming, task poll() alone (vs the INSERT)', n / ((performance.now() - t0) / 1000), ROWS / insert2)
    } finally {
      await task.stop()
    }
  } finally {
    await db.query(`DROP TABLE IF EXISTS ${t}`).catch(() => {})
    await db.end()
  }
}
