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
//   --rounds=N        rounds (default 3): every case runs on each broker once per round, the
//                     broker that goes first alternating; every figure is the median over rounds
// Broker CPU and RSS come from /proc for the process listening on the broker's port (found
// through /proc/net/tcp, no pid file needed); where it cannot be read the table says '-'.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..')
const CACHE = process.env.BROOK_CACHE ?? path.join(ROOT, '.cache')
const JARS = process.env.KAFKA_JARS ?? path.join(CACHE, 'maven-jars')
const JAVA_CLASSES = path.join(ROOT, '.cache', 'compat', 'java')
const LOG4J = path.join(ROOT, 'scripts', 'ci', 'log4j2.xml')
const args = new Map(process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]))
const RECORDS_100 = Number(args.get('records-100') ?? 1_000_000)
const RECORDS_1K = Number(args.get('records-1k') ?? 200_000)
const ONLY = args.get('only')
const THROUGHPUT = args.get('throughput') ?? '-1'
const ROUNDS = Number(args.get('rounds') ?? 3)

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
  /** Broker CPU time (user + system) over the case, seconds; NaN when it cannot be read. */
  cpuSec: number
  /** Broker RSS during the case, MiB; NaN when it cannot be read. */
  rssMaxMiB: number
  rssMeanMiB: number
}

interface Target {
  name: 'brook' | 'kafka'
  bootstrap: string
  /** The broker process, or null when it cannot be found (then CPU and RSS read '-'). */
  pid: number | null
  stop(): Promise<void>
}

const CLK_TCK = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100

/** The pid of the process listening on a local TCP port, from /proc/net/tcp{,6} and /proc/<pid>/fd. */
function pidListeningOn(port: number): number | null {
  const inodes = new Set<string>()
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try {
      text = fs.readFileSync(table, 'utf8')
    } catch {
      continue
    }
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/)
      // local_address is ADDR:PORT in hex; state 0A is LISTEN; column 9 is the inode.
      if (cols.length > 9 && cols[3] === '0A' && parseInt(cols[1]!.split(':')[1]!, 16) === port) inodes.add(cols[9]!)
    }
  }
  if (inodes.size === 0) return null
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    let fds: string[]
    try {
      fds = fs.readdirSync(`/proc/${entry}/fd`)
    } catch {
      continue
    }
    for (const fd of fds) {
      try {
        const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${entry}/fd/${fd}`))
        if (m && inodes.has(m[1]!)) return Number(entry)
      } catch {
        // gone meanwhile
      }
    }
  }
  return null
}

function portOf(bootstrap: string): number {
  return Number(bootstrap.split(',')[0]!.split(':').pop())
}

/** RSS in KiB, or null when the process cannot be read. */
function rssKiB(pid: number | null): number | null {
  if (pid === null) return null
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch {
    return null
  }
}

/** utime + stime of a process in seconds (/proc/<pid>/stat fields 14 and 15, in clock ticks); NaN when unreadable. */
function cpuSeconds(pid: number | null): number {
  if (pid === null) return NaN
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / CLK_TCK
  } catch {
    return NaN
  }
}

/** Samples a process's RSS every 100 ms until stopped; NaN when no sample could be read. */
function sampleRss(pid: number | null): () => { maxMiB: number; meanMiB: number } {
  const samples: number[] = []
  const take = (): void => {
    const kib = rssKiB(pid)
    if (kib !== null) samples.push(kib)
  }
  take()
  const timer = setInterval(take, 100)
  return () => {
    clearInterval(timer)
    take()
    if (samples.length === 0) return { maxMiB: NaN, meanMiB: NaN }
    return { maxMiB: Math.max(...samples) / 1024, meanMiB: samples.reduce((a, b) => a + b, 0) / samples.length / 1024 }
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
    pid: child.pid ?? null,
    stop: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
      }),
  }
}

function startKafka(): Target {
  const existing = process.env.BROOK_KAFKA_BOOTSTRAP
  if (existing) return { name: 'kafka', bootstrap: existing, pid: pidListeningOn(portOf(existing)), stop: async () => {} }
  const r = spawnSync(path.join(ROOT, 'scripts', 'ci', 'start-kafka.sh'), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
  const m = /BROOK_KAFKA_BOOTSTRAP=(\S+)/.exec(r.stdout)
  if (r.status !== 0 || !m) throw new Error(`start-kafka.sh failed: ${r.stdout}`)
  return {
    name: 'kafka',
    bootstrap: m[1]!,
    pid: pidListeningOn(portOf(m[1]!)),
    stop: async () => {
      spawnSync(path.join(ROOT, 'scripts', 'ci', 'stop-kafka.sh'), { stdio: 'inherit' })
    },
  }
}

function createTopic(bootstrap: string, topic: string): void {
  // The Java compat client's admin command; one partition keeps runs comparable.
  const r = spawnSync('java', ['-Xmx128m', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${LOG4J}`, '-cp',
    `${JAVA_CLASSES}${path.delimiter}${JARS}/*`, 'Main', 'create-topic', '--bootstrap', bootstrap, '--topic', topic, '--partitions', '1'], { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`create-topic ${topic} failed: ${r.stderr}`)
}

