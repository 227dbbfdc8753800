// npm run bench:sql: the SQL layer against hand-written Brook Streams, in the same run.
//  1. CREATE TABLE AS SELECT page, COUNT(*), SUM(ms) ... GROUP BY page over N JSON records vs the
//     same topology written in the DSL (both through a repartition topic, SQLite stores with the
//     record cache, in a TopologyTestDriver fed raw bytes): records/s and the ratio SQL/DSL.
//  2. A filtering and projecting CREATE STREAM AS SELECT run by KafkaStreams on the embedded client
//     (commits every second, as applications run) vs raw consume of the same input topic from the
//     same embedded log: records/s each and the ratio.
//  3. The CTAS of 1 over the same records in AVRO (Confluent's wire format, schemas from a registry in the
//     _schemas topic of an embedded log), input and output, vs the JSON CTAS: records/s and the ratio AVRO/JSON.
//  4. Pull queries on the CTAS table: key lookups p50/p99 (µs) and the scan rate of a range query.
// Each pair runs over alternating rounds (the order rotates each round); figures are medians, also per
// CPU second of the process (steadier on a shared machine). Options: --records=N (default 1000000), --rounds=N (3).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { EmbeddedClient } from '../core/client/embedded/client.js'
import type { BrookClient, Consumer, RecordView } from '../core/client/types.js'
import { Consumed, Grouped, KafkaStreams, Materialized, Produced, Serdes, StreamsBuilder, type Topology } from '../streams/index.js'
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
import { alternateRounds, med } from './rounds.js'
import avro from 'avsc'
import { TopicSchemaRegistry } from '../registry/store/topic-registry.js'
import { frame } from '../registry/serde/wire-format.js'
import { SqlSchemaRegistry } from '../sql/serde/avro/binding.js'
import { valueFormatOf } from '../sql/planner/serdes.js'
import { runUntilCommitted } from './streams-timing.js'

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
/** Every SQL topology logs here: a record it could not read would be skipped and inflate its rate, so any entry ends the bench. */
const processingLog = new ProcessingLog()

function sqlTopology(sql: string, sinkName: string, kind: 'STREAM' | 'TABLE', source: DataSource = pageviews, sinkOf: (d: DataSource) => DataSource = (d) => d): Topology {
  const st = parseStatement(sql)
  if (st.kind !== 'CreateAsSelect') throw new Error('expected CREATE ... AS SELECT')
  const plan = analyzeQuery(st.query, { registry, getSource: (n) => (n === 'PAGEVIEWS' ? source : undefined), namedTypes: () => undefined }, { persistent: true })
  const sink: DataSource = sinkOf({ ...source, name: sinkName, kind, topic: sinkName, schema: { columns: plan.schema } })
  const builder = new StreamsBuilder()
  lowerQuery(plan, builder, { queryId: 'BENCH', sink, log: processingLog, context: { topic: null, partition: null, offset: null } })
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

/** Records/s, wall clock and per CPU second of the process. */
interface Rate {
  wall: number
  cpu: number
}

function rate(count: number, t0: number, c0: NodeJS.CpuUsage): Rate {
  const ms = performance.now() - t0
  const cpu = process.cpuUsage(c0)
  return { wall: (count / ms) * 1000, cpu: (count / ((cpu.user + cpu.system) / 1000)) * 1000 }
}

/**
 * The pageviews source in AVRO, its schema registered in an embedded log's _schemas topic (what
 * the engine does at CREATE), the input encoded in Confluent's wire format, and a sink binding
 * with its own registered schema (what the engine does before starting a CTAS).
 */
async function avroSetup(client: EmbeddedClient): Promise<{ source: DataSource; values: Buffer[]; bindSink: (d: DataSource) => DataSource; registerSink: (d: DataSource) => Promise<void> }> {
  const reg = new SqlSchemaRegistry(await TopicSchemaRegistry.open(client, { log: () => {} }))
  const binding = (subject: string) => ({ registry: reg, subject, fullName: null, writeId: null as number | null })
  const source: DataSource = { ...pageviews, valueFormat: 'AVRO', valueAvro: binding('pageviews-value') }
  const schema = valueFormatOf(source).avroSchema
  const id = await reg.register('pageviews-value', schema, 'VALUE_FORMAT')
  source.valueAvro!.writeId = id
  const type = avro.Type.forSchema(schema as avro.Schema)
  const out = values.map((v) => {
    const o = JSON.parse(v.toString()) as { page: string; ms: number; agent: string }
    return frame(id, type.toBuffer({ PAGE: o.page, MS: o.ms, AGENT: o.agent }))
  })
  const bindSink = (d: DataSource): DataSource => ({ ...d, valueAvro: binding(`${d.topic}-value`) })
  const registerSink = async (d: DataSource): Promise<void> => {
    d.valueAvro!.writeId = await reg.register(d.valueAvro!.subject, valueFormatOf(d).avroSchema, 'VALUE_FORMAT')
  }
  return { source, values: out, bindSink, registerSink }
}

/** Records/s of a topology over the input (driver, commits only at the end so the cache works as in production). */
function run(topology: Topology, name: string, input: readonly Buffer[] = values): Rate {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), `brook-bench-sql-${name}-`))
  const driver = new TopologyTestDriver(topology, { applicationId: name, stateDir, commitIntervalMs: 1 << 30 })
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  for (let i = 0; i < RECORDS; i++) driver.pipe('pageviews', keys[i]!, input[i]!, i, [])
  driver.commit()
  const r = rate(RECORDS, t0, c0)
  const failed = processingLog.list()
  if (failed.length > 0) throw new Error(`${name}: ${failed.length} records failed, first: ${JSON.stringify(failed[0])}`)
  driver.close()
  fs.rmSync(stateDir, { recursive: true, force: true })
  return r
}

