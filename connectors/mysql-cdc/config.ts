// MySqlConnector / MariaDbConnector configuration with Debezium's names.
import { ConfigDef, NO_DEFAULT, Validators } from '../api/config-def.js'
import { SNAPSHOT_MODES } from '../cdc/snapshot-mode.js'

export function mysqlCdcConfigDef(): ConfigDef {
  return new ConfigDef()
    .define('database.hostname', 'STRING', NO_DEFAULT, 'HIGH', 'MySQL / MariaDB host.', Validators.nonEmpty())
    .define('database.port', 'INT', 3306, 'HIGH', 'MySQL / MariaDB port.', Validators.atLeast(1))
    .define('database.user', 'STRING', NO_DEFAULT, 'HIGH', 'A user with SELECT, RELOAD, SHOW DATABASES, REPLICATION SLAVE and REPLICATION CLIENT.')
    .define('database.password', 'PASSWORD', '', 'HIGH', 'Password of database.user.')
    .define('database.server.id', 'LONG', NO_DEFAULT, 'HIGH', 'A server id for the binlog client, unique among the replicas of the server.', Validators.atLeast(1))
    .define('topic.prefix', 'STRING', NO_DEFAULT, 'HIGH', 'Prefix of the topics (<prefix>.<db>.<table>) and the logical server name.', Validators.nonEmpty())
    .define('database.include.list', 'LIST', '', 'MEDIUM', 'Regexes of databases to capture (default all but the system ones).')
    .define('database.exclude.list', 'LIST', '', 'MEDIUM', 'Regexes of databases not to capture.')
    .define('table.include.list', 'LIST', '', 'MEDIUM', 'Regexes of db.table to capture (default all in the captured databases).')
    .define('table.exclude.list', 'LIST', '', 'MEDIUM', 'Regexes of db.table not to capture.')
    .define('snapshot.mode', 'STRING', 'initial', 'MEDIUM', 'initial, initial_only, no_data (never), when_needed or always.', Validators.oneOf(...SNAPSHOT_MODES))
    .define('snapshot.locking.mode', 'STRING', 'minimal', 'LOW', 'MySQL: minimal (global read lock only while the position and schema are read) or none. MariaDB takes no lock.', Validators.oneOf('minimal', 'none'))
    .define('snapshot.fetch.size', 'INT', 10240, 'LOW', 'Rows per snapshot batch.', Validators.atLeast(1))
    .define('schema.history.internal.kafka.topic', 'STRING', '', 'HIGH', 'Topic of the schema history (DDL with its binlog position); default schema-history.<topic.prefix>.')
    .define('schema.history.internal.kafka.bootstrap.servers', 'STRING', '', 'LOW', "Accepted for Debezium configs and ignored: the history lives on the worker's own cluster.")
    .define('schema.history.internal.store.only.captured.tables.ddl', 'BOOLEAN', false, 'LOW', 'Accepted for Debezium configs; only captured tables are recorded.')
    .define('include.schema.changes', 'BOOLEAN', true, 'MEDIUM', 'Also publish DDL as schema change events to the topic named topic.prefix.')
    .define('tombstones.on.delete', 'BOOLEAN', true, 'MEDIUM', 'Emit a tombstone after each delete.')
    .define('skipped.operations', 'LIST', 't', 'LOW', 'Operations not emitted: c, u, d, t or none.')
    .define('heartbeat.interval.ms', 'INT', 0, 'MEDIUM', 'Heartbeat interval (0 disables); heartbeats advance the stored binlog position while captured tables are quiet.', Validators.atLeast(0))
    .define('heartbeat.topics.prefix', 'STRING', '__debezium-heartbeat', 'LOW', 'Heartbeat topic is <prefix>.<topic.prefix>.')
    .define('max.batch.size', 'INT', 2048, 'LOW', 'Maximum change events per batch.', Validators.atLeast(1))
    .define('max.queue.size', 'INT', 8192, 'LOW', 'Change events buffered before the binlog reader pauses.', Validators.atLeast(1))
    .define('poll.interval.ms', 'INT', 500, 'LOW', 'How long poll waits for new changes.', Validators.atLeast(1))
    .define('connect.timeout.ms', 'INT', 30000, 'LOW', 'Connection timeout.', Validators.atLeast(1))
    .define('decimal.handling.mode', 'STRING', 'precise', 'LOW', 'precise (exact Decimal) only.', Validators.oneOf('precise'))
}

export type MysqlFlavor = 'mysql' | 'mariadb'
