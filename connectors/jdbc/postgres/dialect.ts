// PostgreSQL through pg. Every type parser returns the server's text (bytea excepted), so
// numeric, int8 and timestamps reach the type mapping exactly as the server printed them.
import pg from 'pg'
import type { ConnectionTarget, Dialect, JdbcConnection, QueryResult, TableColumn } from '../dialect.js'
import { valuesList } from '../dialect.js'
import { isNetworkError } from '../errors.js'
import * as q from './queries.js'
import { Oid } from './types.js'
import * as types from './types.js'

const textTypes = {
  getTypeParser: (oid: number) => (oid === Oid.bytea ? pg.types.getTypeParser(oid, 'text') : (v: string) => v),
} as unknown as pg.CustomTypesConfig

export function pgClientConfig(target: ConnectionTarget): pg.ClientConfig {
  const cfg: pg.ClientConfig = { host: target.host, port: target.port, types: textTypes, connectionTimeoutMillis: 10_000 }
  if (target.database !== undefined) cfg.database = target.database
  if (target.user !== undefined) cfg.user = target.user
  if (target.password !== undefined) cfg.password = target.password
  return cfg
}

export class PgConnection implements JdbcConnection {
  constructor(readonly client: pg.Client) {}
  async query(sql: string, params: readonly unknown[] = []): Promise<QueryResult> {
    const res = await this.client.query({ text: sql, values: params as unknown[], rowMode: 'array' })
    return {
      columns: res.fields.map((f) => ({ name: f.name, type: f.dataTypeID, scale: f.dataTypeModifier })),
      rows: res.rows as unknown[][],
    }
  }
  async execute(sql: string, params: readonly unknown[] = []): Promise<number> {
    const res = await this.client.query({ text: sql, values: params as unknown[] })
    return res.rowCount ?? 0
  }
  async transaction<T>(fn: () => Promise<T>): Promise<T> {
    await this.client.query('BEGIN')
    try {
      const r = await fn()
      await this.client.query('COMMIT')
      return r
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => {})
      throw err
    }
  }
  async close(): Promise<void> {
    await this.client.end().catch(() => {})
  }
}

export async function openPg(target: ConnectionTarget, extra: Partial<pg.ClientConfig> = {}): Promise<pg.Client> {
  const client = new pg.Client({ ...pgClientConfig(target), ...extra })
  client.on('error', () => {}) // surfaced through the next query instead
  await client.connect()
  return client
}

export const postgresDialect: Dialect = {
  name: 'postgres',
  transactionalDdl: true,
  async open(target) {
    return new PgConnection(await openPg(target))
  },
  quote: (id) => `"${id.replace(/"/g, '""')}"`,
  param: (i) => `$${i}`,
  async listTables(conn) {
    return (await conn.query(q.listTables)).rows.map((r) => String(r[0]))
  },
  async describeTable(conn, table): Promise<TableColumn[]> {
    const [schema, name] = table.includes('.') ? (table.split('.', 2) as [string, string]) : [null, table]
    const res = await conn.query(q.describeTable, [name, schema])
    return res.rows.map((r) => ({ name: String(r[0]), typeName: String(r[1]), nullable: r[2] === 't' || r[2] === true, pkPosition: Number(r[3]) }))
  },
  mapColumns: types.mapColumns,
  sqlType: types.sqlType,
  bindValue: types.bindValue,
  upsert(table, columns, keys, rows = 1) {
    const qt = postgresDialect.quote
    const nonKey = columns.filter((c) => !keys.includes(c))
    const set = nonKey.length === 0 ? 'NOTHING' : `UPDATE SET ${nonKey.map((c) => `${qt(c)} = EXCLUDED.${qt(c)}`).join(', ')}`
    return `INSERT INTO ${qt(table)} (${columns.map(qt).join(', ')}) VALUES ${valuesList(postgresDialect, columns.length, rows)} ON CONFLICT (${keys.map(qt).join(', ')}) DO ${set}`
  },
  unnestInsert(table, columns, types, keys) {
    const qt = postgresDialect.quote
    const arrays = columns.map((_, i) => `$${i + 1}::${types[i]}[]`).join(', ')
    const insert = `INSERT INTO ${qt(table)} (${columns.map(qt).join(', ')}) SELECT * FROM unnest(${arrays})`
    if (keys === null) return insert
    const nonKey = columns.filter((c) => !keys.includes(c))
    const set = nonKey.length === 0 ? 'NOTHING' : `UPDATE SET ${nonKey.map((c) => `${qt(c)} = EXCLUDED.${qt(c)}`).join(', ')}`
    return `${insert} ON CONFLICT (${keys.map(qt).join(', ')}) DO ${set}`
  },
  isRetriable: isNetworkError,
}
