// The MySQL / MariaDB server as the CDC connector needs it: connections, the checks that make
// binlog capture impossible (each with one message), the captured tables and their definitions
// from the catalog, binlog positions and a snapshot consistent with one.
import mysql from 'mysql2/promise'
import { ConnectException, errorMessage } from '../errors.js'
import type { MysqlFlavor } from './config.js'
import type { ColumnDef, TableDef } from './ddl.js'

export interface MysqlTarget {
  host: string
  port: number
  user: string
  password: string
  connectTimeout: number
}

export interface BinlogPosition {
  file: string
  pos: number
  /** MariaDB gtid_binlog_pos / MySQL gtid_executed at this position, when known. */
  gtids?: string
}

/** Orders binlog positions (file names end in a growing sequence number). */
export function comparePositions(a: { file: string; pos: number }, b: { file: string; pos: number }): number {
  const fa = fileSeq(a.file)
  const fb = fileSeq(b.file)
  if (fa !== fb) return fa - fb
  return a.pos - b.pos
}

function fileSeq(file: string): number {
  const m = /\.(\d+)$/.exec(file)
  return m === null ? 0 : Number(m[1])
}

/**
 * Text-protocol values as the column mappings (types.ts) take them: dates and decimals as the
 * server's text; BIGINT as a number when it is a safe integer and its exact digits otherwise
 * (supportBigNumbers without bigNumberStrings: mysql2 reads the digits into a number itself,
 * no string per value for toInt64 to parse again).
 */
export function connectionOptions(t: MysqlTarget): mysql.ConnectionOptions {
  return {
    host: t.host, port: t.port, user: t.user, password: t.password, connectTimeout: t.connectTimeout,
    dateStrings: true, supportBigNumbers: true, bigNumberStrings: false, decimalNumbers: false, jsonStrings: true, timezone: 'Z', multipleStatements: false,
  }
}

/** Opens a connection in UTC, with one clear message for a bad host, port or password. */
export async function connect(t: MysqlTarget, connector: string): Promise<mysql.Connection> {
  let conn: mysql.Connection
  try {
    conn = await mysql.createConnection(connectionOptions(t))
  } catch (err) {
    throw connectError(err, t, connector)
  }
  conn.on('error', () => {})
  await conn.query("SET time_zone = '+00:00'")
  return conn
}

export function connectError(err: unknown, t: MysqlTarget, connector: string): ConnectException {
  const e = err as { code?: string }
  const why =
    e.code === 'ER_ACCESS_DENIED_ERROR' ? `access denied for user '${t.user}' (wrong user or password)` :
    e.code === 'ECONNREFUSED' ? 'connection refused (is the server running and the host/port right?)' :
    e.code === 'ENOTFOUND' || e.code === 'EAI_AGAIN' ? `unknown host '${t.host}'` :
    e.code === 'ETIMEDOUT' ? 'connection timed out' : errorMessage(err)
  const field = e.code === 'ER_ACCESS_DENIED_ERROR' ? 'database.password' : 'database.hostname'
  return new ConnectException(`cannot connect to MySQL/MariaDB ${t.host}:${t.port}: ${why}`, { connector, field, cause: err })
}

export async function flavorOf(conn: mysql.Connection): Promise<{ flavor: MysqlFlavor; version: string }> {
  const [rows] = await conn.query('SELECT VERSION() AS v')
  const version = String((rows as Array<{ v: string }>)[0]!.v)
  return { flavor: /mariadb/i.test(version) ? 'mariadb' : 'mysql', version }
}

export interface ServerFacts {
  variables: Record<string, string>
  grants: string[]
}

/** The server variables and the user's grants the checks look at. */
export async function serverFacts(conn: mysql.Connection): Promise<ServerFacts> {
  const [vars] = await conn.query("SHOW GLOBAL VARIABLES WHERE Variable_name IN ('log_bin', 'binlog_format', 'binlog_row_image', 'gtid_mode', 'binlog_row_metadata')")
  const variables: Record<string, string> = {}
  for (const r of vars as Array<{ Variable_name: string; Value: string }>) variables[r.Variable_name.toLowerCase()] = String(r.Value)
  const [g] = await conn.query({ sql: 'SHOW GRANTS FOR CURRENT_USER()', rowsAsArray: true })
  return { variables, grants: (g as unknown[][]).map((r) => String(r[0])) }
}

