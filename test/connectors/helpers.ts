// Helpers for the connector tests: wait for a condition, read a topic, database URLs from the
// environment (skip with a message when absent, fail under CI=true), rebuild a table from its
// change topic and compare it with the database's, spawn the CLI and kill it.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import type { BrookClient, ConsumerRecord } from '../../core/client/types.js'
import type { SourceOffset } from '../../connectors/api/record.js'
import { lsnToNumber } from '../../connectors/postgres-cdc/replication.js'
import { OffsetStore } from '../../connectors/runtime/offset-store.js'

export async function waitFor<T>(what: string, check: () => Promise<T | null | false> | T | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const v = await check()
    if (v !== null && v !== false) return v
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

/** Every record of a topic (all partitions) from the beginning up to its current end. */
export async function readTopic(client: BrookClient, topic: string): Promise<ConsumerRecord[]> {
  const admin = client.admin()
  let partitions: number[]
  try {
    const [d] = await admin.describeTopics([topic])
    partitions = (d?.partitions ?? []).map((p) => p.partition)
  } catch {
    return []
  } finally {
    await admin.close()
  }
  const consumer = client.consumer()
  const out: ConsumerRecord[] = []
  try {
    const tps = partitions.map((partition) => ({ topic, partition }))
    consumer.assign(tps)
    await consumer.seekToBeginning(tps)
    const ends = await consumer.endOffsets(tps)
    for (const e of ends) {
      const tp = { topic, partition: e.partition }
      while ((await consumer.position(tp)) < e.offset) {
        for (const r of await consumer.poll(200)) out.push(r)
      }
    }
  } finally {
    await consumer.close()
  }
  return out
}

export async function topicCount(client: BrookClient, topic: string): Promise<number> {
  const admin = client.admin()
  try {
    const [d] = await admin.describeTopics([topic])
    const offs = await admin.listOffsets((d?.partitions ?? []).map((p) => ({ topic, partition: p.partition, spec: 'latest' as const })))
    return offs.reduce((a, o) => a + o.offset, 0)
  } catch {
    return 0
  } finally {
    await admin.close()
  }
}

export function json(r: ConsumerRecord): { schema?: unknown; payload: Record<string, unknown> } | null {
  return r.value === null ? null : (JSON.parse(r.value.toString('utf8')) as { payload: Record<string, unknown> })
}

/** The URL of a database the tests need: present, or a skip message (CI=true: a failure). */
export function dbUrl(envVar: 'BROOK_PG_URL' | 'BROOK_MYSQL_URL'): string | null {
  const url = process.env[envVar]
  if (url !== undefined && url !== '') return url
  if (process.env.CI === 'true') throw new Error(`${envVar} is not set under CI=true: .ci/run must start the database (scripts/ci/start-databases.sh)`)
  console.warn(`skipping: ${envVar} is not set (run scripts/ci/start-databases.sh as root and export what it prints)`)
  return null
}

/**
 * The table a Debezium change topic describes: the value of column `key` → the row's last
 * `after` (a delete removes it; tombstones and truncates are passed over). Values with or without
 * the JsonConverter's schema envelope.
 */
export async function rebuildTable(client: BrookClient, topic: string, key: string): Promise<Map<string, Record<string, unknown>>> {
  const state = new Map<string, Record<string, unknown>>()
  for (const r of await readTopic(client, topic)) {
    if (r.value === null) continue
    const parsed = JSON.parse(r.value.toString('utf8')) as Record<string, unknown>
    const v = ('payload' in parsed && 'schema' in parsed ? parsed.payload : parsed) as { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null }
    if (v.op === 'd') state.delete(String(v.before![key]))
    else if (v.after !== null) state.set(String(v.after[key]), v.after)
  }
  return state
}

/**
 * Waits until the table rebuilt from `topic` equals `rows` (the database's rows, each holding
 * the key column and the columns to compare) row for row: the same keys, equal values.
 */
export async function waitForTopicToEqualTable(client: BrookClient, topic: string, key: string, rows: Array<Record<string, unknown>>, timeoutMs = 120_000): Promise<void> {
  const expected = new Map(rows.map((r) => [String(r[key]), r]))
  let last = ''
  await waitFor(`${topic} rebuilt equals the table`, async () => {
    const got = await rebuildTable(client, topic, key)
    if (got.size !== expected.size) {
      last = `${got.size} rows rebuilt, the table has ${expected.size}`
      return false
    }
    for (const [k, row] of expected) {
      const g = got.get(k)
      for (const [col, v] of Object.entries(row)) {
        if (g?.[col] !== v) {
          last = `row ${key}=${k}: ${col} is ${JSON.stringify(g?.[col])} in the topic, ${JSON.stringify(v)} in the table`
          return false
        }
      }
    }
    return true
  }, timeoutMs).catch((err: unknown) => {
    throw new Error(`${(err as Error).message}: ${last}`)
  })
}

/** A change event of a Debezium topic, with what a duplicate repeats: op, key and position. */
export interface ChangeEvent {
  id: string
  op: string
  source: Record<string, unknown>
}

/** How a connector's changes stand in its source and against its stored offsets. */
export interface ChangePositions {
  /** The position part of a streamed change's id, from its source block. */
  id(source: Record<string, unknown>): string
  /** Whether resuming from the stored offset delivers the (streamed) change again. */
  after(source: Record<string, unknown>, stored: SourceOffset): boolean
}

/**
 * MySQL / MariaDB: a change stands at its transaction's start {file, pos} and its row; a stored
 * {file, pos, row} resumes at the transaction starting at pos, `row` of its rows delivered. The
 * row of a source block counts within its rows event: right for a transaction's first rows event.
 */
export const binlogPositions: ChangePositions = {
  id: (s) => `${String(s.file)}:${String(s.pos)}:${String(s.row)}`,
  after(s, stored) {
    if (s.file !== stored.file) return String(s.file) > String(stored.file) // mariadb-bin.000001 < mariadb-bin.000002
    if (s.pos !== stored.pos) return Number(s.pos) > Number(stored.pos)
    return Number(s.row) >= Number(stored.row)
  },
}

/** PostgreSQL: a change carries its transaction's commit LSN; a restart skips transactions that commit before the stored LSN. */
export const lsnPositions: ChangePositions = {
  id: (s) => String(s.lsn),
  after: (s, stored) => Number(s.lsn) >= lsnToNumber(String(stored.lsn)),
}

/** The change events of a Debezium topic (tombstones left out), identified by op, the value of column `key` and position ('snapshot' for reads). */
export function changeEvents(records: ConsumerRecord[], key: string, positions: ChangePositions): ChangeEvent[] {
  const out: ChangeEvent[] = []
  for (const r of records) {
    if (r.value === null) continue
    const parsed = JSON.parse(r.value.toString('utf8')) as Record<string, unknown>
    const v = ('payload' in parsed && 'schema' in parsed ? parsed.payload : parsed) as { op: string; before: Record<string, unknown> | null; after: Record<string, unknown> | null; source: Record<string, unknown> }
    out.push({ id: `${v.op}:${String((v.after ?? v.before)?.[key])}:${v.op === 'r' ? 'snapshot' : positions.id(v.source)}`, op: v.op, source: v.source })
  }
  return out
}

/**
 * The duplicates among change events: events seen more than once, snapshot reads of a row
 * repeated (a snapshot taken again after a kill), and the ids of the streamed changes that came again.
 */
export function countDuplicates(events: ChangeEvent[]): { duplicates: number; snapshotDuplicates: number; streamed: string[] } {
  const seen = new Map<string, number>()
  let duplicates = 0
  let snapshotDuplicates = 0
  const streamed: string[] = []
  for (const e of events) {
    const n = (seen.get(e.id) ?? 0) + 1
    seen.set(e.id, n)
    if (n === 1) continue
    duplicates++
    if (e.op === 'r') snapshotDuplicates++
    else if (n === 2) streamed.push(e.id)
  }
  return { duplicates, snapshotDuplicates, streamed }
}

/**
 * What at-least-once allows to come again: at each kill, the streamed changes already in the
 * topic past the connector's last stored offset (all of them while its snapshot was unfinished).
 */
export class ResendableChanges {
  private readonly ids = new Set<string>()
  /** Per kill, how many changes were past the stored offset. */
  readonly pastAtKills: number[] = []

  constructor(private readonly key: string, private readonly positions: ChangePositions) {}

  /** Notes a kill: the offset stored then (null: none) and the topic's records then. Returns how many changes were past it. */
  atKill(stored: SourceOffset | null, records: ConsumerRecord[]): number {
    let n = 0
    for (const e of changeEvents(records, this.key, this.positions)) {
      if (e.op === 'r') continue
      if (stored === null || stored.snapshot_completed !== true || this.positions.after(e.source, stored)) {
        this.ids.add(e.id)
        n++
      }
    }
    this.pastAtKills.push(n)
    return n
  }

  /** The duplicated changes that were not past the stored offset at any kill: empty when only what may come again came again. */
  unexpected(streamedDuplicates: string[]): string[] {
    return streamedDuplicates.filter((id) => !this.ids.has(id))
  }
}

/** A connector's stored source offset (of its one source partition), read from connect-offsets. */
export async function storedOffset(client: BrookClient, connector: string): Promise<SourceOffset | null> {
  const offsets = new OffsetStore(client, 'connect-offsets')
  await offsets.load()
  return offsets.forConnector(connector)[0]?.offset ?? null
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port
      s.close(() => resolve(port))
    })
  })
}

