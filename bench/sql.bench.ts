// npm run bench:sql: the SQL layer against hand-written Brook Streams, in the same run.
//  1. CREATE TABLE AS SELECT page, COUNT(*), SUM(ms) ... GROUP BY page over N JSON records vs the
//     same topology written in the DSL (both through a repartition topic, SQLite stores with the
//     record cache, in a TopologyTestDriver fed raw bytes): records/s and the ratio SQL/DSL.
//  2. A filtering and projecting CREATE STREAM AS SELECT (driver) vs raw consume of the same input
//     from the embedded log: records/s each.
//  3. Pull queries on the CTAS table: key lookups p50/p99 (µs) and the scan rate of a range query.
// Rounds alternate SQL and DSL; figures are medians. Options: --records=N (default 1000000), --rounds=N (3).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import { Consumed, Grouped, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from '../streams/index.js'
import { TopologyTestDriver } from '../streams/testing/index.js'
import { KsqlEngine } from '../sql/engine/engine.js'
import { DriverRuntime } from '../sql/engine/driver-runtime.js'
import { analyzeQuery } from '../sql/analyzer/query-analyzer.js'
import { lowerQuery } from '../sql/planner/lower.js'
import { parseStatement } from '../sql/parser/parser.js'
import { createBuiltinRegistry } from '../sql/functions/builtin.js'
import type { DataSource } from '../sql/catalog/data-source.js'
import { ProcessingLog } from '../sql/runtime/processing-log.js'
import { SqlTypes } from '../sql/types/sql-type.js'

const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS = Number(args.get('records') ?? 1_000_000)
const ROUNDS = Number(args.get('rounds') ?? 3)
const PAGES = 1000
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US')
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!

const keys: Buffer[] = []
const values: Buffer[] = []
for (let i = 0; i < RECORDS; i++) {
  keys.push(Buffer.from(`user${i % 5000}`))
  values.push(Buffer.from(JSON.stringify({ page: `page${i % PAGES}`, ms: i % 997, agent: 'Mozilla/5.0' })))
}

const pageviews: DataSource = {
  name: 'PAGEVIEWS', kind: 'STREAM', topic: 'pageviews', keyFormat: 'KAFKA', valueFormat: 'JSON', keyDelimiter: ',', valueDelimiter: ',', wrapSingleValue: true,
  partitions: 1, replicas: 1, timestampColumn: null, timestampFormat: null, window: null, isSource: false, sql: '',
  schema: { columns: [
    { name: 'USERID', type: SqlTypes.STRING, namespace: 'KEY' },
    { name: 'PAGE', type: SqlTypes.STRING, namespace: 'VALUE' },
    { name: 'MS', type: SqlTypes.INTEGER, namespace: 'VALUE' },
    { name: 'AGENT', type: SqlTypes.STRING, namespace: 'VALUE' },
  ] },
}
const registry = createBuiltinRegistry()

function sqlTopology(sql: string, sinkName: string, kind: 'STREAM' | 'TABLE'): Topology {
  const st = parseStatement(sql)
  if (st.kind !== 'CreateAsSelect') throw new Error('expected CREATE ... AS SELECT')
  const plan = analyzeQuery(st.query, { registry, getSource: (n) => (n === 'PAGEVIEWS' ? pageviews : undefined), namedTypes: () => undefined }, { persistent: true })
  const sink: DataSource = { ...pageviews, name: sinkName, kind, topic: sinkName, schema: { columns: plan.schema } }
  const builder = new StreamsBuilder()
  lowerQuery(plan, builder, { queryId: 'BENCH', sink, log: new ProcessingLog(), context: { topic: null, partition: null, offset: null } })
  return builder.build()
}

function dslTopology(): Topology {
  const b = new StreamsBuilder()
  const json = Serdes.JSON<{ page: string | null; ms: number | null }>()
  const agg = Serdes.JSON<{ views: number; total: number }>()
  b.stream('pageviews', Consumed.with(Serdes.String(), json))
    .groupBy((_k, v) => v.page, Grouped.with('groupby', Serdes.String(), json))
    .aggregate(() => ({ views: 0, total: 0 }), (_k, v, a) => ({ views: a.views + 1, total: a.total + (v.ms ?? 0) }), Materialized.with(Serdes.String(), agg))
    .toStream()
    .to('out', Produced.with(Serdes.String(), agg))
  return b.build()
}

/** Records/s of a topology over the input (driver, commits only at the end so the cache works as in production). */
function run(topology: Topology, name: string): number {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `brook-bench-sql-${name}-`))
  const driver = new TopologyTestDriver(topology, { applicationId: name, stateDir, commitIntervalMs: 1 << 30 })
  const t0 = performance.now()
  for (let i = 0; i < RECORDS; i++) driver.pipe('pageviews', keys[i]!, values[i]!, i, [])
  driver.commit()
  const ms = performance.now() - t0
  driver.close()
  fs.rmSync(stateDir, { recursive: true, force: true })
  return (RECORDS / ms) * 1000
}

