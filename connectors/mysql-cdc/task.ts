// MySqlConnector / MariaDbConnector task: an initial snapshot read in a transaction consistent
// with a binlog position, then the binlog from that position. Offsets are
// {file, pos, row}: the position where the current transaction starts and how many of its
// captured rows were already emitted, so a restart re-reads the transaction and skips exactly
// those rows (no committed change lost, no duplicate for stored offsets); gtids ride along when
// known. DDL updates the table definitions the rows decode with and goes to the schema history
// topic before any later record is produced, so a restart rebuilds the definitions as of the
// stored position.
import { GtidSet, MariadbGtidPosition, type AnyBinlogEvent } from '@vlasky/zongji'
import type mysql from 'mysql2/promise'
import type { SourceTaskContext, TaskConfig } from '../api/connector.js'
import type { SourceOffset, SourceRecord } from '../api/record.js'
import { Schemas, type Schema } from '../api/schema.js'
import { CdcSourceTask } from '../cdc/cdc-source-task.js'
import { changeRecord, tableSchemas, tombstone, type Op, type TableSchemas } from '../cdc/envelope.js'
import { rowBuilder } from '../cdc/row-builder.js'
import { heartbeatRecord } from '../cdc/heartbeat.js'
import { needsSnapshot, type SnapshotMode } from '../cdc/snapshot-mode.js'
import { ConnectException, errorMessage, RetriableException } from '../errors.js'
import { isNetworkError } from '../jdbc/errors.js'
import type { ColumnMapping } from '../jdbc/dialect.js'
import { BinlogReader } from './binlog-reader.js'
import { mysqlCdcConfigDef, type MysqlFlavor } from './config.js'
import { applyDdl, isSchemaStatement, tableKey, type DdlEffect, type Schemas as TableDefs, type TableDef } from './ddl.js'
import { SchemaHistory, tableChange, type HistoryRecord, type TableChange } from './schema-history.js'
import {
  binlogFileExists, connect, connectionOptions, consistentSnapshot, currentPosition, filterOf, flavorOf, isCaptured, quoteId, readTableDefs,
  type BinlogPosition, type MysqlTarget, type TableFilter,
} from './server.js'
import { QueryRowReader, type RowQueryConnection } from './snapshot-rows.js'
import { columnMapping } from './types.js'

export const VERSION = '0.1.0'

function sourceSchema(flavor: MysqlFlavor): Schema {
  return Schemas.struct(`io.debezium.connector.${flavor}.Source`, [
    { name: 'version', schema: Schemas.string(false) },
    { name: 'connector', schema: Schemas.string(false) },
    { name: 'name', schema: Schemas.string(false) },
    { name: 'ts_ms', schema: Schemas.int64(false) },
    { name: 'snapshot', schema: Schemas.string() },
    { name: 'db', schema: Schemas.string(false) },
    { name: 'sequence', schema: Schemas.string() },
    { name: 'table', schema: Schemas.string() },
    { name: 'server_id', schema: Schemas.int64(false) },
    { name: 'gtid', schema: Schemas.string() },
    { name: 'file', schema: Schemas.string(false) },
    { name: 'pos', schema: Schemas.int64(false) },
    { name: 'row', schema: Schemas.int32(false) },
    { name: 'thread', schema: Schemas.int64() },
    { name: 'query', schema: Schemas.string() },
  ])
}

const schemaChangeKeySchema = Schemas.struct('io.debezium.connector.mysql.SchemaChangeKey', [{ name: 'databaseName', schema: Schemas.string(false) }])

interface TableState {
  def: TableDef
  mapping: ColumnMapping[]
  schemas: TableSchemas
  /** A snapshot row (values in column order) → its row object. */
  buildRow: (values: ArrayLike<unknown>) => Record<string, unknown>
}

interface MysqlOffset extends SourceOffset {
  file: string
  pos: number
  row: number
  gtids?: string
  snapshot?: boolean
  snapshot_completed: boolean
}

type QueueItem = SourceRecord | { history: Omit<HistoryRecord, 'source'> }

interface SnapshotState {
  conn: mysql.Connection
  tables: TableDef[]
  index: number
  /** The current table's query, read in batches of snapshot.fetch.size rows. */
  reader: QueryRowReader | null
  position: BinlogPosition
}

