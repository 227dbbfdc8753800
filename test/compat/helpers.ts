// Shared machinery for the compat tests: find the external clients that
// scripts/ci/install-compat.sh installs, start Brook in-process, drive each client
// (kcat, the Java client, franz-go) through one set of commands, and check what came back.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import readline from 'node:readline'
import { fileURLToPath } from 'node:url'
import { describe, it } from 'vitest'
import { Broker } from '../../core/broker/broker.js'
import { defaultPartition } from '../../core/client/partitioner.js'
import { startServer, type BrookServer } from '../../core/server/server.js'

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..')
export const CACHE = path.join(ROOT, '.cache')
// Same defaults and overrides as scripts/ci/kafka-env.sh.
export const KAFKA_JARS = process.env.KAFKA_JARS ?? path.join(CACHE, 'maven-jars')
export const INSTALL_SCRIPT = 'scripts/ci/install-compat.sh'
const JAVA_CLASSES = path.join(CACHE, 'compat', 'java')
const FRANZ_GO = path.join(CACHE, 'compat', 'franz-go')
const PLATFORMATIC = path.join(ROOT, 'test', 'compat', 'platformatic', 'node_modules', '@platformatic', 'kafka', 'package.json')
const LOG4J = path.join(ROOT, 'scripts', 'ci', 'log4j2.xml')

