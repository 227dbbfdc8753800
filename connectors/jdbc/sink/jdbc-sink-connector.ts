// JdbcSinkConnector (Confluent's name and configs): writes topics into tables of SQLite,
// PostgreSQL or MySQL/MariaDB. Validates the URL and credentials (one connection) before starting.
import type { ConnectorContext, SinkConnector, SinkTask, TaskConfig } from '../../api/connector.js'
import type { ConfigDef } from '../../api/config-def.js'
import { ConfigException } from '../../errors.js'
import { openConnection, resolveTarget } from '../dialects.js'
import { JdbcSinkTask } from './jdbc-sink-task.js'
import { jdbcSinkConfigDef } from './sink-config.js'

export class JdbcSinkConnector implements SinkConnector {
  readonly kind = 'sink'
  private props: Record<string, string> = {}
  version(): string {
    return '0.1.0'
  }
  config(): ConfigDef {
    return jdbcSinkConfigDef()
  }
  async validate(props: Record<string, string>, context: ConnectorContext): Promise<void> {
    const cfg = jdbcSinkConfigDef().parse(props, context.name)
    const pkMode = cfg.getString('pk.mode')
    if (cfg.getBoolean('delete.enabled') && pkMode !== 'record_key') throw new ConfigException('delete.enabled', 'needs pk.mode=record_key', { connector: context.name })
    if (cfg.getString('insert.mode') !== 'insert' && pkMode === 'none') throw new ConfigException('pk.mode', `insert.mode=${cfg.getString('insert.mode')} needs a primary key (pk.mode record_key, record_value or kafka)`, { connector: context.name })
    const url = cfg.getString('connection.url')
    const { dialect, target } = resolveTarget(context.name, url, cfg.getOptionalString('connection.user'), cfg.getOptionalString('connection.password'))
    const conn = await openConnection(context.name, url, dialect, target, true)
    await conn.close()
  }
  async start(props: Record<string, string>): Promise<void> {
    this.props = props
  }
  taskConfigs(maxTasks: number): TaskConfig[] {
    return Array.from({ length: maxTasks }, () => ({ ...this.props }))
  }
  createTask(): SinkTask {
    return new JdbcSinkTask()
  }
  async stop(): Promise<void> {}
}