export class MysqlCdcTask extends CdcSourceTask {
  protected readonly streamName = 'binlog stream'
  protected readonly retriableStreamErrors = /ECONN|closed|lost|shutdown/i
  private target!: MysqlTarget
  private flavor: MysqlFlavor = 'mariadb'
  private prefix = ''
  private serverIdConfig = 1
  private filter!: TableFilter
  private mode: SnapshotMode = 'initial'
  private maxBatch = 2048
  private maxQueue = 8192
  private fetchSize = 10240
  private heartbeatMs = 0
  private heartbeatTopic = ''
  private tombstones = true
  private includeSchemaChanges = true
  private skipped = new Set<string>()
  private source!: Schema
  private readonly partition: Record<string, unknown> = {}
  private meta: mysql.Connection | null = null
  private history!: SchemaHistory
  private defs: TableDefs = new Map()
  private readonly states = new WeakMap<TableDef, TableState>()
  private snapshot: SnapshotState | null = null
  // streaming
  private reader: BinlogReader | null = null
  private readonly queue: QueueItem[] = []
  private wake: (() => void) | null = null
  /** Where the next stream starts: the offset of the last record handed to the worker. */
  private resumeFrom: { file: string; pos: number; row: number } = { file: '', pos: 4, row: 0 }
  private gtids: string | undefined
  private file = ''
  private txStart = 4
  private txRow = 0
  private skipRows = 0
  private inTx = false
  private gtid: string | null = null
  private eventServerId = 0
  private thread: number | null = null
  private lastHeartbeat = Date.now()

  constructor(private readonly connectorName: MysqlFlavor) {
    super()
  }

  async start(props: TaskConfig, context: SourceTaskContext): Promise<void> {
    try {
      await this.startTask(props, context)
    } catch (err) {
      await this.stop() // nothing half-started: connections, reader and history producer closed
      throw err
    }
  }