/** What makes binlog capture impossible, with one message each (pure, so a fake server can test it). */
export function checkServerFacts(f: ServerFacts, user: string, connector: string): void {
  const v = f.variables
  if ((v.log_bin ?? 'OFF').toUpperCase() !== 'ON' && v.log_bin !== '1') {
    throw new ConnectException('the binary log is off (log_bin=OFF): start the server with --log-bin', { connector, field: 'database.hostname' })
  }
  const format = (v.binlog_format ?? '').toUpperCase()
  if (format !== 'ROW') {
    throw new ConnectException(`binlog_format is '${format}', CDC needs binlog_format=ROW (SET GLOBAL binlog_format = 'ROW' or --binlog-format=ROW)`, { connector, field: 'database.hostname' })
  }
  const image = (v.binlog_row_image ?? 'FULL').toUpperCase()
  if (image !== 'FULL') {
    throw new ConnectException(`binlog_row_image is '${image}', CDC needs binlog_row_image=FULL`, { connector, field: 'database.hostname' })
  }
  const privileges = new Set<string>()
  for (const g of f.grants) {
    const m = /^GRANT (.+?) ON (\S+)/i.exec(g)
    if (m === null) continue
    if (m[2] !== '*.*') continue // replication privileges are global
    for (const p of m[1]!.split(',')) privileges.add(p.trim().toUpperCase())
  }
  if (privileges.has('ALL PRIVILEGES')) return
  const missing = ['REPLICATION SLAVE', 'REPLICATION CLIENT'].filter((p) => {
    if (privileges.has(p)) return false
    if (p === 'REPLICATION SLAVE' && privileges.has('REPLICATION REPLICA')) return false
    if (p === 'REPLICATION CLIENT' && (privileges.has('BINLOG MONITOR') || privileges.has('SUPER'))) return false
    return true
  })
  if (missing.length > 0) {
    throw new ConnectException(`user '${user}' lacks the ${missing.join(' and ')} privilege${missing.length > 1 ? 's' : ''} CDC needs (GRANT ${missing.join(', ')} ON *.* TO '${user}')`, { connector, field: 'database.user' })
  }
}

export interface TableFilter {
  dbInclude: RegExp[]
  dbExclude: RegExp[]
  include: RegExp[]
  exclude: RegExp[]
}

const SYSTEM_DBS = new Set(['mysql', 'information_schema', 'performance_schema', 'sys'])

export function filterOf(lists: { dbInclude: string[]; dbExclude: string[]; include: string[]; exclude: string[] }): TableFilter {
  const re = (l: string[]): RegExp[] => l.map((s) => new RegExp(`^(?:${s})$`))
  return { dbInclude: re(lists.dbInclude), dbExclude: re(lists.dbExclude), include: re(lists.include), exclude: re(lists.exclude) }
}

export function isCaptured(f: TableFilter, db: string, table: string): boolean {
  if (SYSTEM_DBS.has(db.toLowerCase())) return false
  if (f.dbInclude.length > 0 && !f.dbInclude.some((r) => r.test(db))) return false
  if (f.dbExclude.some((r) => r.test(db))) return false
  const full = `${db}.${table}`
  if (f.include.length > 0 && !f.include.some((r) => r.test(full))) return false
  return !f.exclude.some((r) => r.test(full))
}

/**
 * Every captured base table, with its columns and primary key from the catalog. The system
 * databases (never captured) are left out in the query itself: reading their tables' collations
 * opens every one of them, ~30 ms on MariaDB 10.11, three times per connector start.
 */
