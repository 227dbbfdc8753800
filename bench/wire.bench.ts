// npm run bench:wire: Apache Kafka's own load tools (ProducerPerformance and
// ConsumerPerformance from kafka-tools) against Brook's wire server and against an Apache
// Kafka broker, on the same machine in the same run, side by side.
//
// Needs scripts/ci/install-compat.sh (the jars). Brook runs in a child process
// (scripts/ci/brook-server.ts); Kafka is BROOK_KAFKA_BOOTSTRAP when set, else this starts and
// stops one with scripts/ci/start-kafka.sh.
//   --records-100=N   records per 100-byte case (default 1000000)
//   --records-1k=N    records per 1 KiB case (default 200000)
//   --throughput=N    ProducerPerformance --throughput cap in records/s (default -1: flat out; then
//                     p50/p99 are mostly time queued in the producer, compare them only side by side)
//   --only=brook|kafka
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const JARS = path.join(ROOT, '.cache', 'maven-jars')
const LOG4J = path.join(ROOT, 'scripts', 'ci', 'log4j2.xml')
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS_100 = Number(args.get('records-100') ?? 1_000_000)
const RECORDS_1K = Number(args.get('records-1k') ?? 200_000)
const ONLY = args.get('only')
const THROUGHPUT = args.get('throughput') ?? '-1'

interface Case {
  name: string
  recordSize: number
  records: number
  acks: '1' | 'all'
}

const CASES: Case[] = [
  { name: '100 B acks=1', recordSize: 100, records: RECORDS_100, acks: '1' },
  { name: '100 B acks=all', recordSize: 100, records: RECORDS_100, acks: 'all' },
  { name: '1 KiB acks=1', recordSize: 1024, records: RECORDS_1K, acks: '1' },
  { name: '1 KiB acks=all', recordSize: 1024, records: RECORDS_1K, acks: 'all' },
]

interface Result {
  produceRecPerSec: number
  produceMBPerSec: number
  p50Ms: number
  p99Ms: number
  consumeRecPerSec: number
  consumeMBPerSec: number
  /** Broker CPU time (user + system) over the case, seconds. */
  cpuSec: number
  /** Broker RSS during the case, MiB. */
  rssMaxMiB: number
  rssMeanMiB: number
}

interface Target {
  name: 'brook' | 'kafka'
  bootstrap: string
  pid: number
  stop(): Promise<void>
}

function rssKiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return 0
  }
}

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks of 1/100 s). */
function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return NaN
  }
}

/** Samples a process's RSS every 100 ms until stopped. */
function sampleRss(pid: number): () => { maxMiB: number; meanMiB: number } {
  const samples: number[] = [rssKiB(pid)]
  const timer = setInterval(() => samples.push(rssKiB(pid)), 100)
  return () => {
    clearInterval(timer)
    samples.push(rssKiB(pid))
    const valid = samples.filter((s) => s > 0)
    return {
      maxMiB: Math.max(0, ...valid) / 1024,
      meanMiB: valid.reduce((a, b) => a + b, 0) / Math.max(1, valid.length) / 1024,
    }
  }
}

