// Knows each destination table's columns; creates a missing table (auto.create) or adds the
// columns a record has and the table lacks (auto.evolve), or fails naming the table and column.
import { ConnectException } from '../../errors.js'
import type { Dialect, JdbcConnection } from '../dialect.js'
import type { RowColumn } from './record-rows.js'
import { Schemas } from '../../api/schema.js'

export class TableManager {
  private readonly known = new Map<string, Set<string>>()
  /** Column → database type of each known table (as the database prints it, or as created). */
  private readonly types = new Map<string, Map<string, string>>()
  constructor(
    private readonly dialect: Dialect,
    private readonly connector: string,
    private readonly autoCreate: boolean,
    private readonly autoEvolve: boolean,
  ) {}

  forget(): void {
    this.known.clear()
    this.types.clear()
  }

  /** The database types of the columns, when every one is known. */
  columnTypes(table: string, columns: string[]): string[] | null {
    const t = this.types.get(table)
    if (t === undefined) return null
    const out: string[] = []
    for (const c of columns) {
      const type = t.get(c)
      if (type === undefined) return null
      out.push(type)
    }
    return out
  }

  async ensure(conn: JdbcConnection, table: string, columns: RowColumn[]): Promise<void> {
    let cols = this.known.get(table)
    if (cols !== undefined && columns.every((c) => cols!.has(c.name))) return
    const existing = await this.dialect.describeTable(conn, table)
    const q = this.dialect.quote
    if (existing.length === 0) {
      if (!this.autoCreate) throw new ConnectException(`table '${table}' does not exist (set auto.create=true to create it)`, { connector: this.connector, field: 'auto.create' })
      const keys = columns.filter((c) => c.isKey)
      const types = new Map(columns.map((c) => [c.name, this.dialect.sqlType(c.schema ?? Schemas.string(), c.isKey)]))
      const defs = columns.map((c) => `${q(c.name)} ${types.get(c.name)!}${c.isKey || c.schema?.optional === false ? ' NOT NULL' : ''}`)
      if (keys.length > 0) defs.push(`PRIMARY KEY (${keys.map((c) => q(c.name)).join(', ')})`)
      await conn.execute(`CREATE TABLE ${q(table)} (${defs.join(', ')})`)
      this.known.set(table, new Set(columns.map((c) => c.name)))
      this.types.set(table, types)
      return
    }
    cols = new Set(existing.map((c) => c.name))
    const types = new Map(existing.map((c) => [c.name, c.typeName]))
    const missing = columns.filter((c) => !cols!.has(c.name))
    if (missing.length > 0) {
      if (!this.autoEvolve) throw new ConnectException(`table '${table}' has no column '${missing[0]!.name}' (set auto.evolve=true to add it)`, { connector: this.connector, field: 'auto.evolve' })
      for (const c of missing) {
        const type = this.dialect.sqlType(c.schema ?? Schemas.string(), false)
        await conn.execute(`ALTER TABLE ${q(table)} ADD ${this.dialect.name === 'postgres' ? 'COLUMN ' : ''}${q(c.name)} ${type}`)
        cols.add(c.name)
        types.set(c.name, type)
      }
    }
    this.known.set(table, cols)
    this.types.set(table, types)
  }
}
