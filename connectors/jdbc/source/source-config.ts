// The JDBC source's configuration, with Confluent's JdbcSourceConnector names.
import { ConfigDef, NO_DEFAULT, Validators } from '../../api/config-def.js'

export type Mode = 'bulk' | 'incrementing' | 'timestamp' | 'timestamp+incrementing'

export function jdbcSourceConfigDef(): ConfigDef {
  return new ConfigDef()
    .define('connection.url', 'STRING', NO_DEFAULT, 'HIGH', 'JDBC connection URL: jdbc:postgresql://host:port/db, jdbc:mysql://..., jdbc:mariadb://..., jdbc:sqlite:path.')
    .define('connection.user', 'STRING', null, 'HIGH', 'Database user.')
    .define('connection.password', 'PASSWORD', null, 'HIGH', 'Database password.')
    .define('connection.attempts', 'INT', 3, 'LOW', 'Accepted for compatibility; the worker retries unreachable databases with backoff.')
    .define('connection.backoff.ms', 'LONG', 10000, 'LOW', 'Accepted for compatibility.')
    .define('mode', 'STRING', NO_DEFAULT, 'HIGH', 'bulk, incrementing, timestamp or timestamp+incrementing.', Validators.oneOf('bulk', 'incrementing', 'timestamp', 'timestamp+incrementing'))
    .define('incrementing.column.name', 'STRING', '', 'MEDIUM', 'Strictly increasing column for incrementing modes.')
    .define('timestamp.column.name', 'LIST', '', 'MEDIUM', 'Timestamp column(s) for timestamp modes; several are COALESCEd in order.')
    .define('timestamp.delay.interval.ms', 'LONG', 0, 'HIGH', 'Only rows with a timestamp older than this are read, so transactions in flight can commit first.', Validators.atLeast(0))
    .define('validate.non.null', 'BOOLEAN', true, 'LOW', 'Check that the incrementing and timestamp columns are NOT NULL.')
    .define('query', 'STRING', '', 'MEDIUM', 'A custom query instead of whole tables; the mode\'s WHERE clause is applied around it.')
    .define('query.suffix', 'STRING', '', 'LOW', 'Appended to the generated query.')
    .define('table.whitelist', 'LIST', '', 'MEDIUM', 'Tables to copy (default all).')
    .define('table.blacklist', 'LIST', '', 'MEDIUM', 'Tables not to copy.')
    .define('table.include.list', 'LIST', '', 'MEDIUM', 'Alias of table.whitelist.')
    .define('table.exclude.list', 'LIST', '', 'MEDIUM', 'Alias of table.blacklist.')
    .define('table.types', 'LIST', 'TABLE', 'LOW', 'Accepted for compatibility (tables only).')
    .define('schema.pattern', 'STRING', null, 'LOW', 'Accepted for compatibility (the connection\'s current schema is used).')
    .define('catalog.pattern', 'STRING', null, 'LOW', 'Accepted for compatibility.')
    .define('numeric.mapping', 'STRING', 'none', 'LOW', 'Accepted for compatibility: DECIMAL/NUMERIC always map to an exact Decimal.', Validators.oneOf('none', 'best_fit', 'best_fit_eager_double', 'precision_only'))
    .define('db.timezone', 'STRING', 'UTC', 'LOW', 'Time zone of timestamps without one (only UTC is supported).', Validators.oneOf('UTC'))
    .define('topic.prefix', 'STRING', '', 'HIGH', 'Prefix of the topic names (the table name follows; query mode uses the prefix alone).')
    .define('poll.interval.ms', 'INT', 5000, 'HIGH', 'How often to poll for new data in each table.', Validators.atLeast(1))
    .define('batch.max.rows', 'INT', 100, 'LOW', 'Maximum rows in one batch.', Validators.atLeast(1))
    .define('table.poll.interval.ms', 'LONG', 60000, 'LOW', 'Accepted for compatibility.')
    .define('tables', 'STRING', '', 'LOW', 'Set by the connector in task configs: the JSON list of this task\'s tables.')
}
