// PostgresConnectorTask: an initial snapshot read inside the slot's exported snapshot (so it
// meets the stream exactly at the slot's consistent point), then pgoutput streaming. pgoutput
// sends a transaction after it committed; its changes are queued as they arrive (a bounded
// queue: max.queue.size pauses the stream), each carrying the LSN complete before its
// transaction, and the transaction's last record, when still queued at the commit message, the
// transaction's end. A restart resumes without losing a committed change; transactions that
// committed before the stored LSN are skipped. The slot's confirmed LSN is acknowledged only in
// commit(), after the worker stored the offsets of records the broker acknowledged.
import pg from 'pg'
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication'
import type { SourceTaskContext, TaskConfig } from '../api/connector.js'
import type { SourceOffset, SourceRecord } from '../api/record.js'
import { Schemas, type Schema } from '../api/schema.js'
import { CdcSourceTask } from '../cdc/cdc-source-task.js'
import { ChangeQueue } from '../cdc/change-queue.js'
import { changeRecord, tableSchemas, tombstone, type Op, type TableSchemas } from '../cdc/envelope.js'
import { heartbeatRecord } from '../cdc/heartbeat.js'
import { rowBuilder } from '../cdc/row-builder.js'
import { needsSnapshot } from '../cdc/snapshot-mode.js'
import { ConfigException, errorMessage, RetriableException } from '../errors.js'
import { postgresDialect } from '../jdbc/postgres/dialect.js'
import { Oid, copyField, mapColumn } from '../jdbc/postgres/types.js'
import type { ColumnMapping } from '../jdbc/dialect.js'
import { postgresCdcConfigDef, type SnapshotMode } from './config.js'
import { CopyBatchReader } from './copy-reader.js'
import { clientConfig, createSlotWithSnapshot, dropPublication, dropSlot, ensurePublication, listTables, lsnToNumber, numberToLsn, slotInfo, type CapturedTable, type PgTarget } from './replication.js'

const sourceSchema: Schema = Schemas.struct('io.debezium.connector.postgresql.Source', [
  { name: 'version', schema: Schemas.string(false) },
  { name: 'connector', schema: Schemas.string(false) },
  { name: 'name', schema: Schemas.string(false) },
  { name: 'ts_ms', schema: Schemas.int64(false) },
  { name: 'snapshot', schema: Schemas.string() },
  { name: 'db', schema: Schemas.string(false) },
  { name: 'sequence', schema: Schemas.string() },
  { name: 'schema', schema: Schemas.string(false) },
  { name: 'table', schema: Schemas.string(false) },
  { name: 'txId', schema: Schemas.int64() },
  { name: 'lsn', schema: Schemas.int64() },
  { name: 'xmin', schema: Schemas.int64() },
])

interface TableState {
  t: CapturedTable
  schemas: TableSchemas
  mapping: ColumnMapping[]
  pk: string[]
}

interface SnapshotState {
  client: pg.Client
  tables: TableState[]
  index: number
  lsn: string
  /** The current table's COPY, read in batches of snapshot.fetch.size rows. */
  reader: CopyBatchReader<Record<string, unknown>> | null
  /** A record carrying snapshot_completed was handed out. */
  lastMarked: boolean
}

interface SnapshotBatch {
  st: TableState
  /** The rows as record values (the after image). */
  rows: Array<Record<string, unknown>>
  /** The snapshot's final rows. */
  last: boolean
}

interface OpenTx {
  xid: number
  commitLsn: string
  tsMs: number
  skip: boolean
  offset: SourceOffset
  /** Queue position of the transaction's last record so far; -1 before its first. */
  lastPosition: number
  sourceOf: TableState | null
  source: Record<string, unknown>
}

interface PgMessage {
  tag: string
  [k: string]: unknown
}
interface RelationMsg {
  relationOid: number
  schema: string
  name: string
  columns: Array<{ name: string; typeOid: number; typeMod: number; parser: (raw: string) => unknown }>
}

const identity = (v: string): unknown => v
const bytea = (v: string): unknown => Buffer.from(v.slice(2), 'hex')

