// PostgresConnector configuration with Debezium's names.
import { ConfigDef, NO_DEFAULT, Validators } from '../api/config-def.js'
import { SNAPSHOT_MODES } from '../cdc/snapshot-mode.js'

export type { SnapshotMode } from '../cdc/snapshot-mode.js'

export function postgresCdcConfigDef(): ConfigDef {
  return new ConfigDef()
    .define('database.hostname', 'STRING', NO_DEFAULT, 'HIGH', 'PostgreSQL host.')
    .define('database.port', 'INT', 5432, 'HIGH', 'PostgreSQL port.')
    .define('database.user', 'STRING', NO_DEFAULT, 'HIGH', 'A role with REPLICATION (or superuser).')
    .define('database.password', 'PASSWORD', '', 'HIGH', 'Password of database.user.')
    .define('database.dbname', 'STRING', NO_DEFAULT, 'HIGH', 'The database to capture.')
    .define('topic.prefix', 'STRING', NO_DEFAULT, 'HIGH', 'Prefix of the topics (<prefix>.<schema>.<table>) and the logical server name.', Validators.nonEmpty())
    .define('plugin.name', 'STRING', 'pgoutput', 'MEDIUM', 'Logical decoding plugin (pgoutput only).', Validators.oneOf('pgoutput'))
    .define('slot.name', 'STRING', 'debezium', 'MEDIUM', 'Replication slot (created or reused).')
    .define('slot.drop.on.stop', 'BOOLEAN', false, 'LOW', 'Drop the slot when the connector stops cleanly.')
    .define('publication.name', 'STRING', 'dbz_publication', 'MEDIUM', 'Publication (created or reused).')
    .define('publication.autocreate.mode', 'STRING', 'all_tables', 'MEDIUM', 'all_tables, filtered (only the included tables) or disabled.', Validators.oneOf('all_tables', 'filtered', 'disabled'))
    .define('schema.include.list', 'LIST', '', 'MEDIUM', 'Regexes of schemas to capture.')
    .define('table.include.list', 'LIST', '', 'MEDIUM', 'Regexes of schema.table to capture (default all in included schemas).')
    .define('table.exclude.list', 'LIST', '', 'MEDIUM', 'Regexes of schema.table not to capture.')
    .define('snapshot.mode', 'STRING', 'initial', 'MEDIUM', 'initial, initial_only, no_data (never), when_needed or always.', Validators.oneOf(...SNAPSHOT_MODES))
    .define('snapshot.fetch.size', 'INT', 10240, 'LOW', 'Rows per snapshot batch.', Validators.atLeast(1))
    .define('max.batch.size', 'INT', 2048, 'LOW', 'Maximum change events per batch.', Validators.atLeast(1))
    .define('max.queue.size', 'INT', 8192, 'LOW', 'Change events queued between the replication stream and the worker; when full the stream is paused. Must be larger than max.batch.size.', Validators.atLeast(2))
    .define('poll.interval.ms', 'INT', 500, 'LOW', 'How long poll waits for new changes.', Validators.atLeast(1))
    .define('heartbeat.interval.ms', 'INT', 10000, 'MEDIUM', 'Heartbeat interval (0 disables); heartbeats advance the stored LSN on quiet tables.', Validators.atLeast(0))
    .define('heartbeat.topics.prefix', 'STRING', '__debezium-heartbeat', 'LOW', 'Heartbeat topic is <prefix>.<topic.prefix>.')
    .define('tombstones.on.delete', 'BOOLEAN', true, 'MEDIUM', 'Emit a tombstone after each delete.')
    .define('skipped.operations', 'LIST', 'none', 'LOW', 'Operations not emitted: c, u, d, t or none.')
    .define('decimal.handling.mode', 'STRING', 'precise', 'LOW', 'precise (exact Decimal) or string.', Validators.oneOf('precise', 'string'))
}