export async function readTableDefs(conn: mysql.Connection, f: TableFilter): Promise<TableDef[]> {
  const [tabs] = await conn.query({
    sql: `SELECT t.TABLE_SCHEMA, t.TABLE_NAME, c.CHARACTER_SET_NAME FROM information_schema.TABLES t
          LEFT JOIN information_schema.COLLATION_CHARACTER_SET_APPLICABILITY c ON c.COLLATION_NAME = t.TABLE_COLLATION
          WHERE t.TABLE_TYPE = 'BASE TABLE' AND t.TABLE_SCHEMA NOT IN (${[...SYSTEM_DBS].map((d) => `'${d}'`).join(', ')}) ORDER BY 1, 2`,
    rowsAsArray: true,
  })
  const tables = (tabs as unknown[][]).map((r) => ({ db: String(r[0]), table: String(r[1]), charset: r[2] === null ? null : String(r[2]) })).filter((t) => isCaptured(f, t.db, t.table))
  if (tables.length === 0) return []
  const dbs = [...new Set(tables.map((t) => t.db))]
  const [cols] = await conn.query({
    sql: `SELECT c.TABLE_SCHEMA, c.TABLE_NAME, c.COLUMN_NAME, LOWER(c.COLUMN_TYPE), c.CHARACTER_SET_NAME, c.IS_NULLABLE = 'YES', COALESCE(k.ORDINAL_POSITION, 0)
          FROM information_schema.COLUMNS c
          LEFT JOIN information_schema.KEY_COLUMN_USAGE k
            ON k.TABLE_SCHEMA = c.TABLE_SCHEMA AND k.TABLE_NAME = c.TABLE_NAME AND k.COLUMN_NAME = c.COLUMN_NAME AND k.CONSTRAINT_NAME = 'PRIMARY'
          WHERE c.TABLE_SCHEMA IN (?) ORDER BY c.TABLE_SCHEMA, c.TABLE_NAME, c.ORDINAL_POSITION`,
    values: [dbs],
    rowsAsArray: true,
  })
  const byTable = new Map<string, TableDef>()
  for (const t of tables) byTable.set(`${t.db}.${t.table}`, { db: t.db, table: t.table, columns: [], pk: [], charset: t.charset })
  const pkPos = new Map<string, Array<[number, string]>>()
  for (const r of cols as unknown[][]) {
    const key = `${String(r[0])}.${String(r[1])}`
    const t = byTable.get(key)
    if (t === undefined) continue
    const type = String(r[3])
    const col: ColumnDef = { name: String(r[2]), type, charset: r[4] === null ? null : String(r[4]), nullable: Number(r[5]) === 1 }
    t.columns.push(col)
    if (Number(r[6]) > 0) {
      const l = pkPos.get(key) ?? []
      l.push([Number(r[6]), col.name])
      pkPos.set(key, l)
    }
  }
  for (const [key, l] of pkPos) byTable.get(key)!.pk = l.sort((a, b) => a[0] - b[0]).map((x) => x[1])
  // MariaDB's JSON is a LONGTEXT with a json_valid() check: the catalog shows it only there.
  const [checks] = await conn.query({
    sql: "SELECT CONSTRAINT_SCHEMA, TABLE_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA IN (?) AND CHECK_CLAUSE LIKE 'json_valid(%'",
    values: [dbs],
    rowsAsArray: true,
  })
  for (const r of checks as unknown[][]) {
    const t = byTable.get(`${String(r[0])}.${String(r[1])}`)
    const m = /^json_valid\(`((?:[^`]|``)+)`\)$/i.exec(String(r[2]))
    if (t === undefined || m === null) continue
    const col = t.columns.find((c) => c.name === m[1]!.replace(/``/g, '`'))
    if (col !== undefined) col.type = 'json'
  }
  return [...byTable.values()]
}

