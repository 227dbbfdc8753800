// JdbcSourceConnector (Confluent's name and configs): polls tables or a query in bulk,
// incrementing, timestamp or timestamp+incrementing mode. Before anything starts it connects
// once, checks the tables and the mode's columns; tables are divided among tasks.max tasks.
import type { ConnectorContext, SourceConnector, SourceTask, TaskConfig } from '../../api/connector.js'
import type { ConfigDef, ParsedConfig } from '../../api/config-def.js'
import { ConfigException, ConnectException } from '../../errors.js'
import { openConnection, resolveTarget } from '../dialects.js'
import { JdbcSourceTask } from './jdbc-source-task.js'
import { jdbcSourceConfigDef } from './source-config.js'

export class JdbcSourceConnector implements SourceConnector {
  readonly kind = 'source'
  private props: Record<string, string> = {}
  private tables: string[] = []

  version(): string {
    return '0.1.0'
  }
  config(): ConfigDef {
    return jdbcSourceConfigDef()
  }

  async validate(props: Record<string, string>, context: ConnectorContext): Promise<void> {
    const name = context.name
    const cfg = jdbcSourceConfigDef().parse(props, name)
    const mode = cfg.getString('mode')
    const inc = cfg.getString('incrementing.column.name')
    const ts = cfg.getList('timestamp.column.name')
    if ((mode === 'incrementing' || mode === 'timestamp+incrementing') && inc === '') throw new ConfigException('incrementing.column.name', `is required with mode=${mode}`, { connector: name })
    if ((mode === 'timestamp' || mode === 'timestamp+incrementing') && ts.length === 0) throw new ConfigException('timestamp.column.name', `is required with mode=${mode}`, { connector: name })
    const url = cfg.getString('connection.url')
    const { dialect, target } = resolveTarget(name, url, cfg.getOptionalString('connection.user'), cfg.getOptionalString('connection.password'))
    const conn = await openConnection(name, url, dialect, target, true, true)
    try {
      if (cfg.getString('query') !== '') {
        try {
          await conn.query(`SELECT * FROM (${cfg.getString('query')}) ${dialect.quote('brook_check')} WHERE 1 = 0`)
        } catch (err) {
          throw new ConfigException('query', `the query fails: ${(err as Error).message}`, { connector: name })
        }
        this.tables = []
        return
      }
      const all = await dialect.listTables(conn)
      const include = [...cfg.getList('table.whitelist'), ...cfg.getList('table.include.list')]
      const exclude = [...cfg.getList('table.blacklist'), ...cfg.getList('table.exclude.list')]
      for (const t of include) {
        if (!all.includes(t)) throw new ConnectException(`table '${t}' does not exist in ${dialect.name} database (tables: ${all.join(', ') || 'none'})`, { connector: name, field: 'table.whitelist' })
      }
      this.tables = (include.length > 0 ? include : all).filter((t) => !exclude.includes(t))
      if (this.tables.length === 0) throw new ConnectException('no tables to copy (check table.whitelist / table.blacklist)', { connector: name, field: 'table.whitelist' })
      for (const t of this.tables) {
        const cols = await dialect.describeTable(conn, t)
        for (const c of [...(inc === '' ? [] : [inc]), ...(mode.startsWith('timestamp') ? ts : [])]) {
          const col = cols.find((x) => x.name === c)
          const key = c === inc ? 'incrementing.column.name' : 'timestamp.column.name'
          if (col === undefined) throw new ConfigException(key, `table '${t}' has no column '${c}'`, { connector: name })
          if (cfg.getBoolean('validate.non.null') && col.nullable && !(key === 'timestamp.column.name' && ts.length > 1)) {
            throw new ConfigException(key, `column '${c}' of table '${t}' is nullable; make it NOT NULL or set validate.non.null=false`, { connector: name })
          }
        }
      }
    } finally {
      await conn.close()
    }
  }

  async start(props: Record<string, string>, _context: ConnectorContext): Promise<void> {
    this.props = props
  }

  taskConfigs(maxTasks: number): TaskConfig[] {
    if (this.tables.length === 0) return [{ ...this.props, tables: '[]' }]
    const n = Math.min(maxTasks, this.tables.length)
    const groups: string[][] = Array.from({ length: n }, () => [])
    this.tables.forEach((t, i) => groups[i % n]!.push(t))
    return groups.map((g) => ({ ...this.props, tables: JSON.stringify(g) }))
  }

  createTask(): SourceTask {
    return new JdbcSourceTask()
  }

  async stop(): Promise<void> {}
}

export function parsedTables(cfg: ParsedConfig): string[] {
  return JSON.parse(cfg.getString('tables') || '[]') as string[]
}