  private async startTask(props: TaskConfig, context: SourceTaskContext): Promise<void> {
    this.ctx = context
    this.connector = context.connector
    const cfg = mysqlCdcConfigDef().parse(props, context.connector)
    this.target = {
      host: cfg.getString('database.hostname'), port: cfg.getInt('database.port'), user: cfg.getString('database.user'),
      password: cfg.getString('database.password'), connectTimeout: cfg.getInt('connect.timeout.ms'),
    }
    this.prefix = cfg.getString('topic.prefix')
    this.partition.server = this.prefix
    this.serverIdConfig = cfg.getInt('database.server.id')
    this.filter = filterOf({ dbInclude: cfg.getList('database.include.list'), dbExclude: cfg.getList('database.exclude.list'), include: cfg.getList('table.include.list'), exclude: cfg.getList('table.exclude.list') })
    this.mode = cfg.getString('snapshot.mode') as SnapshotMode
    this.maxBatch = cfg.getInt('max.batch.size')
    this.maxQueue = Math.max(cfg.getInt('max.queue.size'), this.maxBatch)
    this.fetchSize = cfg.getInt('snapshot.fetch.size')
    this.pollInterval = cfg.getInt('poll.interval.ms')
    this.heartbeatMs = cfg.getInt('heartbeat.interval.ms')
    this.heartbeatTopic = `${cfg.getString('heartbeat.topics.prefix')}.${this.prefix}`
    this.tombstones = cfg.getBoolean('tombstones.on.delete')
    this.includeSchemaChanges = cfg.getBoolean('include.schema.changes')
    for (const s of cfg.getList('skipped.operations')) if (s !== 'none') this.skipped.add(s)
    this.source = sourceSchema(this.connectorName)
    const historyTopic = cfg.getOptionalString('schema.history.internal.kafka.topic') ?? `schema-history.${this.prefix}`
    this.history = new SchemaHistory(context.client, historyTopic, this.prefix)

    let meta: mysql.Connection
    try {
      meta = await connect(this.target, this.connector)
    } catch (err) {
      if (isNetworkError((err as { cause?: unknown }).cause)) throw new RetriableException(errorMessage(err), { connector: this.connector, cause: err })
      throw err
    }
    this.meta = meta
    this.flavor = (await flavorOf(meta)).flavor
    await this.history.ensureTopic()

    const stored = context.offsetStorageReader.offset(this.partition) as Partial<MysqlOffset> | null
    const completed = stored?.snapshot_completed === true
    const storedFile = typeof stored?.file === 'string' ? stored.file : null
    const resumable = storedFile !== null && (await binlogFileExists(meta, storedFile))
    if (completed && storedFile !== null && !resumable && this.mode !== 'when_needed' && this.mode !== 'always') {
      throw new ConnectException(`the stored offset's binlog file '${storedFile}' is no longer on the server (purged): set snapshot.mode=when_needed to take a new snapshot`, { connector: this.connector, field: 'snapshot.mode' })
    }
    let snap = needsSnapshot(this.mode, completed, resumable)
    let start: { file: string; pos: number; row: number } | null = null
    if (!snap && resumable && storedFile !== null) {
      start = { file: storedFile, pos: Number(stored!.pos ?? 4), row: Number(stored!.row ?? 0) }
      const { schemas, applied } = await this.history.recover(start)
      if (applied === 0) {
        if (this.mode !== 'when_needed') {
          throw new ConnectException(`the schema history topic '${historyTopic}' holds no table definitions for server '${this.prefix}' at or before ${start.file}:${start.pos}; set snapshot.mode=when_needed to take a new snapshot`, { connector: this.connector, field: 'schema.history.internal.kafka.topic' })
        }
        snap = true
      } else {
        this.defs = schemas
        if (typeof stored!.gtids === 'string') this.gtids = stored!.gtids
      }
    } else {
      await this.history.recover(null) // learns what is recorded already
    }

    if (snap) {
      const conn = await connect(this.target, this.connector)
      try {
        const { position, tables } = await consistentSnapshot(conn, this.flavor, this.filter, cfg.getString('snapshot.locking.mode'))
        this.defs = new Map(tables.map((t) => [tableKey(t.db, t.table), t]))
        await this.history.record({ position, ts_ms: Date.now(), databaseName: '', ddl: '', snapshot: true, tableChanges: tables.map((t) => tableChange('CREATE', t.db, t.table, t)) })
        this.snapshot = { conn, tables, index: 0, reader: null, position }
        this.snapshotOnly = this.mode === 'initial_only'
        this.resumeFrom = { file: position.file, pos: position.pos, row: 0 }
        context.progress.start(`${this.connector} snapshot`, await this.estimateRows(tables))
      } catch (err) {
        await conn.end().catch(() => {})
        throw err
      }
    } else if (start === null) {
      // no_data / never on a first run: stream from the current end with the catalog's definitions.
      const position = await currentPosition(meta, this.flavor)
      const tables = await readTableDefs(meta, this.filter)
      this.defs = new Map(tables.map((t) => [tableKey(t.db, t.table), t]))
      await this.history.record({ position, ts_ms: Date.now(), databaseName: '', ddl: '', snapshot: true, tableChanges: tables.map((t) => tableChange('CREATE', t.db, t.table, t)) })
      if (position.gtids !== undefined) this.gtids = position.gtids
      this.resumeFrom = { file: position.file, pos: position.pos, row: 0 }
      this.startStreaming()
    } else {
      this.resumeFrom = start
      this.startStreaming()
    }
  }

  private async estimateRows(tables: TableDef[]): Promise<number | null> {
    if (tables.length === 0) return 0
    const [rows] = await this.meta!.query({
      sql: `SELECT COALESCE(SUM(TABLE_ROWS), 0) FROM information_schema.TABLES WHERE (TABLE_SCHEMA, TABLE_NAME) IN (${tables.map(() => '(?, ?)').join(', ')})`,
      values: tables.flatMap((t) => [t.db, t.table]),
      rowsAsArray: true,
    })
    return Number((rows as unknown[][])[0]?.[0] ?? 0)
  }

  private state(def: TableDef): TableState {
    let st = this.states.get(def)
    if (st === undefined) {
      const mapping = def.columns.map((c) => columnMapping(c, c.nullable && !def.pk.includes(c.name)))
      const schemas = tableSchemas(this.prefix, def.db, def.table, mapping.map((m) => ({ name: m.name, schema: m.schema })), def.pk, this.source)
      st = { def, mapping, schemas, buildRow: rowBuilder(mapping.map((m) => m.name), mapping.map((m) => m.convert)) }
      this.states.set(def, st)
    }
    return st
  }

