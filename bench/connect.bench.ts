// npm run bench:connect: the connectors against the real PostgreSQL and MariaDB
// (scripts/ci/start-databases.sh; BROOK_PG_URL / BROOK_MYSQL_URL), on the embedded log.
// Each figure sits beside the database's own rate for the same rows (a bulk SELECT of the
// table, the COPY TO STDOUT a PostgreSQL snapshot reads, or INSERT ... SELECT on the server)
// measured in the same run:
//   PostgreSQL CDC snapshot rows/s, CDC streaming rows/s, commit→acknowledged latency p50/p99
//   at a steady write rate, JDBC polling rows/s and JDBC sink rows/s; the same polling and sink
//   figures for MariaDB; MariaDB binlog CDC snapshot and streaming rows/s and latency
//   (connect-mysql-cdc.ts). Options: --rows=N (default 200000), --rate=N rows/s (default 5000),
//   --seconds=N of steady load (default 5), --runs=N (rounds, medians; default 3): odd rounds
//   measure the database's rate before Brook's, even rounds after, so neither always runs warm.
//   --only=snapshot,cdc,latency,jdbc,mariadb,mariadb-cdc runs a subset.
// CDC streaming inserts ROWS rows in one transaction: pgoutput sends nothing before the server
// decoded its commit, so the figure includes the server's logical decoding of the whole transaction.
// The latency run starts once the slot's walsender has sent all WAL written before it (the
// database's own bulk INSERT baseline just before would otherwise still be decoding).
// The latency writer commits with synchronous_commit=on: the CI database runs with it off, and
// then a commit returns before its WAL is flushed, which the walsender waits for (up to
// wal_writer_delay, 200 ms), so "committed" would not yet mean "visible to replication".
import fs from 'node:fs'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import os from 'node:os'
import path from 'node:path'
import mysql from 'mysql2/promise'
import pg from 'pg'
import { to as copyTo } from 'pg-copy-streams'
import { Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import type { BrookClient } from '../core/client/types.js'
import { Worker } from '../connectors/index.js'
import { benchMariaDbCdc } from './connect-mysql-cdc.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const ROWS = Number(args.get('rows') ?? 200_000)
const RATE = Number(args.get('rate') ?? 5000)
const SECONDS = Number(args.get('seconds') ?? 5)
const RUNS = Number(args.get('runs') ?? 3)
const ONLY = new Set((args.get('only') ?? 'snapshot,cdc,latency,jdbc,mariadb,mariadb-cdc').split(','))
const pgUrl = process.env.BROOK_PG_URL
const myUrl = process.env.BROOK_MYSQL_URL
if (!pgUrl && !myUrl) {
  console.error('bench:connect needs BROOK_PG_URL and/or BROOK_MYSQL_URL (run scripts/ci/start-databases.sh as root and export what it prints)')
  process.exit(1)
}
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const results = new Map<string, { brook: number[]; db: number[]; unit: string }>()
function record(name: string, brook: number, db: number, unit = 'rows/s'): void {
  const r = results.get(name) ?? { brook: [], db: [], unit }
  r.brook.push(brook)
  r.db.push(db)
  results.set(name, r)
}

/** Runs the database's own measurement before Brook's on odd rounds and after it on even ones. */
async function paired<T>(round: number, brook: () => Promise<T>, db: () => Promise<number>): Promise<[T, number]> {
  if (round % 2 === 1) {
    const d = await db()
    return [await brook(), d]
  }
  const b = await brook()
  return [b, await db()]
}

async function until(what: string, cond: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

async function topicEnd(client: BrookClient, topic: string): Promise<number> {
  const admin = client.admin()
  try {
    return (await admin.listOffsets([{ topic, partition: 0, spec: 'latest' }]))[0]!.offset
  } catch {
    return 0
  } finally {
    await admin.close()
  }
}

async function sinkCaughtUp(client: BrookClient, name: string, rows: number): Promise<boolean> {
  const admin = client.admin()
  try {
    const offs = await admin.listGroupOffsets(`connect-${name}`)
    return offs.length > 0 && offs.reduce((a, o) => a + (o.committedOffset ?? 0), 0) >= rows
  } finally {
    await admin.close()
  }
}

async function benchPostgres(client: BrookClient, worker: Worker, round: number): Promise<void> {
  const db = new pg.Client({ connectionString: pgUrl! })
  await db.connect()
  const t = `bench_pg_${process.pid}_${round}`
  const slot = `brook_bench_${process.pid}_${round}`
  const u = new URL(pgUrl!)
  try {
    // No autovacuum on the bench table: its vacuum of the bulk inserts would compete with the walsender mid-measurement.
    await db.query(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY, name TEXT, amount NUMERIC(12,2), at TIMESTAMP) WITH (autovacuum_enabled = off)`)
    await db.query(`INSERT INTO ${t} SELECT g, 'name-' || g, g * 1.25, now() FROM generate_series(1, ${ROWS}) g`)
    // The database's own rate: a bulk SELECT of all rows.
    const bulkSelect = async (): Promise<number> => {
      const s0 = performance.now()
      await db.query({ text: `SELECT * FROM ${t}`, rowMode: 'array' })
      return ROWS / ((performance.now() - s0) / 1000)
    }
    // What the snapshot reads: COPY (SELECT * ...) TO STDOUT, its bytes taken and dropped (no parsing).
    const copyOut = async (): Promise<number> => {
      const s0 = performance.now()
      await pipeline(db.query(copyTo(`COPY (SELECT * FROM ${t}) TO STDOUT`)), new Writable({ write: (_chunk, _enc, done) => done() }))
      return ROWS / ((performance.now() - s0) / 1000)
    }
    const prefix = `bpg${round}`
    const topic = `${prefix}.public.${t}`
    const cdcConfig = {
      name: `cdc-${round}`, 'connector.class': 'io.debezium.connector.postgresql.PostgresConnector', 'database.hostname': u.hostname, 'database.port': u.port,
      'database.user': decodeURIComponent(u.username), 'database.password': decodeURIComponent(u.password), 'database.dbname': u.pathname.slice(1),
      'topic.prefix': prefix, 'slot.name': slot, 'publication.name': `pub_${slot}`, 'publication.autocreate.mode': 'filtered',
      'table.include.list': `public\\.${t}`, 'heartbeat.interval.ms': '1000',
      'value.converter.schemas.enable': 'false', 'key.converter.schemas.enable': 'false',
    }
    let copyRate = 0
    const [, selectRate] = await paired(round, async () => {
      // CDC snapshot (snapshot.mode=no_data when the snapshot is not measured).
      const s0 = performance.now()
      await worker.startConnector(ONLY.has('snapshot') ? cdcConfig : { ...cdcConfig, 'snapshot.mode': 'no_data' })
      if (ONLY.has('snapshot')) {
        await until('snapshot', async () => (await topicEnd(client, topic)) >= ROWS)
        return ROWS / ((performance.now() - s0) / 1000)
      }
      return 0
    }, async () => {
      if (ONLY.has('snapshot')) copyRate = await copyOut()
      return bulkSelect()
    }).then(([rate, sel]) => {
      if (ONLY.has('snapshot')) {
        record('PostgreSQL CDC snapshot (vs COPY TO STDOUT, bytes only)', rate, copyRate)
        record('PostgreSQL CDC snapshot (vs bulk SELECT)', rate, sel)
      }
      return [rate, sel] as const
    })
    const base = ONLY.has('snapshot') ? ROWS : 0

    if (ONLY.has('cdc')) {
      // CDC streaming: ROWS inserted in one statement, from the INSERT's start to all records
      // acknowledged; beside the INSERT's own rate (into a twin table, in the alternating order).
      const [cdcRate, insertRate] = await paired(round, async () => {
        const s0 = performance.now()
        await db.query(`INSERT INTO ${t} SELECT g, 'name-' || g, g * 1.25, now() FROM generate_series(${ROWS + 1}, ${2 * ROWS}) g`)
        await until('cdc', async () => (await topicEnd(client, topic)) >= base + ROWS)
        return ROWS / ((performance.now() - s0) / 1000)
      }, async () => {
        await db.query(`CREATE TABLE ${t}_ins (LIKE ${t})`)
        const s0 = performance.now()
        await db.query(`INSERT INTO ${t}_ins SELECT g, 'name-' || g, g * 1.25, now() FROM generate_series(${ROWS + 1}, ${2 * ROWS}) g`)
        const r = ROWS / ((performance.now() - s0) / 1000)
        await db.query(`DROP TABLE ${t}_ins`)
        return r
      })
      record('PostgreSQL CDC streaming (vs the INSERT itself)', cdcRate, insertRate)
    }

    // Latency at a steady rate: the moment COMMIT is sent → the record read back from the topic
    // (includes the commit itself and the consumer's fetch, so it overstates the acknowledgement latency).
    if (ONLY.has('latency')) {
      await db.query('SET synchronous_commit = on')
      // The database's own bulk INSERT just before (the streaming baseline) leaves its walsender
      // decoding that whole transaction; the steady load starts once it has sent all WAL so far.
      const { rows: [here] } = await db.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')
      await until('walsender caught up', async () => {
        const { rows } = await db.query<{ caught: boolean }>(
          'SELECT s.sent_lsn >= $1::pg_lsn AS caught FROM pg_stat_replication s JOIN pg_replication_slots r ON r.active_pid = s.pid WHERE r.slot_name = $2',
          [here!.lsn, slot],
        )
        return rows[0]?.caught === true
      })
    // Without a snapshot or streaming phase before, the topic does not exist yet: create it for the reader.
    const admin = client.admin()
    await admin.createTopics([{ topic, numPartitions: 1, replicationFactor: 1 }]).catch(() => {})
    await admin.close()
      const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 5000 })
      consumer.assign([{ topic, partition: 0 }])
      consumer.seek({ topic, partition: 0 }, await topicEnd(client, topic))
      const committedAt = new Map<number, number>()
      const latencies: number[] = []
      // How long each COMMIT itself took (synchronous_commit=on: the server's WAL flush), part of every latency above.
      const commits: number[] = []
      let nextId = 3 * ROWS + 1
      const perTick = Math.max(1, Math.round(RATE / 100))
      const total = RATE * SECONDS
      const reader = (async () => {
        const giveUp = performance.now() + (SECONDS + 60) * 1000
        while (performance.now() < giveUp) {
          for (const r of await consumer.poll(50)) {
            const id = (JSON.parse(r.value!.toString()) as { after: { id: number } }).after.id
            const c = committedAt.get(id)
            if (c !== undefined) latencies.push(performance.now() - c)
          }
          if (latencies.length >= total) break
        }
      })()
      // This process's event-loop stalls during the run (GC, synchronous work), to tell them from waits on the database.
      const loopDelay = monitorEventLoopDelay({ resolution: 5 })
      loopDelay.enable()
      const start = performance.now()
      for (let tick = 0; nextId < 3 * ROWS + 1 + total; tick++) {
        const from = nextId
        nextId += perTick
        await db.query('BEGIN')
        await db.query(`INSERT INTO ${t} SELECT g, 'n', 1, now() FROM generate_series(${from}, ${nextId - 1}) g`)
        const now = performance.now()
        for (let id = from; id < nextId; id++) committedAt.set(id, now)
        await db.query('COMMIT')
        commits.push(performance.now() - now)
        const wait = start + (tick + 1) * 10 - performance.now()
        if (wait > 0) await new Promise((r) => setTimeout(r, wait))
      }
      await reader
      loopDelay.disable()
      if (latencies.length < total) console.error(`latency: only ${latencies.length} of ${total} records seen`)
      await consumer.close()
      latencies.sort((a, b) => a - b)
      const p = (q: number): number => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!
      record(`PostgreSQL CDC latency p50 at ${fmt(RATE)} rows/s`, p(0.5), 0, 'ms')
      record(`PostgreSQL CDC latency p99 at ${fmt(RATE)} rows/s`, p(0.99), 0, 'ms')
      record('  (event-loop delay p99 during that run)', loopDelay.percentile(99) / 1e6, 0, 'ms')
      record('  (event-loop delay max during that run)', loopDelay.max / 1e6, 0, 'ms')
      commits.sort((a, b) => a - b)
      record('  (the COMMIT itself p99, the server flushing its WAL)', commits[Math.min(commits.length - 1, Math.floor(0.99 * commits.length))]!, 0, 'ms')
    }
    await worker.stopConnector(`cdc-${round}`)
    if (!ONLY.has('jdbc')) return
    if (!ONLY.has('cdc')) await db.query(`INSERT INTO ${t} SELECT g, 'name-' || g, g * 1.25, now() FROM generate_series(${ROWS + 1}, ${2 * ROWS}) g`)

    await jdbcPair(client, worker, 'PostgreSQL', `jdbc:${pgUrl!.replace(/^postgres:/, 'postgresql:')}`, t, round, selectRate, async (dst) => {
      const s = performance.now()
      await db.query(`DROP TABLE IF EXISTS ${dst}_db`)
      await db.query(`CREATE TABLE ${dst}_db AS SELECT * FROM ${t} WHERE id <= ${ROWS}`)
      return ROWS / ((performance.now() - s) / 1000)
    })
  } finally {
    await db.query(`SELECT pg_drop_replication_slot('${slot}')`).catch(() => {})
    await db.query(`DROP PUBLICATION IF EXISTS pub_${slot}`).catch(() => {})
    for (const x of [t, `${t}_ins`, `${t}_copy`, `${t}_copy_db`]) await db.query(`DROP TABLE IF EXISTS ${x}`).catch(() => {})
    await db.end()
  }
}

/** JDBC polling source of the first ROWS rows and a JDBC sink of that topic into <table>_copy. */
async function jdbcPair(client: BrookClient, worker: Worker, label: string, jdbcUrl: string, t: string, round: number, selectRate: number, serverCopy: (dst: string) => Promise<number>): Promise<void> {
  const prefix = `poll${label}${round}-`
  const topic = `${prefix}${t}`
  const t0 = performance.now()
  await worker.startConnector({
    name: `poll-${label}-${round}`, 'connector.class': 'JdbcSourceConnector', 'connection.url': jdbcUrl, 'table.whitelist': t, mode: 'incrementing',
    'incrementing.column.name': 'id', 'topic.prefix': prefix, 'batch.max.rows': '10000', 'poll.interval.ms': '10', 'query.suffix': '',
  })
  await until('polling', async () => (await topicEnd(client, topic)) >= ROWS)
  record(`${label} JDBC polling source (vs bulk SELECT)`, ROWS / ((performance.now() - t0) / 1000), selectRate)
  await worker.stopConnector(`poll-${label}-${round}`)
  const [sinkRate, dbRate] = await paired(round, async () => {
    const s0 = performance.now()
    await worker.startConnector({
      name: `sink-${label}-${round}`, 'connector.class': 'JdbcSinkConnector', 'connection.url': jdbcUrl, topics: topic, 'table.name.format': `${t}_copy`,
      'insert.mode': 'upsert', 'pk.mode': 'record_key', 'auto.create': 'true', 'batch.size': '5000', 'consumer.max.poll.records': '5000',
    })
    const total = await topicEnd(client, topic)
    await until('sink', () => sinkCaughtUp(client, `sink-${label}-${round}`, total))
    const r = total / ((performance.now() - s0) / 1000)
    await worker.stopConnector(`sink-${label}-${round}`)
    return r
  }, () => serverCopy(`${t}_copy`))
  record(`${label} JDBC sink upsert (vs INSERT ... SELECT on the server)`, sinkRate, dbRate)
}

async function benchMariaDb(client: BrookClient, worker: Worker, round: number): Promise<void> {
  const db = await mysql.createConnection({ uri: myUrl!, multipleStatements: true })
  const t = `bench_my_${process.pid}_${round}`
  try {
    await db.query(`CREATE TABLE ${t} (id BIGINT PRIMARY KEY, name TEXT, amount DECIMAL(12,2), at DATETIME(3))`)
    await db.query(`INSERT INTO ${t} SELECT seq, CONCAT('name-', seq), seq * 1.25, NOW(3) FROM seq_1_to_${ROWS}`)
    const t0 = performance.now()
    await db.query({ sql: `SELECT * FROM ${t}`, rowsAsArray: true })
    const selectRate = ROWS / ((performance.now() - t0) / 1000)
    await jdbcPair(client, worker, 'MariaDB', `jdbc:${myUrl!}`, t, round, selectRate, async (dst) => {
      const s = performance.now()
      await db.query(`CREATE TABLE ${dst}_db AS SELECT * FROM ${t}`)
      return ROWS / ((performance.now() - s) / 1000)
    })
  } finally {
    for (const x of [t, `${t}_ins`, `${t}_copy`, `${t}_copy_db`]) await db.query(`DROP TABLE IF EXISTS ${x}`).catch(() => {})
    await db.end()
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-connect-'))
const client = await EmbeddedClient.open({ dataDir: dir })
const worker = await Worker.start(client, { log: () => {} })
try {
  for (let round = 0; round < RUNS; round++) {
    if (pgUrl) await benchPostgres(client, worker, round)
    if (myUrl && ONLY.has('mariadb')) await benchMariaDb(client, worker, round)
    if (myUrl && ONLY.has('mariadb-cdc')) await benchMariaDbCdc(client, worker, myUrl, round, { rows: ROWS, rate: RATE, seconds: SECONDS, record, until, topicEnd })
  }
} finally {
  await worker.stop()
  await client.close()
  fs.rmSync(dir, { recursive: true, force: true })
}
console.log(`bench:connect rows=${fmt(ROWS)} rate=${fmt(RATE)}/s for ${SECONDS}s runs=${RUNS} (medians)`)
for (const [name, r] of results) {
  const b = median(r.brook)
  const d = median(r.db)
  const rounds = RUNS > 1 ? `   rounds ${r.brook.map((x) => (r.unit === 'ms' ? x.toFixed(1) : fmt(x))).join(' / ')}` : ''
  console.log(r.unit === 'ms' ? `  ${name.padEnd(62)} ${b.toFixed(1)} ms${rounds}` : `  ${name.padEnd(62)} ${fmt(b).padStart(10)} ${r.unit}   database ${fmt(d).padStart(10)} ${r.unit}   ratio ${(b / d).toFixed(3)}${rounds}`)
}