export class PostgresCdcTask extends CdcSourceTask {
  protected readonly streamName = 'replication stream'
  protected readonly retriableStreamErrors = /terminat|ECONN|shutdown/i
  private target!: PgTarget
  private prefix = ''
  private slot = ''
  private publication = ''
  private dbname = ''
  private maxBatch = 2048
  private heartbeatMs = 0
  private heartbeatTopic = ''
  private tombstones = true
  private skipped = new Set<string>()
  private mode: SnapshotMode = 'initial'
  private meta: pg.Client | null = null
  private readonly tables = new Map<string, TableState>()
  private readonly byOid = new Map<number, TableState | null>()
  // snapshot state
  private snapshot: SnapshotState | null = null
  private snapshotFetch = 10240
  // streaming state
  private service: LogicalReplicationService | null = null
  private startLsn = '0/0'
  private storedLsn = 0
  private completeLsn = '0/0'
  private serverLsn = '0/0'
  private confirmedLsn = '0/0'
  private pendingAck: string | null = null
  private openTx: OpenTx | null = null
  private queue!: ChangeQueue<SourceRecord>
  private maxQueue = 8192
  private keepAlive: NodeJS.Timeout | null = null
  private lastHeartbeat = Date.now()
  private readonly partition: Record<string, unknown> = {}

  async start(props: TaskConfig, context: SourceTaskContext): Promise<void> {
    this.ctx = context
    this.connector = context.connector
    const cfg = postgresCdcConfigDef().parse(props, context.connector)
    this.target = { host: cfg.getString('database.hostname'), port: cfg.getInt('database.port'), user: cfg.getString('database.user'), password: cfg.getString('database.password'), database: cfg.getString('database.dbname') }
    this.prefix = cfg.getString('topic.prefix')
    this.partition.server = this.prefix
    this.slot = cfg.getString('slot.name')
    this.publication = cfg.getString('publication.name')
    this.dbname = this.target.database
    this.maxBatch = cfg.getInt('max.batch.size')
    this.maxQueue = cfg.getInt('max.queue.size')
    if (this.maxQueue <= this.maxBatch) throw new ConfigException('max.queue.size', `${this.maxQueue} must be larger than max.batch.size (${this.maxBatch})`, { connector: this.connector })
    this.queue = new ChangeQueue({ maxSize: this.maxQueue, onFull: () => this.pauseStream(), onSpace: () => this.resumeStream() })
    this.snapshotFetch = cfg.getInt('snapshot.fetch.size')
    this.pollInterval = cfg.getInt('poll.interval.ms')
    this.heartbeatMs = cfg.getInt('heartbeat.interval.ms')
    this.heartbeatTopic = `${cfg.getString('heartbeat.topics.prefix')}.${this.prefix}`
    this.tombstones = cfg.getBoolean('tombstones.on.delete')
    for (const s of cfg.getList('skipped.operations')) if (s !== 'none') this.skipped.add(s)
    this.mode = cfg.getString('snapshot.mode') as SnapshotMode
    const re = (l: string[]): RegExp[] => l.map((s) => new RegExp(`^(?:${s})$`))
    const meta = new pg.Client(clientConfig(this.target))
    meta.on('error', () => {})
    try {
      await meta.connect()
    } catch (err) {
      throw new RetriableException(`cannot connect to PostgreSQL ${this.target.host}:${this.target.port}: ${errorMessage(err)}`, { connector: this.connector, cause: err })
    }
    this.meta = meta
    const captured = await listTables(meta, re(cfg.getList('schema.include.list')), re(cfg.getList('table.include.list')), re(cfg.getList('table.exclude.list')))
    const conn = new (await import('../jdbc/postgres/dialect.js')).PgConnection(meta)
    for (const t of captured) {
      const cols = await postgresDialect.describeTable(conn, `${t.schema}.${t.table}`)
      const pk = cols.filter((c) => c.pkPosition > 0).sort((a, b) => a.pkPosition - b.pkPosition).map((c) => c.name)
      this.tables.set(`${t.schema}.${t.table}`, { t, pk, mapping: [], schemas: null as unknown as TableSchemas })
    }
    const stored = context.offsetStorageReader.offset(this.partition) as (SourceOffset & { lsn?: string; snapshot_completed?: boolean }) | null
    const completed = stored?.snapshot_completed === true
    if (stored?.lsn !== undefined) this.storedLsn = lsnToNumber(stored.lsn)
    const slot = await slotInfo(meta, this.slot)
    const needSnapshot = needsSnapshot(this.mode, completed, slot !== null)
    const createdPub = await ensurePublication(meta, this.connector, this.publication, cfg.getString('publication.autocreate.mode'), captured)
    try {
      if (needSnapshot) {
        // A slot left by an earlier, unfinished run confirmed nothing we need: recreate it to export a fresh snapshot.
        if (slot !== null) await dropSlot(meta, this.slot)
        const { repl, consistentPoint, snapshotName } = await createSlotWithSnapshot(this.target, this.connector, this.slot, true)
        const snap = new pg.Client({ ...clientConfig(this.target), types: textTypes })
        snap.on('error', () => {})
        await snap.connect()
        await snap.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY')
        await snap.query(`SET TRANSACTION SNAPSHOT '${snapshotName}'`)
        await repl.end() // the importing transaction now holds the snapshot
        this.snapshot = { client: snap, tables: [...this.tables.values()], index: 0, lsn: consistentPoint, reader: null, lastMarked: false }
        this.startLsn = consistentPoint
        this.storedLsn = 0
        this.snapshotOnly = this.mode === 'initial_only'
        const total = await this.estimateRows(snap)
        context.progress.start(`${this.connector} snapshot`, total)
      } else {
        if (slot === null) {
          const { repl, consistentPoint } = await createSlotWithSnapshot(this.target, this.connector, this.slot, false)
          await repl.end()
          this.startLsn = consistentPoint
        } else {
          this.startLsn = stored?.lsn ?? slot.confirmed ?? '0/0'
        }
      }
    } catch (err) {
      if (createdPub) await dropPublication(meta, this.publication).catch(() => {})
      throw err
    }
    this.completeLsn = this.startLsn
    this.confirmedLsn = this.startLsn
    if (this.snapshot === null && !this.snapshotOnly) await this.startStreaming()
  }

