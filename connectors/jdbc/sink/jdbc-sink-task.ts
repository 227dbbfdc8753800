// JdbcSinkTask: each put() is written in transactions of batch.size records. upsert makes a
// replayed batch (after a crash before the offset commit) leave the table as it was; a
// tombstone deletes its row when delete.enabled. Connection failures become
// RetriableExceptions: the worker backs off and the batch is written again.
import type { SinkTask, SinkTaskContext, TaskConfig } from '../../api/connector.js'
import type { SinkRecord } from '../../api/record.js'
import { ConfigException, ConnectException, errorMessage, RetriableException } from '../../errors.js'
import { valuesList, type ConnectionTarget, type Dialect, type JdbcConnection } from '../dialect.js'
import { openConnection, resolveTarget } from '../dialects.js'
import { keyColumns, rowColumns, type PkMode, type RowColumn, type RowSpec } from './record-rows.js'
import { jdbcSinkConfigDef } from './sink-config.js'
import { TableManager } from './table-manager.js'

/** The column names of a row as one string (rows with the same names share a statement). */
function columnNames(cols: RowColumn[]): string {
  let s = ''
  for (const c of cols) s += c.name + '\u0000'
  return s
}

/** Bind parameters per statement (SQLite allows 32766, PostgreSQL 65535). */
const MAX_PARAMS = 30_000

export class JdbcSinkTask implements SinkTask {
  private conn: JdbcConnection | null = null
  private dialect!: Dialect
  private target!: ConnectionTarget
  private url = ''
  private connector = ''
  private spec!: RowSpec
  private insertMode: 'insert' | 'upsert' | 'update' = 'insert'
  private tableFormat = '${topic}'
  private deleteEnabled = false
  private batchSize = 3000
  private tables!: TableManager

  async start(props: TaskConfig, context: SinkTaskContext): Promise<void> {
    this.connector = context.connector
    const cfg = jdbcSinkConfigDef().parse(props, context.connector)
    this.url = cfg.getString('connection.url')
    ;({ dialect: this.dialect, target: this.target } = resolveTarget(this.connector, this.url, cfg.getOptionalString('connection.user'), cfg.getOptionalString('connection.password')))
    this.spec = { pkMode: cfg.getString('pk.mode') as PkMode, pkFields: cfg.getList('pk.fields'), whitelist: cfg.getList('fields.whitelist') }
    this.insertMode = cfg.getString('insert.mode') as typeof this.insertMode
    this.tableFormat = cfg.getString('table.name.format')
    this.deleteEnabled = cfg.getBoolean('delete.enabled')
    this.batchSize = cfg.getInt('batch.size')
    this.tables = new TableManager(this.dialect, this.connector, cfg.getBoolean('auto.create'), cfg.getBoolean('auto.evolve'))
    await this.connection()
  }

  private async connection(): Promise<JdbcConnection> {
    if (this.conn === null) this.conn = await openConnection(this.connector, this.url, this.dialect, this.target, false)
    return this.conn
  }

  async put(records: SinkRecord[]): Promise<void> {
    for (let i = 0; i < records.length; i += this.batchSize) {
      const batch = records.slice(i, i + this.batchSize)
      try {
        await this.writeBatch(batch)
      } catch (err) {
        if (err instanceof ConnectException) throw err
        if (this.dialect.isRetriable(err)) {
          await this.conn?.close().catch(() => {})
          this.conn = null
          this.tables.forget()
          throw new RetriableException(`writing a batch failed: ${errorMessage(err)}`, { connector: this.connector, cause: err })
        }
        throw new ConnectException(`writing a batch of ${batch.length} records failed: ${errorMessage(err)}`, { connector: this.connector, cause: err })
      }
    }
  }

  private tableFor(topic: string): string {
    return this.tableFormat.replace(/\$\{topic\}/g, topic)
  }