export const PARTITIONS = 3
export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd'
export const ALL_CODECS: readonly Codec[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd']

// ---------------------------------------------------------------- tools

export type Tool = 'kcat' | 'java' | 'franz-go' | 'platformatic' | 'kafka-broker'

function runs(cmd: string, args: string[]): boolean {
  const r = spawnSync(cmd, args, { stdio: 'ignore', timeout: 20_000 })
  return r.status === 0
}

/** Why `tool` is unusable here, or null when it is ready. */
export function toolProblem(tool: Tool): string | null {
  switch (tool) {
    case 'kcat':
      return runs('kcat', ['-V']) ? null : 'kcat is not on PATH'
    case 'java':
      if (!runs('java', ['-version'])) return 'java is not on PATH'
      if (!fs.existsSync(path.join(KAFKA_JARS, 'kafka-version'))) return `no Kafka jars in ${KAFKA_JARS}`
      return fs.existsSync(path.join(JAVA_CLASSES, 'Main.class')) && fs.existsSync(path.join(JAVA_CLASSES, 'TopologyNames.class'))
        ? null
        : `Java compat programs not built (${JAVA_CLASSES})`
    case 'franz-go':
      return fs.existsSync(FRANZ_GO) ? null : `franz-go compat client not built (${FRANZ_GO})`
    case 'platformatic':
      return fs.existsSync(PLATFORMATIC) ? null : `@platformatic/kafka not installed (${PLATFORMATIC})`
    case 'kafka-broker':
      return process.env.BROOK_KAFKA_BOOTSTRAP ? null : 'BROOK_KAFKA_BOOTSTRAP is not set'
  }
}

/**
 * describe() that needs external tools. When one is missing the suite is skipped with the
 * reason, except under CI (CI=true), where it fails naming the tool and the install script.
 */
export function describeWithTools(name: string, tools: readonly Tool[], body: () => void): void {
  const problems = tools.map(toolProblem).filter((p): p is string => p !== null)
  if (problems.length === 0) {
    describe(name, body)
    return
  }
  const message = `${problems.join('; ')}. Install with ${INSTALL_SCRIPT}` +
    (tools.includes('kafka-broker') ? ', start the broker with scripts/ci/start-kafka.sh and export BROOK_KAFKA_BOOTSTRAP=127.0.0.1:19092' : '')
  if (process.env.CI === 'true') {
    describe(name, () => {
      it('has its external tools', () => {
        throw new Error(`${name}: ${message}`)
      })
    })
    return
  }
  process.stderr.write(`[compat] skipping "${name}": ${message}\n`)
  describe.skip(`${name} [skipped: ${message}]`, body)
}

// ---------------------------------------------------------------- Brook in-process

export interface BrookUnderTest {
  broker: Broker
  server: BrookServer
  bootstrap: string
  close(): Promise<void>
}

export async function startBrook(): Promise<BrookUnderTest> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-'))
  const broker = await Broker.open({ dataDir })
  const server = await startServer(broker, {
    host: '127.0.0.1',
    port: 0,
    logger: {
      info: () => {},
      warn: (m) => process.stderr.write(`[brook] WARN ${m}\n`),
      error: (m, err) => process.stderr.write(`[brook] ERROR ${m} ${err instanceof Error ? (err.stack ?? err.message) : String(err ?? '')}\n`),
    },
  })
  return {
    broker,
    server,
    bootstrap: `${server.host}:${server.port}`,
    async close() {
      await server.close()
      await broker.close()
      fs.rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

// ---------------------------------------------------------------- records

/** The value every compat client produces for record i: "<prefix>:<i>:" padded with letters. */
export function recordValue(prefix: string, i: number, size = 100): string {
  let s = `${prefix}:${i}:`
  while (s.length < size) s += String.fromCharCode(97 + ((s.length + i) % 26))
  return s
}

export interface ConsumedRecord {
  partition: number
  offset: number
  key: string
  value: string
}

function parseRecordLine(line: string): ConsumedRecord {
  const [p, o, key, value] = line.split('\t')
  if (p === undefined || o === undefined || key === undefined || value === undefined) throw new Error(`bad record line: ${JSON.stringify(line)}`)
  return { partition: Number(p), offset: Number(o), key, value }
}

export function readRecordFile(file: string): ConsumedRecord[] {
  const text = fs.readFileSync(file, 'utf8')
  return text.split('\n').filter((l) => l.length > 0).map(parseRecordLine)
}

export interface Expected {
  prefix: string
  /** Record indexes [from, to) must each arrive once. */
  from: number
  to: number
  valueSize?: number
  /** Per partition, the offset the first record must have (resume checks). Default: any. */
  firstOffsets?: ReadonlyMap<number, number>
}

/**
 * Checks consumed records: each expected index exactly once, nothing else, key and value
 * as produced, the key's partition as defaultPartition computes it, offsets contiguous and
 * indexes rising within each partition. Returns per-partition last offsets.
 */
export function verifyRecords(records: readonly ConsumedRecord[], exp: Expected): Map<number, number> {
  const errors: string[] = []
  const fail = (m: string): void => {
    if (errors.length < 10) errors.push(m)
  }
  const seen = new Set<number>()
  const lastByPartition = new Map<number, { offset: number; index: number }>()
  const valueSize = exp.valueSize ?? 100
  for (const r of records) {
    const m = /^([^:]+):(\d+):/.exec(r.value)
    if (m === null || m[1] !== exp.prefix) {
      fail(`unexpected value at ${r.partition}/${r.offset}: ${r.value.slice(0, 40)}`)
      continue
    }
    const i = Number(m[2])
    if (i < exp.from || i >= exp.to) fail(`record ${i} at ${r.partition}/${r.offset} is outside [${exp.from}, ${exp.to})`)
    if (seen.has(i)) fail(`record ${i} arrived twice (again at ${r.partition}/${r.offset})`)
    seen.add(i)
    if (r.key !== `k${i}`) fail(`record ${i} has key ${r.key}`)
    if (r.value !== recordValue(exp.prefix, i, valueSize)) fail(`record ${i} has a wrong value`)
    const want = defaultPartition(Buffer.from(r.key), PARTITIONS)
    if (r.partition !== want) fail(`key ${r.key} is in partition ${r.partition}, defaultPartition says ${want}`)
    const last = lastByPartition.get(r.partition)
    if (last === undefined) {
      const first = exp.firstOffsets?.get(r.partition)
      if (first !== undefined && r.offset !== first) fail(`partition ${r.partition} starts at offset ${r.offset}, expected ${first}`)
    } else {
      if (r.offset !== last.offset + 1) fail(`partition ${r.partition}: offset ${r.offset} follows ${last.offset}`)
      if (i <= last.index) fail(`partition ${r.partition}: record ${i} after record ${last.index} (out of order)`)
    }
    lastByPartition.set(r.partition, { offset: r.offset, index: i })
  }
  const missing = exp.to - exp.from - [...seen].filter((i) => i >= exp.from && i < exp.to).length
  if (missing > 0) {
    const firstMissing = [...Array(exp.to - exp.from).keys()].map((k) => k + exp.from).find((i) => !seen.has(i))
    fail(`${missing} of ${exp.to - exp.from} records never arrived (first: ${firstMissing})`)
  }
  if (errors.length > 0) throw new Error(`record check failed:\n  ${errors.join('\n  ')}`)
  return new Map([...lastByPartition].map(([p, v]) => [p, v.offset]))
}

// ---------------------------------------------------------------- processes

export interface RunResult {
  stdout: string
  stderr: string
  ms: number
}

/** Runs a command to completion; rejects on a non-zero exit or after timeoutMs. */
export function run(cmd: string, args: readonly string[], opts: { input?: string; timeoutMs?: number; stdoutFile?: string } = {}): Promise<RunResult> {
  const t0 = Date.now()
  return new Promise((resolve, reject) => {
    const out = opts.stdoutFile === undefined ? 'pipe' : fs.openSync(opts.stdoutFile, 'w')
    const child = spawn(cmd, args, { stdio: ['pipe', out, 'pipe'] })
    if (typeof out === 'number') fs.closeSync(out)
    let stdout = ''
    let stderr = ''
    child.stdout?.setEncoding('utf8').on('data', (d: string) => (stdout += d))
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr += d
      if (stderr.length > 200_000) stderr = stderr.slice(-100_000)
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`${path.basename(cmd)} ${args[0] ?? ''} timed out after ${opts.timeoutMs} ms\nstderr: ${stderr.slice(-4000)}`))
    }, opts.timeoutMs ?? 120_000)
    child.on('error', (err) => {
      clearTimeout(timer)
      reject(err)
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      if (code === 0) resolve({ stdout, stderr, ms: Date.now() - t0 })
      else reject(new Error(`${path.basename(cmd)} ${args.join(' ').slice(0, 200)} exited with ${code ?? signal}\nstdout: ${stdout.slice(-2000)}\nstderr: ${stderr.slice(-4000)}`))
    })
    child.stdin?.on('error', () => {})
    child.stdin?.end(opts.input ?? '')
  })
}