  /**
   * The planner's row estimate (EXPLAIN: pg_class.reltuples scaled to the table's current size,
   * or a guess from its size when never analyzed), for the progress bar: no count(*), which
   * would read the whole table once more before the snapshot starts.
   */
  private async estimateRows(c: pg.Client): Promise<number | null> {
    let total = 0
    for (const s of this.tables.values()) {
      const r = await c.query({ text: `EXPLAIN (FORMAT JSON) SELECT * FROM ${qt(s.t)}`, rowMode: 'array' })
      const cell = (r.rows[0] as unknown[] | undefined)?.[0]
      const plan = (typeof cell === 'string' ? JSON.parse(cell) : cell) as Array<{ Plan?: { 'Plan Rows'?: number } }> | undefined
      const n = plan?.[0]?.Plan?.['Plan Rows']
      if (typeof n !== 'number' || !Number.isFinite(n)) return null
      total += n
    }
    return total
  }

  private tableState(schema: string, table: string, columns: Array<{ name: string; type: number; scale: number }>): TableState | null {
    const st = this.tables.get(`${schema}.${table}`)
    if (st === undefined) return null
    st.mapping = columns.map((c) => mapColumn({ name: c.name, type: c.type, scale: c.scale }, !st.pk.includes(c.name)))
    st.schemas = tableSchemas(this.prefix, schema, table, st.mapping.map((m) => ({ name: m.name, schema: m.schema })), st.pk, sourceSchema)
    return st
  }

  private row(st: TableState, raw: Record<string, unknown> | null): Record<string, unknown> | null {
    if (raw === null || raw === undefined) return null
    const out: Record<string, unknown> = {}
    for (const m of st.mapping) {
      const v = raw[m.name]
      out[m.name] = v === undefined ? null : m.convert(v)
    }
    return out
  }

  /** The source block (frozen: records of one batch or transaction share it, the JSON converter writes it once). */
  private source(st: TableState, snapshot: string | null, txId: number | null, lsn: string | null, tsMs: number): Record<string, unknown> {
    return Object.freeze({
      version: '0.1.0', connector: 'postgresql', name: this.prefix, ts_ms: tsMs, snapshot: snapshot ?? 'false', db: this.dbname, sequence: null,
      schema: st.t.schema, table: st.t.table, txId, lsn: lsn === null ? null : lsnToNumber(lsn), xmin: null,
    })
  }

  /** The next snapshot batch (COPY keeps reading the following one while the worker produces this one). */
  private async readSnapshot(): Promise<SourceRecord[]> {
    const s = this.snapshot!
    const batch = await this.fetchSnapshot(s)
    if (batch === null) {
      const lsn = s.lsn
      const marked = s.lastMarked
      await this.finishSnapshot()
      // The last table ended on a batch boundary (or no table had rows): no row carried the
      // completed snapshot, so a heartbeat record carries it.
      return marked ? [] : [this.heartbeatRecord(lsn)]
    }
    if (batch.last) s.lastMarked = true
    return this.snapshotRecords(s, batch)
  }