  private sourceStruct(def: TableDef, snapshot: string, file: string, pos: number, row: number, tsMs: number): Record<string, unknown> {
    return {
      version: VERSION, connector: this.connectorName, name: this.prefix, ts_ms: tsMs, snapshot, db: def.db, sequence: null, table: def.table,
      server_id: this.eventServerId, gtid: snapshot === 'false' ? this.gtid : null, file, pos, row, thread: snapshot === 'false' ? this.thread : null, query: null,
    }
  }

  // ------------------------------------------------------------ snapshot

  private async readSnapshot(): Promise<SourceRecord[]> {
    const s = this.snapshot!
    while (s.index < s.tables.length) {
      const def = s.tables[s.index]!
      const st = this.state(def)
      if (s.reader === null) {
        // Rows in bounded batches with back-pressure, never one giant array.
        const core = (s.conn as unknown as { connection: RowQueryConnection }).connection
        const cols = def.columns.map((c) => quoteId(c.name)).join(', ')
        s.reader = new QueryRowReader(core, `SELECT ${cols} FROM ${quoteId(def.db)}.${quoteId(def.table)}`, this.fetchSize)
      }
      // Polls hand out max.batch.size rows, as Debezium's do; the query reads up to snapshot.fetch.size ahead.
      const rows = await s.reader.next(this.maxBatch)
      const now = Date.now()
      const offset: MysqlOffset = { file: s.position.file, pos: s.position.pos, row: 0, snapshot: true, snapshot_completed: false }
      const buildRow = st.buildRow
      // One frozen source block per batch: the JSON converter writes it once.
      const source = Object.freeze(this.sourceStruct(def, 'true', s.position.file, s.position.pos, 0, now))
      const out: SourceRecord[] = new Array(rows === null ? 0 : rows.length)
      for (let i = 0; i < out.length; i++) out[i] = changeRecord(st.schemas, 'r', null, buildRow(rows![i]!), source, this.partition, offset, now)
      if (rows === null || s.reader.done) {
        s.reader = null
        s.index++
        const last = out[out.length - 1]
        if (s.index === s.tables.length && last !== undefined) {
          // Debezium marks the snapshot's last record.
          const v = last.value as { source: Record<string, unknown> }
          last.value = { ...v, source: { ...v.source, snapshot: 'last' } }
        }
      }
      if (out.length > 0) {
        this.ctx.progress.advance(out.length)
        return out
      }
    }
    return this.finishSnapshot()
  }

  /** Ends the snapshot transaction; a heartbeat record stores the completed snapshot's offset. */
  private async finishSnapshot(): Promise<SourceRecord[]> {
    const s = this.snapshot!
    await s.conn.query('COMMIT').catch(() => {})
    await s.conn.end().catch(() => {})
    this.snapshot = null
    this.ctx.progress.done()
    const offset: MysqlOffset = { file: s.position.file, pos: s.position.pos, row: 0, snapshot_completed: true }
    if (!this.snapshotOnly) this.startStreaming()
    return [heartbeatRecord(this.heartbeatTopic, this.prefix, this.partition, offset, Date.now())]
  }

  // ------------------------------------------------------------ streaming

  protected startStreaming(): void {
    this.streamError = null
    this.queue.length = 0
    this.file = this.resumeFrom.file
    this.txStart = this.resumeFrom.pos
    this.txRow = 0
    this.skipRows = this.resumeFrom.row
    this.inTx = false
    const reader = new BinlogReader({ ...connectionOptions(this.target) }, this.serverIdConfig, {
      captured: (db, table) => this.defs.has(tableKey(db, table)) || isCaptured(this.filter, db, table),
      definition: (db, table) => this.definition(db, table),
      onEvent: (ev) => {
        try {
          this.onEvent(ev)
        } catch (err) {
          this.fail(err as Error)
        }
      },
      onError: (err) => this.fail(err),
    })
    this.reader = reader
    reader.start(this.resumeFrom.file, this.resumeFrom.pos)
  }

  private fail(err: Error): void {
    this.streamError ??= err
    this.wake?.()
  }