  private async writeBatch(records: SinkRecord[]): Promise<void> {
    const conn = await this.connection()
    const d = this.dialect
    const q = d.quote
    // DDL first (MySQL commits DDL implicitly, so it cannot share the write transaction).
    const rowsOf: Array<RowColumn[] | null> = new Array(records.length)
    for (let i = 0; i < records.length; i++) {
      const r = records[i]!
      if (r.value === null) {
        rowsOf[i] = null
        continue
      }
      const cols = (rowsOf[i] = rowColumns(r, this.spec))
      await this.tables.ensure(conn, this.tableFor(r.topic), cols)
    }
    await conn.transaction(async () => {
      // Consecutive rows for one table with the same columns go out as one multi-row statement.
      let run: { table: string; names: string; cols: RowColumn[][] } | null = null
      const flushRun = async (): Promise<void> => {
        if (run === null) return
        const r = run
        run = null
        await this.writeRows(conn, r.table, r.cols)
      }
      for (let i = 0; i < records.length; i++) {
        const r = records[i]!
        const table = this.tableFor(r.topic)
        if (r.value === null) {
          await flushRun()
          if (!this.deleteEnabled) continue
          const keys = keyColumns(r, this.spec)
          await conn.execute(`DELETE FROM ${q(table)} WHERE ${keys.map((k, i) => `${q(k.name)} = ${d.param(i + 1)}`).join(' AND ')}`, keys.map((k) => d.bindValue(k.schema, k.value)))
          continue
        }
        const cols = rowsOf[i]!
        if (this.insertMode === 'update') {
          await flushRun()
          const nonKey = cols.filter((c) => !c.isKey)
          const keys = cols.filter((c) => c.isKey)
          await conn.execute(
            `UPDATE ${q(table)} SET ${nonKey.map((c, i) => `${q(c.name)} = ${d.param(i + 1)}`).join(', ')} WHERE ${keys.map((c, i) => `${q(c.name)} = ${d.param(nonKey.length + i + 1)}`).join(' AND ')}`,
            [...nonKey, ...keys].map((c) => d.bindValue(c.schema, c.value)),
          )
          continue
        }
        const names = columnNames(cols)
        if (run !== null && (run.table !== table || run.names !== names || (run.cols.length + 1) * cols.length > MAX_PARAMS)) await flushRun()
        if (run === null) run = { table, names, cols: [] }
        run.cols.push(cols)
      }
      await flushRun()
    })
  }

  /** One INSERT (or upsert) of many rows; for upserts only a key's last row is kept (the same end state, and one statement may not touch a row twice). */
  private async writeRows(conn: JdbcConnection, table: string, rows: RowColumn[][]): Promise<void> {
    const d = this.dialect
    const first = rows[0]!
    const names = first.map((c) => c.name)
    const keyNames = first.filter((c) => c.isKey).map((c) => c.name)
    let list = rows
    if (this.insertMode === 'upsert') {
      if (keyNames.length === 0) throw new ConfigException('pk.mode', 'insert.mode=upsert needs key columns (pk.mode record_key, record_value or kafka)', { connector: this.connector })
      const keyIdx = first.map((c, i) => (c.isKey ? i : -1)).filter((i) => i >= 0)
      const last = new Map<string, number>()
      for (let i = 0; i < rows.length; i++) {
        const cols = rows[i]!
        let key = ''
        for (const k of keyIdx) key += String(cols[k]!.value) + '\u0000'
        last.set(key, i)
      }
      if (last.size < rows.length) list = [...last.values()].sort((a, b) => a - b).map((i) => rows[i]!)
    }
    const types = d.unnestInsert === undefined ? null : this.tables.columnTypes(table, names)
    if (types !== null) {
      // One array per column: a short statement whatever the row count.
      const arrays: unknown[][] = names.map(() => new Array(list.length))
      for (let r = 0; r < list.length; r++) {
        const cols = list[r]!
        for (let c = 0; c < cols.length; c++) arrays[c]![r] = d.bindValue(cols[c]!.schema, cols[c]!.value)
      }
      await conn.execute(d.unnestInsert!(table, names, types, this.insertMode === 'upsert' ? keyNames : null), arrays)
      return
    }
    const values: unknown[] = []
    for (const cols of list) for (const c of cols) values.push(d.bindValue(c.schema, c.value))
    const sql = this.insertMode === 'upsert'
      ? d.upsert(table, names, keyNames, list.length)
      : `INSERT INTO ${d.quote(table)} (${names.map(d.quote).join(', ')}) VALUES ${valuesList(d, names.length, list.length)}`
    await conn.execute(sql, values)
  }

  async flush(): Promise<void> {}

  async stop(): Promise<void> {
    await this.conn?.close()
    this.conn = null
  }
}