const root = path.resolve(import.meta.dirname, '../..')

/** Spawns the `brook` CLI and resolves once `ready` appears in its output (each chunk of it goes to `output`). */
export function spawnCli(args: string[], ready: string, output: { push(chunk: string): unknown }): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'cli/main.ts'), ...args], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer): void => {
      text += d.toString()
      output.push(d.toString())
      if (text.includes(ready)) resolve(child)
    }
    child.stdout!.on('data', onData)
    child.stderr!.on('data', onData)
    child.once('exit', (code) => reject(new Error(`brook ${args.join(' ')} exited ${code}: ${text}`)))
  })
}

/** SIGKILLs a child process and resolves once it is gone. */
export function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve()
    child.once('exit', () => resolve())
    child.kill('SIGKILL')
  })
}

/** A `brook broker` child process on a data directory and a port of its own, which a test kills with kill -9 and starts again on the same ones. */
export class BrokerProcess {
  private child: ChildProcess | null = null

  private constructor(readonly dataDir: string, readonly port: number, private readonly output: { push(chunk: string): unknown }) {}

  /** Starts a broker on `dataDir` and a free port; its output goes to `output`. */
  static async start(dataDir: string, output: { push(chunk: string): unknown }): Promise<BrokerProcess> {
    const b = new BrokerProcess(dataDir, await freePort(), output)
    await b.start()
    return b
  }

