// MariaDB binlog CDC figures for `npm run bench:connect` (bench/connect.bench.ts calls this once
// per round): the snapshot's rows/s beside a bulk SELECT of the same table, and streaming rows/s
// (an INSERT ... SELECT of ROWS rows, from the statement's start to every record acknowledged)
// beside the INSERT itself, and commit → record latency p50/p99 at a steady rate. The same two figures for the task's poll() alone (no transforms,
// converters or producer) show how much of the end-to-end time is the binlog side.
import mysql from 'mysql2/promise'
import type { BrookClient } from '../core/client/types.js'
import type { Worker } from '../connectors/index.js'
import { MysqlCdcTask } from '../connectors/mysql-cdc/task.js'

export interface BenchContext {
  rows: number
  /** Steady write rate (rows/s) and duration (s) of the latency measurement. */
  rate: number
  seconds: number
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
    // The database's own rate for the snapshot's rows: a bulk SELECT, before the snapshot on odd
    // rounds and after it on even ones (as connect.bench.ts pairs its figures).
    const bulkSelect = async (): Promise<number> => {
      const s0 = performance.now()
      await db.query({ sql: `SELECT * FROM ${t}`, rowsAsArray: true })
      return ROWS / ((performance.now() - s0) / 1000)
    }
    let selectRate = round % 2 === 1 ? await bulkSelect() : 0

    const prefix = `bmy${round}`
    const topic = `${prefix}.${dbName}.${t}`
    let t0 = performance.now()
    await worker.startConnector({
      name, 'connector.class': 'io.debezium.connector.mariadb.MariaDbConnector', 'database.hostname': u.hostname, 'database.port': u.port,
      'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password), 'database.server.id': String(9000 + round),
      'topic.prefix': prefix, 'table.include.list': `${dbName}\\.${t}`, 'snapshot.fetch.size': '4096', 'max.batch.size': '4096', 'max.queue.size': '16384',
      'poll.interval.ms': '5', 'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'false',
    })
    await ctx.until('MariaDB snapshot', async () => (await ctx.topicEnd(client, topic)) >= ROWS)
    const snapshotRate = ROWS / ((performance.now() - t0) / 1000)
    if (round % 2 === 0) selectRate = await bulkSelect()
    ctx.record('MariaDB CDC snapshot (vs bulk SELECT)', snapshotRate, selectRate)

    t0 = performance.now()
    await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_${ROWS + 1}_to_${2 * ROWS}`)
    const insertSecs = (performance.now() - t0) / 1000
    await ctx.until('MariaDB CDC', async () => (await ctx.topicEnd(client, topic)) >= 2 * ROWS)
    ctx.record('MariaDB CDC streaming (vs the INSERT itself)', ROWS / ((performance.now() - t0) / 1000), ROWS / insertSecs)
    await latency(client, db, t, topic, 2 * ROWS + 1, ctx)
    await worker.stopConnector(name)
    const base = 2 * ROWS + ctx.rate * ctx.seconds

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
      while (n < base) n += rowsOf(await task.poll())
      ctx.record('MariaDB CDC snapshot, task poll() alone (vs bulk SELECT)', n / ((performance.now() - t0) / 1000), selectRate)
      t0 = performance.now()
      await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_${base + 1}_to_${base + ROWS}`)
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

/**
 * Commit → record read back from the topic at a steady rate: every 10 ms one transaction of
 * rate/100 rows (includes the commit and the consumer's fetch, so it overstates the time to
 * the acknowledgement).
 */
async function latency(client: BrookClient, db: mysql.Connection, t: string, topic: string, firstId: number, ctx: BenchContext): Promise<void> {
  const end = await ctx.topicEnd(client, topic)
  const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 5000 })
  consumer.assign([{ topic, partition: 0 }])
  consumer.seek({ topic, partition: 0 }, end)
  const committedAt = new Map<number, number>()
  const latencies: number[] = []
  const perTick = Math.max(1, Math.round(ctx.rate / 100))
  const total = ctx.rate * ctx.seconds
  const reader = (async () => {
    const giveUp = performance.now() + (ctx.seconds + 60) * 1000
    while (performance.now() < giveUp && latencies.length < total) {
      for (const r of await consumer.poll(50)) {
        const c = committedAt.get((JSON.parse(r.value!.toString()) as { after: { id: number } }).after.id)
        if (c !== undefined) latencies.push(performance.now() - c)
      }
    }
  })()
  const start = performance.now()
  let nextId = firstId
  for (let tick = 0; nextId < firstId + total; tick++) {
    const from = nextId
    nextId += perTick
    await db.beginTransaction()
    await db.query(`INSERT INTO ${t} SELECT seq, 'n', 1, NOW(3) FROM seq_${from}_to_${nextId - 1}`)
    const now = performance.now()
    for (let id = from; id < nextId; id++) committedAt.set(id, now)
    await db.commit()
    const wait = start + (tick + 1) * 10 - performance.now()
    if (wait > 0) await new Promise((r) => setTimeout(r, wait))
  }
  await reader
  await consumer.close()
  if (latencies.length < total) console.error(`MariaDB latency: only ${latencies.length} of ${total} records seen`)
  latencies.sort((a, b) => a - b)
  const p = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? NaN
  ctx.record(`MariaDB CDC latency p50 at ${ctx.rate} rows/s`, p(0.5), 0, 'ms')
  ctx.record(`MariaDB CDC latency p99 at ${ctx.rate} rows/s`, p(0.99), 0, 'ms')
}