  /**
   * The next rows (moving on to the next table when one is done); null when all were read. Each
   * table is read with COPY (SELECT * ...) TO STDOUT in the snapshot's transaction: its text
   * fields are the columns' text output, converted per column type as query results are.
   */
  private async fetchSnapshot(s: SnapshotState): Promise<SnapshotBatch | null> {
    while (s.index < s.tables.length) {
      const st = s.tables[s.index]!
      if (s.reader === null) {
        const res = await s.client.query({ text: `SELECT * FROM ${qt(st.t)} LIMIT 0`, rowMode: 'array' })
        if (st.mapping.length === 0 || st.schemas === null) this.tableState(st.t.schema, st.t.table, res.fields.map((f) => ({ name: f.name, type: f.dataTypeID, scale: f.dataTypeModifier })))
        const types = res.fields.map((f) => f.dataTypeID)
        const fields = st.mapping.map((m, i) => copyField(types[i]!, m))
        s.reader = new CopyBatchReader(s.client, `COPY (SELECT * FROM ${qt(st.t)}) TO STDOUT`, qt(st.t), fields, this.snapshotFetch, rowBuilder(st.mapping.map((m) => m.name), null))
      }
      // Polls hand out max.batch.size rows, as Debezium's do; the COPY reads up to snapshot.fetch.size ahead.
      const rows = await s.reader.next(this.maxBatch)
      if (rows === null || s.reader.done) {
        s.reader = null
        s.index++
      }
      if (rows === null) continue
      return { st, rows, last: s.index >= s.tables.length }
    }
    return null
  }

  private snapshotRecords(s: SnapshotState, batch: SnapshotBatch): SourceRecord[] {
    const { st, rows } = batch
    const now = Date.now()
    // One source struct and one offset for the whole batch (records are read-only downstream).
    const source = this.source(st, 'true', null, s.lsn, now)
    const offset: SourceOffset = { lsn: s.lsn, snapshot: true, snapshot_completed: false }
    const out: SourceRecord[] = new Array(rows.length)
    const lastRow = batch.last ? rows.length - 1 : -1
    for (let i = 0; i < rows.length; i++) {
      out[i] = i === lastRow
        ? changeRecord(st.schemas, 'r', null, rows[i]!, this.source(st, 'last', null, s.lsn, now), this.partition, { lsn: s.lsn, snapshot_completed: true }, now)
        : changeRecord(st.schemas, 'r', null, rows[i]!, source, this.partition, offset, now)
    }
    this.ctx.progress.advance(rows.length)
    return out
  }

  private async finishSnapshot(): Promise<void> {
    const s = this.snapshot!
    await s.client.query('COMMIT').catch(() => {})
    await s.client.end().catch(() => {})
    this.snapshot = null
    this.ctx.progress.done()
    if (!this.snapshotOnly) await this.startStreaming()
  }

