// SQLite through better-sqlite3 (synchronous, in-process: never "unreachable").
import Database from 'better-sqlite3'
import type { Schema } from '../../api/schema.js'
import type { ConnectionTarget, Dialect, JdbcConnection, QueryResult, ResultColumn, TableColumn } from '../dialect.js'
import { valuesList } from '../dialect.js'
import * as q from './queries.js'
import * as types from './types.js'

class SqliteConnection implements JdbcConnection {
  private readonly stmts = new Map<string, Database.Statement>()
  constructor(private readonly db: Database.Database) {}
  private prepare(sql: string): Database.Statement {
    let s = this.stmts.get(sql)
    if (s === undefined) {
      s = this.db.prepare(sql)
      if (this.stmts.size > 500) this.stmts.clear()
      this.stmts.set(sql, s)
    }
    return s
  }
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    const s = this.prepare(sql)
    const columns: ResultColumn[] = s.columns().map((c) => ({ name: c.name, type: c.type ?? '' }))
    const rows = s.raw(true).all(...params) as unknown[][]
    return { columns, rows }
  }
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const s = this.prepare(sql)
    if (!s.reader) return s.run(...params).changes
    s.all(...params)
    return 0
  }
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    this.db.exec('BEGIN IMMEDIATE')
    try {
      const r = await fn()
      this.db.exec('COMMIT')
      return r
    } catch (err) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK')
      throw err
    }
  }
  async close(): Promise<void> {
    this.stmts.clear()
    this.db.close()
  }
}

export const sqliteDialect: Dialect = {
  name: 'sqlite',
  transactionalDdl: true,
  async open(target: ConnectionTarget): Promise<JdbcConnection> {
    const db = new Database(target.path!, { timeout: 10_000 })
    db.pragma('journal_mode = WAL')
    db.pragma('busy_timeout = 10000')
    return new SqliteConnection(db)
  },
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  param: () => '?',
  async listTables(conn) {
    return (await conn.query(q.listTables)).rows.map((r) => String(r[0]))
  },
  async describeTable(conn, table): Promise<TableColumn[]> {
    const res = await conn.query(q.describeTable(sqliteDialect.quote(table)))
    // PRAGMA table_info: cid, name, type, notnull, dflt_value, pk
    // An INTEGER PRIMARY KEY is the rowid: never NULL although PRAGMA reports notnull=0.
    return res.rows.map((r) => {
      const typeName = String(r[2] ?? '').toLowerCase()
      const rowid = Number(r[5]) === 1 && typeName === 'integer' && res.rows.filter((x) => Number(x[5]) > 0).length === 1
      return { name: String(r[1]), typeName, nullable: r[3] === 0 && !rowid, pkPosition: Number(r[5]) }
    })
  },
  mapColumns: types.mapColumns,
  sqlType: (schema: Schema, isKey: boolean) => types.sqlType(schema, isKey),
  bindValue: types.bindValue,
  upsert(table, columns, keys, rows = 1) {
    const qt = sqliteDialect.quote
    const nonKey = columns.filter((c) => !keys.includes(c))
    const set = nonKey.length === 0 ? 'NOTHING' : `UPDATE SET ${nonKey.map((c) => `${qt(c)} = excluded.${qt(c)}`).join(', ')}`
    return `INSERT INTO ${qt(table)} (${columns.map(qt).join(', ')}) VALUES ${valuesList(sqliteDialect, columns.length, rows)} ON CONFLICT (${keys.map(qt).join(', ')}) DO ${set}`
  },
  isRetriable: (err) => (err as { code?: string }).code === 'SQLITE_BUSY',
}