async function rawConsume(): Promise<number> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-sql-log-'))
  const client = await EmbeddedClient.open({ dataDir: dir })
  const admin = client.admin()
  await admin.createTopics([{ topic: 'pageviews', numPartitions: 1 }])
  await admin.close()
  const producer = client.producer({ lingerMs: 5, batchSize: 256 * 1024 })
  for (let i = 0; i < RECORDS; i += 10_000) {
    const batch = []
    for (let j = i; j < Math.min(RECORDS, i + 10_000); j++) batch.push({ topic: 'pageviews', key: keys[j]!, value: values[j]!, timestamp: j })
    await producer.sendBatch(batch)
  }
  await producer.close()
  const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 1000 })
  consumer.assign([{ topic: 'pageviews', partition: 0 }])
  await consumer.seekToBeginning()
  const t0 = performance.now()
  let seen = 0
  while (seen < RECORDS) seen += (await consumer.poll(100)).length
  const ms = performance.now() - t0
  await consumer.close()
  await client.close()
  fs.rmSync(dir, { recursive: true, force: true })
  return (RECORDS / ms) * 1000
}

async function pullQueries(): Promise<{ p50: number; p99: number; scanRate: number; rows: number }> {
  const rt = new DriverRuntime()
  const engine = await KsqlEngine.create({ runtime: rt })
  await engine.execute("CREATE STREAM pageviews (userid STRING KEY, page STRING, ms INT) WITH (KAFKA_TOPIC='pageviews', VALUE_FORMAT='JSON', PARTITIONS=1);")
  await engine.execute('CREATE TABLE by_page AS SELECT page, COUNT(*) AS views, SUM(ms) AS total FROM pageviews GROUP BY page;')
  const n = Math.min(RECORDS, 100_000)
  for (let i = 0; i < n; i++) await rt.produce('pageviews', keys[i]!, values[i]!, i, [])
  const lookups = 10_000
  const lat: number[] = []
  const selects = Array.from({ length: PAGES }, (_, i) => parseStatement(`SELECT * FROM by_page WHERE page = 'page${i}';`))
  for (let i = 0; i < lookups; i++) {
    const st = selects[i % PAGES]!
    if (st.kind !== 'Query') throw new Error('query')
    const t0 = performance.now()
    const r = await engine.pull(st.query)
    lat.push(performance.now() - t0)
    if (r.rows.length !== 1) throw new Error(`lookup returned ${r.rows.length} rows`)
  }
  lat.sort((a, b) => a - b)
  const scan = parseStatement("SELECT * FROM by_page WHERE views > 0 AND page LIKE 'page%';")
  if (scan.kind !== 'Query') throw new Error('query')
  const times: number[] = []
  let rows = 0
  for (let i = 0; i < 20; i++) {
    const t0 = performance.now()
    rows = (await engine.pull(scan.query)).rows.length
    times.push(performance.now() - t0)
  }
  await engine.close()
  return { p50: lat[Math.floor(lookups * 0.5)]! * 1000, p99: lat[Math.floor(lookups * 0.99)]! * 1000, scanRate: (rows / median(times)) * 1000, rows }
}

async function main(): Promise<void> {
  console.log(`bench:sql, ${fmt(RECORDS)} JSON records, ${ROUNDS} alternating rounds, medians`)
  const ctas = sqlTopology('CREATE TABLE by_page AS SELECT page, COUNT(*) AS views, SUM(ms) AS total FROM pageviews GROUP BY page;', 'BY_PAGE', 'TABLE')
  const csas = sqlTopology("CREATE STREAM slow AS SELECT userid, page, ms * 2 AS ms2 FROM pageviews WHERE ms > 500 AND page LIKE 'page1%';", 'SLOW', 'STREAM')
  const sql: number[] = []
  const dsl: number[] = []
  const csasRates: number[] = []
  for (let r = 0; r < ROUNDS; r++) {
    sql.push(run(ctas, `sql-${r}`))
    dsl.push(run(dslTopology(), `dsl-${r}`))
    csasRates.push(run(csas, `csas-${r}`))
    // the SQL topology object is reusable: each driver builds its own tasks
  }
  const s = median(sql)
  const d = median(dsl)
  console.log(`CTAS COUNT/SUM GROUP BY   SQL ${fmt(s)} rec/s   DSL ${fmt(d)} rec/s   ratio ${(s / d).toFixed(2)}x`)
  const raw = await rawConsume()
  const c = median(csasRates)
  console.log(`CSAS filter+project       SQL ${fmt(c)} rec/s   raw consume ${fmt(raw)} rec/s   ratio ${(c / raw).toFixed(2)}x`)
  const p = await pullQueries()
  console.log(`pull key lookup           p50 ${p.p50.toFixed(1)} µs   p99 ${p.p99.toFixed(1)} µs`)
  console.log(`pull range scan           ${fmt(p.scanRate)} rows/s (${p.rows} rows per query)`)
}

await main()
