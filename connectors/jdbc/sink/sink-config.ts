// The JDBC sink's configuration, with Confluent's JdbcSinkConnector names.
import { ConfigDef, NO_DEFAULT, Validators } from '../../api/config-def.js'

export function jdbcSinkConfigDef(): ConfigDef {
  return new ConfigDef()
    .define('connection.url', 'STRING', NO_DEFAULT, 'HIGH', 'JDBC connection URL: jdbc:postgresql://host:port/db, jdbc:mysql://..., jdbc:mariadb://..., jdbc:sqlite:path.')
    .define('connection.user', 'STRING', null, 'HIGH', 'Database user.')
    .define('connection.password', 'PASSWORD', null, 'HIGH', 'Database password.')
    .define('connection.attempts', 'INT', 3, 'LOW', 'Accepted for compatibility; the worker retries unreachable databases with backoff.')
    .define('connection.backoff.ms', 'LONG', 10000, 'LOW', 'Accepted for compatibility.')
    .define('insert.mode', 'STRING', 'insert', 'HIGH', 'insert, upsert (idempotent: replays leave the table the same) or update.', Validators.oneOf('insert', 'upsert', 'update'))
    .define('pk.mode', 'STRING', 'none', 'HIGH', 'none, kafka, record_key or record_value.', Validators.oneOf('none', 'kafka', 'record_key', 'record_value'))
    .define('pk.fields', 'LIST', '', 'MEDIUM', 'Primary key column names (meaning depends on pk.mode).')
    .define('fields.whitelist', 'LIST', '', 'MEDIUM', 'Value fields to write (default all).')
    .define('table.name.format', 'STRING', '${topic}', 'MEDIUM', 'Destination table name; ${topic} is replaced by the topic.')
    .define('auto.create', 'BOOLEAN', false, 'MEDIUM', 'Create a missing table from the record schema.')
    .define('auto.evolve', 'BOOLEAN', false, 'MEDIUM', 'Add columns missing from the table (ALTER TABLE ADD).')
    .define('delete.enabled', 'BOOLEAN', false, 'MEDIUM', 'Delete the row of a tombstone (needs pk.mode=record_key).')
    .define('batch.size', 'INT', 3000, 'MEDIUM', 'Records written in one database transaction.', Validators.atLeast(1))
    .define('max.retries', 'INT', 10, 'MEDIUM', 'Accepted for compatibility; the worker retries unreachable databases with backoff.')
    .define('retry.backoff.ms', 'INT', 3000, 'MEDIUM', 'Accepted for compatibility.')
    .define('db.timezone', 'STRING', 'UTC', 'LOW', 'Time zone for timestamps (only UTC).', Validators.oneOf('UTC'))
    .define('quote.sql.identifiers', 'STRING', 'always', 'LOW', 'Identifiers are always quoted.', Validators.oneOf('always', 'never'))
}