async function runCase(target: Target, c: Case, round: number): Promise<Result> {
  const topic = `bench-${c.recordSize}-${c.acks === 'all' ? 'all' : '1'}-r${round}-${Date.now().toString(36)}`
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

const median = (xs: number[]): number => {
  const v = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  if (v.length === 0) return NaN
  const mid = Math.floor(v.length / 2)
  return v.length % 2 === 1 ? v[mid]! : (v[mid - 1]! + v[mid]!) / 2
}

/** Per-metric medians over rounds. */
function medianResult(rounds: Result[]): Result {
  const keys = Object.keys(rounds[0]!) as Array<keyof Result>
  return Object.fromEntries(keys.map((k) => [k, median(rounds.map((r) => r[k]))])) as unknown as Result
}

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

const fmtOrDash = (n: number, digits: number): string => (Number.isNaN(n) ? '-' : fmt(n, digits))

async function main(): Promise<void> {
  let results = new Map<string, Map<string, Result>>()
  if (!fs.existsSync(path.join(JARS, 'kafka-version'))) {
    console.error(`No Kafka jars in ${JARS}: run scripts/ci/install-compat.sh first.`)
    process.exit(1)
  }
  const kafkaVersion = fs.readFileSync(path.join(JARS, 'kafka-version'), 'utf8').trim()
  console.log(`wire bench: Apache Kafka ${kafkaVersion} ProducerPerformance/ConsumerPerformance, ` +
    `${fmt(RECORDS_100)} x 100 B and ${fmt(RECORDS_1K)} x 1 KiB records per case, 1 partition, no compression, ` +
    `throughput ${THROUGHPUT === '-1' ? 'unthrottled' : `${THROUGHPUT} rec/s`}; median of ${ROUNDS} rounds, the broker that goes first alternating`)
  const t0 = Date.now()
  const targets: Target[] = []
  try {
    if (ONLY !== 'kafka') targets.push(await startBrook())
    if (ONLY !== 'brook') targets.push(startKafka())
    for (const t of targets) {
      console.log(`  ${t.name}: ${t.bootstrap}, ${t.pid === null ? 'process not found: CPU and RSS not measured' : `pid ${t.pid}`}`)
    }
    const rounds = new Map<string, Map<string, Result[]>>(targets.map((t) => [t.name, new Map(CASES.map((c) => [c.name, []]))]))
    for (let round = 0; round < ROUNDS; round++) {
      for (const c of CASES) {
        // The broker that goes first alternates from round to round.
        for (let i = 0; i < targets.length; i++) {
          const target = targets[(round + i) % targets.length]!
          const r = await runCase(target, c, round)
          rounds.get(target.name)!.get(c.name)!.push(r)
          console.log(`  round ${round + 1} ${target.name.padEnd(5)} ${c.name.padEnd(15)} produce ${fmt(r.produceRecPerSec)} rec/s ${fmt(r.produceMBPerSec, 1)} MB/s ` +
            `p50 ${r.p50Ms} ms p99 ${r.p99Ms} ms; consume ${fmt(r.consumeRecPerSec)} rec/s; CPU ${fmtOrDash(r.cpuSec, 1)} s; RSS max ${fmtOrDash(r.rssMaxMiB, 0)} MiB`)
        }
      }
    }
    results = new Map([...rounds].map(([t, byCase]) => [t, new Map([...byCase].map(([c, rs]) => [c, medianResult(rs)]))]))
  } finally {
    for (const t of targets) await t.stop()
  }
  console.log('')
  printTable(results)
  console.log(`\nwire bench took ${fmt((Date.now() - t0) / 1000, 1)} s`)
  const outDir = path.join(ROOT, 'bench', 'out')
  fs.mkdirSync(outDir, { recursive: true })
  const json = Object.fromEntries([...results].map(([t, m]) => [t, Object.fromEntries(m)]))
  fs.writeFileSync(path.join(outDir, 'wire.json'), JSON.stringify({ kafkaVersion, throughput: THROUGHPUT, rounds: ROUNDS, cases: CASES, results: json }, null, 2))
}

await main()