  get bootstrap(): string {
    return `127.0.0.1:${this.port}`
  }

  /** Starts the broker (again) once it is down. */
  async start(): Promise<void> {
    this.child = await spawnCli(['broker', '--data-dir', this.dataDir, '--port', String(this.port)], 'Brook broker listening', this.output)
  }

  async kill9(): Promise<void> {
    if (this.child !== null) await kill9(this.child)
    this.child = null
  }
}

/** database.hostname, .port, .user and .password of a database URL, as .properties lines. */
export function databaseProperties(url: URL): string[] {
  return [`database.hostname=${url.hostname}`, `database.port=${url.port}`, `database.user=${decodeURIComponent(url.username)}`, `database.password=${decodeURIComponent(url.password)}`]
}

/**
 * Writes connector `name`'s properties (with schemaless JSON values and keys) to `file` and runs
 * `brook connect run file --bootstrap bootstrap` until the connector is RUNNING.
 */
export function connectRun(file: string, name: string, properties: string[], bootstrap: string, output: { push(chunk: string): unknown }): Promise<ChildProcess> {
  fs.writeFileSync(file, [`name=${name}`, ...properties, 'value.converter.schemas.enable=false', 'key.converter.schemas.enable=false'].join('\n'))
  return spawnCli(['connect', 'run', file, '--bootstrap', bootstrap], `Connector ${name} RUNNING`, output)
}

/** Appends a line to the file $BROOK_TEST_TRACE names, when set (for following a long e2e test). */
export function trace(line: string): void {
  if (process.env.BROOK_TEST_TRACE) fs.appendFileSync(process.env.BROOK_TEST_TRACE, `${new Date().toISOString()} ${line}\n`)
}

/** An output for spawnCli / connectRun that traces a child's output. */
export const tracedOutput = { push: (chunk: string): void => trace(`child: ${chunk.trim()}`) }
