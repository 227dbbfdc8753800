// Slot, publication and server checks for PostgreSQL CDC. Creation is all-or-nothing: a
// publication this connector created is dropped again when the slot cannot be created.
import pg from 'pg'
import { ConnectException } from '../errors.js'

export interface PgTarget {
  host: string
  port: number
  user: string
  password: string
  database: string
}

export interface CapturedTable {
  schema: string
  table: string
}

export function clientConfig(t: PgTarget, replication = false): pg.ClientConfig {
  const c: pg.ClientConfig = { host: t.host, port: t.port, user: t.user, password: t.password, database: t.database, connectionTimeoutMillis: 10_000 }
  if (replication) (c as pg.ClientConfig & { replication: string }).replication = 'database'
  return c
}

/** Compares PostgreSQL LSNs "X/Y" as numbers (exact below 2^53 bytes of WAL). */
export function lsnToNumber(lsn: string): number {
  const [hi, lo] = lsn.split('/')
  return parseInt(hi!, 16) * 4294967296 + parseInt(lo!, 16)
}

export function numberToLsn(n: number): string {
  return `${Math.floor(n / 4294967296).toString(16).toUpperCase()}/${(n % 4294967296).toString(16).toUpperCase()}`
}

/** Server and role checks that make capture impossible, each with one clear message. */
export async function checkServer(client: pg.Client, connector: string, t: PgTarget): Promise<void> {
  const wal = (await client.query<{ wal_level: string }>('SHOW wal_level')).rows[0]!.wal_level
  if (wal !== 'logical') {
    throw new ConnectException(`PostgreSQL wal_level is '${wal}', logical decoding needs wal_level=logical (set it in postgresql.conf and restart the server)`, { connector, field: 'database.hostname' })
  }
  const role = (await client.query<{ rolreplication: boolean; rolsuper: boolean }>('SELECT rolreplication, rolsuper FROM pg_roles WHERE rolname = current_user')).rows[0]
  if (role === undefined || (!role.rolreplication && !role.rolsuper)) {
    throw new ConnectException(`role '${t.user}' lacks the REPLICATION attribute (ALTER ROLE ${t.user} REPLICATION)`, { connector, field: 'database.user' })
  }
}

export async function listTables(client: pg.Client, schemaInclude: RegExp[], include: RegExp[], exclude: RegExp[]): Promise<CapturedTable[]> {
  const res = await client.query<{ schema: string; table: string }>(
    `SELECT n.nspname AS schema, c.relname AS table FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg_toast%' ORDER BY 1, 2`,
  )
  return res.rows.filter((r) => {
    const full = `${r.schema}.${r.table}`
    if (schemaInclude.length > 0 && !schemaInclude.some((re) => re.test(r.schema))) return false
    if (include.length > 0 && !include.some((re) => re.test(full))) return false
    return !exclude.some((re) => re.test(full))
  })
}

export async function slotInfo(client: pg.Client, slot: string): Promise<{ plugin: string; confirmed: string | null; database: string } | null> {
  const r = await client.query<{ plugin: string; confirmed_flush_lsn: string | null; database: string }>('SELECT plugin, confirmed_flush_lsn, database FROM pg_replication_slots WHERE slot_name = $1', [slot])
  const row = r.rows[0]
  return row === undefined ? null : { plugin: row.plugin, confirmed: row.confirmed_flush_lsn, database: row.database }
}

/** Creates the publication when missing (per publication.autocreate.mode); returns whether it did. */
export async function ensurePublication(client: pg.Client, connector: string, name: string, mode: string, tables: CapturedTable[]): Promise<boolean> {
  const exists = (await client.query('SELECT 1 FROM pg_publication WHERE pubname = $1', [name])).rowCount! > 0
  if (exists) return false
  if (mode === 'disabled') throw new ConnectException(`publication '${name}' does not exist and publication.autocreate.mode=disabled`, { connector, field: 'publication.name' })
  const q = (s: string): string => `"${s.replace(/"/g, '""')}"`
  const target = mode === 'all_tables' ? 'FOR ALL TABLES' : `FOR TABLE ${tables.map((t) => `${q(t.schema)}.${q(t.table)}`).join(', ')}`
  try {
    await client.query(`CREATE PUBLICATION ${q(name)} ${target}`)
  } catch (err) {
    throw new ConnectException(`cannot create publication '${name}': ${(err as Error).message}`, { connector, field: 'publication.name', cause: err })
  }
  return true
}

export async function dropPublication(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP PUBLICATION IF EXISTS "${name.replace(/"/g, '""')}"`)
}

export async function dropSlot(client: pg.Client, slot: string): Promise<void> {
  await client.query('SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = $1 AND NOT active', [slot])
}

/**
 * Creates the slot on a replication connection, exporting a snapshot that stays usable while
 * that connection is left idle. The caller closes `repl` once the snapshot was read.
 */
export async function createSlotWithSnapshot(t: PgTarget, connector: string, slot: string, exportSnapshot: boolean): Promise<{ repl: pg.Client; consistentPoint: string; snapshotName: string | null }> {
  const repl = new pg.Client(clientConfig(t, true))
  repl.on('error', () => {})
  await repl.connect()
  try {
    const r = await repl.query(`CREATE_REPLICATION_SLOT "${slot.replace(/"/g, '""')}" LOGICAL pgoutput ${exportSnapshot ? 'EXPORT_SNAPSHOT' : 'NOEXPORT_SNAPSHOT'}`)
    const row = r.rows[0] as { consistent_point: string; snapshot_name: string | null }
    return { repl, consistentPoint: row.consistent_point, snapshotName: row.snapshot_name }
  } catch (err) {
    await repl.end().catch(() => {})
    throw new ConnectException(`cannot create replication slot '${slot}': ${(err as Error).message}`, { connector, field: 'slot.name', cause: err })
  }
}