/** The server's current binlog end. */
export async function currentPosition(conn: mysql.Connection, flavor: MysqlFlavor): Promise<BinlogPosition> {
  const [rows] = await conn.query(flavor === 'mariadb' ? 'SHOW MASTER STATUS' : await masterStatusStatement(conn))
  const r = (rows as Array<{ File: string; Position: number; Executed_Gtid_Set?: string }>)[0]
  if (r === undefined) throw new Error('SHOW MASTER STATUS returned nothing: is log_bin on?')
  const pos: BinlogPosition = { file: r.File, pos: Number(r.Position) }
  const gtids = flavor === 'mariadb' ? await mariadbGtidPos(conn) : r.Executed_Gtid_Set
  if (gtids !== undefined && gtids !== '') pos.gtids = gtids
  return pos
}

async function masterStatusStatement(conn: mysql.Connection): Promise<string> {
  // MySQL 8.4 renamed SHOW MASTER STATUS to SHOW BINARY LOG STATUS.
  const [rows] = await conn.query('SELECT VERSION() AS v')
  const v = String((rows as Array<{ v: string }>)[0]!.v).split('.').map(Number)
  return (v[0]! > 8 || (v[0] === 8 && v[1]! >= 4)) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS'
}

async function mariadbGtidPos(conn: mysql.Connection): Promise<string | undefined> {
  const [rows] = await conn.query('SELECT @@GLOBAL.gtid_binlog_pos AS g')
  const g = (rows as Array<{ g: string | null }>)[0]?.g
  return g === null || g === undefined ? undefined : String(g)
}

/** Whether a binlog file is still on the server (a stored offset can be resumed). */
export async function binlogFileExists(conn: mysql.Connection, file: string): Promise<boolean> {
  const [rows] = await conn.query({ sql: 'SHOW BINARY LOGS', rowsAsArray: true })
  return (rows as unknown[][]).some((r) => String(r[0]) === file)
}

/**
 * Opens a REPEATABLE READ transaction whose view matches a binlog position, and reads the
 * captured tables' definitions at that point.
 * MariaDB: START TRANSACTION WITH CONSISTENT SNAPSHOT and the binlog_snapshot_file/position
 * status taken atomically with it: no lock at all. The definitions are read before and after;
 * a DDL in between (the catalog is not transactional) makes it try again.
 * MySQL 8: FLUSH TABLES WITH READ LOCK (snapshot.locking.mode=minimal) while the transaction
 * starts and the position and definitions are read, then UNLOCK TABLES (not tested here: no
 * MySQL 8 server in Debian's packages).
 */
export async function consistentSnapshot(conn: mysql.Connection, flavor: MysqlFlavor, f: TableFilter, locking: string): Promise<{ position: BinlogPosition; tables: TableDef[] }> {
  await conn.query('SET SESSION TRANSACTION ISOLATION LEVEL REPEATABLE READ')
  if (flavor === 'mariadb') {
    for (let attempt = 0; ; attempt++) {
      const before = await readTableDefs(conn, f)
      await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
      const [rows] = await conn.query("SHOW STATUS LIKE 'binlog_snapshot_%'")
      const st: Record<string, string> = {}
      for (const r of rows as Array<{ Variable_name: string; Value: string }>) st[r.Variable_name.toLowerCase()] = String(r.Value)
      const after = await readTableDefs(conn, f)
      if (JSON.stringify(before) === JSON.stringify(after) || attempt >= 5) {
        const position: BinlogPosition = { file: st.binlog_snapshot_file ?? '', pos: Number(st.binlog_snapshot_position ?? 0) }
        if (position.file === '') throw new Error("SHOW STATUS LIKE 'binlog_snapshot_%' returned no file: is log_bin on?")
        return { position, tables: after }
      }
      await conn.query('ROLLBACK')
    }
  }
  const lock = locking !== 'none'
  if (lock) await conn.query('FLUSH TABLES WITH READ LOCK')
  try {
    await conn.query('START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY')
    const position = await currentPosition(conn, flavor)
    const tables = await readTableDefs(conn, f)
    return { position, tables }
  } finally {
    if (lock) await conn.query('UNLOCK TABLES')
  }
}

export function quoteId(id: string): string {
  return `\`${id.replace(/`/g, '``')}\``
}
