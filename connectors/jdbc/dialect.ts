// What the JDBC source and sink need from a database, one implementation per folder
// (sqlite/, postgres/, mysql/), each with the same files: dialect.ts (connection and SQL
// shapes), queries.ts (the SQL text), types.ts (type mapping both ways).
import type { Schema } from '../api/schema.js'

export interface ResultColumn {
  name: string
  /** The driver's type: SQLite's declared type, PostgreSQL's type OID, MySQL's column type code. */
  type: string | number
  /** Numeric scale where the driver reports one. */
  scale?: number
  precision?: number
  /** MySQL: the binary flag / charset tells bytes from text. */
  binary?: boolean
}

export interface QueryResult {
  columns: ResultColumn[]
  rows: unknown[][]
}

export interface JdbcConnection {
  query(sql: string, params?: readonly unknown[]): Promise<QueryResult>
  /** Runs a statement; resolves to the number of affected rows. */
  execute(sql: string, params?: readonly unknown[]): Promise<number>
  transaction<T>(fn: () => Promise<T>): Promise<T>
  close(): Promise<void>
}

export interface TableColumn {
  name: string
  /** The database's type name (lowercase). */
  typeName: string
  nullable: boolean
  /** Position in the primary key (1-based), 0 when not part of it. */
  pkPosition: number
}

/** A column of a source query: its Connect schema and how a driver value becomes a Connect value. */
export interface ColumnMapping {
  name: string
  schema: Schema
  convert(raw: unknown): unknown
}

export interface ConnectionTarget {
  dialect: DialectName
  /** sqlite: the file path; others: host/port/database. */
  path?: string
  host?: string
  port?: number
  database?: string
  user?: string
  password?: string
  params: Record<string, string>
}

export type DialectName = 'sqlite' | 'postgres' | 'mysql'

export interface Dialect {
  readonly name: DialectName
  open(target: ConnectionTarget): Promise<JdbcConnection>
  quote(identifier: string): string
  /** The i-th (1-based) bind parameter. */
  param(i: number): string
  listTables(conn: JdbcConnection): Promise<string[]>
  describeTable(conn: JdbcConnection, table: string): Promise<TableColumn[]>
  /** Connect schemas and converters for a result's columns (source side). */
  mapColumns(columns: ResultColumn[], table: TableColumn[] | null): ColumnMapping[]
  /** Database type for a Connect schema (sink auto.create / auto.evolve). */
  sqlType(schema: Schema, isKey: boolean): string
  /** Connect value → bind parameter (sink side). */
  bindValue(schema: Schema | null, value: unknown): unknown
  /** INSERT ... ON CONFLICT / ON DUPLICATE KEY UPDATE of `rows` rows (bind parameters row by row). */
  upsert(table: string, columns: string[], keyColumns: string[], rows?: number): string
  /**
   * A multi-row INSERT (upsert when keyColumns is given) taking one array parameter per column,
   * cast to the column's type: one short statement however many rows (PostgreSQL's unnest).
   */
  unnestInsert?(table: string, columns: string[], types: string[], keyColumns: string[] | null): string
  /** Whether DDL may run inside the write transaction (MySQL commits implicitly). */
  readonly transactionalDdl: boolean
  /** True when an error means the server is unreachable or the connection broke (retry). */
  isRetriable(err: unknown): boolean
}

/** `(?, ?), (?, ?)` for rows × columns, numbered through the dialect's param(). */
export function valuesList(d: Pick<Dialect, 'param'>, columns: number, rows: number): string {
  const out: string[] = []
  let i = 1
  for (let r = 0; r < rows; r++) {
    const row: string[] = []
    for (let c = 0; c < columns; c++) row.push(d.param(i++))
    out.push(`(${row.join(', ')})`)
  }
  return out.join(', ')
}

/** Parses Connect-style URLs: jdbc:postgresql://h:p/db, jdbc:mysql|mariadb://h:p/db, jdbc:sqlite:path, and the same without jdbc:. */
export function parseConnectionUrl(url: string, user: string | null, password: string | null): ConnectionTarget | null {
  const u = url.startsWith('jdbc:') ? url.slice(5) : url
  const sqlite = /^sqlite:(?:\/\/)?(.+)$/.exec(u)
  if (sqlite !== null) {
    const [path, query] = sqlite[1]!.split('?') as [string, string | undefined]
    return { dialect: 'sqlite', path, params: Object.fromEntries(new URLSearchParams(query ?? '')) }
  }
  const m = /^(postgres|postgresql|mysql|mariadb):\/\//.exec(u)
  if (m === null) return null
  let parsed: URL
  try {
    parsed = new URL(u.replace(/^[a-z]+:/, 'http:'))
  } catch {
    return null
  }
  const dialect: DialectName = m[1]!.startsWith('postgres') ? 'postgres' : 'mysql'
  const params = Object.fromEntries(parsed.searchParams)
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''))
  const target: ConnectionTarget = {
    dialect,
    host: parsed.hostname || 'localhost',
    port: parsed.port !== '' ? Number(parsed.port) : dialect === 'postgres' ? 5432 : 3306,
    params,
  }
  if (database !== '') target.database = database
  const usr = user ?? params.user ?? (parsed.username !== '' ? decodeURIComponent(parsed.username) : null)
  const pwd = password ?? params.password ?? (parsed.password !== '' ? decodeURIComponent(parsed.password) : null)
  if (usr !== null) target.user = usr
  if (pwd !== null) target.password = pwd
  return target
}

/** A URL safe to print: the password replaced. */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1****@').replace(/([?&]password=)[^&]*/, '$1****')
}
