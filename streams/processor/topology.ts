// A processor topology: the graph that executors (the test driver, later the
// runtime) run. Built by the DSL or directly through this Processor API.
import type { Serde } from '../serdes.js'
import type { StoreBuilder } from '../state/store-builder.js'
import type { ProcessorSupplier } from './api.js'
import {
  InternalTopologyBuilder,
  type AnyProcessor,
  type StreamPartitioner,
  type TimestampExtractor,
  type TopicNameExtractor,
} from '../internals/topology-builder.js'
import { describeTopology, type TopologyDescription } from './topology-description.js'

export type { TimestampExtractor, TopicNameExtractor, StreamPartitioner }

export class Topology {
  /** @internal The graph; executors read it, users go through the methods. */
  readonly internal: InternalTopologyBuilder

  constructor(internal?: InternalTopologyBuilder) {
    this.internal = internal ?? new InternalTopologyBuilder()
  }

  addSource(
    name: string,
    topics: string | string[],
    options: { keySerde?: Serde<unknown>; valueSerde?: Serde<unknown>; timestampExtractor?: TimestampExtractor } = {},
  ): this {
    this.internal.addSource(name, typeof topics === 'string' ? [topics] : topics, options.keySerde ?? null, options.valueSerde ?? null, options.timestampExtractor ?? null)
    return this
  }

  addProcessor<KIn, VIn, KOut, VOut>(name: string, supplier: ProcessorSupplier<KIn, VIn, KOut, VOut>, ...parentNames: string[]): this {
    this.internal.addProcessor(name, supplier as unknown as () => AnyProcessor, parentNames)
    return this
  }

  addSink(
    name: string,
    topic: string | TopicNameExtractor,
    options: { keySerde?: Serde<unknown>; valueSerde?: Serde<unknown>; partitioner?: StreamPartitioner } = {},
    ...parentNames: string[]
  ): this {
    this.internal.addSink(name, topic, options.keySerde ?? null, options.valueSerde ?? null, parentNames, options.partitioner ?? null)
    return this
  }

  addStateStore(builder: StoreBuilder<unknown, unknown>, ...processorNames: string[]): this {
    this.internal.addStateStore(builder as StoreBuilder, ...processorNames)
    return this
  }

  connectProcessorAndStateStores(processorName: string, ...storeNames: string[]): this {
    for (const s of storeNames) this.internal.connectProcessorAndStore(processorName, s)
    return this
  }

  addGlobalStore<K, V>(
    builder: StoreBuilder<K, V>,
    sourceName: string,
    topic: string,
    options: { keySerde?: Serde<K>; valueSerde?: Serde<V> },
    processorName: string,
    supplier: ProcessorSupplier<K, V, never, never>,
  ): this {
    this.internal.addGlobalStore(
      builder as unknown as StoreBuilder,
      sourceName,
      topic,
      (options.keySerde ?? null) as Serde<unknown> | null,
      (options.valueSerde ?? null) as Serde<unknown> | null,
      processorName,
      supplier as unknown as () => AnyProcessor,
    )
    return this
  }

  describe(): TopologyDescription {
    return describeTopology(this.internal)
  }

  toMermaid(): string {
    return this.describe().toMermaid()
  }

  toString(): string {
    return this.describe().toString()
  }
}
