// PostgresConnector (Debezium's name and configs): change data capture through logical
// replication with pgoutput. Validation connects once and checks wal_level, the REPLICATION
// attribute and the captured tables before anything is created.
import pg from 'pg'
import type { ConnectorContext, SourceConnector, SourceTask, TaskConfig } from '../api/connector.js'
import type { ConfigDef } from '../api/config-def.js'
import { ConfigException, ConnectException, errorMessage } from '../errors.js'
import { postgresCdcConfigDef } from './config.js'
import { checkServer, clientConfig, listTables } from './replication.js'
import { PostgresCdcTask } from './task.js'

export class PostgresConnector implements SourceConnector {
  readonly kind = 'source'
  private props: Record<string, string> = {}
  version(): string {
    return '0.1.0'
  }
  config(): ConfigDef {
    return postgresCdcConfigDef()
  }
  async validate(props: Record<string, string>, context: ConnectorContext): Promise<void> {
    const name = context.name
    const cfg = postgresCdcConfigDef().parse(props, name)
    if (cfg.getInt('max.queue.size') <= cfg.getInt('max.batch.size')) {
      throw new ConfigException('max.queue.size', `${cfg.getInt('max.queue.size')} must be larger than max.batch.size (${cfg.getInt('max.batch.size')})`, { connector: name })
    }
    const t = { host: cfg.getString('database.hostname'), port: cfg.getInt('database.port'), user: cfg.getString('database.user'), password: cfg.getString('database.password'), database: cfg.getString('database.dbname') }
    const client = new pg.Client(clientConfig(t))
    client.on('error', () => {})
    try {
      await client.connect()
    } catch (err) {
      const e = err as { code?: string }
      const why = e.code === '28P01' ? 'authentication failed (wrong user or password)' : e.code === 'ECONNREFUSED' ? 'connection refused (is the server running and the host/port right?)' : e.code === '3D000' ? `database '${t.database}' does not exist` : errorMessage(err)
      throw new ConnectException(`cannot connect to PostgreSQL ${t.host}:${t.port}: ${why}`, { connector: name, field: 'database.hostname', cause: err })
    }
    try {
      await checkServer(client, name, t)
      const re = (l: string[]): RegExp[] => l.map((s) => new RegExp(`^(?:${s})$`))
      const include = cfg.getList('table.include.list')
      const tables = await listTables(client, re(cfg.getList('schema.include.list')), re(include), re(cfg.getList('table.exclude.list')))
      for (const pattern of include) {
        if (!tables.some((x) => new RegExp(`^(?:${pattern})$`).test(`${x.schema}.${x.table}`))) {
          throw new ConfigException('table.include.list', `no table matches '${pattern}' in database '${t.database}'`, { connector: name })
        }
      }
      if (tables.length === 0) throw new ConfigException('table.include.list', `no tables to capture in database '${t.database}'`, { connector: name })
    } finally {
      await client.end().catch(() => {})
    }
  }
  async start(props: Record<string, string>, _context: ConnectorContext): Promise<void> {
    this.props = props
  }
  taskConfigs(_maxTasks: number): TaskConfig[] {
    return [{ ...this.props }] // one slot, one task (as Debezium)
  }
  createTask(): SourceTask {
    return new PostgresCdcTask()
  }
  async stop(): Promise<void> {}
}