/** The input in the embedded log, read by both sides of the CSAS comparison. */
async function fillLog(client: EmbeddedClient): Promise<void> {
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
}

async function rawConsume(client: BrookClient): Promise<Rate> {
  const consumer = client.consumer({ enableAutoCommit: false, maxPollRecords: 1000 })
  consumer.assign([{ topic: 'pageviews', partition: 0 }])
  await consumer.seekToBeginning()
  const t0 = performance.now()
  const c0 = process.cpuUsage()
  let seen = 0
  while (seen < RECORDS) seen += (await consumer.poll(100)).length
  const r = rate(RECORDS, t0, c0)
  await consumer.close()
  return r
}

/**
 * Runs a topology with KafkaStreams on the client until every input record was processed and
 * committed. Input records are counted as the application's consumer returns them (processing of a
 * poll's records follows synchronously), then a commit flushes outputs and commits offsets.
 */
async function runApp(client: BrookClient, topology: Topology, applicationId: string, stateDir: string): Promise<Rate> {
  let polled = 0
  const counting: BrookClient = {
    producer: (config) => client.producer(config),
    admin: () => client.admin(),
    close: () => client.close(),
    consumer(config) {
      const c = client.consumer(config)
      if (config?.groupId !== applicationId) return c
      return new Proxy(c, {
        get(target, prop) {
          if (prop === 'poll') {
            return async (ms?: number) => {
              const rs = await target.poll(ms)
              polled += rs.length
              return rs
            }
          }
          // KafkaStreams polls records in place (pollInto): those count once handed over.
          if (prop === 'pollInto') {
            return async (ms: number, visit: (r: RecordView) => void) => {
              const n = await target.pollInto(ms, visit)
              polled += n
              return n
            }
          }
          const v = Reflect.get(target, prop) as unknown
          return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v
        },
      }) as Consumer
    },
  }
  const streams = new KafkaStreams(topology, counting, { applicationId, stateDir, commitIntervalMs: 1000 })
  const span = await runUntilCommitted(streams, () => polled >= RECORDS)
  const r = { wall: (RECORDS / span.ms) * 1000, cpu: (RECORDS / span.cpuMs) * 1000 }
  await streams.close()
  if (polled !== RECORDS) throw new Error(`${applicationId}: processed ${polled} of ${RECORDS} records`)
  return r
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
  const show = (round: number, side: string, m: Record<string, number>): void =>
    console.log(`  round ${round + 1} ${side.padEnd(12)} ${fmt(m.wall!).padStart(11)} rec/s ${fmt(m.cpu!).padStart(11)} per CPU second`)
  // The SQL topology object is reusable: each driver or application builds its own tasks.
  const agg = await alternateRounds(
    ROUNDS,
    { 'ctas-sql': (r) => ({ ...run(ctas, `sql-${r}`) }), 'ctas-dsl': (r) => ({ ...run(dslTopology(), `dsl-${r}`) }) },
    show,
  )
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-bench-sql-log-'))
  const client = await EmbeddedClient.open({ dataDir: path.join(dir, 'data') })
  let flt
  let fmts
  try {
    const av = await avroSetup(client)
    const ctasSql = 'CREATE TABLE by_page AS SELECT page, COUNT(*) AS views, SUM(ms) AS total FROM pageviews GROUP BY page;'
    let sink: DataSource | null = null
    const ctasAvro = sqlTopology(ctasSql, 'BY_PAGE', 'TABLE', av.source, (d) => (sink = av.bindSink(d)))
    await av.registerSink(sink!)
    fmts = await alternateRounds(
      ROUNDS,
      { 'ctas-avro': (r) => ({ ...run(ctasAvro, `avro-${r}`, av.values) }), 'ctas-json': (r) => ({ ...run(ctas, `json-${r}`) }) },
      show,
    )
    await fillLog(client)
    flt = await alternateRounds(
      ROUNDS,
      {
        'csas-sql': async (r) => ({ ...(await runApp(client, csas, `csas-${r}`, path.join(dir, `state-${r}`))) }),
        raw: async () => ({ ...(await rawConsume(client)) }),
      },
      show,
    )
  } finally {
    await client.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
  const line = (label: string, a: string, x: number, xc: number, b: string, y: number, yc: number): void =>
    console.log(
      `${label.padEnd(25)} ${a} ${fmt(x)} rec/s (${fmt(xc)} per CPU s)   ${b} ${fmt(y)} rec/s (${fmt(yc)} per CPU s)   ratio ${(x / y).toFixed(2)}x (${(xc / yc).toFixed(2)}x per CPU second)`,
    )
  console.log('\nmedians:')
  line('CTAS COUNT/SUM GROUP BY', 'SQL', med(agg, 'ctas-sql', 'wall'), med(agg, 'ctas-sql', 'cpu'), 'DSL', med(agg, 'ctas-dsl', 'wall'), med(agg, 'ctas-dsl', 'cpu'))
  line('CSAS filter+project', 'SQL on KafkaStreams', med(flt, 'csas-sql', 'wall'), med(flt, 'csas-sql', 'cpu'), 'raw consume', med(flt, 'raw', 'wall'), med(flt, 'raw', 'cpu'))
  line('CTAS in AVRO vs JSON', 'AVRO', med(fmts, 'ctas-avro', 'wall'), med(fmts, 'ctas-avro', 'cpu'), 'JSON', med(fmts, 'ctas-json', 'wall'), med(fmts, 'ctas-json', 'cpu'))
  const p = await pullQueries()
  console.log(`pull key lookup           p50 ${p.p50.toFixed(1)} µs   p99 ${p.p99.toFixed(1)} µs`)
  console.log(`pull range scan           ${fmt(p.scanRate)} rows/s (${p.rows} rows per query)`)
}

await main()