/** The last line of stdout parsed as JSON (the programs print one summary line). */
export function lastJson(stdout: string): Record<string, unknown> {
  const line = stdout.trim().split('\n').pop() ?? ''
  try {
    return JSON.parse(line) as Record<string, unknown>
  } catch {
    throw new Error(`expected a JSON summary, got: ${stdout.slice(-500)}`)
  }
}

// ---------------------------------------------------------------- group members

/** A long-running consumer in a group, reporting its assignment and records. */
export class GroupMember {
  readonly records: ConsumedRecord[] = []
  assignment: number[] = []
  readonly assignments: number[][] = []
  private exited = false
  private readonly exitPromise: Promise<number | null>
  private stderrTail = ''

  constructor(
    readonly name: string,
    private readonly child: ChildProcess,
    stop: 'stdin-eof' | 'sigterm',
    assignmentFromStderr?: (line: string) => number[] | null,
  ) {
    this.stopMode = stop
    readline.createInterface({ input: child.stdout! }).on('line', (line) => {
      if (line.startsWith('R\t')) this.records.push(parseRecordLine(line.slice(2)))
      else if (line.startsWith('A\t')) this.setAssignment(line.length > 2 ? line.slice(2).split(',').map(Number) : [])
    })
    readline.createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail = (this.stderrTail + line + '\n').slice(-4000)
      const a = assignmentFromStderr?.(line)
      if (a) this.setAssignment(a)
    })
    child.stdin?.on('error', () => {})
    this.exitPromise = new Promise((resolve) =>
      child.on('close', (code) => {
        this.exited = true
        resolve(code)
      }),
    )
  }

  private readonly stopMode: 'stdin-eof' | 'sigterm'

  private setAssignment(a: number[]): void {
    this.assignment = [...a].sort((x, y) => x - y)
    this.assignments.push(this.assignment)
  }

  get stderr(): string {
    return this.stderrTail
  }

  get alive(): boolean {
    return !this.exited
  }

  /** Leaves the group gracefully (commit, LeaveGroup) and waits for the exit. */
  async stop(timeoutMs = 30_000): Promise<void> {
    if (this.exited) return
    if (this.stopMode === 'stdin-eof') this.child.stdin?.end()
    else this.child.kill('SIGTERM')
    const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref())
    if ((await Promise.race([this.exitPromise, timeout])) === 'timeout') {
      this.child.kill('SIGKILL')
      throw new Error(`${this.name} did not stop within ${timeoutMs} ms\n${this.stderrTail}`)
    }
  }

  kill(): void {
    if (!this.exited) this.child.kill('SIGKILL')
  }
}

/** Within one consumer's stream, each partition's offsets must rise. */
function checkDeliveryOrder(m: GroupMember): void {
  const last = new Map<number, number>()
  for (const r of m.records) {
    const prev = last.get(r.partition)
    if (prev !== undefined && r.offset <= prev) throw new Error(`${m.name}: partition ${r.partition} offset ${r.offset} delivered after ${prev}`)
    last.set(r.partition, r.offset)
  }
}