  /** A captured table's definition; one the history lost track of (unparsed DDL) is read from the catalog. */
  private definition(db: string, table: string): TableDef | null | Promise<TableDef | null> {
    const def = this.defs.get(tableKey(db, table))
    if (def !== undefined) return def
    if (!isCaptured(this.filter, db, table)) return null
    const at = { file: this.file, pos: this.txStart }
    return (async () => {
      const filter = filterOf({ dbInclude: [], dbExclude: [], include: [`${escapeRe(db)}\\.${escapeRe(table)}`], exclude: [] })
      // A connection of its own: the server may have restarted since start().
      const conn = await connect(this.target, this.connector)
      const [t] = await readTableDefs(conn, filter).finally(() => conn.end().catch(() => {}))
      if (t === undefined) return null
      this.defs.set(tableKey(db, table), t)
      this.queue.push({ history: { position: at, ts_ms: Date.now(), databaseName: db, ddl: `-- ${db}.${table} read from the catalog`, tableChanges: [tableChange('CREATE', db, table, t)] } })
      return t
    })()
  }

  private push(item: QueueItem): void {
    this.queue.push(item)
    if (this.queue.length >= this.maxQueue && this.reader !== null && !this.reader.isPaused) {
      // After the current event's handlers (zongji resumes its own pause for table lookups synchronously).
      const r = this.reader
      queueMicrotask(() => r.pause())
    }
  }

  private offset(): MysqlOffset {
    const o: MysqlOffset = { file: this.file, pos: this.txStart, row: this.txRow, snapshot_completed: true }
    if (this.gtids !== undefined) o.gtids = this.gtids
    return o
  }

  private endTransaction(nextPosition: number): void {
    if (nextPosition > 0) this.txStart = nextPosition
    this.txRow = 0
    this.skipRows = 0
    this.inTx = false
    if (this.gtid !== null) this.gtids = mergeGtid(this.gtids, this.gtid, this.flavor)
  }

  private onEvent(ev: AnyBinlogEvent): void {
    switch (ev.getEventName()) {
      case 'rotate': {
        const r = ev as unknown as { binlogName: string; position: number }
        this.file = r.binlogName
        this.txStart = r.position
        this.txRow = 0
        return
      }
      case 'mariadbgtid': {
        const g = ev as unknown as { gtid: string; serverId: number; standalone: boolean }
        this.gtid = g.gtid
        this.eventServerId = g.serverId
        this.inTx = !g.standalone
        this.txRow = 0
        return
      }
      case 'gtid': {
        this.gtid = (ev as unknown as { gtid: string }).gtid
        this.txRow = 0
        return
      }
      case 'xid':
        this.endTransaction(ev.nextPosition)
        return
      case 'query':
        this.onQuery(ev as unknown as { query: string; schema: string; slaveProxyId: number; nextPosition: number; timestamp: number })
        return
      case 'writerows':
      case 'updaterows':
      case 'deleterows':
        this.onRows(ev as unknown as RowsEvent)
        return
    }
  }

  private onQuery(ev: { query: string; schema: string; slaveProxyId: number; nextPosition: number; timestamp: number }): void {
    const q = ev.query.trim()
    this.thread = ev.slaveProxyId
    if (/^BEGIN\b/i.test(q) || /^XA\s+START\b/i.test(q)) {
      this.inTx = true
      return
    }
    if (/^(COMMIT|XA\s+COMMIT)\b/i.test(q)) {
      this.endTransaction(ev.nextPosition)
      return
    }
    if (isSchemaStatement(q)) this.onDdl(ev.schema, q, ev.nextPosition, ev.timestamp)
    if (!this.inTx) this.endTransaction(ev.nextPosition)
  }

