// MySqlConnector and MariaDbConnector (Debezium's names and configs): change data capture from
// the binlog in ROW format. Validation connects once and checks the server (log_bin,
// binlog_format, binlog_row_image), the user's replication privileges and the captured tables
// before anything is created.
import type { ConnectorContext, SourceConnector, SourceTask, TaskConfig } from '../api/connector.js'
import type { ConfigDef } from '../api/config-def.js'
import { ConfigException } from '../errors.js'
import { mysqlCdcConfigDef, type MysqlFlavor } from './config.js'
import { checkServerFacts, connect, filterOf, readTableDefs, serverFacts } from './server.js'
import { MysqlCdcTask, VERSION } from './task.js'

export class MysqlCdcConnector implements SourceConnector {
  readonly kind = 'source'
  private props: Record<string, string> = {}
  constructor(private readonly flavor: MysqlFlavor) {}
  version(): string {
    return VERSION
  }
  config(): ConfigDef {
    return mysqlCdcConfigDef()
  }
  async validate(props: Record<string, string>, context: ConnectorContext): Promise<void> {
    const name = context.name
    const cfg = mysqlCdcConfigDef().parse(props, name)
    const t = { host: cfg.getString('database.hostname'), port: cfg.getInt('database.port'), user: cfg.getString('database.user'), password: cfg.getString('database.password'), connectTimeout: cfg.getInt('connect.timeout.ms') }
    const conn = await connect(t, name)
    try {
      checkServerFacts(await serverFacts(conn), t.user, name)
      const include = cfg.getList('table.include.list')
      const filter = filterOf({ dbInclude: cfg.getList('database.include.list'), dbExclude: cfg.getList('database.exclude.list'), include, exclude: cfg.getList('table.exclude.list') })
      const tables = await readTableDefs(conn, filter)
      for (const pattern of include) {
        const re = new RegExp(`^(?:${pattern})$`)
        if (!tables.some((x) => re.test(`${x.db}.${x.table}`))) throw new ConfigException('table.include.list', `no table matches '${pattern}'`, { connector: name })
      }
      for (const pattern of cfg.getList('database.include.list')) {
        const re = new RegExp(`^(?:${pattern})$`)
        if (!tables.some((x) => re.test(x.db))) throw new ConfigException('database.include.list', `no database with tables matches '${pattern}'`, { connector: name })
      }
    } finally {
      await conn.end().catch(() => {})
    }
  }
  async start(props: Record<string, string>, _context: ConnectorContext): Promise<void> {
    this.props = props
  }
  taskConfigs(_maxTasks: number): TaskConfig[] {
    return [{ ...this.props }] // one binlog reader, one task (as Debezium)
  }
  createTask(): SourceTask {
    return new MysqlCdcTask(this.flavor)
  }
  async stop(): Promise<void> {}
}