export async function waitFor(what: string, cond: () => boolean, timeoutMs = 45_000, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail ? `\n${detail()}` : ''}`)
    await new Promise((r) => setTimeout(r, 50))
  }
}

// ---------------------------------------------------------------- clients

export interface ProduceOptions {
  bootstrap: string
  topic: string
  start: number
  count: number
  prefix: string
  compression: Codec
  valueSize?: number
}

export interface ConsumeOptions {
  bootstrap: string
  topic: string
  group: string
  count: number
  timeoutMs?: number
}

export interface ConsumeResult {
  records: ConsumedRecord[]
  /** Committed offsets per partition after the run, when the client reports them. */
  committed: Map<number, number> | null
}

export interface CompatClient {
  readonly name: string
  readonly codecs: readonly Codec[]
  /** Creates a topic through the client's admin API; null when the client has none. */
  readonly createTopic: ((bootstrap: string, topic: string, partitions: number) => Promise<void>) | null
  produce(o: ProduceOptions): Promise<void>
  consume(o: ConsumeOptions): Promise<ConsumeResult>
  member(o: { bootstrap: string; topic: string; group: string; name: string }): GroupMember
}

/** The Java and franz-go programs share one command line and output format. */
class ProgramClient implements CompatClient {
  readonly codecs = ALL_CODECS
  readonly createTopic: (bootstrap: string, topic: string, partitions: number) => Promise<void>

  constructor(
    readonly name: string,
    private readonly cmd: string,
    private readonly baseArgs: readonly string[],
  ) {
    this.createTopic = async (bootstrap, topic, partitions) => {
      const r = await run(this.cmd, [...this.baseArgs, 'create-topic', '--bootstrap', bootstrap, '--topic', topic, '--partitions', String(partitions)], { timeoutMs: 60_000 })
      const s = lastJson(r.stdout)
      if (s.partitions !== partitions) throw new Error(`${name} create-topic: ${r.stdout}`)
    }
  }

  async produce(o: ProduceOptions): Promise<void> {
    const r = await run(this.cmd, [
      ...this.baseArgs, 'produce', '--bootstrap', o.bootstrap, '--topic', o.topic, '--start', String(o.start),
      '--count', String(o.count), '--prefix', o.prefix, '--compression', o.compression, '--value-size', String(o.valueSize ?? 100),
    ], { timeoutMs: 120_000 })
    const s = lastJson(r.stdout)
    if (s.acked !== o.count || s.failed !== 0) throw new Error(`${this.name} produce (${o.compression}): ${r.stdout}\n${r.stderr.slice(-2000)}`)
  }

  async consume(o: ConsumeOptions): Promise<ConsumeResult> {
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-out-')), 'records.tsv')
    try {
      const timeoutMs = o.timeoutMs ?? 90_000
      const r = await run(this.cmd, [
        ...this.baseArgs, 'consume', '--bootstrap', o.bootstrap, '--topic', o.topic, '--group', o.group,
        '--count', String(o.count), '--out', out, '--timeout-ms', String(timeoutMs),
      ], { timeoutMs: timeoutMs + 30_000 })
      const s = lastJson(r.stdout)
      const committed = new Map(Object.entries((s.committed ?? {}) as Record<string, number>).map(([p, off]) => [Number(p), off]))
      return { records: readRecordFile(out), committed }
    } finally {
      fs.rmSync(path.dirname(out), { recursive: true, force: true })
    }
  }

  member(o: { bootstrap: string; topic: string; group: string; name: string }): GroupMember {
    const child = spawn(this.cmd, [...this.baseArgs, 'member', '--bootstrap', o.bootstrap, '--topic', o.topic, '--group', o.group], {
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    return new GroupMember(`${this.name} ${o.name}`, child, 'stdin-eof')
  }
}

const JAVA_ARGS = [
  '-Xmx256m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', `-Dlog4j2.configurationFile=${LOG4J}`,
  '-cp', `${JAVA_CLASSES}${path.delimiter}${KAFKA_JARS}/*`, 'Main',
]

/** The command line that prints Kafka Streams' own descriptions of test/compat/java/TopologyNames.java's topologies. */
export function kafkaStreamsTopologyPrinter(): { cmd: string; args: string[] } {
  return { cmd: 'java', args: [...JAVA_ARGS.slice(0, -1), 'TopologyNames'] }
}