  private onDdl(db: string, sql: string, nextPosition: number, tsMs: number): void {
    const before = new Map(this.defs)
    const effects = applyDdl(this.defs, db, sql)
    const changes: TableChange[] = []
    const truncated: TableDef[] = []
    const touched = (e: DdlEffect): boolean => before.has(tableKey(e.db, e.table)) || isCaptured(this.filter, e.db, e.table)
    for (const e of effects) {
      this.reader?.forget(e.db, e.table)
      if (e.kind === 'rename') this.reader?.forget(e.from.db, e.from.table)
      const key = tableKey(e.db, e.table)
      if (!touched(e) && !(e.kind === 'rename' && before.has(tableKey(e.from.db, e.from.table)))) {
        this.defs.delete(key)
        continue
      }
      switch (e.kind) {
        case 'truncate': {
          const def = this.defs.get(key)
          if (def !== undefined) truncated.push(def)
          break
        }
        case 'unparsed':
          // Read from the catalog when its rows next arrive (definition()).
          this.defs.delete(key)
          break
        case 'rename':
          changes.push(tableChange('DROP', e.from.db, e.from.table, undefined))
          if (isCaptured(this.filter, e.db, e.table)) changes.push(tableChange('CREATE', e.db, e.table, this.defs.get(key)))
          else this.defs.delete(key)
          break
        case 'drop':
          changes.push(tableChange('DROP', e.db, e.table, undefined))
          break
        case 'create':
        case 'alter':
          if (!isCaptured(this.filter, e.db, e.table)) {
            this.defs.delete(key)
            break
          }
          if (this.defs.has(key)) changes.push(tableChange(e.kind === 'create' ? 'CREATE' : 'ALTER', e.db, e.table, this.defs.get(key)))
          break
      }
    }
    const position = { file: this.file, pos: nextPosition }
    if (changes.length > 0) {
      const rec = { position, ts_ms: tsMs, databaseName: db, ddl: sql, tableChanges: changes }
      this.push({ history: rec })
      if (this.includeSchemaChanges) {
        const source = { version: VERSION, connector: this.connectorName, name: this.prefix, ts_ms: tsMs, snapshot: 'false', db, table: null, server_id: this.eventServerId, gtid: this.gtid, file: this.file, pos: nextPosition, row: 0, thread: this.thread, query: null }
        const off: MysqlOffset = { file: this.file, pos: this.inTx ? this.txStart : nextPosition, row: this.txRow, snapshot_completed: true }
        this.push({
          sourcePartition: this.partition, sourceOffset: off, topic: this.prefix, kafkaPartition: null,
          keySchema: schemaChangeKeySchema, key: { databaseName: db }, valueSchema: null,
          value: { source, ts_ms: tsMs, databaseName: db, schemaName: null, ddl: sql, tableChanges: changes },
          timestamp: null, headers: [],
        })
      }
    }
    if (!this.skipped.has('t')) {
      for (const def of truncated) {
        const st = this.state(def)
        const rec = changeRecord(st.schemas, 't', null, null, this.sourceStruct(def, 'false', this.file, nextPosition, 0, tsMs), this.partition, { ...this.offset(), pos: nextPosition, row: 0 }, Date.now())
        this.push({ ...rec, key: null, keySchema: null })
      }
    }
    this.wake?.()
  }

  private onRows(ev: RowsEvent): void {
    const tm = ev.tableMap[ev.tableId]
    if (tm === undefined) return
    const def = this.defs.get(tableKey(tm.parentSchema, tm.tableName))
    if (def === undefined) return
    const name = ev.getEventName()
    const op: Op = name === 'writerows' ? 'c' : name === 'updaterows' ? 'u' : 'd'
    const st = this.state(def)
    const now = Date.now()
    const rows = ev.rows
    for (let i = 0; i < rows.length; i++) {
      this.txRow++
      if (this.skipRows > 0) {
        this.skipRows--
        continue
      }
      if (this.skipped.has(op)) continue
      const r = rows[i] as Record<string, unknown> & { before?: Record<string, unknown>; after?: Record<string, unknown> }
      const before = op === 'c' ? null : convertRow(st.mapping, op === 'u' ? r.before! : r)
      const after = op === 'd' ? null : convertRow(st.mapping, op === 'u' ? r.after! : r)
      const rec = changeRecord(st.schemas, op, before, after, this.sourceStruct(def, 'false', this.file, this.txStart, i, ev.timestamp), this.partition, this.offset(), now)
      this.push(rec)
      if (op === 'd' && this.tombstones) this.push(tombstone(rec))
    }
    if (rows.length > 0) this.wake?.()
  }

  // ------------------------------------------------------------ poll (CdcSourceTask)

  protected get snapshotting(): boolean {
    return this.snapshot !== null
  }

  protected nextSnapshotBatch(): Promise<SourceRecord[]> {
    return this.readSnapshot()
  }

  protected get streaming(): boolean {
    return this.reader !== null
  }

