// Brook's schema registry: Confluent Schema Registry's model (subjects, versions, global ids,
// compatibility levels) kept in a compacted topic, its REST API, a client for any such API,
// and Avro serdes in Confluent's wire format.
export { COMPATIBILITY_LEVELS, DEFAULT_COMPATIBILITY } from './types.js'
export type { CompatibilityLevel, RegisteredSchema, SchemaInput, SchemaRegistryClient, SchemaType } from './types.js'
export { RegistryErrorCodes, SchemaRegistryException } from './errors.js'
export type { RegistryErrorName } from './errors.js'
export { DEFAULT_SCHEMAS_TOPIC, TopicSchemaRegistry } from './store/topic-registry.js'
export type { TopicSchemaRegistryOptions } from './store/topic-registry.js'
export { startRegistryServer } from './http/server.js'
export type { RegistryServer, RegistryServerOptions } from './http/server.js'
export { HttpSchemaRegistryClient } from './http/client.js'
export type { HttpRegistryOptions } from './http/client.js'
export { AvroSerde } from './serde/avro-serde.js'
export type { AvroSerdeOptions } from './serde/avro-serde.js'
export { MAGIC_BYTE, frame, readSchemaId } from './serde/wire-format.js'