/** The command line of a compat program, for commands beyond the CompatClient ones (transactions). */
export function programCommand(name: 'java' | 'franz-go'): { cmd: string; args: string[] } {
  return name === 'java' ? { cmd: 'java', args: [...JAVA_ARGS] } : { cmd: FRANZ_GO, args: [] }
}

/** The Java client with its default configuration (only auto.offset.reset=earliest set). */
export function javaClient(): CompatClient {
  return new ProgramClient('java', 'java', JAVA_ARGS)
}

export function franzGoClient(): CompatClient {
  return new ProgramClient('franz-go', FRANZ_GO, [])
}

/**
 * kcat (librdkafka) with its defaults, except the partitioner: librdkafka's default
 * (consistent_random, CRC32) differs from Java's; murmur2_random is the Java-compatible one.
 */
export function kcatClient(): CompatClient {
  const kcatAssignment = (line: string): number[] | null => {
    const m = /rebalanced \(memberid [^)]*\): (assigned|revoked): (.*)$/.exec(line)
    if (m === null) return null
    if (m[1] === 'revoked') return []
    return [...m[2]!.matchAll(/\[(\d+)\]/g)].map((x) => Number(x[1]))
  }
  return {
    name: 'kcat',
    codecs: ALL_CODECS,
    createTopic: null,
    async produce(o) {
      const lines: string[] = []
      for (let i = o.start; i < o.start + o.count; i++) lines.push(`k${i}\t${recordValue(o.prefix, i, o.valueSize ?? 100)}\n`)
      await run('kcat', [
        '-b', o.bootstrap, '-P', '-t', o.topic, '-K', '\t', '-z', o.compression,
        '-X', 'topic.partitioner=murmur2_random',
      ], { input: lines.join(''), timeoutMs: 120_000 })
    },
    async consume(o) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'brook-compat-out-'))
      const out = path.join(dir, 'records.tsv')
      try {
        // -c exits after count records; closing the consumer commits the stored offsets.
        await run('kcat', [
          '-b', o.bootstrap, '-G', o.group, '-X', 'auto.offset.reset=earliest', '-c', String(o.count), '-q',
          '-f', '%p\\t%o\\t%k\\t%s\\n', o.topic,
        ], { stdoutFile: out, timeoutMs: o.timeoutMs ?? 90_000 })
        return { records: readRecordFile(out), committed: null }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true })
      }
    },
    member(o) {
      const child = spawn('kcat', [
        '-b', o.bootstrap, '-G', o.group, '-X', 'auto.offset.reset=earliest', '-u',
        '-f', 'R\\t%p\\t%o\\t%k\\t%s\\n', o.topic,
      ], { stdio: ['ignore', 'pipe', 'pipe'] })
      return new GroupMember(`kcat ${o.name}`, child, 'sigterm', kcatAssignment)
    },
  }
}

// ---------------------------------------------------------------- scenarios

export interface ScenarioTarget {
  bootstrap: string
  /** Creates a 3-partition topic (the client's admin API, or the broker directly). */
  createTopic(topic: string): Promise<void>
}

export function uniqueName(base: string): string {
  return `${base}-${Date.now().toString(36)}-${Math.floor(Math.random() * 1e6).toString(36)}`
}

/**
 * Produce `perCodec` keyed records with each codec, consume them all in a group and
 * commit, then produce more and check a restarted consumer gets only the new ones.
 */
export async function produceConsumeResume(client: CompatClient, target: ScenarioTarget, perCodec: number, log: (m: string) => void = () => {}): Promise<void> {
  const topic = uniqueName(`compat-${client.name}`)
  const group = `${topic}-g`
  const prefix = 'r'
  await target.createTopic(topic)
  let next = 0
  for (const compression of client.codecs) {
    const t0 = Date.now()
    await client.produce({ bootstrap: target.bootstrap, topic, start: next, count: perCodec, prefix, compression })
    log(`${client.name}: produced ${perCodec} ${compression} records in ${Date.now() - t0} ms`)
    next += perCodec
  }
  let t0 = Date.now()
  const first = await client.consume({ bootstrap: target.bootstrap, topic, group, count: next })
  log(`${client.name}: consumed ${first.records.length} records in ${Date.now() - t0} ms`)
  const lastOffsets = verifyRecords(first.records, { prefix, from: 0, to: next, firstOffsets: new Map([[0, 0], [1, 0], [2, 0]]) })
  if (first.committed !== null) {
    for (const [p, last] of lastOffsets) {
      if (first.committed.get(p) !== last + 1) throw new Error(`partition ${p}: committed ${first.committed.get(p)}, expected ${last + 1}`)
    }
  }

  // Resume: a new consumer process in the same group starts at the committed offsets.
  const more = 1000
  await client.produce({ bootstrap: target.bootstrap, topic, start: next, count: more, prefix, compression: 'none' })
  t0 = Date.now()
  const second = await client.consume({ bootstrap: target.bootstrap, topic, group, count: more })
  log(`${client.name}: resumed and consumed ${second.records.length} records in ${Date.now() - t0} ms`)
  verifyRecords(second.records, {
    prefix, from: next, to: next + more,
    firstOffsets: new Map([...lastOffsets].map(([p, o]) => [p, o + 1])),
  })
}

