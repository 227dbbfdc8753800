// The binlog stream through @vlasky/zongji (a maintained ZongJi fork on mysql2 that decodes the
// ROW events of MySQL 8 and MariaDB 10.x, including MariaDB's GTID events). Two of its hooks
// are replaced: the table filter (the connector's include/exclude lists, which follow tables
// created later) and the column lookup, which answers from the connector's schema history
// instead of the server's current catalog, so rows decode with the columns of their time.
import ZongJi, { type AnyBinlogEvent } from '@vlasky/zongji'
import type mysql from 'mysql2/promise'
import type { TableDef } from './ddl.js'

export interface ReaderHooks {
  captured(db: string, table: string): boolean
  /** The table's definition now, or a promise when it must be fetched; null: unknown. */
  definition(db: string, table: string): TableDef | null | Promise<TableDef | null>
  onEvent(ev: AnyBinlogEvent): void
  onError(err: Error): void
}

interface ZColumnSchema {
  COLUMN_NAME: string
  COLLATION_NAME: string | null
  CHARACTER_SET_NAME: string | null
  COLUMN_COMMENT: string
  COLUMN_TYPE: string
}

interface ZongJiInternals {
  tableMap: Record<number, { columnSchemas: ZColumnSchema[]; parentSchema: string; tableName: string }>
  connection: { pause(): void; resume(): void } | null
  _skipSchema(db: string, table: string): boolean
  _fetchTableInfo(ev: { tableId: number; schemaName: string; tableName: string }, next: () => void): void
}

export const BINLOG_EVENTS = ['rotate', 'format', 'query', 'xid', 'tablemap', 'writerows', 'updaterows', 'deleterows', 'mariadbgtid', 'gtid', 'heartbeat']

export function zongjiColumns(def: TableDef): ZColumnSchema[] {
  return def.columns.map((c) => ({ COLUMN_NAME: c.name, COLLATION_NAME: null, CHARACTER_SET_NAME: c.charset, COLUMN_COMMENT: '', COLUMN_TYPE: c.type }))
}

export class BinlogReader {
  private readonly z: ZongJi
  private paused = false

  constructor(options: mysql.ConnectionOptions, private readonly serverId: number, hooks: ReaderHooks) {
    const z = new ZongJi(options as never)
    this.z = z
    const internals = z as unknown as ZongJiInternals
    internals._skipSchema = (db, table) => !hooks.captured(db, table)
    internals._fetchTableInfo = (ev, next) => {
      const fill = (def: TableDef | null): void => {
        if (def === null) {
          hooks.onError(new Error(`no definition of table ${ev.schemaName}.${ev.tableName} in the schema history`))
          return
        }
        internals.tableMap[ev.tableId] = { columnSchemas: zongjiColumns(def), parentSchema: ev.schemaName, tableName: ev.tableName }
        next()
      }
      const d = hooks.definition(ev.schemaName, ev.tableName)
      if (d instanceof Promise) d.then(fill, (err: unknown) => hooks.onError(err as Error))
      else fill(d)
    }
    z.on('binlog', (ev: AnyBinlogEvent) => hooks.onEvent(ev))
    z.on('error', (err: Error) => hooks.onError(err))
  }

  start(file: string, pos: number): void {
    this.z.start({ serverId: this.serverId, filename: file, position: pos, includeEvents: BINLOG_EVENTS })
  }

  /** Forgets cached column layouts of a table (its definition changed). */
  forget(db: string, table: string): void {
    const tm = (this.z as unknown as ZongJiInternals).tableMap
    for (const id of Object.keys(tm)) {
      const e = tm[Number(id)]
      if (e !== undefined && e.parentSchema === db && e.tableName === table) delete tm[Number(id)]
    }
  }

  /** Stops reading from the socket (back-pressure); events already parsed still arrive. */
  pause(): void {
    if (this.paused) return
    this.paused = true
    ;(this.z as unknown as ZongJiInternals).connection?.pause()
  }

  resume(): void {
    if (!this.paused) return
    this.paused = false
    ;(this.z as unknown as ZongJiInternals).connection?.resume()
  }

  get isPaused(): boolean {
    return this.paused
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 5000)
      this.z.once('stopped', () => {
        clearTimeout(t)
        resolve()
      })
      this.z.stop()
    })
  }
}