async function startBrook(): Promise<Target> {
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts', 'ci', 'brook-server.ts')], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  })
  const bootstrap = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('Brook did not start within 30 s')), 30_000)
    child.on('exit', (code) => reject(new Error(`Brook exited with ${code}`)))
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /^BROOK_BOOTSTRAP=(.+)$/.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(m[1]!)
      }
    })
  })
  return {
    name: 'brook',
    bootstrap,
    pid: child.pid!,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

function startKafka(): Target {
  const pidFile = (): number => {
    const r = spawnSync('bash', ['-c', `source ${path.join(ROOT, 'scripts', 'ci', 'kafka-env.sh')} && cat "$KAFKA_PID_FILE"`], { encoding: 'utf8' })
    return Number(r.stdout.trim()) || 0
  }
  const existing = process.env.BROOK_KAFKA_BOOTSTRAP
  if (existing) return { name: 'kafka', bootstrap: existing, pid: pidFile(), stop: async () => {} }
  const r = spawnSync(path.join(ROOT, 'scripts', 'ci', 'start-kafka.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const m = /BROOK_KAFKA_BOOTSTRAP=(\S+)/.exec(r.stdout)
  if (r.status !== 0 || !m) throw new Error(`start-kafka.sh failed: ${r.stdout}`)
  return {
    name: 'kafka',
    bootstrap: m[1]!,
    pid: pidFile(),
    stop: async () => {
      spawnSync(path.join(ROOT, 'scripts', 'ci', 'stop-kafka.sh'), { stdio: 'inherit' })
    },
  }
}

function createTopic(bootstrap: string, topic: string): void {
  // The Java compat client's admin command; one partition keeps runs comparable.
  const r = spawnSync('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${LOG4J}`, '-cp',
    `${path.join(ROOT, '.cache', 'compat', 'java')}${path.delimiter}${JARS}/*`, 'Main', 'create-topic', '--bootstrap', bootstrap, '--topic', topic, '--partitions', '1'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`create-topic ${topic} failed: ${r.stderr}`)
}

async function runCase(target: Target, c: Case): Promise<Result> {
  const topic = `bench-${c.recordSize}-${c.acks === 'all' ? 'all' : '1'}-${Date.now().toString(36)}`
  createTopic(target.bootstrap, topic)
  const rss = sampleRss(target.pid)
  const cpu0 = cpuSeconds(target.pid)
  const produced = await javaAsync('org.apache.kafka.tools.ProducerPerformance', [
    '--topic', topic, '--num-records', String(c.records), '--record-size', String(c.recordSize), '--throughput', THROUGHPUT,
    '--producer-props', `bootstrap.servers=${target.bootstrap}`, `acks=${c.acks}`,
  ])
  // "N records sent, R records/sec (M MB/sec), A ms avg latency, X ms max latency, P ms 50th, ... Q ms 99th, ..."
  const p = /records sent, ([\d.]+) records\/sec \(([\d.]+) MB\/sec\).*?([\d.]+) ms 50th.*?([\d.]+) ms 99th/.exec(produced)
  if (!p) throw new Error(`unexpected ProducerPerformance output:\n${produced}`)
  const consumed = await javaAsync('org.apache.kafka.tools.ConsumerPerformance', [
    '--bootstrap-server', target.bootstrap, '--topic', topic, '--messages', String(c.records), '--timeout', '60000',
  ])
  const mem = rss()
  const cpuSec = cpuSeconds(target.pid) - cpu0
  // Header then "start, end, MB, MB.sec, nMsg, nMsg.sec, rebalance.ms, fetch.ms, fetch.MB.sec, fetch.nMsg.sec":
  // the fetch.* rates leave out the group join, which is not throughput.
  const line = consumed.trim().split('\n').pop() ?? ''
  const cols = line.split(',').map((s) => s.trim())
  if (cols.length < 10 || Number(cols[4]) < c.records) throw new Error(`unexpected ConsumerPerformance output:\n${consumed}`)
  return {
    produceRecPerSec: Number(p[1]),
    produceMBPerSec: Number(p[2]),
    p50Ms: Number(p[3]),
    p99Ms: Number(p[4]),
    consumeRecPerSec: Number(cols[9]),
    consumeMBPerSec: Number(cols[8]),
    cpuSec,
    rssMaxMiB: mem.maxMiB,
    rssMeanMiB: mem.meanMiB,
  }
}

function javaAsync(mainClass: string, mainArgs: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('java', ['-Xmx256m', '-XX:+UseG1GC', `-Dlog4j2.configurationFile=${LOG4J}`, '-cp', `${JARS}/*`, mainClass, ...mainArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = ''
    let err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d))
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-8000)))
    const timer = setTimeout(() => child.kill('SIGKILL'), 300_000)
    child.on('close', (code) => {
      clearTimeout(timer)
      if (code === 0) resolve(out)
      else reject(new Error(`${mainClass} exited with ${code}:\n${out.slice(-2000)}\n${err}`))
    })
  })
}