  protected async stopBrokenStream(): Promise<void> {
    await this.reader?.stop().catch(() => {})
    this.reader = null
    this.queue.length = 0
  }

  protected fatalStreamError(err: unknown): { message: string; field?: string } {
    const message = errorMessage(err)
    if (/same server_uuid\/server_id/i.test(message)) {
      return { message: `another replica connected with database.server.id=${this.serverIdConfig}: ${message}`, field: 'database.server.id' }
    }
    return { message: `binlog reading failed: ${message}` }
  }

  protected async pollStream(): Promise<SourceRecord[]> {
    if (this.queue.length === 0) await this.waitForEvents()
    const out: SourceRecord[] = []
    const q = this.queue
    let i = 0
    while (i < q.length && out.length < this.maxBatch) {
      const item = q[i]!
      if ('history' in item) {
        if (out.length > 0) break // the history record goes out before any later record
        await this.history.record(item.history)
        i++
        continue
      }
      out.push(item)
      i++
    }
    // Keep a delete and its tombstone in one batch.
    while (i < q.length && out.length > 0) {
      const head = q[i]!
      if ('history' in head || head.value !== null) break
      out.push(head)
      i++
    }
    q.splice(0, i)
    if (this.reader?.isPaused === true && this.queue.length < this.maxQueue / 2) this.reader.resume()
    if (out.length > 0) {
      const last = out[out.length - 1]!.sourceOffset as MysqlOffset
      this.resumeFrom = { file: last.file, pos: last.pos, row: last.row }
      this.lastHeartbeat = Date.now()
      return out
    }
    return this.heartbeat()
  }

  private async waitForEvents(): Promise<void> {
    await new Promise<void>((resolve) => {
      const signal = this.ctx.signal
      const t = setTimeout(done, this.heartbeatMs > 0 ? Math.min(this.pollInterval, this.heartbeatMs) : this.pollInterval)
      function done(): void {
        clearTimeout(t)
        signal.removeEventListener('abort', done)
        resolve()
      }
      this.wake = done
      signal.addEventListener('abort', done, { once: true })
    })
    this.wake = null
  }

  /** Between transactions, a heartbeat stores the position reached (other tables' commits move it too). */
  private heartbeat(): SourceRecord[] {
    if (this.heartbeatMs <= 0 || Date.now() - this.lastHeartbeat < this.heartbeatMs || this.inTx || this.file === '') return []
    this.lastHeartbeat = Date.now()
    const off: MysqlOffset = { file: this.file, pos: this.txStart, row: 0, snapshot_completed: true }
    if (this.gtids !== undefined) off.gtids = this.gtids
    this.resumeFrom = { file: off.file, pos: off.pos, row: 0 }
    return [heartbeatRecord(this.heartbeatTopic, this.prefix, this.partition, off, Date.now())]
  }

  async stop(): Promise<void> {
    await this.reader?.stop().catch(() => {})
    this.reader = null
    if (this.snapshot !== null) {
      this.snapshot.reader?.close()
      await this.snapshot.conn.end().catch(() => {})
      this.snapshot = null
    }
    await this.history?.close()
    await this.meta?.end().catch(() => {})
    this.meta = null
  }
}

interface RowsEvent {
  tableId: number
  tableMap: Record<number, { parentSchema: string; tableName: string }>
  rows: unknown[]
  timestamp: number
  getEventName(): string
}

function convertRow(mapping: ColumnMapping[], raw: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (let c = 0; c < mapping.length; c++) {
    const m = mapping[c]!
    const v = raw[m.name]
    out[m.name] = v === null || v === undefined ? null : m.convert(v)
  }
  return out
}

/** Adds a transaction's GTID to a MariaDB GTID position (last per domain) or a MySQL GTID set. */
export function mergeGtid(current: string | undefined, gtid: string, flavor: MysqlFlavor): string {
  if (flavor === 'mariadb') {
    const p = MariadbGtidPosition.parse(current ?? '')
    const [domainId, serverId, seqNo] = gtid.split('-')
    p.add({ domainId: Number(domainId), serverId: Number(serverId), seqNo: seqNo! })
    return p.toString()
  }
  const set = GtidSet.parse(current ?? '')
  set.add(gtid)
  return set.toString()
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
}
