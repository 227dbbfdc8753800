// Public entry of Brook Streams. Internals (graph, operators, store layers)
// stay out; the test driver is under streams/testing.
export { StreamsBuilder, type StreamsBuilderConfig } from './dsl/streams-builder.js'
export type { KStream, KTable, GlobalKTable, BranchedKStream, KGroupedStream, KGroupedTable, TimeWindowedKStream, SessionWindowedKStream, CogroupedKStream, TimeWindowedCogroupedKStream, SessionWindowedCogroupedKStream, RecordContextInfo, StreamedRecord } from './dsl/kstream.js'
export type { Predicate, ValueMapper, ValueMapperWithKey, KeyValueMapper, ForeachAction, ValueJoiner, ValueJoinerWithKey, Initializer, Aggregator, Reducer, Merger } from './dsl/callbacks.js'
export { pair } from './dsl/callbacks.js'
export { Consumed, Produced, Grouped, Materialized, Joined, StreamJoined, TableJoined, Named, Repartitioned, type StoreType } from './dsl/options.js'
export { Printed } from './dsl/printed.js'
export { TimeWindows, SlidingWindows, SessionWindows, JoinWindows, Suppressed, BufferConfig } from './dsl/windows.js'
export { Branched } from './dsl/branched.js'
export { windowed, type Window, type Windowed } from './dsl/windowed.js'
export { Topology, type TimestampExtractor, type TopicNameExtractor, type StreamPartitioner } from './processor/topology.js'
export type { TopologyDescription, SubtopologyDescription, NodeDescription } from './processor/topology-description.js'
export { Record, type Headers } from './processor/record.js'
export { Record as StreamRecord } from './processor/record.js'
export {
  PunctuationType,
  type Processor,
  type ProcessorSupplier,
  type ProcessorContext,
  type FixedKeyProcessor,
  type FixedKeyProcessorSupplier,
  type FixedKeyProcessorContext,
  type Punctuator,
  type Cancellable,
  type RecordMetadata,
  type TaskId,
} from './processor/api.js'
export { Serdes, WindowedSerdes, type Serde, type Serializer, type Deserializer } from './serdes.js'
export type {
  KeyValue,
  StateStore,
  KeyValueStore,
  ReadOnlyKeyValueStore,
  WindowStore,
  ReadOnlyWindowStore,
  SessionStore,
  ReadOnlySessionStore,
} from './state/types.js'
export { QueryableStoreTypes, type QueryableStoreType, type QueryableStoreProvider } from './state/queryable.js'
export { Stores, StoreBuilder, type StoreSupplier, type StoreKind } from './state/store-builder.js'
export type { ChangelogWriter, ChangelogInfo } from './state/state-manager.js'
export type { StreamsConfig, DeserializationExceptionHandler, ProcessingExceptionHandler, ProcessingHandlerResponse, ErrorHandlerContext } from './internals/task.js'
export { TopologyException, StreamsException, ProcessorException } from './errors.js'
export { KafkaStreams, type KafkaStreamsConfig, type KafkaStreamsState, type StateRestoreListener, type StreamThreadExceptionResponse } from './runtime/kafka-streams.js'
export { HostInfo, KeyQueryMetadata, LagInfo, type StreamsMetadata } from './runtime/streams-metadata.js'
export { observableToTopic, type ObservableToTopicOptions } from './rxjs.js'