const fmt = (n: number, digits = 0): string => n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })

function printTable(results: Map<string, Map<string, Result>>): void {
  const metrics: Array<[string, (r: Result) => number, number]> = [
    ['produce rec/s', (r) => r.produceRecPerSec, 0],
    ['produce MB/s', (r) => r.produceMBPerSec, 1],
    ['produce p50 ms', (r) => r.p50Ms, 0],
    ['produce p99 ms', (r) => r.p99Ms, 0],
    ['consume rec/s', (r) => r.consumeRecPerSec, 0],
    ['consume MB/s', (r) => r.consumeMBPerSec, 1],
    ['broker CPU s', (r) => r.cpuSec, 1],
    ['broker RSS max MiB', (r) => r.rssMaxMiB, 0],
    ['broker RSS mean MiB', (r) => r.rssMeanMiB, 0],
  ]
  const rows: string[][] = [['case', 'metric', 'Brook', 'Kafka', 'Brook/Kafka']]
  for (const c of CASES) {
    const brook = results.get('brook')?.get(c.name)
    const kafka = results.get('kafka')?.get(c.name)
    for (const [name, get, digits] of metrics) {
      const b = brook ? get(brook) : NaN
      const k = kafka ? get(kafka) : NaN
      rows.push([c.name, name, Number.isNaN(b) ? '-' : fmt(b, digits), Number.isNaN(k) ? '-' : fmt(k, digits), Number.isFinite(b / k) ? (b / k).toFixed(2) : '-'])
    }
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)))
  for (const r of rows) console.log(r.map((cell, i) => (i < 2 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  '))
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(JARS, 'kafka-version'))) {
    console.error(`No Kafka jars in ${JARS}: run scripts/ci/install-compat.sh first.`)
    process.exit(1)
  }
  const kafkaVersion = fs.readFileSync(path.join(JARS, 'kafka-version'), 'utf8').trim()
  console.log(`wire bench: Apache Kafka ${kafkaVersion} ProducerPerformance/ConsumerPerformance, ` +
    `${fmt(RECORDS_100)} x 100 B and ${fmt(RECORDS_1K)} x 1 KiB records per case, 1 partition, no compression, ` +
    `throughput ${THROUGHPUT === '-1' ? 'unthrottled' : `${THROUGHPUT} rec/s`}`)
  const t0 = Date.now()
  const results = new Map<string, Map<string, Result>>()
  const targets: Array<() => Promise<Target>> = []
  if (ONLY !== 'kafka') targets.push(startBrook)
  if (ONLY !== 'brook') targets.push(async () => startKafka())
  for (const start of targets) {
    const target = await start()
    const byCase = new Map<string, Result>()
    results.set(target.name, byCase)
    try {
      for (const c of CASES) {
        const r = await runCase(target, c)
        byCase.set(c.name, r)
        console.log(`  ${target.name.padEnd(5)} ${c.name.padEnd(15)} produce ${fmt(r.produceRecPerSec)} rec/s ${fmt(r.produceMBPerSec, 1)} MB/s ` +
          `p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms; consume ${fmt(r.consumeRecPerSec)} rec/s; CPU ${fmt(r.cpuSec, 1)} s; RSS max ${fmt(r.rssMaxMiB)} MiB`)
      }
    } finally {
      await target.stop()
    }
  }
  console.log('')
  printTable(results)
  console.log(`\nwire bench took ${fmt((Date.now() - t0) / 1000, 1)} s`)
  const outDir = path.join(ROOT, 'bench', 'out')
  fs.mkdirSync(outDir, { recursive: true })
  const json = Object.fromEntries([...results].map(([t, m]) => [t, Object.fromEntries(m)]))
  fs.writeFileSync(path.join(outDir, 'wire.json'), JSON.stringify({ kafkaVersion, throughput: THROUGHPUT, cases: CASES, results: json }, null, 2))
}

await main()
