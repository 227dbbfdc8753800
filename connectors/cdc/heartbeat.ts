// Debezium's heartbeat records (topic <heartbeat.topics.prefix>.<topic.prefix>): they carry the
// position the stream reached so the stored offset advances while captured tables are quiet.
import type { SourceOffset, SourcePartition, SourceRecord } from '../api/record.js'
import { Schemas } from '../api/schema.js'

const heartbeatKeySchema = Schemas.struct('io.debezium.connector.common.ServerNameKey', [{ name: 'serverName', schema: Schemas.string(false) }])
const heartbeatValueSchema = Schemas.struct('io.debezium.connector.common.Heartbeat', [{ name: 'ts_ms', schema: Schemas.int64(false) }])

export function heartbeatRecord(topic: string, serverName: string, partition: SourcePartition, offset: SourceOffset, nowMs: number): SourceRecord {
  return {
    sourcePartition: partition, sourceOffset: offset, topic, kafkaPartition: null,
    keySchema: heartbeatKeySchema, key: { serverName }, valueSchema: heartbeatValueSchema, value: { ts_ms: nowMs }, timestamp: null, headers: [],
  }
}
