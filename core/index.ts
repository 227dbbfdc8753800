// Brook core: the broker, its log, and the client interface with its in-process implementation.
export * from './client/types.js'
export { EmbeddedClient } from './client/embedded/client.js'
export { Broker } from './broker/broker.js'
export type { BrokerConfig } from './broker/broker-config.js'
export type { TopicMetadata } from './broker/metadata-store.js'
export { CompressionType, TimestampType } from './protocol/records/batch-header.js'
export { defaultPartition, StickyPartitioner } from './client/partitioner.js'
export * from './errors.js'
