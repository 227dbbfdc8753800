// MySQL and MariaDB through mysql2, with dateStrings (the server's text, fraction included),
// exact big numbers as strings and JSON columns as their text (jsonStrings; MariaDB's JSON is
// a LONGTEXT that mysql2 would otherwise parse).
import mysql from 'mysql2/promise'
import type { ConnectionTarget, Dialect, JdbcConnection, QueryResult, TableColumn } from '../dialect.js'
import { valuesList } from '../dialect.js'
import { isNetworkError } from '../errors.js'
import * as q from './queries.js'
import * as types from './types.js'

export function mysqlOptions(target: ConnectionTarget): mysql.ConnectionOptions {
  const o: mysql.ConnectionOptions = {
    host: target.host, port: target.port, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true,
    decimalNumbers: false, jsonStrings: true, connectTimeout: 10_000, multipleStatements: false,
  }
  if (target.database !== undefined) o.database = target.database
  if (target.user !== undefined) o.user = target.user
  if (target.password !== undefined) o.password = target.password
  return o
}

class MysqlConnection implements JdbcConnection {
  constructor(private readonly conn: mysql.Connection) {}
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    const [rows, fields] = await this.conn.query({ sql, rowsAsArray: true, values: params as unknown[] })
    const fs = (fields ?? []) as mysql.FieldPacket[]
    return {
      columns: fs.map((f) => ({ name: f.name, type: f.columnType ?? f.type ?? 0, scale: f.decimals, binary: f.characterSet === 63 })),
      rows: rows as unknown[][],
    }
  }
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const [res] = await this.conn.query({ sql, values: params as unknown[] })
    return (res as mysql.ResultSetHeader).affectedRows ?? 0
  }
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.conn.beginTransaction()
    try {
      const r = await fn()
      await this.conn.commit()
      return r
    } catch (err) {
      await this.conn.rollback().catch(() => {})
      throw err
    }
  }
  async close(): Promise<void> {
    await this.conn.end().catch(() => {})
  }
}

export const mysqlDialect: Dialect = {
  name: 'mysql',
  transactionalDdl: false,
  async open(target) {
    const conn = await mysql.createConnection(mysqlOptions(target))
    conn.on('error', () => {})
    return new MysqlConnection(conn)
  },
  quote: (id) => `\`${id.replace(/`/g, '``')}\``,
  param: () => '?',
  async listTables(conn) {
    return (await conn.query(q.listTables)).rows.map((r) => String(r[0]))
  },
  async describeTable(conn, table): Promise<TableColumn[]> {
    const res = await conn.query(q.describeTable, [table])
    return res.rows.map((r) => ({ name: String(r[0]), typeName: String(r[1]).toLowerCase(), nullable: Number(r[2]) === 1, pkPosition: Number(r[3]) }))
  },
  mapColumns: types.mapColumns,
  sqlType: types.sqlType,
  bindValue: types.bindValue,
  upsert(table, columns, keys, rows = 1) {
    const qt = mysqlDialect.quote
    const nonKey = columns.filter((c) => !keys.includes(c))
    const update = (nonKey.length === 0 ? keys : nonKey).map((c) => `${qt(c)} = VALUES(${qt(c)})`).join(', ')
    return `INSERT INTO ${qt(table)} (${columns.map(qt).join(', ')}) VALUES ${valuesList(mysqlDialect, columns.length, rows)} ON DUPLICATE KEY UPDATE ${update}`
  },
  isRetriable: isNetworkError,
}
