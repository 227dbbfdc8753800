// Registers the built-in connectors under the class names users' Connect configs carry.
import { FileStreamSinkConnector } from './file/file-sink-connector.js'
import { JdbcSinkConnector } from './jdbc/sink/jdbc-sink-connector.js'
import { JdbcSourceConnector } from './jdbc/source/jdbc-source-connector.js'
import { registerConnector } from './runtime/plugins.js'
import { MysqlCdcConnector } from './mysql-cdc/connector.js'
import { PostgresConnector } from './postgres-cdc/connector.js'

registerConnector(['io.confluent.connect.jdbc.JdbcSourceConnector', 'JdbcSourceConnector'], () => new JdbcSourceConnector())
registerConnector(['io.confluent.connect.jdbc.JdbcSinkConnector', 'JdbcSinkConnector'], () => new JdbcSinkConnector())
registerConnector(['org.apache.kafka.connect.file.FileStreamSinkConnector', 'FileStreamSinkConnector', 'FileStreamSink'], () => new FileStreamSinkConnector())
registerConnector(['io.debezium.connector.postgresql.PostgresConnector', 'PostgresConnector'], () => new PostgresConnector())
registerConnector(['io.debezium.connector.mysql.MySqlConnector', 'MySqlConnector'], () => new MysqlCdcConnector('mysql'))
registerConnector(['io.debezium.connector.mariadb.MariaDbConnector', 'MariaDbConnector'], () => new MysqlCdcConnector('mariadb'))