/**
 * Two members of one group split the partitions; records produced then reach exactly one
 * of them; one leaves and the other takes over every partition and gets what follows.
 */
export async function twoMemberRebalance(client: CompatClient, target: ScenarioTarget, perPhase: number, log: (m: string) => void = () => {}): Promise<void> {
  const topic = uniqueName(`compat-${client.name}-rb`)
  const group = `${topic}-g`
  const prefix = 'm'
  await target.createTopic(topic)
  const members: GroupMember[] = []
  const detail = (): string => members.map((m) => `${m.name}: assignment ${m.assignment.join(',')}, ${m.records.length} records, alive ${m.alive}\n${m.stderr.slice(-1500)}`).join('\n')
  try {
    const a = client.member({ bootstrap: target.bootstrap, topic, group, name: 'A' })
    members.push(a)
    await waitFor('member A to own all partitions', () => a.assignment.length === PARTITIONS, 45_000, detail)
    const b = client.member({ bootstrap: target.bootstrap, topic, group, name: 'B' })
    members.push(b)
    const split = (): boolean => {
      const all = [...a.assignment, ...b.assignment].sort()
      return a.assignment.length > 0 && b.assignment.length > 0 && all.join(',') === '0,1,2'
    }
    let t0 = Date.now()
    await waitFor('A and B to split the partitions', split, 45_000, detail)
    log(`${client.name}: split ${a.assignment.join(',')} | ${b.assignment.join(',')} in ${Date.now() - t0} ms`)
    const aOwned = new Set(a.assignment)
    const bOwned = new Set(b.assignment)

    await client.produce({ bootstrap: target.bootstrap, topic, start: 0, count: perPhase, prefix, compression: 'none' })
    await waitFor(`${perPhase} records across A and B`, () => a.records.length + b.records.length >= perPhase, 45_000, detail)
    if (!split()) throw new Error(`assignment changed while consuming: ${detail()}`)
    for (const r of a.records) if (!aOwned.has(r.partition)) throw new Error(`A got partition ${r.partition} it does not own`)
    for (const r of b.records) if (!bOwned.has(r.partition)) throw new Error(`B got partition ${r.partition} it does not own`)
    if (b.records.length === 0 || a.records.length === 0) throw new Error(`one member got nothing: ${detail()}`)

    t0 = Date.now()
    await b.stop()
    await waitFor('A to own all partitions after B left', () => a.assignment.length === PARTITIONS, 45_000, detail)
    log(`${client.name}: B left, A took over in ${Date.now() - t0} ms`)
    const bCount = b.records.length
    await client.produce({ bootstrap: target.bootstrap, topic, start: perPhase, count: perPhase, prefix, compression: 'lz4' })
    await waitFor(`all ${2 * perPhase} records`, () => a.records.length + bCount >= 2 * perPhase, 45_000, detail)
    // Anything extra (a duplicate) would arrive right behind; give it a moment.
    await new Promise((r) => setTimeout(r, 500))
    await a.stop()
    for (const m of [a, b]) checkDeliveryOrder(m)
    // Together, per partition: B's records (before it left), then A's.
    const byPartition = new Map<number, ConsumedRecord[]>()
    for (const r of [...b.records, ...a.records].sort((x, y) => x.partition - y.partition || x.offset - y.offset)) {
      const list = byPartition.get(r.partition) ?? []
      list.push(r)
      byPartition.set(r.partition, list)
    }
    verifyRecords([...byPartition.values()].flat(), { prefix, from: 0, to: 2 * perPhase, firstOffsets: new Map([[0, 0], [1, 0], [2, 0]]) })
  } finally {
    for (const m of members) m.kill()
  }
}