  protected async startStreaming(): Promise<void> {
    this.streamError = null
    this.openTx = null
    this.queue.clear()
    this.completeLsn = this.confirmedLsn
    const service = new LogicalReplicationService(clientConfig(this.target), { acknowledge: { auto: false, timeoutSeconds: 0 } })
    this.service = service
    service.on('data', (_lsn: string, msg: PgMessage) => this.onMessage(msg))
    service.on('heartbeat', (lsn: string, _ts: number, shouldRespond: boolean) => {
      if (this.openTx === null && lsnToNumber(lsn) > lsnToNumber(this.serverLsn)) this.serverLsn = normLsn(lsn)
      if (shouldRespond) void service.acknowledge(this.confirmedLsn).catch(() => {})
    })
    service.on('error', (err: Error) => {
      this.streamError = err
      this.queue.wake()
    })
    const plugin = new PgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication] })
    service.subscribe(plugin, this.slot, this.confirmedLsn).catch((err: unknown) => {
      if (!service.isStop()) {
        this.streamError = err
        this.queue.wake()
      }
    })
  }

  private onMessage(msg: PgMessage): void {
    switch (msg.tag) {
      case 'relation': {
        const rel = msg as unknown as RelationMsg
        for (const c of rel.columns) c.parser = c.typeOid === Oid.bytea ? bytea : identity
        this.byOid.set(rel.relationOid, this.tableState(rel.schema, rel.name, rel.columns.map((c) => ({ name: c.name, type: c.typeOid, scale: c.typeMod }))))
        return
      }
      case 'begin': {
        // pgoutput sends a transaction once it committed: begin carries its commit LSN and time.
        const commitLsn = normLsn(msg.commitLsn as string)
        const xid = msg.xid as number
        this.openTx = {
          xid, commitLsn, tsMs: Number((msg.commitTime as bigint) / 1000n),
          // Stored offsets are transaction ends: a transaction that commits before the stored one was delivered.
          skip: lsnToNumber(commitLsn) < this.storedLsn,
          // Until its commit a change carries the offset complete before its transaction.
          offset: Object.freeze({ lsn: this.completeLsn, txId: xid, snapshot_completed: true }),
          lastPosition: -1, sourceOf: null, source: NO_OFFSET,
        }
        return
      }
      case 'insert':
      case 'update':
      case 'delete':
      case 'truncate': {
        const tx = this.openTx
        if (tx !== null && !tx.skip) this.change(tx, msg)
        return
      }
      case 'commit': {
        const tx = this.openTx
        this.openTx = null
        if (tx === null || tx.skip) return
        const end = normLsn(msg.commitEndLsn as string)
        this.completeLsn = end
        this.serverLsn = end
        // The transaction's last change completes it: if still queued it carries the end LSN;
        // if already handed out, the next record or heartbeat carries it.
        const last = tx.lastPosition >= 0 ? this.queue.peek(tx.lastPosition) : undefined
        if (last !== undefined) last.sourceOffset = { lsn: end, txId: tx.xid, snapshot_completed: true }
        return
      }
    }
  }

  /** Queues the records of one change as it arrives (the queue pauses the stream when full). */
  private change(tx: OpenTx, m: PgMessage): void {
    const now = Date.now()
    if (m.tag === 'truncate') {
      if (this.skipped.has('t')) return
      for (const rel of m.relations as RelationMsg[]) {
        const st = this.byOid.get(rel.relationOid)
        if (st === null || st === undefined) continue
        const rec = changeRecord(st.schemas, 't', null, null, this.txSource(tx, st), this.partition, tx.offset, now)
        tx.lastPosition = this.queue.push({ ...rec, key: null, keySchema: null })
      }
      return
    }
    const rel = m.relation as RelationMsg
    const st = this.byOid.get(rel.relationOid)
    if (st === null || st === undefined) return
    const op: Op = m.tag === 'insert' ? 'c' : m.tag === 'update' ? 'u' : 'd'
    if (this.skipped.has(op)) return
    const oldRaw = (m.old as Record<string, unknown> | null) ?? (m.key as Record<string, unknown> | null) ?? null
    const before = op === 'c' ? null : this.row(st, oldRaw)
    const after = op === 'd' ? null : this.row(st, m.new as Record<string, unknown>)
    const rec = changeRecord(st.schemas, op, before, after, this.txSource(tx, st), this.partition, tx.offset, now)
    tx.lastPosition = this.queue.push(rec)
    if (op === 'd' && this.tombstones) tx.lastPosition = this.queue.push(tombstone(rec))
  }

  /** One source block per table of a transaction. */
  private txSource(tx: OpenTx, st: TableState): Record<string, unknown> {
    if (tx.sourceOf !== st) {
      tx.sourceOf = st
      tx.source = this.source(st, null, tx.xid, tx.commitLsn, tx.tsMs)
    }
    return tx.source
  }

  // ------------------------------------------------------------ poll (CdcSourceTask)

  protected get snapshotting(): boolean {
    return this.snapshot !== null
  }

  protected nextSnapshotBatch(): Promise<SourceRecord[]> {
    return this.readSnapshot()
  }

  protected get streaming(): boolean {
    return this.service !== null
  }

  /** The next poll starts a fresh stream from the confirmed LSN; queued records not handed over the server sends again. */
  protected async stopBrokenStream(): Promise<void> {
    await this.service?.stop().catch(() => {})
    this.service = null
    this.queue.clear()
    this.openTx = null
  }

  protected fatalStreamError(err: unknown): { message: string } {
    return { message: `replication failed: ${errorMessage(err)}` }
  }

  protected async pollStream(): Promise<SourceRecord[]> {
    if (this.queue.size === 0) await this.queue.wait(this.heartbeatMs > 0 ? Math.min(this.pollInterval, this.heartbeatMs) : this.pollInterval, this.ctx.signal)
    if (this.queue.size > 0) return this.queue.take(this.maxBatch)
    return this.heartbeat()
  }

  /**
   * The queue is full: stop reading the replication socket (the server holds the rest in the
   * slot). While paused the server hears from us every 10 s, so wal_sender_timeout does not
   * end the stream of a connector that waits on a slow broker.
   */
  private pauseStream(): void {
    this.replicationSocket()?.pause()
    this.keepAlive ??= setInterval(() => void this.service?.acknowledge(this.confirmedLsn).catch(() => {}), 10_000)
  }

  private resumeStream(): void {
    if (this.keepAlive !== null) clearInterval(this.keepAlive)
    this.keepAlive = null
    this.replicationSocket()?.resume()
  }

  /** The replication connection's socket (pg-logical-replication keeps it as _connection.stream). */
  private replicationSocket(): { pause(): void; resume(): void } | undefined {
    return (this.service as unknown as { _connection?: { stream?: { pause(): void; resume(): void } } } | null)?._connection?.stream
  }

  /** For tests: the snapshot's rows read ahead of the worker and whether its COPY is paused (null outside a table's COPY). */
  get snapshotBuffer(): { rows: number; paused: boolean } | null {
    return this.snapshot?.reader?.buffered ?? null
  }

  /** For tests: records queued, the most ever queued, and whether the stream is paused. */
  get queueState(): { size: number; highWater: number; paused: boolean } {
    return { size: this.queue.size, highWater: this.queue.highWater, paused: this.queue.paused }
  }

  /** A heartbeat record carries the LSN the server reached so the slot advances on quiet tables. */
  private heartbeat(): SourceRecord[] {
    if (this.heartbeatMs <= 0 || Date.now() - this.lastHeartbeat < this.heartbeatMs) return []
    this.lastHeartbeat = Date.now()
    const lsn = lsnToNumber(this.serverLsn) > lsnToNumber(this.completeLsn) && this.openTx === null ? this.serverLsn : this.completeLsn
    return [this.heartbeatRecord(lsn)]
  }

  private heartbeatRecord(lsn: string): SourceRecord {
    return heartbeatRecord(this.heartbeatTopic, this.prefix, this.partition, { lsn, snapshot_completed: true }, Date.now())
  }

  /** Called by the worker once the record was acknowledged and its offset stored. */
  commitRecord(record: SourceRecord): void {
    const lsn = record.sourceOffset.lsn
    if (typeof lsn === 'string' && record.sourceOffset.snapshot_completed === true && record.sourceOffset.snapshot !== true) {
      if (this.pendingAck === null || lsnToNumber(lsn) > lsnToNumber(this.pendingAck)) this.pendingAck = lsn
    }
  }

  /**
   * The worker stored the offsets of everything polled so far: confirm the LSN to the slot
   * (the replication protocol reports "last byte + 1", so the slot shows the stored LSN + 1).
   */
  async commit(): Promise<void> {
    const lsn = this.pendingAck
    if (lsn === null || this.service === null) return
    this.pendingAck = null
    if (lsnToNumber(lsn) <= lsnToNumber(this.confirmedLsn)) return
    this.confirmedLsn = lsn
    this.storedLsn = Math.max(this.storedLsn, lsnToNumber(lsn))
    await this.service.acknowledge(lsn).catch(() => {})
  }

  async stop(): Promise<void> {
    if (this.keepAlive !== null) clearInterval(this.keepAlive)
    this.keepAlive = null
    await this.service?.stop().catch(() => {})
    this.service = null
    if (this.snapshot !== null) await this.snapshot.client.end().catch(() => {})
    this.snapshot = null
    await this.meta?.end().catch(() => {})
    this.meta = null
  }
}

/** Placeholder offset of a change until its transaction's commit sets the real one. */
const NO_OFFSET: SourceOffset = Object.freeze({})

const textTypes = { getTypeParser: (oid: number) => (oid === Oid.bytea ? pg.types.getTypeParser(oid, 'text') : (v: string) => v) } as unknown as pg.CustomTypesConfig

/** One spelling per LSN ("0/197D2D8"): the stream pads, the server does not. */
function normLsn(lsn: string): string {
  return numberToLsn(lsnToNumber(lsn))
}

function qt(t: CapturedTable): string {
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`
  return `${q(t.schema)}.${q(t.table)}`
}
